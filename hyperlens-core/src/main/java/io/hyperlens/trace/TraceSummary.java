package io.hyperlens.trace;

import java.time.Instant;
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
