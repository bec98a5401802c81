package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/audit/decisions into the hub's own signed trail, and the audit routes that read it. */
class HubAuditTest {
  @TempDir Path work;
  Hub hub;
  HubClient client;
  Path keys;

  @BeforeEach
  void start() {
    Path data = work.resolve("data");
    keys = work.resolve("keys");
    hub =
        Hub.start(
            HubConfig.defaults(data).withPort(0).withAuditKeyDirectory(keys),
            SqliteStore.open(data));
    client = new HubClient(hub.uri(), hub.initialAdminKey().orElseThrow());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private static final String DENY =
      "{\"id\":\"d-1\",\"agent_id\":\"agent-001\",\"action\":\"file_write\","
          + "\"resource\":\"/prod/config.yaml\",\"decision\":\"deny\","
          + "\"reason\":\"Production writes blocked; token sk-live-abcdefghijklmnopqrstuvwx\","
          + "\"rule_id\":\"rule-005\",\"context\":{\"session_id\":\"sess-123\",\"password\":\"hunter2\"}}";

  @Test
  void decisionsAreSignedRecordsOnceAndReadBackNewestFirst() throws Exception {
    HubClient.Answer first =
        client.post(
            "/v1/audit/decisions",
            "application/json",
            "["
                + DENY
                + ",{\"agent_id\":\"agent-002\",\"action\":\"sql\",\"decision\":\"allow\"}]");
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().get("accepted").asInt()).isEqualTo(2);
    assertThat(first.json().get("records").get(0).get("sequence").asLong()).isEqualTo(1);
    assertThat(first.json().get("records").get(0).get("hash").asText()).hasSize(64);

    HubClient.Answer retry = client.post("/v1/audit/decisions", "application/json", DENY);
    assertThat(retry.json().get("accepted").asInt()).isZero();
    assertThat(retry.json().get("duplicates").asInt()).isEqualTo(1);

    JsonNode records = client.get("/api/audit").json().get("records");
    assertThat(records).hasSize(2);
    assertThat(records.get(0).get("agent_id").asText()).isEqualTo("agent-002");
    JsonNode denied = client.get("/api/audit?decision=deny").json().get("records");
    assertThat(denied).hasSize(1);
    assertThat(denied.get(0).get("reason").asText()).doesNotContain("abcdefghij");
    assertThat(denied.get(0).get("context").get("password").asText()).doesNotContain("hunter2");
    assertThat(client.get("/api/audit?agent=agent-001&time_range=last_24h").json().get("records"))
        .hasSize(1);

    JsonNode verification = client.get("/api/audit/verify").json();
    assertThat(verification.get("ok").asBoolean()).as(verification.toString()).isTrue();
    assertThat(verification.get("records_verified").asLong()).isEqualTo(2);
    // the key is outside the data directory
    try (var files = Files.list(keys)) {
      assertThat(files.count()).isPositive();
    }
  }

  @Test
  void decisionTimesAreReadAsAgentsWriteThem() {
    for (String time :
        new String[] {
          "2026-12-06T05:35:02Z",
          "2026-12-06T05:35:02+00:00",
          "2026-12-06T05:35:02.123456Z",
          "2026-12-06T07:35:02.5+02:00"
        }) {
      HubClient.Answer answer =
          client.post(
              "/v1/audit/decisions",
              "application/json",
              "{\"agent_id\":\"a\",\"action\":\"x\",\"decision\":\"allow\",\"timestamp\":\""
                  + time
                  + "\"}");
      assertThat(answer.status()).as(time + ": " + answer.body()).isEqualTo(200);
    }
    JsonNode records = client.get("/api/audit").json().get("records");
    assertThat(records.get(0).get("timestamp").asText()).isEqualTo("2026-12-06T05:35:02.500Z");
    assertThat(records.get(1).get("timestamp").asText()).isEqualTo("2026-12-06T05:35:02.123Z");
    assertThat(client.get("/api/audit/verify").json().get("ok").asBoolean()).isTrue();
    assertThat(
            client
                .post(
                    "/v1/audit/decisions",
                    "application/json",
                    "{\"agent_id\":\"a\",\"action\":\"x\",\"decision\":\"allow\",\"timestamp\":\"soon\"}")
                .body())
        .contains("\\\"soon\\\" is not an ISO-8601 time");
  }

  @Test
  void reportsComeInTheirFormats() {
    client.post("/v1/audit/decisions", "application/json", DENY);
    HubClient.Answer pdf = client.get("/api/audit/report?format=pdf");
    assertThat(pdf.status()).isEqualTo(200);
    assertThat(pdf.header("Content-Type")).startsWith("application/pdf");
    assertThat(pdf.body()).startsWith("%PDF-");
    HubClient.Answer csv = client.get("/api/audit/report?format=csv&time_range=last_7_days");
    assertThat(csv.header("Content-Type")).startsWith("text/csv");
    assertThat(csv.body()).contains("rule-005");
    assertThat(client.get("/api/audit/report").json().toString()).contains("agent-001");
    assertThat(client.get("/api/audit/report?format=docx").status()).isEqualTo(400);
    assertThat(client.get("/api/audit?time_range=yesterday").json().get("message").asText())
        .startsWith("time_range must look like");
  }

  @Test
  void aBadDecisionRefusesTheBatchNamingTheField() {
    HubClient.Answer answer =
        client.post(
            "/v1/audit/decisions",
            "application/json",
            "[{\"agent_id\":\"a\",\"action\":\"x\",\"decision\":\"maybe\"},{\"action\":\"y\",\"decision\":\"allow\"}]");
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body())
        .contains("\"field\":\"decision\"")
        .contains("maybe")
        .contains("\"field\":\"agent_id\"");
    assertThat(client.get("/api/audit").json().get("records")).isEmpty();
    assertThat(client.post("/v1/audit/decisions", "text/plain", "x").status()).isEqualTo(415);
  }
}
