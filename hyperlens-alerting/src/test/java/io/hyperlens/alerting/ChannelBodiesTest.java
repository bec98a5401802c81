package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What each channel puts on the wire, without the wire: every field of every shape. */
class ChannelBodiesTest {
  private static final Instant FIRED = Instant.parse("2026-12-06T10:00:00.123456Z");
  private static final String KEY = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01";

  private static Alert alert(AlertState state, String summary, Map<String, String> group) {
    TreeMap<String, String> labels = new TreeMap<>(group);
    labels.put("alertname", "ring_breach_rate");
    labels.put("severity", "error");
    labels.put("team", "agents");
    return new Alert(
        "ring_breach_rate",
        labels,
        new TreeMap<>(group),
        Map.of("summary", summary, "description", "d"),
        state,
        Severity.ERROR,
        7,
        FIRED.minusSeconds(30),
        FIRED,
        state == AlertState.RESOLVED ? FIRED.plusSeconds(60) : null,
        FIRED,
        true);
  }

  private static final Map<String, String> AGENT_AND_SESSION =
      Map.of("agent_did", "did:mesh:a b", "session_id", "s/1");

  @Test
  void pagerDutyTriggerCarriesEveryPayloadFieldAndLinks() {
    PagerDutyChannel channel =
        PagerDutyChannel.builder(KEY)
            .source("agents-prod")
            .serviceId("PSVC")
            .hubUrl("http://hub:7070///")
            .build();
    Map<String, Object> body =
        channel.body(
            new Notification(
                Notification.Kind.TRIGGER,
                alert(AlertState.FIRING, "s", AGENT_AND_SESSION),
                false,
                false,
                FIRED),
            FIRED);

    assertThat(body)
        .containsEntry("routing_key", KEY)
        .containsEntry("event_action", "trigger")
        .containsEntry("client", "Hyperlens")
        .containsEntry("client_url", "http://hub:7070/ui/alerts");
    assertThat(body.get("dedup_key")).asString().hasSize(64);
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = (Map<String, Object>) body.get("payload");
    assertThat(payload)
        .containsEntry("summary", "s")
        .containsEntry("source", "agents-prod")
        .containsEntry("severity", "error")
        .containsEntry("timestamp", "2026-12-06T10:00:00.123Z")
        .containsEntry("component", "did:mesh:a b")
        .containsEntry("group", "s/1")
        .containsEntry("class", "ring_breach_rate");
    @SuppressWarnings("unchecked")
    Map<String, Object> details = (Map<String, Object>) payload.get("custom_details");
    assertThat(details)
        .containsEntry("team", "agents")
        .containsEntry("value", 7.0)
        .containsEntry("state", "firing")
        .containsEntry("active_since", "2026-12-06T09:59:30.123Z")
        .containsEntry("service_id", "PSVC")
        .doesNotContainKey("test");
    assertThat(body.get("links"))
        .isEqualTo(
            List.of(
                Map.of("href", "http://hub:7070/ui/alerts", "text", "Alerts in Hyperlens"),
                Map.of(
                    "href",
                    "http://hub:7070/ui/agents/did%3Amesh%3Aa+b",
                    "text",
                    "Agent did:mesh:a b"),
                Map.of("href", "http://hub:7070/ui/sessions/s%2F1", "text", "Session s/1")));
  }

