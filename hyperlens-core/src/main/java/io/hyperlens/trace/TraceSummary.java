package io.hyperlens.trace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's trace summary over the retained spans of one trace.
 *
 * @param traceId the 32-hex trace id
 * @param spanCount retained finished spans of the trace
 * @param totalDurationMs wall time from the first span's start to the last span's end
 * @param errorCount spans that ended with {@link SpanStatus#ERROR}
 * @param startEpochNanos the earliest start
 * @param endEpochNanos the latest end
 * @param operations the span names in start order (repeats included)
 */
public record TraceSummary(
    String traceId,
    int spanCount,
    double totalDurationMs,
    int errorCount,
    long startEpochNanos,
    long endEpochNanos,
    List<String> operations) {

  /** Copies the operations. */
  public TraceSummary {
    operations = List.copyOf(operations);
  }

  /**
   * Summarizes the finished spans of one trace, given in start order: span and error counts, first
   * start, last end, the wall time between them, and the operations in the given order.
   *
   * @throws IllegalArgumentException if {@code spans} is empty
   */
  public static TraceSummary of(String traceId, List<SpanData> spans) {
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("spans must not be empty for trace " + traceId);
    }
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    int errors = 0;
    List<String> operations = new ArrayList<>(spans.size());
    for (SpanData span : spans) {
      start = Math.min(start, span.startEpochNanos());
      end = Math.max(end, span.endEpochNanos());
      if (span.status() == SpanStatus.ERROR) {
        errors++;
      }
      operations.add(span.name());
    }
    return new TraceSummary(
        traceId, spans.size(), (end - start) / 1e6, errors, start, end, operations);
  }

  /** The earliest start as an instant. */
  public Instant startTime() {
    return SpanData.instant(startEpochNanos);
  }

  /** The latest end as an instant. */
  public Instant endTime() {
    return SpanData.instant(endEpochNanos);
  }

  /**
   * The seed's {@code get_trace_summary} shape: {@code trace_id}, {@code span_count}, {@code
   * total_duration_ms}, {@code error_count}, {@code start_time} and {@code end_time} (epoch
   * seconds), {@code operations}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("trace_id", traceId);
    map.put("span_count", spanCount);
    map.put("total_duration_ms", totalDurationMs);
    map.put("error_count", errorCount);
    map.put("start_time", SpanData.epochSeconds(startEpochNanos));
    map.put("end_time", SpanData.epochSeconds(endEpochNanos));
    map.put("operations", operations);
    return Collections.unmodifiableMap(map);
  }
}
