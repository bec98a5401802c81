package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.store.SqliteStore;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub's alerting as its users meet it: rules from a YAML file evaluated over what is POSTed,
 * notifications to a webhook receiver in Alertmanager's shape, {@code GET /api/alerts}, the UI's
 * page and tile, {@code /metrics}, state kept across a restart, the audit trail's verification.
 */
class HubAlertsTest {
  @TempDir Path work;
  Path data;
  Hub hub;
  HubClient client;
  HttpServer receiver;
  final List<JsonNode> received = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    data = work.resolve("data");
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          JsonNode body = HubClient.JSON.readTree(exchange.getRequestBody().readAllBytes());
          synchronized (received) {
            received.add(body);
            received.notifyAll();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    hub = startHub();
  }

  private Hub startHub() throws Exception {
    Path file = work.resolve("alerts.yaml");
    Files.writeString(
        file,
        "external_url: http://hub.example:7070\n"
            + "rules:\n"
            + "  - {type: ring_breach_rate, threshold: 2, window: 1h}\n"
            + "  - {type: violation, severity: critical, window: 1h}\n"
            + "  - {type: saga_escalated, alert: false, window: 1h}\n"
            + "  - {type: audit_verification_failed}\n"
            + "channels:\n"
            + "  - {type: webhook, name: receiver, url: 'http://127.0.0.1:"
            + receiver.getAddress().getPort()
            + "/hook'}\n");
    Hub started =
        Hub.start(
            HubConfig.defaults(data)
                .withPort(0)
                .withAuth(false)
                .withAuditKeyDirectory(work.resolve("keys"))
                .withAlerts(AlertConfig.load(file)),
            SqliteStore.open(data));
    client = new HubClient(started.uri(), null);
    return started;
  }

  @AfterEach
  void stop() {
    hub.close();
    receiver.stop(0);
  }

