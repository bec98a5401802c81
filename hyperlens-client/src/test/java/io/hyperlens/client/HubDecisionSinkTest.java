package io.hyperlens.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hyperlens.governance.PolicyDecision;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policy decisions reach a hub's audit route in the Agent OS record shape, batched and gzipped. */
class HubDecisionSinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer server;
  private final List<String[]> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] raw = exchange.getRequestBody().readAllBytes();
          String body =
              "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                  ? new String(
                      new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes(),
                      StandardCharsets.UTF_8)
                  : new String(raw, StandardCharsets.UTF_8);
          requests.add(
              new String[] {
                exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Authorization"),
                body
              });
          byte[] answer =
              (status == 200 ? "{\"accepted\":2,\"duplicates\":0}" : "{\"error\":\"invalid\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HubDecisionSink sink() {
    return HubEventSink.builder(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hub"))
        .apiKey("hl_key")
        .flushInterval(Duration.ofMillis(20))
        .buildDecisionSink();
  }

  @Test
  void decisionsGoAsOneArrayOfAuditRecords() throws Exception {
    try (HubDecisionSink sink = sink()) {
      sink.record(
          "did:mesh:a",
          "tool_call",
          "tool:search",
          "rule-ring",
          PolicyDecision.deny("needs ring 1"),
          Map.of("session_id", "s1", "event_id", "e1"));
      sink.record("did:mesh:b", "file_write", null, "rule-vfs", PolicyDecision.allow("ok"), null);
      assertThat(sink.flush(Duration.ofSeconds(5))).isTrue();
      assertThat(sink.stats().sent()).isEqualTo(2);
    }
    assertThat(requests).hasSize(1);
    String[] request = requests.get(0);
    assertThat(request[0]).isEqualTo("/hub/v1/audit/decisions");
    assertThat(request[1]).isEqualTo("application/json");
    assertThat(request[2]).isEqualTo("Bearer hl_key");
    JsonNode records = JSON.readTree(request[3]);
    assertThat(records).hasSize(2);
    JsonNode deny = records.get(0);
    assertThat(deny.path("agent_id").asText()).isEqualTo("did:mesh:a");
    assertThat(deny.path("action").asText()).isEqualTo("tool_call");
    assertThat(deny.path("resource").asText()).isEqualTo("tool:search");
    assertThat(deny.path("decision").asText()).isEqualTo("deny");
    assertThat(deny.path("reason").asText()).isEqualTo("needs ring 1");
    assertThat(deny.path("rule_id").asText()).isEqualTo("rule-ring");
    assertThat(deny.path("context").path("session_id").asText()).isEqualTo("s1");
    assertThat(deny.path("id").asText()).hasSize(36);
    assertThat(deny.path("timestamp").asText()).endsWith("Z");
    assertThat(records.get(1).path("decision").asText()).isEqualTo("allow");
    assertThat(records.get(1).path("context").size()).isZero();
    assertThat(records.get(0).path("id").asText()).isNotEqualTo(records.get(1).path("id").asText());
  }

  @Test
  void aDecisionMissingARequiredFieldIsRefusedAtOnceAndNullContextValuesTravel() throws Exception {
    try (HubDecisionSink sink = sink()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> sink.record(null, "a", "r", "p", PolicyDecision.allow("x"), Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("agent");
      java.util.Map<String, Object> context = new java.util.HashMap<>();
      context.put("session_id", null);
      sink.record("did:mesh:a", "a", "r", "p", PolicyDecision.allow("x"), context);
      assertThat(sink.flush(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(requests).hasSize(1);
    assertThat(JSON.readTree(requests.get(0)[3])).hasSize(1);
  }

  @Test
  void aRefusedBatchIsCountedNotRetried() {
    status = 400;
    try (HubDecisionSink sink = sink()) {
      sink.record("did:mesh:a", "x", "y", "p", PolicyDecision.audit("look"), Map.of());
      sink.flush(Duration.ofSeconds(5));
      assertThat(sink.stats().rejected()).isEqualTo(1);
      assertThat(sink.stats().retries()).isZero();
    }
    assertThat(requests).hasSize(1);
  }
}
