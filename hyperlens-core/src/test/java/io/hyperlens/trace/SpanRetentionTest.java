package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Retention bounds, indexes, counters, limits and misuse of spans. */
@SuppressWarnings("try")
class SpanRetentionTest {

  @Test
  void theOldestSpansAreEvictedFirstAndCounted() {
    DistributedTracer tracer = DistributedTracer.builder().maxSpans(3).build();
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Span span = tracer.startSpan("op-" + i);
      tracer.finishSpan(span);
      spans.add(span);
    }

    assertThat(tracer.getSpanById(spans.get(0).spanId())).isEmpty();
    assertThat(tracer.getSpanById(spans.get(1).spanId())).isEmpty();
    assertThat(tracer.getSpanById(spans.get(4).spanId())).isPresent();
    assertThat(tracer.getTraceSpans(spans.get(0).traceId())).isEmpty();
    TracerMetrics metrics = tracer.getMetrics();
    assertThat(metrics.totalSpans()).isEqualTo(3);
    assertThat(metrics.uniqueTraces()).isEqualTo(3);
    assertThat(metrics.spansEvicted()).isEqualTo(2);
    assertThat(metrics.spansFinished()).isEqualTo(5);
  }

  @Test
  void evictingAnErrorSpanLowersTheErrorCount() {
    DistributedTracer tracer = DistributedTracer.builder().maxSpans(2).build();
    tracer.finishSpan(tracer.startSpan("failed"), SpanStatus.ERROR, "boom");
    tracer.finishSpan(tracer.startSpan("ok"));
    assertThat(tracer.getMetrics().errorSpans()).isEqualTo(1);

    tracer.finishSpan(tracer.startSpan("ok"));

    assertThat(tracer.getMetrics().errorSpans()).isZero();
    assertThat(tracer.getMetrics().errorRatePercent()).isZero();
  }

  @Test
  void aTraceLosesOnlyItsEvictedSpans() {
    DistributedTracer tracer = DistributedTracer.builder().maxSpans(2).build();
    Span root = tracer.startSpan("root");
    try (Scope scope = root.makeCurrent()) {
      tracer.finishSpan(tracer.startSpan("a"));
      tracer.finishSpan(tracer.startSpan("b"));
      tracer.finishSpan(tracer.startSpan("c"));
    }

    assertThat(tracer.getTraceSpans(root.traceId()))
        .extracting(SpanData::name)
        .containsExactly("b", "c");
  }

  @Test
  void maxSpansZeroRetainsNothing() {
    DistributedTracer tracer = DistributedTracer.builder().maxSpans(0).build();
    Span span = tracer.startSpan("op");
    tracer.finishSpan(span);

    assertThat(tracer.getSpanById(span.spanId())).isEmpty();
    assertThat(tracer.getMetrics().spansFinished()).isEqualTo(1);
  }

  @Test
  void finishingTwiceIsIgnoredAndCounted() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Span span = tracer.startSpan("op");
    tracer.finishSpan(span, SpanStatus.ERROR, "first");
    tracer.finishSpan(span, SpanStatus.OK, null);

    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(tracer.getMetrics().finishIgnored()).isEqualTo(1);
    assertThat(tracer.getMetrics().totalSpans()).isEqualTo(1);
  }

  @Test
  void aFinishedSpanIgnoresChanges() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Span span = tracer.startSpan("op");
    tracer.finishSpan(span);
    span.setAttribute("late", true).addEvent("late").addLink(span.traceId(), span.spanId());
    span.setStatus(SpanStatus.ERROR, "late");

    SpanData data = span.finishedData().orElseThrow();
    assertThat(data.attributes()).isEmpty();
    assertThat(data.events()).isEmpty();
    assertThat(data.links()).isEmpty();
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void perSpanLimitsDropAndCount() {
    DistributedTracer tracer =
        DistributedTracer.builder()
            .maxAttributesPerSpan(2)
            .maxEventsPerSpan(1)
            .maxLinksPerSpan(1)
            .build();
    Span span = tracer.startSpan("op");
    span.setAttribute("a", 1).setAttribute("b", 2).setAttribute("c", 3).setAttribute("a", 10);
    span.setAttribute(null, "x").setAttribute("n", (Object) null);
    span.addEvent("e1").addEvent("e2").addEvent(null);
    span.addLink("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    span.addLink("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b8");
    tracer.finishSpan(span);

    SpanData data = span.finishedData().orElseThrow();
    assertThat(data.attributes()).containsExactly(entry("a", 10L), entry("b", 2L));
    assertThat(data.droppedAttributes()).isEqualTo(3);
    assertThat(data.droppedEvents()).isEqualTo(2);
    assertThat(data.droppedLinks()).isEqualTo(1);
  }

  private static java.util.Map.Entry<String, Object> entry(String key, Object value) {
    return java.util.Map.entry(key, value);
  }

  @Test
  void attributeValuesAreTypedAsOpenTelemetryTypesThem() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Span span = tracer.startSpan("op");
    span.setAttribute("int", (Object) 7)
        .setAttribute("float", (Object) 1.5f)
        .setAttribute("list", List.of(1, 2))
        .setAttribute("mixed", List.of(1, "two"))
        .setAttribute("array", new String[] {"a", "b"})
        .setAttribute("other", (Object) TimeUnit.SECONDS);

    assertThat(span.attributes())
        .containsEntry("int", 7L)
        .containsEntry("float", 1.5)
        .containsEntry("list", List.of(1L, 2L))
        .containsEntry("mixed", List.of("1", "two"))
        .containsEntry("array", List.of("a", "b"))
        .containsEntry("other", "SECONDS");
  }

  @Test
  void recordingNeverThrowsIntoTheCaller() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Object hostile =
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("no string for you");
          }
        };
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    List<Object> outer = new ArrayList<>();
    List<Object> inner = new ArrayList<>(List.of(outer));
    outer.add(inner);

    Span span = tracer.spanBuilder("op").setStartTimestamp(java.time.Instant.MAX).startSpan();
    span.setAttribute("hostile", hostile)
        .setAttribute("cyclic", cyclic)
        .setAttribute("mutual", outer)
        .addEvent("ancient", java.util.Map.of(), java.time.Instant.MIN);
    tracer.finishSpan(span);

    SpanData data = span.finishedData().orElseThrow();
    assertThat(data.attributes()).containsOnlyKeys("cyclic", "mutual");
    assertThat(data.attributes().get("cyclic")).isEqualTo(List.of("[(this Collection)]"));
    // the mutually recursive list's string form overflows the stack: that element is left out
    assertThat(data.attributes().get("mutual"))
        .isEqualTo(java.util.Collections.singletonList(null));
    assertThat(data.droppedAttributes()).isEqualTo(1);
    long saturated = (Long.MAX_VALUE / 1_000_000_000L - 1) * 1_000_000_000L;
    assertThat(data.startEpochNanos()).isEqualTo(saturated);
    assertThat(data.events())
        .singleElement()
        .extracting(SpanEvent::epochNanos)
        .isEqualTo(-saturated);
  }

  @Test
  void anExceptionWhoseMessageThrowsIsStillRecordedAndTheOriginalRethrown() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    RuntimeException nasty =
        new RuntimeException() {
          @Override
          public String getMessage() {
            throw new UnsupportedOperationException("no message");
          }
        };

    assertThatThrownBy(
            () ->
                tracer.traced(
                    "op",
                    () -> {
                      throw nasty;
                    }))
        .isSameAs(nasty);
    SpanData span = tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0);
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.events().get(0).attributes()).containsKey("exception.stacktrace");
  }

  @Test
  void recordExceptionMarksTheSpanAsAnErrorEvenAfterOk() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Span span = tracer.startSpan("op");
    span.setStatus(SpanStatus.OK, null);
    span.recordException(new IllegalStateException("late failure"));

    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("late failure");
  }

  @Test
  void longStringValuesAreCutToTheLimit() {
    DistributedTracer tracer = DistributedTracer.builder().maxAttributeLength(5).build();
    Span span = tracer.startSpan("op");
    span.setAttribute("s", "abcdefgh").setAttribute("list", List.of("abcdefgh"));
    span.addEvent("e", java.util.Map.of("v", "123456789"));

    assertThat(span.attributes())
        .containsEntry("s", "abcde")
        .containsEntry("list", List.of("abcde"));
    assertThat(span.events().get(0).attributes()).containsEntry("v", "12345");
  }

  @Test
  void blankNamesAndNullKindsDegradeInsteadOfThrowing() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    Span span = tracer.startSpan(" ", null, null);

    assertThat(span.name()).isEqualTo("<unnamed>");
    assertThat(span.kind()).isEqualTo(SpanKind.INTERNAL);
  }

  @Test
  void idsAreW3cAndNeverAllZero() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    for (int i = 0; i < 1000; i++) {
      Span span = tracer.startSpan("op");
      assertThat(span.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
      assertThat(span.spanId()).matches("[0-9a-f]{16}").isNotEqualTo("0".repeat(16));
    }
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> DistributedTracer.builder().maxSpans(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSpans must not be negative, got -1");
    assertThatThrownBy(() -> DistributedTracer.builder().serviceName(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("serviceName must not be blank, got \"\"");
    assertThatThrownBy(() -> DistributedTracer.builder().exportQueueSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("exportQueueSize must be positive, got 0");
    assertThatThrownBy(
            () -> DistributedTracer.builder().exportQueueSize(10).exportBatchSize(20).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("exportBatchSize must not exceed exportQueueSize, got 20 > 10");
    assertThatThrownBy(() -> DistributedTracer.builder().exportInterval(java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("exportInterval must be positive and at most a day, got PT0S");
  }

  @Test
  void startTraceRejectsAMalformedIdNamingIt() {
    DistributedTracer tracer = DistributedTracer.builder().build();

    assertThatThrownBy(() -> tracer.startTrace("request-123", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "trace_id must be 32 lowercase hex characters (or a 12-hex CausalTraceId trace id),"
                + " not all zero, got \"request-123\"");
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void theGlobalTracerIsSharedUntilReplaced() {
    DistributedTracer first = DistributedTracer.global();
    assertThat(DistributedTracer.global()).isSameAs(first);
    DistributedTracer replacement = DistributedTracer.builder().serviceName("replacement").build();

    assertThat(DistributedTracer.setGlobal(replacement)).contains(first);
    assertThat(DistributedTracer.global()).isSameAs(replacement);
    DistributedTracer.setGlobal(first);
  }

  @Test
  void concurrentFinishingCountsEverySpanExactly() throws Exception {
    DistributedTracer tracer = DistributedTracer.builder().maxSpans(20_000).build();
    DistributedTracer small = DistributedTracer.builder().maxSpans(5_000).build();
    int threads = 4;
    int perThread = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                  SpanStatus status = i % 10 == 0 ? SpanStatus.ERROR : SpanStatus.OK;
                  tracer.finishSpan(tracer.startSpan("op"), status, "x");
                  small.finishSpan(small.startSpan("op"), status, "x");
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> future : futures) {
      future.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    TracerMetrics metrics = tracer.getMetrics();
    assertThat(metrics.spansFinished()).isEqualTo(20_000);
    assertThat(metrics.totalSpans()).isEqualTo(20_000);
    assertThat(metrics.uniqueTraces()).isEqualTo(20_000);
    assertThat(metrics.errorSpans()).isEqualTo(2_000);
    assertThat(metrics.errorRatePercent()).isEqualTo(10.0);
    TracerMetrics bounded = small.getMetrics();
    assertThat(bounded.spansFinished()).isEqualTo(20_000);
    assertThat(bounded.spansEvicted()).isEqualTo(15_000);
    assertThat(bounded.totalSpans()).isEqualTo(5_000);
    assertThat(bounded.uniqueTraces()).isEqualTo(5_000);
  }
}
