package io.hyperlens.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seed's tracing metrics, plus the counters a bounded, asynchronous tracer owes its operator.
 * The seed's five fields describe the retained spans; the rest count since the tracer was built.
 *
 * @param totalSpans retained finished spans
 * @param errorSpans retained spans that ended with {@link SpanStatus#ERROR}
 * @param errorRatePercent {@code errorSpans / totalSpans * 100}, rounded to two decimals; 0 when
 *     there are no spans
 * @param uniqueTraces distinct trace ids among the retained spans
 * @param exportEnabled whether an exporter other than {@link SpanExporter#noop()} is registered
 * @param spansFinished spans finished since the tracer was built
 * @param spansEvicted finished spans evicted from retention, oldest first
 * @param finishIgnored {@code finishSpan} calls on spans already finished
 * @param spansExported spans handed to exporters successfully (summed over exporters)
 * @param exportDropped spans dropped because an exporter's queue was full or shut down
 * @param exportFailedSpans spans in batches whose export threw
 * @param exportFailures exporter calls that threw
 * @param spansSampledOut finished spans of unsampled traces, retained but not exported
 */
public record TracerMetrics(
    long totalSpans,
    long errorSpans,
    double errorRatePercent,
    long uniqueTraces,
    boolean exportEnabled,
    long spansFinished,
    long spansEvicted,
    long finishIgnored,
    long spansExported,
    long exportDropped,
    long exportFailedSpans,
    long exportFailures,
    long spansSampledOut) {

  /**
   * The seed's {@code get_metrics()} keys ({@code total_spans}, {@code error_spans}, {@code
   * error_rate_percent}, {@code unique_traces}, {@code export_enabled}) followed by the counters:
   * {@code spans_finished_total}, {@code spans_evicted_total}, {@code finish_ignored_total}, {@code
   * spans_exported_total}, {@code export_dropped_total}, {@code export_failed_spans_total}, {@code
   * export_failures_total}, {@code spans_sampled_out_total}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("total_spans", totalSpans);
    map.put("error_spans", errorSpans);
    map.put("error_rate_percent", errorRatePercent);
    map.put("unique_traces", uniqueTraces);
    map.put("export_enabled", exportEnabled);
    map.put("spans_finished_total", spansFinished);
    map.put("spans_evicted_total", spansEvicted);
    map.put("finish_ignored_total", finishIgnored);
    map.put("spans_exported_total", spansExported);
    map.put("export_dropped_total", exportDropped);
    map.put("export_failed_spans_total", exportFailedSpans);
    map.put("export_failures_total", exportFailures);
    map.put("spans_sampled_out_total", spansSampledOut);
    return Collections.unmodifiableMap(map);
  }
}