  @Test
  void pagerDutyCutsTheSummaryResolvesWithTheKeyAloneAndMarksTests() {
    PagerDutyChannel channel = PagerDutyChannel.builder(KEY).build();
    Alert long1025 = alert(AlertState.FIRING, "y".repeat(1025), Map.of());
    Map<String, Object> trigger =
        channel.body(
            new Notification(Notification.Kind.TRIGGER, long1025, false, true, FIRED), FIRED);
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = (Map<String, Object>) trigger.get("payload");
    assertThat((String) payload.get("summary")).hasSize(1024).endsWith("y...");
    assertThat(payload)
        .doesNotContainKeys("component", "group")
        .containsEntry("source", "hyperlens");
    assertThat(trigger).doesNotContainKeys("links", "client_url");
    assertThat(((Map<?, ?>) payload.get("custom_details")).get("test")).isEqualTo(true);
    Alert exactly1024 = alert(AlertState.FIRING, "z".repeat(1024), Map.of());
    Map<String, Object> fits =
        channel.body(
            new Notification(Notification.Kind.TRIGGER, exactly1024, false, false, FIRED), FIRED);
    assertThat(((Map<?, ?>) fits.get("payload")).get("summary")).isEqualTo("z".repeat(1024));

    Map<String, Object> resolve =
        channel.body(
            new Notification(
                Notification.Kind.RESOLVE,
                alert(AlertState.RESOLVED, "s", Map.of()),
                false,
                false,
                FIRED),
            FIRED);
    assertThat(resolve)
        .containsOnlyKeys("routing_key", "event_action", "dedup_key")
        .containsEntry("event_action", "resolve");
  }

  @Test
  void pagerDutyRefusesKeysItWouldRefuse() {
    assertThatThrownBy(() -> PagerDutyChannel.builder(" ").build())
        .hasMessage("routing_key of channel pagerduty is missing");
    assertThatThrownBy(() -> PagerDutyChannel.builder("a b").build())
        .hasMessageContaining("is not a PagerDuty routing key");
    assertThatThrownBy(() -> PagerDutyChannel.builder("k".repeat(256)).build())
        .hasMessageContaining("its length is 256");
    assertThat(PagerDutyChannel.builder("k".repeat(255)).build().maxPerSecond()).isEqualTo(2);
    assertThatThrownBy(() -> PagerDutyChannel.builder(KEY).maxPerSecond(-1).build())
        .hasMessageContaining("max_per_second of channel pagerduty must not be negative");
    assertThat(PagerDutyChannel.builder(KEY).maxPerSecond(0).build().maxPerSecond()).isZero();
  }

  @Test
  void theWebhookIsAlertmanagersVersionFour() {
    WebhookChannel channel = new WebhookChannel("bot", "http://127.0.0.1:9/x", "http://hub/");
    Alert firing = alert(AlertState.FIRING, "s \"q\"", AGENT_AND_SESSION);
    Map<String, Object> body =
        channel.body(new Notification(Notification.Kind.TRIGGER, firing, false, false, FIRED));
    assertThat(body)
        .containsEntry("version", "4")
        .containsEntry("status", "firing")
        .containsEntry("receiver", "bot")
        .containsEntry("truncatedAlerts", 0)
        .containsEntry("externalURL", "http://hub")
        .containsEntry(
            "groupKey",
            "{}:{agent_did=\"did:mesh:a b\", alertname=\"ring_breach_rate\", session_id=\"s/1\"}");
    assertThat(body.get("groupLabels"))
        .isEqualTo(
            Map.of(
                "agent_did", "did:mesh:a b", "alertname", "ring_breach_rate", "session_id", "s/1"));
    assertThat(body.get("commonLabels")).isEqualTo(firing.labels());
    @SuppressWarnings("unchecked")
    Map<String, Object> item = ((List<Map<String, Object>>) body.get("alerts")).get(0);
    assertThat(item)
        .containsEntry("status", "firing")
        .containsEntry("startsAt", "2026-12-06T10:00:00.123Z")
        .containsEntry("endsAt", "0001-01-01T00:00:00Z")
        .containsEntry("generatorURL", "http://hub/ui/alerts")
        .containsEntry("fingerprint", firing.fingerprint());
    assertThat(WebhookChannel.groupKey(new TreeMap<>(Map.of("a", "x\\y\"z"))))
        .isEqualTo("{}:{a=\"x\\\\y\\\"z\"}");

    Map<String, Object> resolved =
        new WebhookChannel("bot", "http://127.0.0.1:9/x", null)
            .body(
                new Notification(
                    Notification.Kind.RESOLVE,
                    alert(AlertState.RESOLVED, "s", Map.of()),
                    false,
                    false,
                    FIRED));
    assertThat(resolved).containsEntry("status", "resolved").containsEntry("externalURL", "");
    @SuppressWarnings("unchecked")
    Map<String, Object> done = ((List<Map<String, Object>>) resolved.get("alerts")).get(0);
    assertThat(done)
        .containsEntry("endsAt", "2026-12-06T10:01:00.123Z")
        .containsEntry("generatorURL", "");
  }

