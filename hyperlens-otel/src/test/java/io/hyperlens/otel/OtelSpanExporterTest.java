package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.hyperlens.trace.TraceContext;
import io.hyperlens.trace.W3CPropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.semconv.ServiceAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtelSpanExporterTest {
  private final InMemorySpanExporter memory = InMemorySpanExporter.create();

  private DistributedTracer tracer(io.opentelemetry.sdk.trace.export.SpanExporter delegate) {
    return DistributedTracer.builder()
        .serviceName("agent-runtime")
        .exporter(
            OtelSpanExporter.builder(delegate)
                .resource(
                    Resource.create(
                        io.opentelemetry.api.common.Attributes.of(
                            AttributeKey.stringKey("deployment.environment.name"), "test")))
                // InMemorySpanExporter forgets its spans on shutdown; keep them for the asserts.
                .shutdownDelegate(false)
                .build())
        .build();
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  @SuppressWarnings("try")
  void everyFieldOfATracerSpanSurvivesTheBridge() {
    io.hyperlens.trace.SpanData parentData;
    io.hyperlens.trace.SpanData childData;
    try (DistributedTracer tracer = tracer(memory)) {
      Span parent =
          tracer.startSpan(
              "orchestrate", SpanKind.SERVER, Map.of("agent.id", "did:mesh:orchestrator"));
      Span child;
      try (Scope ignored = parent.makeCurrent()) {
        child =
            tracer
                .spanBuilder("tool.call")
                .setKind(SpanKind.CLIENT)
                .setStartTimestamp(Instant.parse("2025-01-15T10:30:00.123456789Z"))
                .addLink("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", Map.of("k", "v"))
                .startSpan();
      }
      child.setAttribute("tool.retries", 3L);
      child.setAttribute("tool.cost", 0.25);
      child.setAttribute("tool.cached", true);
      child.setAttribute("tool.tags", List.of("a", "b"));
      child.setAttribute("tool.sizes", List.of(1L, 2L));
      child.addEvent("retry", Map.of("attempt", 2L));
      tracer.recordException(child, new IllegalStateException("tool exploded"));
      tracer.finishSpan(child, SpanStatus.ERROR, "tool failed");
      tracer.finishSpan(parent);
      assertThat(tracer.forceFlush(Duration.ofSeconds(10))).isTrue();
      parentData = tracer.getSpanById(parent.spanId()).orElseThrow();
      childData = tracer.getSpanById(child.spanId()).orElseThrow();
    }

    List<SpanData> spans = memory.getFinishedSpanItems();
    assertThat(spans).hasSize(2);
    SpanData p = named(spans, "orchestrate");
    SpanData c = named(spans, "tool.call");

    assertThat(p.getTraceId()).isEqualTo(parentData.traceId());
    assertThat(p.getSpanId()).isEqualTo(parentData.spanId());
    assertThat(p.getParentSpanContext().isValid()).isFalse();
    assertThat(p.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.SERVER);
    assertThat(p.getStatus().getStatusCode()).isEqualTo(StatusCode.OK);
    assertThat(p.getStartEpochNanos()).isEqualTo(parentData.startEpochNanos());
    assertThat(p.getEndEpochNanos()).isEqualTo(parentData.endEpochNanos());
    assertThat(p.getAttributes().get(AttributeKey.stringKey("agent.id")))
        .isEqualTo("did:mesh:orchestrator");
    assertThat(p.getResource().getAttribute(ServiceAttributes.SERVICE_NAME))
        .isEqualTo("agent-runtime");
    assertThat(p.getResource().getAttribute(AttributeKey.stringKey("deployment.environment.name")))
        .isEqualTo("test");
    assertThat(p.getInstrumentationScopeInfo().getName()).isEqualTo("io.hyperlens.trace");

    assertThat(c.getTraceId()).isEqualTo(p.getTraceId());
    assertThat(c.getParentSpanId()).isEqualTo(p.getSpanId());
    assertThat(c.getParentSpanContext().isRemote()).isFalse();
    assertThat(c.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CLIENT);
    assertThat(c.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(c.getStatus().getDescription()).isEqualTo("tool failed");
    assertThat(c.getStartEpochNanos()).isEqualTo(1_736_937_000_123_456_789L);
    assertThat(c.getEndEpochNanos()).isEqualTo(childData.endEpochNanos());
    assertThat(c.getAttributes().get(AttributeKey.longKey("tool.retries"))).isEqualTo(3L);
    assertThat(c.getAttributes().get(AttributeKey.doubleKey("tool.cost"))).isEqualTo(0.25);
    assertThat(c.getAttributes().get(AttributeKey.booleanKey("tool.cached"))).isTrue();
    assertThat(c.getAttributes().get(AttributeKey.stringArrayKey("tool.tags")))
        .containsExactly("a", "b");
    assertThat(c.getAttributes().get(AttributeKey.longArrayKey("tool.sizes")))
        .containsExactly(1L, 2L);
    assertThat(c.getTotalAttributeCount()).isEqualTo(childData.attributes().size());
    assertThat(c.getEvents()).extracting(EventData::getName).containsExactly("retry", "exception");
    EventData exception = c.getEvents().get(1);
    assertThat(exception.getEpochNanos()).isEqualTo(childData.events().get(1).epochNanos());
    assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.type")))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.message")))
        .isEqualTo("tool exploded");
    assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.stacktrace")))
        .contains("everyFieldOfATracerSpanSurvivesTheBridge");
    assertThat(c.getLinks()).hasSize(1);
    assertThat(c.getLinks().get(0).getSpanContext().getTraceId())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(c.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(c.getLinks().get(0).getAttributes().get(AttributeKey.stringKey("k"))).isEqualTo("v");
  }

  @Test
  void aRemoteParentAndTraceStateAreKeptAndPropagateAsOtelWouldPropagateThem() {
    Map<String, String> incoming =
        Map.of(
            "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    TraceContext remote = W3CPropagator.extract(incoming);
    io.hyperlens.trace.SpanData data;
    try (DistributedTracer tracer = tracer(memory)) {
      Span server = tracer.spanBuilder("handle").setParent(remote).startSpan();
      tracer.finishSpan(server);
      tracer.forceFlush(Duration.ofSeconds(10));
      data = tracer.getSpanById(server.spanId()).orElseThrow();
    }
    SpanData span = memory.getFinishedSpanItems().get(0);
    assertThat(span.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(span.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
    assertThat(span.getSpanContext().isSampled()).isTrue();

    // The OTel context of the bridged span injects the same headers Hyperlens injects.
    Map<String, String> fromOtel = new HashMap<>();
    W3CTraceContextPropagator.getInstance()
        .inject(
            Context.root().with(io.opentelemetry.api.trace.Span.wrap(span.getSpanContext())),
            fromOtel,
            Map::put);
    Map<String, String> fromHyperlens = new HashMap<>();
    W3CPropagator.inject(
        TraceContext.of(data.traceId(), data.spanId(), 1, data.traceState(), Map.of()),
        fromHyperlens);
    assertThat(fromOtel.get("traceparent")).isEqualTo(fromHyperlens.get("traceparent"));
    assertThat(fromOtel.get("tracestate"))
        .isEqualTo(fromHyperlens.get("tracestate"))
        .isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  }

  @Test
  void aFailingOrSilentSdkExporterIsCountedByTheTracerAndNothingElseBreaks() {
    AnsweringExporter failing = new AnsweringExporter(spans -> CompletableResultCode.ofFailure());
    // Never completes.
    AnsweringExporter silent = new AnsweringExporter(spans -> new CompletableResultCode());
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .exporter(OtelSpanExporter.create(failing))
            .exporter(OtelSpanExporter.builder(silent).exportTimeout(Duration.ofMillis(50)).build())
            .exporter(OtelSpanExporter.create(memory))
            .build()) {
      for (int i = 0; i < 3; i++) {
        tracer.finishSpan(tracer.startSpan("op-" + i));
      }
      tracer.forceFlush(Duration.ofSeconds(10));

      assertThat(memory.getFinishedSpanItems()).hasSize(3);
      assertThat(tracer.getMetrics().exportFailedSpans()).isEqualTo(6);
      assertThat(tracer.getMetrics().spansExported()).isEqualTo(3);
    }
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> OtelSpanExporter.builder(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("delegate must not be null");
    assertThatThrownBy(() -> OtelSpanExporter.builder(memory).exportTimeout(Duration.ZERO))
        .hasMessage("exportTimeout must be a positive duration, got PT0S");
    assertThatThrownBy(() -> OtelSpanExporter.builder(memory).resource(null))
        .hasMessage("resource must not be null");
  }
}
