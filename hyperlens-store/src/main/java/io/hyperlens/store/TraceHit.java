package io.hyperlens.store;

import java.util.List;
import java.util.Optional;

/**
 * One trace found by {@link JdbcStore#searchTraces}.
 *
 * @param traceId the W3C trace id
 * @param spanCount its spans
 * @param errorCount its spans with status error
 * @param startEpochNanos its first span's start
 * @param endEpochNanos its last span's end
 */
public record TraceHit(
    String traceId, int spanCount, int errorCount, long startEpochNanos, long endEpochNanos) {

  /** The trace's duration, first start to last end, in milliseconds. */
  public double durationMs() {
    return (endEpochNanos - startEpochNanos) / 1e6;
  }

  /**
   * One page of a search, newest ending first.
   *
   * @param traces the page
   * @param nextCursor where the next page starts; absent on the last
   */
  public record Page(List<TraceHit> traces, Optional<String> nextCursor) {
    /** Copies the list. */
    public Page {
      traces = List.copyOf(traces);
    }
  }
}