  @Test
  void alertmanagerGetsAnEndsAtFourResendsAheadWhileFiringAndTheResolveTime() {
    AlertmanagerChannel channel =
        new AlertmanagerChannel("am", "http://127.0.0.1:9093/", "http://hub");
    Instant now = Instant.parse("2026-12-06T11:00:00Z");
    Map<String, Object> firing =
        channel
            .body(
                new Notification(
                    Notification.Kind.TRIGGER,
                    alert(AlertState.FIRING, "s", Map.of()),
                    false,
                    false,
                    now))
            .get(0);
    assertThat(firing)
        .containsEntry("startsAt", "2026-12-06T10:00:00.123Z")
        .containsEntry("endsAt", "2026-12-06T11:04:00Z")
        .containsEntry("generatorURL", "http://hub/ui/alerts");
    Map<String, Object> resolved =
        channel
            .body(
                new Notification(
                    Notification.Kind.RESOLVE,
                    alert(AlertState.RESOLVED, "s", Map.of()),
                    false,
                    false,
                    now))
            .get(0);
    assertThat(resolved).containsEntry("endsAt", "2026-12-06T10:01:00.123Z");
    assertThat(channel.resendInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(channel.maxBatch()).isEqualTo(500);
    assertThat(channel.describe()).isEqualTo("am (Alertmanager API v2 at http://127.0.0.1:9093)");
  }

  @Test
  void slackEscapesItsControlCharactersAndLinksBack() {
    SlackChannel channel =
        new SlackChannel("slack", "https://hooks.slack.com/services/T/B/secret", "http://hub");
    Map<String, Object> firing =
        channel.body(
            new Notification(
                Notification.Kind.TRIGGER,
                alert(AlertState.FIRING, "a < b & c > d", Map.of()),
                false,
                true,
                FIRED));
    assertThat(firing.get("text"))
        .isEqualTo(
            ":rotating_light: *FIRING* (error) ring_breach_rate: a &lt; b &amp; c &gt; d _(test"
                + " alert)_\n<http://hub/ui/alerts|Open in Hyperlens>");
    assertThat(channel.describe())
        .isEqualTo("slack (Slack incoming webhook at https://hooks.slack.com)");
    Map<String, Object> resolved =
        new SlackChannel("slack", "https://hooks.slack.com/services/T/B/secret", null)
            .body(
                new Notification(
                    Notification.Kind.RESOLVE,
                    alert(AlertState.RESOLVED, "ok", Map.of()),
                    false,
                    false,
                    FIRED));
    assertThat(resolved.get("text"))
        .isEqualTo(":white_check_mark: *RESOLVED* ring_breach_rate: ok");
  }

  @Test
  void retryWaitsDoubleUpToTheMostWithJitterWithinHalfAndAll() {
    RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(1000), 6);
    for (int i = 0; i < 200; i++) {
      assertThat(policy.delay(1).toMillis()).isBetween(50L, 100L);
      assertThat(policy.delay(2).toMillis()).isBetween(100L, 200L);
      assertThat(policy.delay(3).toMillis()).isBetween(200L, 400L);
      assertThat(policy.delay(5).toMillis()).isBetween(500L, 1000L);
      assertThat(policy.delay(40).toMillis()).isBetween(500L, 1000L);
    }
    assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), 1))
        .hasMessageContaining("retry initial must be positive");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 1))
        .hasMessageContaining("retry max must be at least retry initial");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
        .hasMessageContaining("retry attempts must be within 1..100; got 0");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 101))
        .hasMessageContaining("got 101");
  }
}