  private static String event(String id, String type, String agent) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\""
        + type
        + "\",\"timestamp\":\""
        + Instant.now()
        + "\",\"session_id\":\"s-1\",\"agent_did\":\""
        + agent
        + "\",\"payload\":{}}";
  }

  private void post(String... events) {
    HubClient.Answer answer =
        client.post("/v1/events", "application/json", "[" + String.join(",", events) + "]");
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
  }

  private List<JsonNode> awaitReceived(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    synchronized (received) {
      while (received.size() < n && System.nanoTime() < deadline) {
        received.wait(100);
      }
      assertThat(received).as("notifications received").hasSizeGreaterThanOrEqualTo(n);
      return List.copyOf(received);
    }
  }

  @Test
  void breachesPostedOverHttpFireAnAlertThatReachesTheReceiverAndTheApi() throws Exception {
    post(
        event("e1", "ring.breach_detected", "did:mesh:tool-1"),
        event("e2", "ring.breach_detected", "did:mesh:tool-1"),
        event("e3", "ring.breach_detected", "did:mesh:tool-2"));

    JsonNode answer = client.get("/api/alerts").json();
    assertThat(answer.get("configured").asBoolean()).isTrue();
    JsonNode firing = answer.get("firing");
    // ring_breach_rate for tool-1 only (tool-2 has 1 of 2); violation for both agents
    assertThat(firing).hasSize(3);
    assertThat(firing.findValuesAsText("rule"))
        .containsExactlyInAnyOrder("ring_breach_rate", "violation", "violation");
    JsonNode breachRate =
        firing.findParents("rule").stream()
            .filter(a -> a.get("rule").asText().equals("ring_breach_rate"))
            .findFirst()
            .orElseThrow();
    assertThat(breachRate.at("/labels/agent_did").asText()).isEqualTo("did:mesh:tool-1");
    assertThat(breachRate.get("dedup_key").asText()).hasSize(64);
    assertThat(answer.get("rules")).hasSize(4);
    assertThat(answer.get("rules").get(0).get("condition").asText())
        .isEqualTo("at least 2 ring breaches in 1h, for 0s");

    List<JsonNode> hooks = awaitReceived(3);
    assertThat(hooks)
        .allSatisfy(
            h -> {
              assertThat(h.get("version").asText()).isEqualTo("4");
              assertThat(h.get("status").asText()).isEqualTo("firing");
              assertThat(h.get("externalURL").asText()).isEqualTo("http://hub.example:7070");
            });
    String metrics = client.get("/metrics").body();
    assertThat(metrics)
        .contains("hyperlens_alerts_firing{rule=\"ring_breach_rate\"} 1.0")
        .contains("hyperlens_alerts_firing{rule=\"violation\"} 2.0")
        .contains("hyperlens_alerts_firing{rule=\"saga_escalated\"} 0.0");
    // the counters count once the receiver's answers are in
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!client
            .get("/metrics")
            .body()
            .contains(
                "hyperlens_alert_notifications_total{channel=\"receiver\",outcome=\"sent\"} 3.0")
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(client.get("/metrics").body())
        .contains("hyperlens_alert_notifications_total{channel=\"receiver\",outcome=\"sent\"} 3.0")
        .contains(
            "hyperlens_alert_notifications_total{channel=\"receiver\",outcome=\"failed\"} 0.0");
  }

  @Test
  void aDeniedDecisionIsAViolationAndARuleWithoutAlertNotifiesNobody() throws Exception {
    HubClient.Answer decided =
        client.post(
            "/v1/audit/decisions",
            "application/json",
            "{\"agent_id\":\"did:mesh:writer-3\",\"action\":\"file_write\",\"decision\":\"deny\","
                + "\"reason\":\"prod is read-only\",\"context\":{\"session_id\":\"s-9\"}}");
    assertThat(decided.status()).as(decided.body()).isEqualTo(200);
    post(event("e9", "saga.escalated", "did:mesh:orchestrator-1"));

    JsonNode answer = client.get("/api/alerts").json();
    assertThat(answer.get("firing").findValuesAsText("rule"))
        .containsExactlyInAnyOrder("violation", "saga_escalated");
    JsonNode violation = awaitReceived(1).get(0);
    assertThat(violation.at("/commonLabels/alertname").asText()).isEqualTo("violation");
    assertThat(violation.at("/commonLabels/agent_did").asText()).isEqualTo("did:mesh:writer-3");
    assertThat(violation.at("/commonLabels/severity").asText()).isEqualTo("critical");
    Thread.sleep(300);
    assertThat(received).as("saga_escalated has alert: false").hasSize(1);
  }

  @Test
  void aRestartedHubKeepsItsFiringAlertsWithoutNotifyingAgain() throws Exception {
    post(
        event("e1", "ring.breach_detected", "did:mesh:tool-1"),
        event("e2", "ring.breach_detected", "did:mesh:tool-1"));
    assertThat(client.get("/api/alerts").json().get("firing")).hasSize(2);
    awaitReceived(2);
    hub.close();

    hub = startHub();
    JsonNode answer = client.get("/api/alerts").json();

    assertThat(answer.get("firing")).hasSize(2);
    assertThat(answer.get("firing").findValuesAsText("state")).containsOnly("firing");
    Thread.sleep(300);
    assertThat(received).as("no second trigger after the restart").hasSize(2);
  }

  @Test
  void aTamperedAuditTrailFiresItsAlertWhenVerified() throws Exception {
    HubClient.Answer decided =
        client.post(
            "/v1/audit/decisions",
            "application/json",
            "{\"agent_id\":\"a\",\"action\":\"sql\",\"decision\":\"allow\",\"reason\":\"ok\"}");
    assertThat(decided.status()).isEqualTo(200);
    assertThat(client.get("/api/audit/verify").status()).isEqualTo(200);
    assertThat(client.get("/api/alerts").json().get("firing")).isEmpty();
    hub.close();
    Path trail = data.resolve("audit").resolve("audit.jsonl");
    String text = Files.readString(trail, StandardCharsets.UTF_8);
    Files.writeString(trail, text.replace("\"decision\":\"allow\"", "\"decision\":\"deny\""));
    hub = startHub();

    assertThat(client.get("/api/audit/verify").status()).isEqualTo(409);
    JsonNode firing = client.get("/api/alerts").json().get("firing");
    assertThat(firing.findValuesAsText("rule")).contains("audit_verification_failed");
    assertThat(
            firing.findParents("rule").stream()
                .filter(a -> a.get("rule").asText().equals("audit_verification_failed"))
                .findFirst()
                .orElseThrow()
                .at("/annotations/summary")
                .asText())
        .startsWith("Audit trail verification failed: TAMPERED");
  }

  @Test
  void theUiShowsTheAlertsPageAndTheOverviewTile() throws Exception {
    post(
        event("e1", "ring.breach_detected", "did:mesh:tool-1"),
        event("e2", "ring.breach_detected", "did:mesh:tool-1"));
    client.get("/api/alerts"); // settles the evaluation
    String page = client.get("/ui/alerts").body();
    assertThat(page)
        .contains("<h2>Firing (2)</h2>")
        .contains("2 ring breaches in 1h (agent_did=did:mesh:tool-1)")
        .contains("href=\"/ui/agents/did%3Amesh%3Atool-1\"")
        .contains("at least 2 ring breaches in 1h, for 0s")
        .contains("receiver (Alertmanager-shaped webhook at http://127.0.0.1:");
    String overview = client.get("/ui").body();
    assertThat(overview).contains("id=\"tile-alerts\">⚠ 2</span>");
    assertThat(client.get("/api/alerts?x=1").status()).isEqualTo(400);
  }

  @Test
  void aHubWithoutRulesSaysSo() throws Exception {
    hub.close();
    hub = Hub.start(HubConfig.defaults(data).withPort(0).withAuth(false), SqliteStore.open(data));
    client = new HubClient(hub.uri(), null);
    JsonNode answer = client.get("/api/alerts").json();
    assertThat(answer.get("configured").asBoolean()).isFalse();
    assertThat(answer.get("firing")).isEmpty();
    assertThat(client.get("/ui/alerts").body()).contains("This hub evaluates no alert rules");
    assertThat(client.get("/ui").body()).contains("no rules (serve --alerts FILE)");
    assertThat(client.get("/metrics").body()).doesNotContain("hyperlens_alerts_firing");
  }

  @Test
  void aHubThatCannotBindStopsItsAlertingToo() throws Exception {
    Path other = work.resolve("other");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                Hub.start(
                    HubConfig.defaults(other)
                        .withPort(hub.port()) // taken by the hub of this test
                        .withAuth(false)
                        .withAlerts(
                            AlertConfig.parse(
                                "rules:\n  - {type: violation}\n", false, name -> null)),
                    SqliteStore.open(other)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot serve on");
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (alertingThreads() > 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(alertingThreads()).as("only this test's own hub evaluates").isEqualTo(1);
  }

  private static long alertingThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("hyperlens-alerting") && t.isAlive())
        .count();
  }
}
