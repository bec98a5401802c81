package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.saga.SagaSpanExporter;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A trace exported through {@link Tracing} with {@code exporter=zipkin} to a real Zipkin server,
 * read back from Zipkin's HTTP API and compared with the spans in memory.
 */
class RealZipkinTest {
  private static ZipkinServer zipkin;
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void startZipkin() throws Exception {
    zipkin = ZipkinServer.start();
  }

  @AfterAll
  static void stopZipkin() {
    if (zipkin != null) {
      zipkin.close();
    }
  }

  private JsonNode awaitTrace(String traceId, int spans) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    JsonNode trace = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(zipkin.base.resolve("/api/v2/trace/" + traceId)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        trace = json.readTree(response.body());
        if (trace.size() >= spans) {
          return trace;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("Zipkin holds " + trace + " for " + traceId + ", expected " + spans);
  }

  private static Map<String, JsonNode> byName(JsonNode trace) {
    Map<String, JsonNode> spans = new HashMap<>();
    trace.forEach(span -> spans.put(span.get("name").asText(), span));
    return spans;
  }

  /**
   * Zipkin's form of a trace id: with the high 64 bits zero, as a causal trace id padded to W3C has
   * them, Zipkin takes it for a 64-bit id and prints 16 hex digits. The trace is the same.
   */
  private static String zipkinTraceId(String traceId) {
    return traceId.startsWith("0000000000000000") ? traceId.substring(16) : traceId;
  }

  private static void assertSameAsInMemory(JsonNode zipkinSpan, SpanData span) {
    assertThat(zipkinSpan.get("traceId").asText()).isEqualTo(zipkinTraceId(span.traceId()));
    assertThat(zipkinSpan.get("id").asText()).isEqualTo(span.spanId());
    assertThat(zipkinSpan.path("parentId").asText(null))
        .isEqualTo(span.parentSpanId().orElse(null));
    assertThat(zipkinSpan.get("timestamp").asLong()).isEqualTo(span.startEpochNanos() / 1000);
    assertThat(zipkinSpan.get("duration").asLong())
        .isEqualTo(Math.max(1, span.endEpochNanos() / 1000 - span.startEpochNanos() / 1000));
    assertThat(zipkinSpan.get("localEndpoint").get("serviceName").asText())
        .isEqualTo("agent-runtime");
  }

  @Test
  @SuppressWarnings("try")
  void anOrchestratorWithTwoSiblingsAndASagaWithAFailedStepLookInZipkinAsInMemory()
      throws Exception {
    CausalTraceId orchestratorId = CausalTraceId.root();
    HypervisorEventBus bus = new HypervisorEventBus();
    SpanData orchestrator;
    SpanData researcher;
    SpanData writer;
    try (Tracing tracing =
        Tracing.enable(
            TracingConfig.builder()
                .serviceName("agent-runtime")
                .exporter("zipkin")
                .endpoint(zipkin.spansEndpoint())
                .registerGlobal(false)
                .build())) {
      DistributedTracer tracer = tracing.tracer();
      SagaSpanExporter sagas = new SagaSpanExporter(bus, tracing.sagaSink());

      tracer.startTrace(orchestratorId.traceId(), null);
      Span root =
          tracer.startSpan(
              "orchestrate", SpanKind.SERVER, Map.of("agent.did", "did:mesh:orchestrator"));
      Span first;
      Span second;
      try (Scope ignored = root.makeCurrent()) {
        first =
            tracer.startSpan(
                "research", SpanKind.INTERNAL, Map.of("agent.did", "did:mesh:researcher"));
        Thread.sleep(5);
        tracer.finishSpan(first);
        second = tracer.startSpan("write", SpanKind.CLIENT, Map.of("agent.did", "did:mesh:writer"));
        tracer.recordException(second, new IllegalStateException("writer crashed"));
        tracer.finishSpan(second, SpanStatus.ERROR, "writer crashed");

        bus.emit(
            bus.eventBuilder(EventType.SAGA_CREATED)
                .payload(Map.of("saga_id", "deploy-v2"))
                .causalTraceId(orchestratorId)
                .build());
        bus.emit(
            bus.eventBuilder(EventType.SAGA_STEP_STARTED)
                .payload(
                    Map.of(
                        "saga_id",
                        "deploy-v2",
                        "step_id",
                        "run-migrations",
                        "step_action",
                        "migrate"))
                .build());
        Thread.sleep(5);
        bus.emit(
            bus.eventBuilder(EventType.SAGA_STEP_FAILED)
                .payload(
                    Map.of(
                        "saga_id", "deploy-v2",
                        "step_id", "run-migrations",
                        "step_action", "migrate",
                        "error", "connection_timeout",
                        "reason", "database unreachable after 30s"))
                .build());
        bus.emit(
            bus.eventBuilder(EventType.SAGA_ESCALATED)
                .payload(Map.of("saga_id", "deploy-v2"))
                .build());
      }
      tracer.finishSpan(root);
      tracer.endTrace();
      sagas.close();
      orchestrator = tracer.getSpanById(root.spanId()).orElseThrow();
      researcher = tracer.getSpanById(first.spanId()).orElseThrow();
      writer = tracer.getSpanById(second.spanId()).orElseThrow();
    } // close() flushes everything to Zipkin

    assertThat(orchestrator.traceId()).isEqualTo(orchestratorId.w3cTraceId());
    Map<String, JsonNode> spans = byName(awaitTrace(orchestrator.traceId(), 5));
    assertThat(spans.keySet())
        .containsExactlyInAnyOrder(
            "orchestrate", "research", "write", "saga.step.migrate", "saga.escalated");

    assertSameAsInMemory(spans.get("orchestrate"), orchestrator);
    assertSameAsInMemory(spans.get("research"), researcher);
    assertSameAsInMemory(spans.get("write"), writer);
    assertThat(spans.get("research").get("parentId").asText()).isEqualTo(orchestrator.spanId());
    assertThat(spans.get("write").get("parentId").asText()).isEqualTo(orchestrator.spanId());
    assertThat(spans.get("orchestrate").get("kind").asText()).isEqualTo("SERVER");
    assertThat(spans.get("write").get("kind").asText()).isEqualTo("CLIENT");
    assertThat(spans.get("research").get("tags").get("agent.did").asText())
        .isEqualTo("did:mesh:researcher");
    assertThat(spans.get("write").get("tags").get("error").asText()).isEqualTo("writer crashed");
    assertThat(spans.get("write").get("annotations").get(0).get("value").asText())
        .startsWith("\"exception\"")
        .contains("writer crashed");
    assertThat(spans.get("research").get("tags").has("error")).isFalse();

    // exported without its id in the name; the id is in agent.saga.id
    JsonNode saga = spans.get("saga.escalated");
    assertThat(saga.get("tags").get("agent.saga.id").asText()).isEqualTo("deploy-v2");
    JsonNode step = spans.get("saga.step.migrate");
    // The saga started while the orchestrator's span was current: it sits under that span.
    assertThat(saga.get("parentId").asText()).isEqualTo(orchestrator.spanId());
    assertThat(step.get("parentId").asText()).isEqualTo(saga.get("id").asText());
    assertThat(step.get("tags").get("error").asText()).isEqualTo("connection_timeout");
    assertThat(step.get("tags").get("agent.saga.reason").asText())
        .isEqualTo("database unreachable after 30s");
    assertThat(step.get("tags").get("agent.saga.state").asText()).isEqualTo("error");
    assertThat(step.get("timestamp").asLong())
        .isGreaterThanOrEqualTo(saga.get("timestamp").asLong());
    assertThat(step.get("duration").asLong()).isGreaterThanOrEqualTo(5_000);
    assertThat(List.of(saga, step))
        .allSatisfy(
            span ->
                assertThat(span.get("localEndpoint").get("serviceName").asText())
                    .isEqualTo("agent-runtime"));
  }

  /** Exports one span to {@code endpoint} and returns the tracer's count of exported spans. */
  private long exportOne(String endpoint, String name) {
    try (Tracing tracing =
        Tracing.enable(
            TracingConfig.builder()
                .serviceName("agent-runtime")
                .exporter("zipkin")
                .endpoint(endpoint)
                .exportTimeout(Duration.ofSeconds(5))
                .registerGlobal(false)
                .build())) {
      tracing.tracer().finishSpan(tracing.tracer().startSpan(name));
      tracing.forceFlush(Duration.ofSeconds(10));
      return tracing.tracer().getMetrics().spansExported();
    }
  }

  @Test
  void aZipkinAddressWithoutAPathGetsTheApiPathAndTheSpansArrive() throws Exception {
    String address = zipkin.base.toString(); // http://127.0.0.1:<port>/
    assertThat(TracingConfig.builder().exporter("zipkin").endpoint(address).build().endpoint())
        .contains(zipkin.spansEndpoint());
    assertThat(exportOne(address, "by.address")).isEqualTo(1);
    assertThat(zipkin.get("/api/v2/spans?serviceName=agent-runtime&spanName=by.address"))
        .contains("by.address");
  }

  @Test
  void aRedirectToZipkinsWebPageIsAFailureNotAnExport() throws Exception {
    // Zipkin answers a POST to /zipkin with a redirect to its UI; followed, it is a 200 web page.
    String ui = zipkin.base.resolve("/zipkin").toString();
    assertThat(exportOne(ui, "to.the.ui")).isZero();
    assertThat(zipkin.get("/api/v2/spans?serviceName=agent-runtime&spanName=to.the.ui"))
        .doesNotContain("to.the.ui");
  }
}
