package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shortcuts around spans: traced runnables, span builders, composite exporters, summaries. */
class TracerConveniencesTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";

  @Test
  void aTracedRunnableRunsInsideAFinishedOkSpan() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    List<Span> current = new ArrayList<>();

    tracer.traced("cleanup", () -> current.add(Context.current().span().orElseThrow()));

    assertThat(current)
        .singleElement()
        .satisfies(
            span -> {
              assertThat(span.name()).isEqualTo("cleanup");
              assertThat(span.isFinished()).isTrue();
              assertThat(span.status()).isEqualTo(SpanStatus.OK);
            });
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void aSpanBuilderTakesAnExplicitTraceContextAndAttributesToStartWith() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    TraceContext received = TraceContext.of(TRACE_ID, PARENT_ID, null);

    Span span =
        tracer
            .spanBuilder("handle")
            .setParent(received)
            .setAttributes(Map.of("tool", "search"))
            .setAttributes(null)
            .setAttribute("attempt", 2)
            .startSpan();

    assertThat(span.traceId()).isEqualTo(TRACE_ID);
    assertThat(span.parentSpanId()).contains(PARENT_ID);
    assertThat(span.attributes())
        .containsOnly(Map.entry("tool", "search"), Map.entry("attempt", 2L));
  }

  @Test
  void aCompositeExporterFlushesAndShutsDownEveryExporter() {
    List<String> calls = new ArrayList<>();
    SpanExporter composite = SpanExporter.composite(recording("a", calls), recording("b", calls));

    composite.export(List.of());
    composite.flush();
    composite.shutdown();

    assertThat(calls)
        .containsExactly("a.export", "b.export", "a.flush", "b.flush", "a.shutdown", "b.shutdown");
    assertThat(composite).hasToString("SpanExporter.composite[a, b]");
  }

  private static SpanExporter recording(String name, List<String> calls) {
    return new SpanExporter() {
      @Override
      public void export(List<SpanData> spans) {
        calls.add(name + ".export");
      }

      @Override
      public void flush() {
        calls.add(name + ".flush");
      }

      @Override
      public void shutdown() {
        calls.add(name + ".shutdown");
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  @Test
  void aTraceSummarySpansFromTheFirstStartToTheLastEnd() {
    SpanData root =
        SpanData.builder(TRACE_ID, PARENT_ID, "workflow")
            .times(1_700_000_000_000_000_000L, 1_700_000_000_900_000_000L)
            .status(SpanStatus.OK, null)
            .build();
    SpanData child =
        SpanData.builder(TRACE_ID, "b7ad6b7169203331", "tool.call")
            .parent(PARENT_ID, false)
            .times(1_700_000_000_100_000_000L, 1_700_000_001_000_000_000L)
            .status(SpanStatus.ERROR, "timeout")
            .build();

    TraceSummary summary = TraceSummary.of(TRACE_ID, List.of(root, child));

    assertThat(summary.spanCount()).isEqualTo(2);
    assertThat(summary.errorCount()).isEqualTo(1);
    assertThat(summary.startTime()).isEqualTo(Instant.parse("2023-11-14T22:13:20Z"));
    assertThat(summary.endTime()).isEqualTo(Instant.parse("2023-11-14T22:13:21Z"));
    assertThat(summary.totalDurationMs()).isEqualTo(1000.0);
    assertThat(summary.operations()).containsExactly("workflow", "tool.call");
    assertThatThrownBy(() -> TraceSummary.of(TRACE_ID, List.of()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("spans must not be empty for trace " + TRACE_ID);
  }

  @Test
  void aSamplingRatioShowsItsShare() {
    TraceIdRatio quarter = new TraceIdRatio(0.25);

    assertThat(quarter.ratio()).isEqualTo(0.25);
    assertThat(quarter).hasToString("TraceIdRatio{0.25}");
  }

  @Test
  void aTracedSupplierReturnsItsValueAndTheTracerItsServiceName() {
    DistributedTracer tracer = DistributedTracer.builder().serviceName("agent-runtime").build();

    assertThat(tracer.traced("fetch", () -> "page")).isEqualTo("page");
    assertThat(tracer.serviceName()).isEqualTo("agent-runtime");
    assertThat(tracer.recentTraces(1))
        .singleElement()
        .satisfies(summary -> assertThat(summary.operations()).containsExactly("fetch"));
  }

  @Test
  void anAgentSpanWithoutANameOrKindIsAnUnnamedInternalSpan() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    CausalTraceId agent = CausalTraceId.root();

    Span span = tracer.spanBuilder(" ").setKind(null).setCausalTraceId(agent).startSpan();

    assertThat(span.name()).isEqualTo("<unnamed>");
    assertThat(span.kind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(span.spanId()).isEqualTo(agent.w3cSpanId());
  }

  @Test
  void aSpanStartedInThePastEndsNowOnTheWallClock() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Instant start = Instant.now().minusSeconds(60);

    Span span = tracer.spanBuilder("backfilled").setStartTimestamp(start).startSpan();
    tracer.finishSpan(span);

    assertThat(span.startTime()).isEqualTo(start);
    assertThat(span.durationMs()).isGreaterThanOrEqualTo(60_000.0);
  }

  @Test
  void aTracerKeepsAtMostItsLinksPerSpan() {
    DistributedTracer tracer = DistributedTracer.builder().maxLinksPerSpan(1).build();
    Span span = tracer.startSpan("fan-in");

    span.addLink(TRACE_ID, PARENT_ID).addLink(TRACE_ID, "b7ad6b7169203331");
    tracer.finishSpan(span);

    assertThat(span.links()).hasSize(1);
    assertThat(span.finishedData().orElseThrow().droppedLinks()).isEqualTo(1);
  }

  @Test
  void theTracerRejectsMissingSpansAndEmptyLimits() {
    DistributedTracer tracer = DistributedTracer.builder().build();

    assertThatThrownBy(() -> tracer.finishSpan(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("span must not be null");
    assertThatThrownBy(() -> tracer.recordException(null, new IllegalStateException()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("span must not be null");
    assertThatThrownBy(() -> tracer.recentTraces(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be positive, got 0");
    assertThatThrownBy(() -> DistributedTracer.setGlobal(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracer must not be null");
    assertThat(tracer.recentTraces(1)).isEmpty();
  }

  @Test
  void theTracerBuilderAcceptsTheEdgesOfItsBoundsAndNothingBeyond() {
    DistributedTracer edges =
        DistributedTracer.builder()
            .exportInterval(java.time.Duration.ofDays(1))
            .exportQueueSize(8)
            .exportBatchSize(8)
            .build();
    assertThat(edges.serviceName()).isNotBlank();

    assertThatThrownBy(() -> DistributedTracer.builder().exporter(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("exporter must not be null");
    assertThatThrownBy(
            () ->
                DistributedTracer.builder()
                    .exportInterval(java.time.Duration.ofDays(1).plusNanos(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("exportInterval must be positive and at most a day, got PT24H0.000000001S");
    assertThatThrownBy(
            () -> DistributedTracer.builder().exportQueueSize(8).exportBatchSize(9).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("exportBatchSize must not exceed exportQueueSize, got 9 > 8");
  }
}
