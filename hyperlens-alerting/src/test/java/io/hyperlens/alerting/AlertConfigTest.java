package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertConfigTest {
  private static final Map<String, String> ENV =
      Map.of(
          "PAGERDUTY_ROUTING_KEY", "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01",
          "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/s3cr3tT0k3n");

  private static AlertConfig yaml(String text) {
    return AlertConfig.parse(text, false, ENV::get);
  }

  @Test
  void theSeedsShapeReadsAsItIs() {
    AlertConfig config =
        yaml(
            "provider: pagerduty\n"
                + "api_key: ${PAGERDUTY_ROUTING_KEY}\n"
                + "service_id: your-service-id\n"
                + "rules:\n"
                + "  - {type: violation, severity: critical, alert: true}\n"
                + "  - {type: latency_spike, threshold_ms: 1000, alert: true}\n");

    assertThat(config.channels()).singleElement().isInstanceOf(PagerDutyChannel.class);
    assertThat(config.rules())
        .extracting(AlertRule::id)
        .containsExactly("violation", "latency_spike");
    assertThat(config.rules().get(0).severity()).isEqualTo(Severity.CRITICAL);
    assertThat(config.rules().get(1).threshold()).isEqualTo(1000);
    assertThat(config.rules().get(1).quantile()).isEqualTo(0.95);
    assertThat(config.repeatInterval()).isEqualTo(Duration.ofHours(4));
  }

  @Test
  void theBuilderTakesTheSeedsDictionariesToo() {
    AlertConfig config =
        AlertConfig.builder()
            .provider("pagerduty")
            .apiKey("R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01")
            .serviceId("your-service-id")
            .rule(Map.of("type", "violation", "severity", "critical", "alert", true))
            .rule(Map.of("type", "latency_spike", "threshold_ms", 1000, "alert", true))
            .build();
    assertThat(config.rules()).hasSize(2);
    assertThat(config.rules().get(1).type()).isEqualTo(RuleType.LATENCY_SPIKE);
  }

  @Test
  void everyChannelAndSettingReadsFromYaml() {
    AlertConfig config =
        yaml(
            "external_url: http://hub.example:7070\n"
                + "evaluation_interval: 500ms\n"
                + "repeat_interval: 1h\n"
                + "queue_capacity: 50\n"
                + "max_groups: 20\n"
                + "history: 7\n"
                + "retry: {initial: 100ms, max: 2s, attempts: 3}\n"
                + "rules:\n"
                + "  - type: ring_breach_rate\n"
                + "    id: breaches\n"
                + "    threshold: 10\n"
                + "    window: 2m\n"
                + "    for: 30s\n"
                + "    group_by: [agent, session]\n"
                + "    labels: {team: agents}\n"
                + "  - {type: elevation_too_long, threshold_seconds: 120}\n"
                + "  - {type: error_rate, threshold: 0.2, min_events: 5}\n"
                + "channels:\n"
                + "  - {type: webhook, name: bot, url: 'http://127.0.0.1:9/hook'}\n"
                + "  - {type: alertmanager, url: 'http://127.0.0.1:9093'}\n"
                + "  - {type: slack, webhook_url: '${SLACK_WEBHOOK_URL}'}\n"
                + "  - {type: pagerduty, routing_key: '${PAGERDUTY_ROUTING_KEY}',"
                + " endpoint: 'http://127.0.0.1:9/v2/enqueue', max_per_second: 1}\n");

    assertThat(config.channels())
        .extracting(AlertChannel::name)
        .containsExactly("bot", "alertmanager", "slack", "pagerduty");
    assertThat(config.channels().get(3).maxPerSecond()).isEqualTo(1);
    AlertRule breaches = config.rules().get(0);
    assertThat(breaches.id()).isEqualTo("breaches");
    assertThat(breaches.groupBy()).containsExactly("agent", "session");
    assertThat(breaches.forDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(breaches.labels()).containsExactly(Map.entry("team", "agents"));
    assertThat(config.rules().get(1).threshold()).isEqualTo(120);
    assertThat(config.evaluationInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.retry())
        .isEqualTo(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), 3));
    assertThat(config.externalUrl()).isEqualTo("http://hub.example:7070");
    assertThat(config.describe().toString())
        .doesNotContain("s3cr3tT0k3n")
        .doesNotContain("R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01");
  }

  @Test
  void jsonFilesReadByTheirName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("alerts.json");
    Files.writeString(
        file,
        "{\"rules\": [{\"type\": \"saga_escalated\"}],"
            + " \"channels\": [{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:9/x\"}]}");
    assertThat(AlertConfig.load(file, ENV::get).rules())
        .extracting(AlertRule::id)
        .containsExactly("saga_escalated");

    Files.writeString(file, "{\"rules\": [}");
    assertThatThrownBy(() -> AlertConfig.load(file, ENV::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file + ": not valid JSON");
  }

  @Test
  void badSettingsAreNamedByTheirPath() {
    assertRefused(
        "rules:\n  - {type: violation, treshold: 3}\n", "rules[0].treshold is not a rule setting");
    assertRefused(
        "rules:\n  - {type: nope}\n", "rules[0].type must be one of violation, latency_spike");
    assertRefused(
        "rules:\n  - {type: latency_spike}\n",
        "threshold_ms of rule latency_spike (latency_spike) is required");
    assertRefused(
        "rules:\n  - {type: violation, window: banana}\n", "rules[0].window is not a duration");
    assertRefused(
        "rules:\n  - {type: violation, severity: page}\n",
        "rules[0].severity must be one of critical, error, warning, info; got page");
    assertRefused(
        "rules:\n  - {type: violation, threshold_ms: 5}\n",
        "rules[0].threshold_ms does not apply to a violation rule; its threshold is threshold");
    assertRefused(
        "rules:\n  - {type: error_rate, threshold: 2}\n",
        "(error_rate) is a ratio within 0..1; got 2.0");
    assertRefused("rules:\n  - {type: agent_silent, group_by: [session]}\n", "is always [agent]");
    assertRefused(
        "rules:\n  - {type: violation, group_by: [tool]}\n",
        "group_by of rule violation takes agent and session; got \"tool\"");
    assertRefused(
        "rules:\n  - {type: violation, alert: yes-please}\n",
        "rules[0].alert must be true or false");
    assertRefused(
        "rules:\n  - {type: violation}\n  - {type: violation}\n",
        "rule id violation is used twice");
    assertRefused(
        "rules:\n  - {type: violation, labels: {severity: low}}\n",
        "\"severity\" is not a label name of your own");
    assertRefused(
        "channels:\n  - {type: email, url: x}\n",
        "channels[0].type must be pagerduty, webhook, alertmanager or slack; got \"email\"");
    assertRefused("channels:\n  - {type: webhook}\n", "channels[0].url is missing");
    assertRefused(
        "channels:\n  - {type: webhook, url: 'ftp://x/y'}\n",
        "url of channel webhook must be an http or https URL");
    assertRefused(
        "channels:\n  - {type: pagerduty}\n", "channels[0].routing_key (or api_key) is missing");
    assertRefused(
        "channels:\n  - {type: slack, webhook_url: '${NOT_SET_ANYWHERE}'}\n",
        "channels[0].webhook_url takes the environment variable NOT_SET_ANYWHERE, which is not set");
    assertRefused("repeat_interval: 0s\n", "repeat_interval must be a positive duration");
    assertRefused("queue_capacity: 0\n", "queue_capacity must be within 1..1,000,000; got 0");
    assertRefused("rules: {type: violation}\n", "rules must be a list");
    assertRefused("rulez: []\n", "rulez is not a setting here");
    assertRefused("", "the file is empty");
    // what would otherwise be taken and ignored
    assertRefused(
        "api_key: x\nrules: []\n", "api_key belongs to a provider: add provider: pagerduty");
    assertRefused(
        "provider: pagerduty\napi_key: k\nurl: 'http://127.0.0.1:9/x'\n",
        "provider.url does not apply to a pagerduty channel");
    assertRefused(
        "channels:\n  - {type: webhook, url: 'http://127.0.0.1:9/x', endpoint: 'http://y/'}\n",
        "channels[0].endpoint does not apply to a webhook channel");
    assertRefused(
        "channels:\n  - {type: webhook, url: 'http://127.0.0.1:9/x'}\n"
            + "channels:\n  - {type: slack, url: 'http://127.0.0.1:9/y'}\n",
        "Duplicate field 'channels'");
    assertRefused(
        "rules:\n  - {type: violation, quantile: 0.5}\n",
        "rules[0].quantile does not apply to a violation rule");
    assertRefused(
        "rules:\n  - {type: agent_silent, window: 5m}\n",
        "rules[0].window does not apply to a agent_silent rule");
    assertRefused(
        "rules:\n  - {type: violation, summary: ' '}\n",
        "summary of rule violation must not be blank");
    assertRefused("queue_capacity: 2000000000\n", "queue_capacity must be within 1..1,000,000");
    assertRefused("retry: {attempts: 1.5}\n", "retry.attempts must be a whole number");
    assertRefused(
        "rules:\n  - {type: violation, for: 99999999999999999999}\n",
        "for of rule violation must be within 0s..30d");
    assertRefused(
        "channels:\n  - {type: pagerduty, routing_key: k, source: ''}\n",
        "channels[0]: source must not be blank");
  }

  @Test
  void userInfoAndTokensOfABadUrlAreNeverRepeated() {
    assertThatThrownBy(
            () ->
                yaml(
                    "channels:\n  - {type: webhook, url: 'htps://alice:s3cret@hooks.example.com/x'}\n"))
        .hasMessageContaining("\"htps://...@hooks.example.com/...\"")
        .hasMessageNotContaining("s3cret")
        .hasMessageNotContaining("alice");
    assertThatThrownBy(
            () -> yaml("channels:\n  - {type: webhook, url: 'http://bad host?token=S3CRET'}\n"))
        .hasMessageNotContaining("S3CRET");
    assertThatThrownBy(
            () ->
                AlertConfig.parse(
                    "{\"provider\": \"pagerduty\", \"api_key\": R0ut1ngK3yR0ut1ngK3y}",
                    true,
                    ENV::get))
        .hasMessageStartingWith("not valid JSON")
        .hasMessageNotContaining("R0ut1ngK3yR0ut1ngK3y");
  }

  @Test
  void aSecretInABadUrlIsNotRepeatedInTheError() {
    assertThatThrownBy(
            () ->
                yaml(
                    "channels:\n  - {type: slack, webhook_url: 'hooks.slack.com/services/T0/B0/s3cr3tT0k3n'}\n"))
        .hasMessageContaining("webhook_url of channel slack must be an http or https URL")
        .hasMessageNotContaining("s3cr3tT0k3n");
  }

  @Test
  void aDefaultAfterTheVariableNameIsUsedWhenItIsUnset() {
    AlertConfig config =
        yaml("channels:\n  - {type: alertmanager, url: '${AM_URL:-http://127.0.0.1:9093}'}\n");
    assertThat(config.channels().get(0).describe()).contains("http://127.0.0.1:9093");
  }

  private static void assertRefused(String yaml, String message) {
    assertThatThrownBy(() -> yaml(yaml))
        .as(yaml)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void everyProviderWorksInTheSeedsShape() {
    AlertConfig pagerduty =
        yaml(
            "provider: pagerduty\n"
                + "routing_key: ${PAGERDUTY_ROUTING_KEY}\n"
                + "service_id: PSVC\n"
                + "endpoint: 'http://127.0.0.1:9/v2/enqueue'\n"
                + "source: agents-prod\n"
                + "external_url: 'http://hub:7070/'\n");
    PagerDutyChannel channel = (PagerDutyChannel) pagerduty.channels().get(0);
    Map<String, Object> body =
        channel.body(
            new Notification(
                Notification.Kind.TRIGGER,
                new Alert(
                    "r",
                    new java.util.TreeMap<>(Map.of("alertname", "r")),
                    new java.util.TreeMap<>(),
                    Map.of("summary", "s"),
                    AlertState.FIRING,
                    Severity.INFO,
                    1,
                    null,
                    null,
                    null,
                    null,
                    true),
                false,
                false,
                java.time.Instant.EPOCH),
            java.time.Instant.EPOCH);
    assertThat(channel.describe()).contains("at http://127.0.0.1:9");
    assertThat(body.get("routing_key")).isEqualTo("R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01");
    assertThat(body.get("client_url")).isEqualTo("http://hub:7070/ui/alerts");
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = (Map<String, Object>) body.get("payload");
    assertThat(payload)
        .containsEntry("source", "agents-prod")
        .containsEntry("timestamp", "1970-01-01T00:00:00Z");
    assertThat(
            ((Map<?, ?>) ((Map<?, ?>) body.get("payload")).get("custom_details")).get("service_id"))
        .isEqualTo("PSVC");
    assertThat(pagerduty.externalUrl()).isEqualTo("http://hub:7070");

    assertThat(yaml("provider: webhook\nurl: 'http://127.0.0.1:9/h'\n").channels().get(0))
        .isInstanceOf(WebhookChannel.class);
    assertThat(yaml("provider: alertmanager\nurl: 'http://127.0.0.1:9093'\n").channels().get(0))
        .isInstanceOf(AlertmanagerChannel.class);
    assertThat(yaml("provider: slack\nurl: '${SLACK_WEBHOOK_URL}'\n").channels().get(0).describe())
        .isEqualTo("slack (Slack incoming webhook at https://hooks.slack.com)");
    assertThat(yaml("provider: pagerduty\napi_key: k1\n").channels().get(0).describe())
        .as("a key too short to be real is not shown at all")
        .endsWith("routing key ...)");
    assertThatThrownBy(() -> yaml("provider: pagerduty\n"))
        .hasMessageContaining("provider.routing_key (or api_key) is missing");
    assertThatThrownBy(() -> yaml("provider: [x]\n")).hasMessage("provider must be a string");
    assertThatThrownBy(
            () ->
                yaml(
                    "channels:\n  - {type: webhook, name: a, url: 'http://127.0.0.1:9/x'}\n"
                        + "  - {type: slack, name: a, url: 'http://127.0.0.1:9/y'}\n"))
        .hasMessageContaining("channel name a is used twice");
    assertThatThrownBy(() -> yaml("channels:\n  - [x]\n"))
        .hasMessageContaining("channels[0] must be a mapping");
    assertThatThrownBy(() -> yaml("rules:\n  - x\n"))
        .hasMessageContaining("rules[0] must be a mapping");
    assertThatThrownBy(() -> yaml("channels: {type: x}\n")).hasMessage("channels must be a list");
    assertThatThrownBy(() -> yaml("retry: 5\n")).hasMessageContaining("retry must be a mapping");
    assertThatThrownBy(() -> yaml("- a\n"))
        .hasMessage("the top level must be a mapping of settings");
    assertThatThrownBy(() -> yaml("rules:\n  - {type: violation, labels: [a]}\n"))
        .hasMessageContaining("rules[0].labels must be a mapping");
    assertThatThrownBy(() -> yaml("rules:\n  - {type: violation, threshold: lots}\n"))
        .hasMessageContaining("rules[0].threshold must be a number; got \"lots\"");
    assertThatThrownBy(() -> yaml("rules:\n  - {type: error_rate, min_events: 2.5}\n"))
        .hasMessageContaining("rules[0].min_events must be a whole number");
    assertThatThrownBy(() -> yaml("rules:\n  - {type: violation, id: ~}\n"))
        .hasMessageContaining("rules[0].id has no value");
    assertThatThrownBy(() -> yaml("rules:\n  - {severity: info}\n"))
        .hasMessageContaining("rules[0].type is missing");
    AlertConfig numbers =
        yaml(
            "evaluation_interval: 0.5\nrepeat_interval: 60\nrules:\n"
                + "  - {type: latency_spike, threshold_ms: '250', source: tool, quantile: 0.5,"
                + " group_by: session}\n");
    assertThat(numbers.evaluationInterval()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(numbers.repeatInterval()).isEqualTo(java.time.Duration.ofMinutes(1));
    AlertRule latency = numbers.rules().get(0);
    assertThat(latency.threshold()).isEqualTo(250);
    assertThat(latency.source()).isEqualTo(AlertRule.LatencySource.TOOL);
    assertThat(latency.quantile()).isEqualTo(0.5);
    assertThat(latency.groupBy()).containsExactly("session");
    assertThat(numbers.outboxCapacity()).isEqualTo(10_000);
    assertThat(numbers.queueCapacity()).isEqualTo(10_000);
    assertThat(numbers.maxGroups()).isEqualTo(10_000);
    assertThat(numbers.history()).isEqualTo(1_000);
  }

  @Test
  void theShippedExampleReads() throws Exception {
    AlertConfig example =
        AlertConfig.load(Path.of("..", "deploy", "hyperlens", "alerts.yaml"), ENV::get);
    assertThat(example.rules())
        .extracting(AlertRule::id)
        .containsExactly(
            "violation",
            "latency_spike",
            "breaches_per_agent",
            "elevation_too_long",
            "saga_escalated",
            "compensation_rate",
            "error_rate",
            "agent_silent",
            "audit_verification_failed");
    assertThat(example.channels())
        .extracting(AlertChannel::name)
        .containsExactly("pagerduty", "alertmanager");
    assertThat(example.externalUrl()).isNull();
  }
}
