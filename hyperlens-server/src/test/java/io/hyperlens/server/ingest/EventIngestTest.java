package io.hyperlens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.SqliteStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link EventIngest} makes of a body, without HTTP: every JSON value type in a payload, the
 * redaction and truncation of its strings, and each problem it names, field by field.
 */
class EventIngestTest {
  @TempDir Path data;
  private JdbcStore store;
  private EventIngest ingest;

  @BeforeEach
  void open() {
    store = SqliteStore.open(data);
    ingest = new EventIngest(store, new IngestLimits(1 << 20, 5, 12, 128, 0), true);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private EventIngest.Result post(String body, String type) {
    return ingest.ingest(body.getBytes(StandardCharsets.UTF_8), type);
  }

  private static IngestException refusal(Runnable post) {
    try {
      post.run();
    } catch (IngestException e) {
      return e;
    }
    throw new AssertionError("the body was accepted");
  }

  private List<String> problems(String body, String type) {
    IngestException e = refusal(() -> post(body, type));
    assertThat(e.status()).isEqualTo(400);
    List<String> out = new ArrayList<>();
    for (Problem p : e.problems()) {
      out.add(p.index() + " " + p.field() + ": " + p.message());
    }
    return out;
  }

  @Test
  void everyJsonValueTypeOfAPayloadIsKept() {
    String body =
        "[{\"event_id\":\"e1\",\"event_type\":\"session.created\","
            + "\"timestamp\":\"2026-12-06T10:00:00.123456+01:00\",\"session_id\":\"s1\","
            + "\"agent_did\":\"did:mesh:a\",\"causal_trace_id\":null,\"parent_event_id\":\"p0\","
            + "\"unknown\":{\"deep\":[1,{\"x\":2}]},"
            + "\"payload\":{\"i\":3,\"neg\":-7,\"big\":123456789012345678901234567890,"
            + "\"f\":1.5,\"t\":true,\"no\":false,\"n\":null,\"s\":\"hi\","
            + "\"list\":[1,\"two\",[3],{\"k\":\"v\"}],\"obj\":{\"inner\":{\"z\":0}}}}]";
    assertThat(post(body, "application/json")).isEqualTo(new EventIngest.Result(1, 0));
    HypervisorEvent event = store.event("e1").orElseThrow();
    assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-12-06T09:00:00.123456Z"));
    assertThat(event.sessionId()).hasValue("s1");
    assertThat(event.agentDid()).hasValue("did:mesh:a");
    assertThat(event.causalTraceId()).isEmpty();
    assertThat(event.parentEventId()).hasValue("p0");
    Map<String, Object> payload = event.payload();
    assertThat(((Number) payload.get("i")).longValue()).isEqualTo(3);
    assertThat(((Number) payload.get("neg")).longValue()).isEqualTo(-7);
    assertThat(new BigInteger(payload.get("big").toString()))
        .isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(((Number) payload.get("f")).doubleValue()).isEqualTo(1.5);
    assertThat(payload.get("t")).isEqualTo(true);
    assertThat(payload.get("no")).isEqualTo(false);
    assertThat(payload).containsKey("n");
    assertThat(payload.get("n")).isNull();
    assertThat(payload.get("s")).isEqualTo("hi");
    assertThat(payload.get("list").toString()).isEqualTo("[1, two, [3], {k=v}]");
    assertThat(payload.get("obj").toString()).isEqualTo("{inner={z=0}}");
    assertThat(payload).doesNotContainKey("hyperlens.truncated");
  }

  @Test
  void payloadStringsAreRedactedUnderTheirKeyAndCutAtTheLimit() {
    String body =
        "{\"event_id\":\"r1\",\"event_type\":\"vfs.write\",\"timestamp\":\"2026-12-06T10:00:00\","
            + "\"payload\":{\"password\":\"hunter2\",\"token\":[\"a\",\"b\"],"
            + "\"note\":\"ghp_abcdefghijklmnopqrstuvwxyz0123456789\",\"long\":\"abcdefghijklmnop\"}}\n";
    post(body, "application/x-ndjson");
    HypervisorEvent event = store.event("r1").orElseThrow();
    assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-12-06T10:00:00Z"));
    Map<String, Object> payload = event.payload();
    assertThat(payload.get("password")).isEqualTo("[REDACTED:credential]");
    assertThat(payload.get("token").toString())
        .isEqualTo("[[REDACTED:credential], [REDACTED:credential]]");
    assertThat(payload.get("long")).isEqualTo("abcdefghijkl");
    assertThat(payload.get("hyperlens.truncated")).isEqualTo(true);
    // cut first, at 12 characters, then redacted: the token's prefix is no longer a token
    assertThat(payload.get("note")).isEqualTo("ghp_abcdefgh");
    assertThat(ingest.truncatedValues()).isEqualTo(2);
    assertThat(ingest.redactedValues()).isEqualTo(3);
  }

  @Test
  void ndjsonTakesBlankLinesAndCrLfButOneEventPerLine() {
    String ok =
        "{\"event_id\":\"n1\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\"}\r\n"
            + "\r\n"
            + "   \n"
            + "{\"event_id\":\"n2\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\"}";
    assertThat(post(ok, "application/x-ndjson; charset=utf-8"))
        .isEqualTo(new EventIngest.Result(2, 0));
    assertThat(post("", "application/x-ndjson")).isEqualTo(new EventIngest.Result(0, 0));
    String twoOnALine =
        "{\"event_id\":\"n3\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\"}"
            + " {\"event_id\":\"n4\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\"}";
    IngestException e = refusal(() -> post(twoOnALine, "application/x-ndjson"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.reason()).isEqualTo("malformed_json");
    assertThat(store.event("n3")).isEmpty();
  }

  @Test
  void eachProblemNamesItsIndexFieldAndWhatWasThere() {
    String body =
        "[7,[],"
            + "{\"event_type\":null,\"timestamp\":\"2026-12-06T10:00:00Z\"},"
            + "{\"event_id\":5,\"event_type\":\"ring.nope\",\"timestamp\":\"yesterday\"},"
            + "{\"event_id\":\"x\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\","
            + "\"session_id\":7,\"agent_did\":[],\"payload\":[1]}]";
    assertThat(problems(body, "application/json"))
        .containsExactly(
            "0 event: expected an object, got NUMBER",
            "1 event: expected an object, got ARRAY",
            "2 event_type: is required",
            "2 event_id: is required",
            "3 event_type: unknown event type \"ring.nope\"",
            "3 event_id: expected a string, got NUMBER",
            "3 timestamp: \"yesterday\" is not an ISO-8601 time such as 2025-01-15T10:30:00+00:00",
            "4 payload: expected an object, got ARRAY");
    String types =
        "[{\"event_id\":\"x\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\","
            + "\"session_id\":7,\"agent_did\":[],\"causal_trace_id\":{},\"parent_event_id\":true}]";
    assertThat(problems(types, "application/json"))
        .containsExactly(
            "0 session_id: expected a string or null, got NUMBER",
            "0 agent_did: expected a string or null, got ARRAY",
            "0 causal_trace_id: expected a string or null, got OBJECT",
            "0 parent_event_id: expected a string or null, got BOOLEAN");
    assertThat(store.event("x")).isEmpty();
  }

  @Test
  void malformedBodiesAreRefusedWithWhereTheParserStopped() {
    IngestException truncated = refusal(() -> post("[{\"event_id\":", "application/json"));
    assertThat(truncated.reason()).isEqualTo("malformed_json");
    assertThat(truncated.getMessage()).contains("at line 1, column");
    String one =
        "{\"event_id\":\"d\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\"}";
    assertThat(refusal(() -> post("[" + one + "] []", "application/json")).reason())
        .isEqualTo("malformed_json");
    assertThat(
            refusal(
                    () ->
                        post(
                            "[{\"event_id\":\"d\",\"event_id\":\"e\",\"event_type\":\"session.joined\","
                                + "\"timestamp\":\"2026-12-06T10:00:00Z\"}]",
                            "application/json"))
                .reason())
        .isEqualTo("malformed_json");
    assertThat(
            refusal(
                    () ->
                        post(
                            "[{\"event_id\":\"d\",\"event_type\":\"session.joined\","
                                + "\"timestamp\":\"2026-12-06T10:00:00Z\",\"payload\":{\"a\":1,\"a\":2}}]",
                            "application/json"))
                .reason())
        .isEqualTo("malformed_json");
    assertThat(refusal(() -> post(one, "application/json")).getMessage())
        .contains("must be a JSON array");
    assertThat(refusal(() -> post("", "application/json")).getMessage())
        .contains("must be a JSON array");
    assertThat(refusal(() -> post("[]", "text/plain")).status()).isEqualTo(415);
    assertThat(store.event("d")).isEmpty();
  }

  @Test
  void aBatchOverTheLimitIsRefusedWhole() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      body.append("{\"event_id\":\"m")
          .append(i)
          .append("\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00Z\"}\n");
    }
    IngestException e = refusal(() -> post(body.toString(), "application/x-ndjson"));
    assertThat(e.status()).isEqualTo(413);
    assertThat(e.reason()).isEqualTo("too_many_events");
    assertThat(e.getMessage()).contains("5");
    assertThat(store.event("m0")).isEmpty();
    assertThatThrownBy(() -> new IngestLimits(1, 0, 1, 1, 0))
        .hasMessageContaining("maxEventsPerBatch");
  }
}
