package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.hyperlens.event.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every example of the seed's "Distributed Tracing" section, in Java. */
@SuppressWarnings("try")
class SeedTracingExamplesTest {
  private static final Instant T0 = Instant.ofEpochSecond(1_705_312_496L, 123_000_000);
  private final TestClock clock = new TestClock(T0);
  private final DistributedTracer tracer =
      DistributedTracer.builder().serviceName("agent-runtime").clock(clock).build();

  @AfterEach
  void leaveNoTraceOnTheThread() {
    tracer.endTrace();
  }

  @Test
  void traceLifecycleRecordsAttributesEventsAndStatus() {
    TraceContext context =
        tracer.startTrace(
            "4bf92f3577b34da6a3ce929d0e0e4736", Map.of("user_id", "12345", "tenant", "acme"));

    Span span =
        tracer.startSpan(
            "create_agent", SpanKind.INTERNAL, Map.of("philosophy", "react", "priority", "high"));
    clock.advance(Duration.ofMillis(5));
    span.addEvent("agent_initialized", Map.of("container_id", "cont-456"));
    span.addEvent("agent_started");
    span.setAttribute("agent_id", "agent-789");
    span.setAttribute("execution_mode", "async");
    clock.advance(Duration.ofMillis(7));
    tracer.finishSpan(span, SpanStatus.OK, null);

    assertThat(span.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(span.parentSpanId()).isEmpty();
    assertThat(context.getBaggage("tenant")).contains("acme");
    Map<String, Object> map = span.toMap();
    assertThat(map)
        .containsOnlyKeys(
            "trace_id",
            "span_id",
            "parent_span_id",
            "operation_name",
            "kind",
            "start_time",
            "end_time",
            "duration_ms",
            "status",
            "status_message",
            "attributes",
            "events",
            "links");
    assertThat(map)
        .contains(
            entry("operation_name", "create_agent"),
            entry("kind", "internal"),
            entry("status", "ok"),
            entry("start_time", 1_705_312_496.123),
            entry("end_time", 1_705_312_496.135),
            entry("duration_ms", 12.0),
            entry("links", List.of()));
    assertThat(map.get("status_message")).isNull();
    assertThat(span.attributes())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "philosophy",
                "react",
                "priority",
                "high",
                "agent_id",
                "agent-789",
                "execution_mode",
                "async"));
    assertThat(span.events())
        .extracting(SpanEvent::name)
        .containsExactly("agent_initialized", "agent_started");
    assertThat(span.events().get(0).toMap())
        .containsExactly(
            entry("name", "agent_initialized"),
            entry("timestamp", 1_705_312_496.128),
            entry("attributes", Map.of("container_id", "cont-456")));
  }

  @Test
  void handlingAnErrorRecordsTheExceptionAndFinishesWithError() {
    tracer.startTrace();
    Span span = tracer.startSpan("create_agent");
    IllegalStateException error = new IllegalStateException("container quota exceeded");
    try {
      throw error;
    } catch (IllegalStateException e) {
      tracer.recordException(span, e);
      tracer.finishSpan(span, SpanStatus.ERROR, e.getMessage());
    }

    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("container quota exceeded");
    SpanEvent exception = span.events().get(0);
    assertThat(exception.name()).isEqualTo("exception");
    assertThat(exception.attributes())
        .containsEntry("exception.type", "java.lang.IllegalStateException")
        .containsEntry("exception.message", "container quota exceeded");
    assertThat((String) exception.attributes().get("exception.stacktrace"))
        .startsWith("java.lang.IllegalStateException: container quota exceeded")
        .contains("at io.hyperlens.trace.SeedTracingExamplesTest.handlingAnError");
  }

  @Test
  void recordExceptionAloneMarksTheSpanAsAnError() {
    Span span = tracer.startSpan("execute_tool");
    tracer.recordException(span, new RuntimeException("tool timed out"));
    tracer.finishSpan(span);

    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("tool timed out");
    assertThat(tracer.getMetrics().errorSpans()).isEqualTo(1);
  }

  @Test
  void nestedSpansAreChildrenOfTheParentAndSiblingsOfEachOther() {
    Span parent = tracer.startSpan("agent_lifecycle");
    Span child1;
    Span child2;
    try (Scope scope = parent.makeCurrent()) {
      child1 = tracer.startSpan("initialize_container");
      tracer.finishSpan(child1);
      child2 = tracer.startSpan("execute_task");
      tracer.finishSpan(child2);
    }
    tracer.finishSpan(parent);

    assertThat(child1.parentSpanId()).contains(parent.spanId());
    assertThat(child2.parentSpanId()).contains(parent.spanId());
    assertThat(child1.traceId()).isEqualTo(parent.traceId()).isEqualTo(child2.traceId());
    assertThat(parent.parentSpanId()).isEmpty();
  }

  @Test
  void spansStartedOneAfterAnotherWithoutFinishingAreStillSiblings() {
    Span parent = tracer.startSpan("fan_out");
    Span first;
    Span second;
    try (Scope scope = parent.makeCurrent()) {
      first = tracer.startSpan("search_web");
      second = tracer.startSpan("search_docs");
    }

    assertThat(first.parentSpanId()).contains(parent.spanId());
    assertThat(second.parentSpanId()).contains(parent.spanId());
  }

  @Test
  void baggageIsSetReadAndCarriedThroughTheDictionaryForm() {
    TraceContext context = tracer.startTrace();
    context.setBaggage("user_id", "12345");
    context.setBaggage("request_id", "req-789");

    assertThat(context.getBaggage("user_id")).contains("12345");
    assertThat(context.getBaggage("missing")).isEmpty();

    Map<String, Object> wire = context.toMap();
    assertThat(wire)
        .containsExactly(
            entry("trace_id", context.traceId()),
            entry("parent_span_id", null),
            entry("baggage", Map.of("user_id", "12345", "request_id", "req-789")));
    TraceContext received = TraceContext.fromMap(wire);
    assertThat(received).isEqualTo(context);
    assertThat(received.getBaggage("request_id")).contains("req-789");
  }

  @Test
  void baggageIsSharedByTheSpansOfATrace() {
    TraceContext context = tracer.startTrace();
    Span span = tracer.startSpan("plan");
    span.traceContext().setBaggage("tenant", "acme");

    assertThat(context.getBaggage("tenant")).contains("acme");
    assertThat(span.traceContext().parentSpanId()).contains(span.spanId());
  }

  @Test
  void eventsAndLinksAnnotateTheSpan() {
    Span span = tracer.startSpan("execute_tool");
    span.addEvent("cache_miss", Map.of("key", "tool:calculator"));
    span.addEvent("retry_attempt", Map.of("attempt", 2, "delay_ms", 1000));
    span.addLink(
        "a3ce929d0e0e47364bf92f3577b34da6",
        "00f067aa0ba902b7",
        Map.of("relationship", "caused_by"));
    tracer.finishSpan(span);

    assertThat(span.events().get(1).attributes())
        .containsEntry("attempt", 2L)
        .containsEntry("delay_ms", 1000L);
    assertThat(span.links())
        .containsExactly(
            new SpanLink(
                "a3ce929d0e0e47364bf92f3577b34da6",
                "00f067aa0ba902b7",
                Map.of("relationship", "caused_by")));
    assertThat(span.toMap().get("links"))
        .isEqualTo(
            List.of(
                Map.of(
                    "trace_id", "a3ce929d0e0e47364bf92f3577b34da6",
                    "span_id", "00f067aa0ba902b7",
                    "attributes", Map.of("relationship", "caused_by"))));
  }

  @Test
  void theSeedsNonHexLinkIdsAreDroppedAndCountedNotThrown() {
    Span span = tracer.startSpan("execute_tool");
    span.addLink("trace-999", "span-888", Map.of("relationship", "caused_by"));
    tracer.finishSpan(span);

    assertThat(span.links()).isEmpty();
    assertThat(span.finishedData().orElseThrow().droppedLinks()).isEqualTo(1);
  }

  @Test
  void tracedOperationEndsOkAndReturnsTheResult() {
    Map<String, Integer> metrics =
        tracer.traced(
            "calculate_metrics",
            SpanKind.INTERNAL,
            Map.of("component", "agent_lifecycle"),
            () -> Map.of("count", 3, "sum", 6));

    assertThat(metrics).containsEntry("sum", 6);
    SpanData span = onlyRetainedSpan();
    assertThat(span.name()).isEqualTo("calculate_metrics");
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.attributes()).containsEntry("component", "agent_lifecycle");
  }

  @Test
  void tracedOperationRecordsAndRethrowsTheSameException() {
    IllegalArgumentException thrown = new IllegalArgumentException("bad config");

    assertThatThrownBy(
            () ->
                tracer.traced(
                    "create_agent",
                    SpanKind.INTERNAL,
                    Map.of(),
                    () -> {
                      throw thrown;
                    }))
        .isSameAs(thrown);
    SpanData span = onlyRetainedSpan();
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("bad config");
    assertThat(span.events()).extracting(SpanEvent::name).containsExactly("exception");
  }

  @Test
  void tracedCallRethrowsCheckedExceptionsUnchanged() {
    java.io.IOException thrown = new java.io.IOException("disk full");

    assertThatThrownBy(
            () ->
                tracer.tracedCall(
                    "write_checkpoint",
                    SpanKind.CLIENT,
                    Map.of(),
                    () -> {
                      throw thrown;
                    }))
        .isSameAs(thrown);
    assertThat(onlyRetainedSpan().kind()).isEqualTo(SpanKind.CLIENT);
  }

  @Test
  void tracedOperationsNestAsParentAndChild() {
    tracer.traced(
        "execute_tool", () -> tracer.traced("calculate_metrics", () -> tracer.startSpan("x")));

    List<SpanData> spans = tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId());
    SpanData outer = named(spans, "execute_tool");
    SpanData inner = named(spans, "calculate_metrics");
    assertThat(spans).hasSize(2);
    assertThat(outer.parentSpanId()).isEmpty();
    assertThat(inner.parentSpanId()).contains(outer.spanId());
  }

  @Test
  void traceAnalysisFindsSpansByTraceAndById() {
    TraceContext context = tracer.startTrace();
    Span span = tracer.startSpan("create_agent");
    clock.advance(Duration.ofMillis(40));
    tracer.finishSpan(span);

    List<SpanData> spans = tracer.getTraceSpans(context.traceId());
    assertThat(spans).extracting(SpanData::name).containsExactly("create_agent");
    assertThat(spans.get(0).durationMs()).isEqualTo(40.0);
    SpanData byId = tracer.getSpanById(span.spanId()).orElseThrow();
    assertThat(byId.status()).isEqualTo(SpanStatus.OK);
    assertThat(byId.durationMs()).isEqualTo(40.0);
    assertThat(tracer.getSpanById("00f067aa0ba902b7")).isEmpty();
    assertThat(tracer.getTraceSpans("4bf92f3577b34da6a3ce929d0e0e4736")).isEmpty();
  }

  @Test
  void traceSummaryIsTheSeedsShapeWithWallTimeDuration() {
    TraceContext context = tracer.startTrace("4bf92f3577b34da6a3ce929d0e0e4736", null);
    Span root = tracer.startSpan("create_agent");
    List<String> expectedOperations = new ArrayList<>(List.of("create_agent"));
    try (Scope scope = root.makeCurrent()) {
      for (int i = 0; i < 14; i++) {
        clock.advance(Duration.ofMillis(50));
        Span child = tracer.startSpan("initialize_container_" + i);
        expectedOperations.add("initialize_container_" + i);
        clock.advance(Duration.ofMillis(30));
        if (i < 2) {
          tracer.finishSpan(child, SpanStatus.ERROR, "boom " + i);
        } else {
          tracer.finishSpan(child);
        }
      }
    }
    clock.set(T0.plusNanos(1_234_500_000L));
    tracer.finishSpan(root);

    TraceSummary summary = tracer.getTraceSummary(context.traceId()).orElseThrow();
    assertThat(summary.toMap())
        .containsExactly(
            entry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
            entry("span_count", 15),
            entry("total_duration_ms", 1234.5),
            entry("error_count", 2),
            entry("start_time", 1_705_312_496.123),
            entry("end_time", 1_705_312_497.3575),
            entry("operations", expectedOperations));
    assertThat(tracer.getTraceSummary("a3ce929d0e0e47364bf92f3577b34da6")).isEmpty();
  }

  @Test
  void totalDurationIsWallTimeNotTheSumOfSpans() {
    TraceContext context = tracer.startTrace();
    Span a = tracer.startSpan("a");
    Span b = tracer.startSpan("b");
    clock.advance(Duration.ofMillis(100));
    tracer.finishSpan(a);
    tracer.finishSpan(b);

    assertThat(tracer.getTraceSummary(context.traceId()).orElseThrow().totalDurationMs())
        .isEqualTo(100.0);
  }

  @Test
  void tracingMetricsAreTheSeedsShape() {
    List<SpanData> exported = new CopyOnWriteArrayList<>();
    try (DistributedTracer exporting =
        DistributedTracer.builder().clock(clock).exporter(exported::addAll).build()) {
      for (int trace = 0; trace < 25; trace++) {
        exporting.startTrace();
        for (int span = 0; span < 6; span++) {
          Span s = exporting.startSpan("op");
          boolean error = trace * 6 + span < 5;
          exporting.finishSpan(s, error ? SpanStatus.ERROR : SpanStatus.OK, null);
        }
      }

      assertThat(exporting.getMetrics().toMap())
          .contains(
              entry("total_spans", 150L),
              entry("error_spans", 5L),
              entry("error_rate_percent", 3.33),
              entry("unique_traces", 25L),
              entry("export_enabled", true));
    }
    assertThat(exported).hasSize(150);
    assertThat(tracer.getMetrics().exportEnabled()).isFalse();
    assertThat(tracer.getMetrics().errorRatePercent()).isEqualTo(0.0);
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(span -> span.name().equals(name)).findFirst().orElseThrow();
  }

  private SpanData onlyRetainedSpan() {
    List<TraceSummary> traces = tracer.recentTraces(10);
    assertThat(traces).hasSize(1);
    List<SpanData> spans = tracer.getTraceSpans(traces.get(0).traceId());
    assertThat(spans).hasSize(1);
    return spans.get(0);
  }
}
