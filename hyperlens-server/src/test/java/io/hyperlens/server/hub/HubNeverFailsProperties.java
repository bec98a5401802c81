package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.store.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random bodies, content types, encodings, keys and query strings on every route: the hub answers
 * each with a status below 500 and a JSON body for its errors, and keeps serving.
 */
class HubNeverFailsProperties {
  private static Path data;
  private static Hub hub;
  private static String admin;

  @BeforeContainer
  static void start() throws Exception {
    data = Files.createTempDirectory("hub-properties");
    hub =
        Hub.start(
            HubConfig.defaults(data)
                .withPort(0)
                .withAuditKeyDirectory(Files.createTempDirectory("hub-properties-keys")),
            SqliteStore.open(data));
    admin = hub.initialAdminKey().orElseThrow();
  }

  @AfterContainer
  static void stop() {
    hub.close();
  }

  /** One request: method and path, query, body, content type, encoding, key. */
  record Request(
      String method,
      String path,
      String query,
      byte[] body,
      String type,
      String encoding,
      String key) {}

  private static final List<String> ROUTES =
      List.of(
          "POST /v1/events",
          "POST /v1/traces",
          "POST /v1/audit/decisions",
          "POST /api/keys",
          "GET /api/events",
          "GET /api/events/x",
          "GET /api/traces",
          "GET /api/traces/0123456789abcdef0123456789abcdef",
          "GET /api/audit",
          "GET /api/audit/verify",
          "GET /api/stream",
          "GET /api/audit/report",
          "GET /api/keys",
          "DELETE /api/keys/nobody",
          "GET /healthz",
          "GET /readyz",
          "GET /metrics",
          "GET /openapi.json");

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<String> route = Arbitraries.of(ROUTES);
    Arbitrary<String> query =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Arbitraries.of(
                "?limit=-1",
                "?limit=99999999999",
                "?type=%00",
                "?since=%25zz",
                "?cursor=seq:-5",
                "?trace=00000000000000000000abc",
                "?format=pdf&time_range=last_0_days",
                "?status=error&min_duration_ms=NaN",
                "?attr.x=1",
                "?limit=1&limit=2"),
            Arbitraries.strings().alpha().numeric().ofMaxLength(12).map(s -> "?" + s + "=" + s));
    Arbitrary<byte[]> body =
        Arbitraries.oneOf(
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
            Arbitraries.strings().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8)),
            Arbitraries.of(
                    "[]",
                    "{}",
                    "[{}]",
                    "[null]",
                    "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{}]}]}]}",
                    "[{\"event_id\":\"\",\"event_type\":\"\",\"timestamp\":\"\"}]",
                    "[{\"event_id\":\"a\",\"event_type\":\"session.created\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"payload\":{\"x\":[1,{\"y\":null}]}}]",
                    "{\"agent_id\":\"\\u0000\",\"action\":\"a\",\"decision\":\"deny\"}",
                    "{\"name\":\"k\",\"scopes\":[]}",
                    "[1e999999]")
                .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    Arbitrary<String> type =
        Arbitraries.of(
            null,
            "application/json",
            "application/x-ndjson",
            "application/x-protobuf",
            "text/plain",
            "application/json; charset=utf-16",
            ";;;");
    Arbitrary<String> encoding = Arbitraries.of(null, "gzip", "identity", "br", "");
    Arbitrary<String> key = Arbitraries.of("admin", "none", "Bearer nonsense", "hl_000000000000_x");
    return Combinators.combine(route, query, body, type, encoding, key)
        .as(
            (r, q, b, t, e, k) -> {
              String[] parts = r.split(" ");
              return new Request(parts[0], parts[1], q, b, t, e, k);
            });
  }

  @Property(tries = 200)
  void noRequestGetsAServerError(@ForAll("requests") Request request) throws Exception {
    String key =
        switch (request.key()) {
          case "admin" -> admin;
          case "none" -> null;
          default -> request.key();
        };
    HubClient client = new HubClient(hub.uri(), key);
    String path = request.path() + request.query();
    HubClient.Answer answer;
    switch (request.method()) {
      case "GET":
        answer = client.get(path);
        break;
      case "DELETE":
        answer = client.delete(path);
        break;
      default:
        answer = client.post(path, request.type(), request.body(), request.encoding());
        break;
    }
    assertThat(answer.status()).as(request.method() + " " + path).isLessThan(500);
    if (answer.status() >= 400) {
      boolean otlpProtobuf =
          path.startsWith("/v1/traces")
              && request.type() != null
              && request
                  .type()
                  .toLowerCase(java.util.Locale.ROOT)
                  .startsWith("application/x-protobuf");
      if (otlpProtobuf) {
        // OTLP/HTTP answers a protobuf request's errors with a protobuf google.rpc.Status
        assertThat(answer.header("Content-Type")).as(path).isEqualTo("application/x-protobuf");
        assertThat(com.google.rpc.Status.parseFrom(answer.bytes()).getMessage())
            .as(path)
            .isNotEmpty();
      } else {
        assertThat(answer.header("Content-Type")).as(path).startsWith("application/json");
        JsonNode body = answer.json();
        // an error names itself; a failed verification answers with its report instead
        assertThat(
                body.has("verdict") ? body.path("verdict").asText() : body.path("message").asText())
            .as(path + " " + answer.body())
            .isNotEmpty();
      }
    }
    assertThat(new HubClient(hub.uri(), null).get("/healthz").status()).isEqualTo(200);
  }
}
