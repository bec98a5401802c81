package io.hyperlens.prometheus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Keeps each metric family under a bound on its label sets and turns bad input into counted drops:
 * past the bound an observation lands in one series whose every label is {@code __overflow__}
 * ({@code hyperlens_metric_series_dropped_total{metric}} counts them); a null label value, a wrong
 * number of label values, or a value that is NaN, infinite or (for counters and durations) negative
 * is dropped and counted in {@code hyperlens_metric_observations_dropped_total{metric,reason}}.
 * Thread-safe.
 */
final class SeriesGuard {
  static final String OVERFLOW = "__overflow__";
  static final String SERIES_DROPPED = "hyperlens_metric_series_dropped";
  static final String OBSERVATIONS_DROPPED = "hyperlens_metric_observations_dropped";

  private static final Map<PrometheusRegistry, Counter[]> DROP_COUNTERS = new WeakHashMap<>();

  private final int maxSeries;
  private final Counter seriesDropped;
  private final Counter observationsDropped;

  SeriesGuard(PrometheusRegistry registry, int maxSeries, Labels constantLabels) {
    this.maxSeries = maxSeries;
    Counter[] counters = dropCounters(registry, constantLabels);
    this.seriesDropped = counters[0];
    this.observationsDropped = counters[1];
  }

  /** The two drop counters of {@code registry}, registered once however many guards share it. */
  private static Counter[] dropCounters(PrometheusRegistry registry, Labels constantLabels) {
    synchronized (DROP_COUNTERS) {
      return DROP_COUNTERS.computeIfAbsent(
          registry,
          r ->
              new Counter[] {
                Counter.builder()
                    .name(SERIES_DROPPED)
                    .help(
                        "Observations folded into the __overflow__ series of a metric over its"
                            + " series bound")
                    .labelNames("metric")
                    .constLabels(constantLabels)
                    .register(r),
                Counter.builder()
                    .name(OBSERVATIONS_DROPPED)
                    .help(
                        "Observations dropped for bad input (NaN, negative, null or missing labels)")
                    .labelNames("metric", "reason")
                    .constLabels(constantLabels)
                    .register(r)
              });
    }
  }

  /** The label values to record under, or null when the observation is dropped (and counted). */
  String[] admit(Family<?> family, String... values) {
    if (!wellFormed(family, values)) {
      return null;
    }
    String metric = family.name();
    int expected = family.labels();
    if (expected == 0) {
      return values;
    }
    Set<List<String>> series = family.series();
    List<String> key = Arrays.asList(values);
    if (series.contains(key)) {
      return values;
    }
    synchronized (series) {
      if (series.contains(key) || series.size() < maxSeries) {
        series.add(List.copyOf(key));
        return values;
      }
    }
    seriesDropped.labelValues(metric).inc();
    String[] overflow = new String[expected];
    Arrays.fill(overflow, OVERFLOW);
    return overflow;
  }

  /** Whether {@code values} are one non-null value per label; counts the drop otherwise. */
  boolean wellFormed(Family<?> family, String... values) {
    if (values == null || values.length != family.labels()) {
      drop(family.name(), "label_count");
      return false;
    }
    for (String value : values) {
      if (value == null) {
        drop(family.name(), "null_label");
        return false;
      }
    }
    return true;
  }

  /** Whether {@code value} may be recorded; counts it as dropped otherwise. */
  boolean valid(String metric, double value, boolean nonNegative) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      drop(metric, "not_finite");
      return false;
    }
    if (nonNegative && value < 0) {
      drop(metric, "negative");
      return false;
    }
    return true;
  }

  void drop(String metric, String reason) {
    observationsDropped.labelValues(metric, reason).inc();
  }

  /** Forgets a label set, e.g. when an agent ends, so it no longer counts against the bound. */
  void forget(Family<?> family, String... values) {
    synchronized (family.series()) {
      family.series().remove(Arrays.asList(values));
    }
  }
}
