package io.hyperlens.event;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Finds events by timestamp without scanning the log. Events that arrive in timestamp order (the
 * common case: they are stamped by a clock as they are emitted) go to two parallel ascending rings
 * of timestamps and sequence numbers, binary-searched; the rare event stamped earlier than one
 * already indexed goes to a sorted tree. Not thread-safe: the bus guards it.
 */
final class TimeIndex {
  private final LongRing inOrderMicros = new LongRing(64);
  private final LongRing inOrderSeqs = new LongRing(64);
  private final NavigableSet<Late> late = new TreeSet<>();

  private record Late(long micros, long seq) implements Comparable<Late> {
    @Override
    public int compareTo(Late o) {
      int byTime = Long.compare(micros, o.micros);
      return byTime != 0 ? byTime : Long.compare(seq, o.seq);
    }
  }

  void add(long seq, Instant timestamp) {
    long micros = HypervisorEvent.toEpochMicros(timestamp);
    if (inOrderMicros.isEmpty() || micros >= inOrderMicros.last()) {
      inOrderMicros.addLast(micros);
      inOrderSeqs.addLast(seq);
    } else {
      late.add(new Late(micros, seq));
    }
  }

  /** Removes the oldest event of the log, which must be {@code seq}. */
  void evict(long seq, Instant timestamp) {
    if (!inOrderSeqs.isEmpty() && inOrderSeqs.first() == seq) {
      inOrderSeqs.removeFirst();
      inOrderMicros.removeFirst();
    } else {
      late.remove(new Late(HypervisorEvent.toEpochMicros(timestamp), seq));
    }
  }

  /** Whether timestamps ascend with sequence numbers across the whole retained log. */
  boolean isMonotonic() {
    return late.isEmpty();
  }

  /**
   * For a monotonic log: the inclusive sequence range {@code [first, last]} of events stamped
   * within {@code [start, end]}, or {@code null} when none is.
   */
  long[] seqRange(long startMicros, long endMicros) {
    int lo = inOrderMicros.lowerBound(startMicros);
    int hi = inOrderMicros.upperBound(endMicros);
    if (lo >= hi) {
      return null;
    }
    return new long[] {inOrderSeqs.get(lo), inOrderSeqs.get(hi - 1)};
  }

  /** Sequence numbers of every event stamped within {@code [start, end]}, ascending. */
  List<Long> seqs(long startMicros, long endMicros) {
    int lo = inOrderMicros.lowerBound(startMicros);
    int hi = inOrderMicros.upperBound(endMicros);
    List<Long> out = new ArrayList<>(Math.max(0, hi - lo));
    for (int i = lo; i < hi; i++) {
      out.add(inOrderSeqs.get(i));
    }
    NavigableSet<Late> lateHits =
        late.subSet(
            new Late(startMicros, Long.MIN_VALUE), true, new Late(endMicros, Long.MAX_VALUE), true);
    if (!lateHits.isEmpty()) {
      for (Late hit : lateHits) {
        out.add(hit.seq());
      }
      out.sort(null);
    }
    return out;
  }
}
