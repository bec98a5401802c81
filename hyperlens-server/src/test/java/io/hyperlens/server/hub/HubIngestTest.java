package io.hyperlens.server.hub;

import static io.hyperlens.server.hub.HubClient.event;
import static io.hyperlens.server.hub.HubClient.gzip;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.event.EventQuery;
import io.hyperlens.server.ingest.IngestLimits;
import io.hyperlens.store.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/events over real HTTP: a 2xx means stored, anything refused stores nothing. */
class HubIngestTest {
  @TempDir Path data;
  Hub hub;
  HubClient client;

  @BeforeEach
  void start() {
    IngestLimits limits = new IngestLimits(1 << 20, 50, 100, 8, 0);
    hub =
        Hub.start(HubConfig.defaults(data).withPort(0).withLimits(limits), SqliteStore.open(data));
    client = new HubClient(hub.uri(), hub.initialAdminKey().orElseThrow());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private long stored() {
    return hub.store().count(EventQuery.all());
  }

  @Test
  void aJsonArrayIsCommittedAndARetryIsCountedAsDuplicates() {
    String batch =
        "["
            + event("e1", "session.created", "s1")
            + ","
            + event("e2", "session.joined", "s1")
            + "]";
    HubClient.Answer first = client.post("/v1/events", "application/json", batch);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("accepted").asInt()).isEqualTo(2);
    assertThat(first.json().get("duplicates").asInt()).isZero();
    assertThat(stored()).isEqualTo(2);

    HubClient.Answer retry = client.post("/v1/events", "application/json", batch);
    assertThat(retry.json().get("accepted").asInt()).isZero();
    assertThat(retry.json().get("duplicates").asInt()).isEqualTo(2);
    assertThat(stored()).isEqualTo(2);
  }

  @Test
  void ndjsonAndGzipAreAccepted() {
    String ndjson =
        event("n1", "session.created", "s2") + "\n\n" + event("n2", "vfs.write", "s2") + "\n";
    HubClient.Answer answer =
        client.post(
            "/v1/events",
            "application/x-ndjson; charset=utf-8",
            gzip(ndjson.getBytes(StandardCharsets.UTF_8)),
            "gzip");
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().get("accepted").asInt()).isEqualTo(2);
  }

  @Test
  void oneBadEventRefusesTheWholeBatchNamingIndexFieldAndValue() {
    String batch =
        "["
            + event("ok-1", "session.created", "s3")
            + ",{\"event_id\":\"x\",\"event_type\":\"ring.nope\",\"timestamp\":\"2026-12-06T10:00:00Z\"}"
            + ",{\"event_type\":\"session.joined\",\"timestamp\":\"yesterday\",\"session_id\":7}"
            + "]";
    HubClient.Answer answer = client.post("/v1/events", "application/json", batch);
    assertThat(answer.status()).isEqualTo(400);
    JsonNode problems = answer.json().get("problems");
    List<String> seen = new ArrayList<>();
    problems.forEach(p -> seen.add(p.get("index").asInt() + " " + p.get("field").asText()));
    assertThat(seen).contains("1 event_type", "2 event_id", "2 timestamp");
    assertThat(answer.body()).contains("ring.nope").contains("yesterday");
    assertThat(stored()).isZero();
  }

  @Test
  void badBodiesGetTheirFourHundredsAndStoreNothing() {
    HubClient.Answer malformed = client.post("/v1/events", "application/json", "[{\"event_id\":");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("message").asText())
        .contains("at line 1, column")
        .doesNotContain("REDACTED")
        .doesNotContain("StreamReadFeature");
    assertThat(client.post("/v1/events", "application/json", "{\"event_id\":\"a\"}").status())
        .isEqualTo(400);
    HubClient.Answer type = client.post("/v1/events", "text/plain", "hello");
    assertThat(type.status()).isEqualTo(415);
    assertThat(type.json().get("error").asText()).isEqualTo("unsupported_media_type");
    assertThat(
            client
                .post(
                    "/v1/events",
                    "application/json",
                    "not gzip".getBytes(StandardCharsets.UTF_8),
                    "gzip")
                .status())
        .isEqualTo(400);
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i < 51; i++) {
      many.append(i == 0 ? "" : ",").append(event("m" + i, "session.joined", "s"));
    }
    HubClient.Answer tooMany = client.post("/v1/events", "application/json", many + "]");
    assertThat(tooMany.status()).isEqualTo(413);
    assertThat(tooMany.json().get("error").asText()).isEqualTo("too_many_events");
    assertThat(stored()).isZero();
    // and the hub keeps serving
    assertThat(client.get("/healthz").status()).isEqualTo(200);
  }

  @Test
  void aGzipBombStopsAtTheBodyLimit() {
    byte[] zeros = new byte[8 << 20]; // 8 MiB of zeros: a few KiB compressed, over the 1 MiB limit
    HubClient.Answer answer = client.post("/v1/events", "application/json", gzip(zeros), "gzip");
    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.json().get("error").asText()).isEqualTo("too_large");
  }

  @Test
  void anOversizeBodyIsRefused() {
    byte[] big = new byte[(1 << 20) + 10];
    java.util.Arrays.fill(big, (byte) ' ');
    HubClient.Answer answer = client.post("/v1/events", "application/json", big, null);
    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.json().get("message").asText()).contains("larger than 1048576 bytes");
  }

  @Test
  void longValuesAreCutAndMarkedAndSecretsRedacted() {
    String longText = "x".repeat(500);
    String batch =
        "[{\"event_id\":\"big\",\"event_type\":\"vfs.write\",\"timestamp\":\"2026-12-06T10:00:00Z\","
            + "\"payload\":{\"text\":\""
            + longText
            + "\",\"password\":\"hunter2\",\"note\":\"card 4111 1111 1111 1111\"}}]";
    assertThat(client.post("/v1/events", "application/json", batch).status()).isEqualTo(200);
    JsonNode payload = client.get("/api/events/big").json().get("payload");
    assertThat(payload.get("text").asText()).hasSize(100);
    assertThat(payload.get("hyperlens.truncated").asBoolean()).isTrue();
    assertThat(payload.get("password").asText()).doesNotContain("hunter2");
    assertThat(payload.get("note").asText()).doesNotContain("4111");
    assertThat(client.get("/metrics").body())
        .containsPattern("hyperlens_hub_redacted_values_total [1-9]")
        .contains("hyperlens_hub_dropped_total{reason=\"truncated_value\"} 1.0");
  }

  @Test
  void theHubsMetricsCountRequestsIngestAndRejections() {
    client.post("/v1/events", "application/json", "[" + event("q1", "session.created", "s") + "]");
    client.post("/v1/events", "text/plain", "x");
    String metrics = client.withKey(null).get("/metrics").body();
    assertThat(metrics)
        .contains(
            "hyperlens_hub_requests_total{method=\"POST\",route=\"/v1/events\",status=\"200\"} 1.0")
        .contains(
            "hyperlens_hub_requests_total{method=\"POST\",route=\"/v1/events\",status=\"415\"} 1.0")
        .contains("hyperlens_hub_ingested_total{kind=\"events\"} 1.0")
        .contains("hyperlens_hub_rejected_total{reason=\"unsupported_media_type\"} 1.0")
        .contains("hyperlens_hub_commit_seconds_count{kind=\"events\"} 1")
        .contains("hyperlens_hub_ingest_in_flight 0.0")
        .containsPattern("hyperlens_hub_store_bytes [1-9]")
        .contains("jvm_threads_current");
  }
}
