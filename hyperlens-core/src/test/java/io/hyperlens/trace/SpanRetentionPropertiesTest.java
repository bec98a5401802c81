package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The ring with its open-addressing index answers every query exactly as a plain FIFO with hash
 * maps does, through growth, eviction, reused span ids and probe chains that wrap around.
 */
class SpanRetentionPropertiesTest {
  private static final int SPAN_IDS = 40;
  private static final int TRACE_IDS = 6;

  @Property(tries = 1000)
  void answersLikeAFifoWithHashMaps(
      @ForAll @IntRange(min = 0, max = 50) int maxSpans,
      @ForAll("adds") @Size(max = 300) List<int[]> adds) {
    SpanRetention retention = new SpanRetention(maxSpans);
    Model model = new Model(maxSpans);
    long start = 0;
    for (int[] add : adds) {
      SpanData span =
          SpanData.builder(traceId(add[1]), spanId(add[0]), "op")
              .times(start + add[3], start + add[3] + 1)
              .status(add[2] == 0 ? SpanStatus.ERROR : SpanStatus.OK, null)
              .build();
      start++;
      retention.add(span);
      model.add(span);
    }

    for (int i = 0; i < SPAN_IDS; i++) {
      assertThat(retention.span(spanId(i))).isEqualTo(model.span(spanId(i)));
    }
    for (int i = 0; i < TRACE_IDS; i++) {
      assertThat(retention.trace(traceId(i))).isEqualTo(model.trace(traceId(i)));
    }
    for (int limit = 1; limit <= TRACE_IDS + 1; limit++) {
      List<List<SpanData>> expected = new ArrayList<>();
      for (String traceId : model.recentTraceIds(limit)) {
        expected.add(model.trace(traceId));
      }
      assertThat(retention.recentTraces(limit)).isEqualTo(expected);
    }
    assertThat(retention.counts()).containsExactly(model.counts());
  }

  @Property(tries = 20)
  void aLongRunOfEvictionsLeavesOnlyTheNewestIndexed(
      @ForAll @IntRange(min = 1, max = 64) int maxSpans, @ForAll long seed) {
    SpanRetention retention = new SpanRetention(maxSpans);
    java.util.Random random = new java.util.Random(seed);
    ArrayDeque<SpanData> newest = new ArrayDeque<>();
    for (int i = 0; i < 50_000; i++) {
      SpanData span =
          SpanData.builder(traceId(0), String.format("%016x", random.nextLong() | 1L), "op")
              .build();
      retention.add(span);
      newest.addLast(span);
      if (newest.size() > maxSpans) {
        assertThat(retention.span(newest.pollFirst().spanId())).isEmpty();
      }
    }
    for (SpanData span : newest) {
      assertThat(retention.span(span.spanId())).containsSame(span);
    }
  }

  @net.jqwik.api.Example
  void idsThatShareTheirLastCharactersAreStillToldApart() {
    SpanRetention retention = new SpanRetention(8);
    List<SpanData> spans = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String same = "00000000";
      SpanData span =
          SpanData.builder(
                  String.format("%024x", i + 1) + same,
                  String.format("%08x", i + 1) + same,
                  "op-" + i)
              .build();
      spans.add(span);
      retention.add(span);
    }

    assertThat(SpanRetention.idHash(spans.get(0).spanId()))
        .isEqualTo(SpanRetention.idHash(spans.get(11).spanId()));
    for (int i = 0; i < 12; i++) {
      assertThat(retention.span(spans.get(i).spanId()))
          .isEqualTo(i < 4 ? Optional.empty() : Optional.of(spans.get(i)));
      assertThat(retention.trace(spans.get(i).traceId()))
          .isEqualTo(i < 4 ? List.of() : List.of(spans.get(i)));
    }
    assertThat(retention.counts()).containsExactly(8, 0, 8, 12, 4);
  }

  @Property(tries = 50)
  void aBoundBeyondWhatTheIndexHoldsIsRefused(
      @ForAll @IntRange(min = DistributedTracerBuilder.MAX_RETAINED_SPANS + 1) int maxSpans) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DistributedTracer.builder().maxSpans(maxSpans))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSpans must be at most 268435456, got " + maxSpans);
    assertThat(DistributedTracer.builder().maxSpans(DistributedTracerBuilder.MAX_RETAINED_SPANS))
        .isNotNull();
  }

  @Provide
  Arbitrary<List<int[]>> adds() {
    Arbitrary<int[]> add =
        Arbitraries.integers()
            .between(0, SPAN_IDS - 1)
            .flatMap(
                span ->
                    Arbitraries.integers()
                        .between(0, TRACE_IDS - 1)
                        .flatMap(
                            trace ->
                                Arbitraries.integers()
                                    .between(0, 3)
                                    .flatMap(
                                        status ->
                                            Arbitraries.integers()
                                                .between(0, 5)
                                                .map(
                                                    skew ->
                                                        new int[] {span, trace, status, skew}))));
    return add.list();
  }

  private static String spanId(int i) {
    return String.format("%016x", 0x1000L + i * 7919L);
  }

  private static String traceId(int i) {
    return String.format("%032x", 0xabcdL + i);
  }

  /** The retention as it was before the ring: a FIFO and two hash maps. */
  private static final class Model {
    private final int maxSpans;
    private final ArrayDeque<SpanData> order = new ArrayDeque<>();
    private final Map<String, SpanData> bySpanId = new HashMap<>();
    private final Map<String, ArrayDeque<SpanData>> byTrace = new HashMap<>();
    private long errors;
    private long finished;
    private long evicted;

    Model(int maxSpans) {
      this.maxSpans = maxSpans;
    }

    void add(SpanData span) {
      finished++;
      if (maxSpans == 0) {
        evicted++;
        return;
      }
      if (order.size() >= maxSpans) {
        SpanData oldest = order.pollFirst();
        evicted++;
        bySpanId.remove(oldest.spanId(), oldest);
        ArrayDeque<SpanData> trace = byTrace.get(oldest.traceId());
        trace.removeFirstOccurrence(oldest);
        if (trace.isEmpty()) {
          byTrace.remove(oldest.traceId());
        }
        if (oldest.status() == SpanStatus.ERROR) {
          errors--;
        }
      }
      order.addLast(span);
      bySpanId.put(span.spanId(), span);
      byTrace.computeIfAbsent(span.traceId(), id -> new ArrayDeque<>()).addLast(span);
      if (span.status() == SpanStatus.ERROR) {
        errors++;
      }
    }

    Optional<SpanData> span(String spanId) {
      return Optional.ofNullable(bySpanId.get(spanId));
    }

    List<SpanData> trace(String traceId) {
      List<SpanData> spans = new ArrayList<>(byTrace.getOrDefault(traceId, new ArrayDeque<>()));
      spans.sort(Comparator.comparingLong(SpanData::startEpochNanos));
      return spans;
    }

    List<String> recentTraceIds(int limit) {
      Set<String> ids = new LinkedHashSet<>();
      Iterator<SpanData> newestFirst = order.descendingIterator();
      while (newestFirst.hasNext() && ids.size() < limit) {
        ids.add(newestFirst.next().traceId());
      }
      return List.copyOf(ids);
    }

    long[] counts() {
      return new long[] {order.size(), errors, byTrace.size(), finished, evicted};
    }
  }
}
