package io.hyperlens.trace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The newest finished spans, bounded, indexed by trace id and span id; the oldest is evicted first
 * and counted.
 */
final class SpanRetention {
  private final int maxSpans;
  private final Object lock = new Object();
  private final ArrayDeque<SpanData> order = new ArrayDeque<>();
  private final HashMap<String, SpanData> bySpanId = new HashMap<>();
  private final HashMap<String, ArrayDeque<SpanData>> byTrace = new HashMap<>();
  private long errorSpans;
  private long finished;
  private long evicted;

  SpanRetention(int maxSpans) {
    this.maxSpans = maxSpans;
  }

  void add(SpanData span) {
    synchronized (lock) {
      finished++;
      if (maxSpans == 0) {
        evicted++;
        return;
      }
      if (order.size() >= maxSpans) {
        evict(order.pollFirst());
      }
      order.addLast(span);
      bySpanId.put(span.spanId(), span);
      byTrace.computeIfAbsent(span.traceId(), id -> new ArrayDeque<>(4)).addLast(span);
      if (span.status() == SpanStatus.ERROR) {
        errorSpans++;
      }
    }
  }

  private void evict(SpanData oldest) {
    evicted++;
    bySpanId.remove(oldest.spanId(), oldest);
    ArrayDeque<SpanData> trace = byTrace.get(oldest.traceId());
    trace.removeFirstOccurrence(oldest);
    if (trace.isEmpty()) {
      byTrace.remove(oldest.traceId());
    }
    if (oldest.status() == SpanStatus.ERROR) {
      errorSpans--;
    }
  }

  /** The trace's retained spans in start order. */
  List<SpanData> trace(String traceId) {
    List<SpanData> spans;
    synchronized (lock) {
      ArrayDeque<SpanData> trace = byTrace.get(traceId);
      if (trace == null) {
        return List.of();
      }
      spans = new ArrayList<>(trace);
    }
    spans.sort(Comparator.comparingLong(SpanData::startEpochNanos));
    return List.copyOf(spans);
  }

  Optional<SpanData> span(String spanId) {
    synchronized (lock) {
      return Optional.ofNullable(bySpanId.get(spanId));
    }
  }

  /** The newest {@code limit} trace ids, most recently finished first. */
  List<String> recentTraceIds(int limit) {
    Set<String> ids = new LinkedHashSet<>();
    synchronized (lock) {
      Iterator<SpanData> newestFirst = order.descendingIterator();
      while (newestFirst.hasNext() && ids.size() < limit) {
        ids.add(newestFirst.next().traceId());
      }
    }
    return List.copyOf(ids);
  }

  /** {total, errors, uniqueTraces, finished, evicted} under one lock. */
  long[] counts() {
    synchronized (lock) {
      return new long[] {order.size(), errorSpans, byTrace.size(), finished, evicted};
    }
  }
}
