package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.TestClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PagerDuty Events API v2 against a local server that checks every body against the v2 schema
 * (answering 400 with the problems, as PagerDuty does) and answers scripted 202, 429 and 500s.
 */
class PagerDutyContractTest {
  private static final String KEY = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01"; // 32 characters
  private static final RetryPolicy FAST =
      new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(80), 4);
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");
  private static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");

  private final TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
  private Receiver pagerduty;
  private Alerting alerting;

  /** The Events v2 schema: required fields, enums, lengths. */
  static List<String> v2Problems(JsonNode body) {
    List<String> problems = new ArrayList<>();
    if (!body.path("routing_key").isTextual() || body.path("routing_key").asText().length() != 32) {
      problems.add("routing_key must be a 32-character string");
    }
    String action = body.path("event_action").asText(null);
    if (!ACTIONS.contains(action)) {
      problems.add("event_action must be trigger, acknowledge or resolve");
    }
    JsonNode dedup = body.path("dedup_key");
    if (!"trigger".equals(action) && !dedup.isTextual()) {
      problems.add("dedup_key is required for " + action);
    }
    if (dedup.isTextual() && dedup.asText().length() > 255) {
      problems.add("dedup_key is longer than 255");
    }
    if ("trigger".equals(action)) {
      JsonNode payload = body.path("payload");
      if (!payload.isObject()) {
        problems.add("payload is required");
      } else {
        String summary = payload.path("summary").asText("");
        if (summary.isEmpty() || summary.length() > 1024) {
          problems.add("payload.summary must be 1..1024 characters");
        }
        if (payload.path("source").asText("").isEmpty()) {
          problems.add("payload.source is required");
        }
        if (!SEVERITIES.contains(payload.path("severity").asText())) {
          problems.add("payload.severity must be critical, error, warning or info");
        }
        if (payload.has("timestamp")) {
          try {
            Instant.parse(payload.get("timestamp").asText());
          } catch (DateTimeParseException e) {
            problems.add("payload.timestamp is not ISO 8601");
          }
        }
        if (payload.has("custom_details") && !payload.get("custom_details").isObject()) {
          problems.add("payload.custom_details must be an object");
        }
      }
      for (JsonNode link : body.path("links")) {
        if (!link.path("href").isTextual()) {
          problems.add("links[].href is required");
        }
      }
    }
    return problems;
  }

  @AfterEach
  void stop() {
    if (alerting != null) {
      alerting.close();
    }
    if (pagerduty != null) {
      pagerduty.close();
    }
  }

  private Alerting alerting(AlertChannel channel, AlertRule rule) {
    AlertConfig config = AlertConfig.builder().rule(rule).channel(channel).retry(FAST).build();
    alerting = Alerting.builder(config).clock(clock).evaluateInBackground(false).build();
    return alerting;
  }

  private PagerDutyChannel channel(String endpoint, double perSecond) {
    return PagerDutyChannel.builder(KEY)
        .endpoint(endpoint)
        .hubUrl("http://hub.example:7070/")
        .serviceId("PSERV01")
        .maxPerSecond(perSecond)
        .build();
  }

  private static HypervisorEvent breach(String agent) {
    return HypervisorEvent.builder(EventType.RING_BREACH_DETECTED)
        .agentDid(agent)
        .sessionId("session-1")
        .build();
  }

  @Test
  void aTriggerAndItsResolvePassTheSchemaUnderOneDedupKey() throws Exception {
    pagerduty = new Receiver(PagerDutyContractTest::v2Problems, 202);
    Alerting a =
        alerting(
            channel(pagerduty.url("/v2/enqueue"), 0),
            AlertRule.builder(RuleType.VIOLATION)
                .severity(Severity.CRITICAL)
                .window(Duration.ofMinutes(1))
                .summary("x".repeat(1500))
                .build());
    a.observe(breach("did:mesh:tool-agent-3"));
    a.evaluateNow();
    clock.advance(Duration.ofMinutes(2));
    a.evaluateNow();

    List<Receiver.Request> requests = pagerduty.await(2);
    JsonNode trigger = requests.get(0).body();
    JsonNode resolve = requests.get(1).body();
    assertThat(requests).allSatisfy(r -> assertThat(r.contentType()).isEqualTo("application/json"));
    assertThat(trigger.path("event_action").asText()).isEqualTo("trigger");
    assertThat(trigger.path("dedup_key").asText()).hasSize(64);
    assertThat(trigger.at("/payload/summary").asText()).hasSize(1024).endsWith("...");
    assertThat(trigger.at("/payload/severity").asText()).isEqualTo("critical");
    assertThat(trigger.at("/payload/source").asText()).isEqualTo("hyperlens");
    assertThat(trigger.at("/payload/component").asText()).isEqualTo("did:mesh:tool-agent-3");
    assertThat(trigger.at("/payload/class").asText()).isEqualTo("violation");
    assertThat(trigger.at("/payload/custom_details/service_id").asText()).isEqualTo("PSERV01");
    assertThat(trigger.at("/payload/timestamp").asText()).isEqualTo("2026-12-06T10:00:00Z");
    assertThat(trigger.path("links").get(0).path("href").asText())
        .isEqualTo("http://hub.example:7070/ui/alerts");
    assertThat(trigger.path("links").get(1).path("href").asText())
        .isEqualTo("http://hub.example:7070/ui/agents/did%3Amesh%3Atool-agent-3");
    assertThat(resolve.path("event_action").asText()).isEqualTo("resolve");
    assertThat(resolve.path("dedup_key").asText()).isEqualTo(trigger.path("dedup_key").asText());
    awaitStats(a, 2, 0);
    assertThat(a.stats().channels().get(0).retried()).isZero();
  }

  @Test
  void a429AndA500AreRetriedUntilAccepted() throws Exception {
    pagerduty = new Receiver(PagerDutyContractTest::v2Problems, 202).answer(429, 500, 503);
    Alerting a =
        alerting(
            channel(pagerduty.url("/v2/enqueue"), 0),
            AlertRule.builder(RuleType.VIOLATION).build());
    a.observe(breach("did:mesh:a"));
    a.evaluateNow();

    List<Receiver.Request> requests = pagerduty.await(4);
    assertThat(requests)
        .extracting(r -> r.body().path("dedup_key").asText())
        .containsOnly(requests.get(0).body().path("dedup_key").asText());
    awaitStats(a, 1, 0);
    assertThat(a.stats().channels().get(0).retried()).isEqualTo(3);
  }

  @Test
  void a400IsNeverRetried() throws Exception {
    pagerduty = new Receiver(body -> List.of(), 202).answer(400);
    Alerting a =
        alerting(
            channel(pagerduty.url("/v2/enqueue"), 0),
            AlertRule.builder(RuleType.VIOLATION).build());
    a.observe(breach("did:mesh:a"));
    a.evaluateNow();

    pagerduty.await(1);
    awaitStats(a, 0, 1);
    Thread.sleep(300); // longer than every retry wait together: none may come
    assertThat(pagerduty.requests()).hasSize(1);
    assertThat(a.stats().channels().get(0).retried()).isZero();
    assertThat(a.stats().channels().get(0).lastError()).startsWith("HTTP 400");
  }

  @Test
  void aSecretInAReceiversAnswerNeverReachesTheCountersOrTheLog() throws Exception {
    // a receiver that echoes what it was sent, as some proxies do on an error
    pagerduty =
        new Receiver(
            body ->
                List.of(
                    "bad key "
                        + body.path("routing_key").asText()
                        + " token=sk-live-abcdefghijklmnopqrstuvwx"),
            202);
    Alerting a =
        alerting(
            channel(pagerduty.url("/v2/enqueue"), 0),
            AlertRule.builder(RuleType.VIOLATION).build());
    a.observe(breach("did:mesh:a"));
    a.evaluateNow();

    pagerduty.await(1);
    awaitStats(a, 0, 1);
    assertThat(a.stats().channels().get(0).lastError())
        .startsWith("HTTP 400")
        .doesNotContain("sk-live-abcdefghijklmnopqrstuvwx");
  }

  @Test
  void anInvalidEventIsAnsweredBadRequestAndNotRetried() throws Exception {
    pagerduty = new Receiver(PagerDutyContractTest::v2Problems, 202);
    // a routing key PagerDuty would refuse: the schema check answers 400 with the problem
    PagerDutyChannel shortKey =
        PagerDutyChannel.builder("too-short").endpoint(pagerduty.url("/v2/enqueue")).build();
    Alerting a = alerting(shortKey, AlertRule.builder(RuleType.VIOLATION).build());
    a.observe(breach("did:mesh:a"));
    a.evaluateNow();

    pagerduty.await(1);
    awaitStats(a, 0, 1);
    assertThat(a.stats().channels().get(0).lastError()).contains("routing_key must be");
  }

  @Test
  void anUnreachableEndpointIsRetriedPastTheAttemptsUntilCloseGivesUp() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Alerting a =
        alerting(
            channel("http://127.0.0.1:" + closed + "/v2/enqueue", 0),
            AlertRule.builder(RuleType.VIOLATION).build());
    a.observe(breach("did:mesh:a"));
    a.evaluateNow();

    // a first trigger is never sent again by anyone: it keeps trying past the policy's attempts
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (a.stats().channels().get(0).retried() < FAST.attempts() + 2
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(a.stats().channels().get(0).retried()).isGreaterThanOrEqualTo(FAST.attempts() + 2);
    assertThat(a.stats().channels().get(0).failed()).isZero();
    assertThat(a.stats().channels().get(0).lastError())
        .isEqualTo("ConnectException: connection refused or address unreachable");
    a.close(); // gives up within its deadline
    assertThat(a.stats().channels().get(0).failed()).isEqualTo(1);
  }

  @Test
  void sendsArePacedToTheRoutingKeysRate() throws Exception {
    pagerduty = new Receiver(PagerDutyContractTest::v2Problems, 202);
    Alerting a =
        alerting(
            channel(pagerduty.url("/v2/enqueue"), 2),
            AlertRule.builder(RuleType.VIOLATION).build());
    for (int i = 0; i < 4; i++) {
      a.observe(breach("did:mesh:agent-" + i));
    }
    a.evaluateNow();

    List<Receiver.Request> requests = pagerduty.await(4);
    for (int i = 1; i < requests.size(); i++) {
      long gapMillis = (requests.get(i).nanos() - requests.get(i - 1).nanos()) / 1_000_000;
      // a lower bound only: the pacing sleeps at least 500 ms between sends
      assertThat(gapMillis).as("gap before send " + i).isGreaterThanOrEqualTo(450);
    }
  }

  @Test
  void theRoutingKeyIsNeverShownOnlyItsLastFourCharacters() throws IOException {
    PagerDutyChannel channel = channel("http://127.0.0.1:1/v2/enqueue", 2);
    assertThat(channel.describe()).doesNotContain(KEY).contains("...3y01");
    assertThat(channel.toString()).doesNotContain(KEY);
  }

  private static void awaitStats(Alerting a, long sent, long failed) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    AlertingStats.Channel c = a.stats().channels().get(0);
    while ((c.sent() != sent || c.failed() != failed) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      c = a.stats().channels().get(0);
    }
    assertThat(c.sent()).as("sent").isEqualTo(sent);
    assertThat(c.failed()).as("failed").isEqualTo(failed);
  }
}
