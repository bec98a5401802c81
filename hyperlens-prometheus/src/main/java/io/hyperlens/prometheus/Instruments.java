package io.hyperlens.prometheus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.metrics.MetricWithFixedMetadata;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * Registers client_java metrics with the constant labels and records on them through a {@link
 * SeriesGuard}: the one way Hyperlens' metric classes create and touch series. Thread-safe.
 */
final class Instruments {
  private final PrometheusRegistry registry;
  private final Labels constantLabels;
  private final SeriesGuard guard;
  private final MetricHistory history;

  /**
   * @param history where each family is tracked for snapshots, or null
   */
  Instruments(
      PrometheusRegistry registry,
      Labels constantLabels,
      SeriesGuard guard,
      MetricHistory history) {
    this.registry = registry;
    this.constantLabels = constantLabels;
    this.guard = guard;
    this.history = history;
  }

  SeriesGuard guard() {
    return guard;
  }

  /** Whether {@code label} is one of the constant labels. */
  boolean isConstantLabel(String label) {
    return constantLabels.contains(label);
  }

  /** Builds, registers and tracks a metric exposed as {@code exposed}. */
  private <B extends MetricWithFixedMetadata.Builder<B, M>, M extends MetricWithFixedMetadata>
      Family<M> register(B builder, String name, String exposed, String help, String[] labels) {
    M metric = builder.name(name).help(help).labelNames(labels).constLabels(constantLabels).build();
    registry.register(metric);
    Family<M> family = Family.of(exposed, metric, labels.length);
    return history == null ? family : history.track(family);
  }

  /** A counter exposed as {@code name + "_total"}; {@code name} has no {@code _total}. */
  Family<Counter> counter(String name, String help, String... labels) {
    return register(Counter.builder(), name, name + "_total", help, labels);
  }

  Family<Gauge> gauge(String name, String help, String... labels) {
    return register(Gauge.builder(), name, name, help, labels);
  }

  /** A classic histogram with {@code buckets} as upper bounds (+Inf added). */
  Family<Histogram> histogram(String name, String help, double[] buckets, String... labels) {
    return register(
        Histogram.builder().classicOnly().classicUpperBounds(buckets), name, name, help, labels);
  }

  /** A classic histogram with client_java's default buckets. */
  Family<Histogram> histogram(String name, String help, String... labels) {
    return register(Histogram.builder().classicOnly(), name, name, help, labels);
  }

  /** A summary (count and sum, no quantiles). */
  Family<Summary> summary(String name, String help, String... labels) {
    return register(Summary.builder(), name, name, help, labels);
  }

  /** An info metric exposed as {@code name + "_info"}. */
  Family<Info> info(String name, String help, String... labels) {
    return register(Info.builder(), name, name + "_info", help, labels);
  }

  /** The label values to record {@code value} under, or null when it is dropped (and counted). */
  private String[] admit(Family<?> family, double value, boolean nonNegative, String[] labels) {
    return guard.valid(family.name(), value, nonNegative) ? guard.admit(family, labels) : null;
  }

  /** Adds a non-negative amount to a counter series. */
  void inc(Family<Counter> family, double amount, String... labels) {
    String[] admitted = admit(family, amount, true, labels);
    if (admitted != null) {
      family.metric().labelValues(admitted).inc(amount);
    }
  }

  /** Adds a finite amount (possibly negative) to a gauge series. */
  void add(Family<Gauge> family, double amount, String... labels) {
    String[] admitted = admit(family, amount, false, labels);
    if (admitted != null) {
      family.metric().labelValues(admitted).inc(amount);
    }
  }

  void set(Family<Gauge> family, double value, String... labels) {
    String[] admitted = admit(family, value, false, labels);
    if (admitted != null) {
      family.metric().labelValues(admitted).set(value);
    }
  }

  /** Observes a non-negative value in a histogram. */
  void observe(Family<Histogram> family, double value, String... labels) {
    String[] admitted = admit(family, value, true, labels);
    if (admitted != null) {
      family.metric().labelValues(admitted).observe(value);
    }
  }

  /** Observes a non-negative value in a summary. */
  void observeSummary(Family<Summary> family, double value, String... labels) {
    String[] admitted = admit(family, value, true, labels);
    if (admitted != null) {
      family.metric().labelValues(admitted).observe(value);
    }
  }

  /**
   * Makes these label values the info's only series. The previous series is replaced, so infos need
   * no series bound.
   */
  void info(Family<Info> family, String... labels) {
    if (guard.wellFormed(family, labels)) {
      family.metric().setLabelValues(labels);
    }
  }
}
