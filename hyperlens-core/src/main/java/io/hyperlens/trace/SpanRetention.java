package io.hyperlens.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The newest finished spans, bounded, in a ring; the oldest is evicted first and counted.
 *
 * <p>Adding a span must cost little next to making it, so the ring holds the spans in arrival order
 * beside each one's span-id and trace-id hash, and an open-addressing table (linear probing, at
 * most half full) maps span ids to ring positions. Evicting the oldest span reads only these
 * arrays, never the cold evicted span. Traces are grouped when asked: {@link #trace} scans the
 * ring's trace-id hashes and compares ids only where a hash matches. The ring and the table grow by
 * doubling up to {@code maxSpans}, so a large bound costs nothing until it is used.
 */
final class SpanRetention {
  private static final int EMPTY = -1;

  private final int maxSpans;
  private final Object lock = new Object();
  private SpanData[] ring = new SpanData[0];
  private int[] ringSpanHash = new int[0];
  private int[] ringTraceHash = new int[0];
  private boolean[] ringError = new boolean[0];

  /** Ring positions by span-id hash; {@link #EMPTY} where free. Length a power of two. */
  private int[] table = new int[0];

  private int head;
  private int size;
  private long errorSpans;
  private long finished;
  private long evicted;

  SpanRetention(int maxSpans) {
    this.maxSpans = maxSpans;
  }

  void add(SpanData span) {
    int spanHash = idHash(span.spanId());
    int traceHash = idHash(span.traceId());
    boolean error = span.status() == SpanStatus.ERROR;
    synchronized (lock) {
      finished++;
      if (maxSpans == 0) {
        evicted++;
        return;
      }
      int position;
      if (size == maxSpans) {
        position = head;
        evictAt(position);
        head = next(head);
      } else {
        if (size == ring.length) {
          grow();
        }
        position = size++;
      }
      ring[position] = span;
      ringSpanHash[position] = spanHash;
      ringTraceHash[position] = traceHash;
      ringError[position] = error;
      if (error) {
        errorSpans++;
      }
      index(position, spanHash, span.spanId());
    }
  }

  /** Points the span id at {@code position}; a span id seen before now finds the newer span. */
  private void index(int position, int spanHash, String spanId) {
    int mask = table.length - 1;
    int slot = spanHash & mask;
    while (table[slot] != EMPTY) {
      int other = table[slot];
      if (ringSpanHash[other] == spanHash && ring[other].spanId().equals(spanId)) {
        table[slot] = position;
        return;
      }
      slot = (slot + 1) & mask;
    }
    table[slot] = position;
  }

  private void evictAt(int position) {
    evicted++;
    if (ringError[position]) {
      errorSpans--;
    }
    int mask = table.length - 1;
    int slot = ringSpanHash[position] & mask;
    while (table[slot] != EMPTY) {
      if (table[slot] == position) {
        deleteSlot(slot);
        break;
      }
      slot = (slot + 1) & mask;
    }
    ring[position] = null;
  }

  /** Linear probing's backward-shift delete: no tombstones, so probes stay short. */
  private void deleteSlot(int free) {
    int mask = table.length - 1;
    int slot = free;
    while (true) {
      slot = (slot + 1) & mask;
      int position = table[slot];
      if (position == EMPTY) {
        table[free] = EMPTY;
        return;
      }
      int home = ringSpanHash[position] & mask;
      // The entry may move back to the free slot unless its home lies cyclically in (free, slot].
      boolean homeBetween =
          free <= slot ? free < home && home <= slot : free < home || home <= slot;
      if (!homeBetween) {
        table[free] = position;
        free = slot;
      }
    }
  }

  /** Doubles the ring (not yet full, so still in arrival order from 0) and rebuilds the table. */
  private void grow() {
    int capacity = (int) Math.min(maxSpans, Math.max(16L, ring.length * 2L));
    // Everything allocated before anything is replaced: running out of memory here leaves the
    // retention as it was.
    SpanData[] newRing = Arrays.copyOf(ring, capacity);
    int[] newSpanHash = Arrays.copyOf(ringSpanHash, capacity);
    int[] newTraceHash = Arrays.copyOf(ringTraceHash, capacity);
    boolean[] newError = Arrays.copyOf(ringError, capacity);
    // At least twice the capacity, a power of two.
    int[] newTable = new int[Integer.highestOneBit(Math.max(1, capacity - 1)) << 2];
    Arrays.fill(newTable, EMPTY);
    ring = newRing;
    ringSpanHash = newSpanHash;
    ringTraceHash = newTraceHash;
    ringError = newError;
    table = newTable;
    for (int position = 0; position < size; position++) {
      index(position, ringSpanHash[position], ring[position].spanId());
    }
  }

  private int next(int position) {
    return position + 1 == ring.length ? 0 : position + 1;
  }

  /**
   * A hash of an id's last eight characters. Ids are random hex, so eight characters carry 32 bits
   * of it; a fresh id's {@code String.hashCode} would walk all 16 or 32 characters, which cost more
   * than the rest of adding a span. Any string works: only collisions grow.
   */
  static int idHash(String id) {
    int hash = 0;
    for (int i = Math.max(0, id.length() - 8); i < id.length(); i++) {
      hash = hash * 0x9E3779B1 + id.charAt(i);
    }
    return hash ^ (hash >>> 15);
  }

  /** The trace's retained spans in start order. */
  List<SpanData> trace(String traceId) {
    int traceHash = idHash(traceId);
    List<SpanData> spans = new ArrayList<>();
    synchronized (lock) {
      for (int i = 0, position = head; i < size; i++, position = next(position)) {
        if (ringTraceHash[position] == traceHash && ring[position].traceId().equals(traceId)) {
          spans.add(ring[position]);
        }
      }
    }
    spans.sort(Comparator.comparingLong(SpanData::startEpochNanos));
    return List.copyOf(spans);
  }

  Optional<SpanData> span(String spanId) {
    int spanHash = idHash(spanId);
    synchronized (lock) {
      if (size == 0) {
        return Optional.empty();
      }
      int mask = table.length - 1;
      for (int slot = spanHash & mask; table[slot] != EMPTY; slot = (slot + 1) & mask) {
        SpanData span = ring[table[slot]];
        if (ringSpanHash[table[slot]] == spanHash && span.spanId().equals(spanId)) {
          return Optional.of(span);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The retained spans of the newest {@code limit} traces, most recently finished trace first, each
   * trace's spans in start order; one pass over the ring.
   */
  List<List<SpanData>> recentTraces(int limit) {
    Map<String, List<SpanData>> traces = new LinkedHashMap<>();
    synchronized (lock) {
      for (int i = 0; i < size && traces.size() < limit; i++) {
        traces.putIfAbsent(
            ring[(int) ((head + (long) size - 1 - i) % ring.length)].traceId(), new ArrayList<>());
      }
      for (int i = 0, position = head; i < size; i++, position = next(position)) {
        List<SpanData> spans = traces.get(ring[position].traceId());
        if (spans != null) {
          spans.add(ring[position]);
        }
      }
    }
    List<List<SpanData>> result = new ArrayList<>(traces.size());
    for (List<SpanData> spans : traces.values()) {
      spans.sort(Comparator.comparingLong(SpanData::startEpochNanos));
      result.add(List.copyOf(spans));
    }
    return result;
  }

  /** {total, errors, uniqueTraces, finished, evicted} under one lock. */
  long[] counts() {
    synchronized (lock) {
      Set<String> traces = new HashSet<>(size * 2);
      for (int position = 0; position < size; position++) {
        traces.add(ring[position].traceId());
      }
      return new long[] {size, errorSpans, traces.size(), finished, evicted};
    }
  }
}
