package io.hyperlens.prometheus;

import io.hyperlens.prometheus.MetricsCollector.Family;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
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

  private <F extends Family<?>> F track(F family) {
    return history == null ? family : history.track(family);
  }

  /** A counter exposed as {@code name + "_total"}; {@code name} has no {@code _total}. */
  Family<Counter> counter(String name, String help, String... labels) {
    Counter metric =
        Counter.builder()
            .name(name)
            .help(help)
            .labelNames(labels)
            .constLabels(constantLabels)
            .register(registry);
    return track(new Family<>(name + "_total", metric, labels.length));
  }

  Family<Gauge> gauge(String name, String help, String... labels) {
    Gauge metric =
        Gauge.builder()
            .name(name)
            .help(help)
            .labelNames(labels)
            .constLabels(constantLabels)
            .register(registry);
    return track(new Family<>(name, metric, labels.length));
  }

  /** A classic histogram with {@code buckets} as upper bounds (+Inf added). */
  Family<Histogram> histogram(String name, String help, double[] buckets, String... labels) {
    Histogram metric =
        Histogram.builder()
            .name(name)
            .help(help)
            .classicOnly()
            .classicUpperBounds(buckets)
            .labelNames(labels)
            .constLabels(constantLabels)
            .register(registry);
    return track(new Family<>(name, metric, labels.length));
  }

  /** A classic histogram with client_java's default buckets. */
  Family<Histogram> histogram(String name, String help, String... labels) {
    Histogram metric =
        Histogram.builder()
            .name(name)
            .help(help)
            .classicOnly()
            .labelNames(labels)
            .constLabels(constantLabels)
            .register(registry);
    return track(new Family<>(name, metric, labels.length));
  }

  /** A summary (count and sum, no quantiles). */
  Family<Summary> summary(String name, String help, String... labels) {
    Summary metric =
        Summary.builder()
            .name(name)
            .help(help)
            .labelNames(labels)
            .constLabels(constantLabels)
            .register(registry);
    return track(new Family<>(name, metric, labels.length));
  }

  /** An info metric exposed as {@code name + "_info"}. */
  Family<Info> info(String name, String help, String... labels) {
    Info metric =
        Info.builder()
            .name(name)
            .help(help)
            .labelNames(labels)
            .constLabels(constantLabels)
            .register(registry);
    return track(new Family<>(name + "_info", metric, labels.length));
  }

  /** Whether {@code label} is one of the constant labels. */
  boolean isConstantLabel(String label) {
    return constantLabels.contains(label);
  }

  /** Adds a non-negative amount to a counter series. */
  void inc(Family<Counter> family, double amount, String... labels) {
    if (guard.valid(family.name(), amount, true)) {
      String[] admitted = guard.admit(family.name(), family.labels(), labels);
      if (admitted != null) {
        family.metric().labelValues(admitted).inc(amount);
      }
    }
  }

  /** Adds a finite amount (possibly negative) to a gauge series. */
  void add(Family<Gauge> family, double amount, String... labels) {
    if (guard.valid(family.name(), amount, false)) {
      String[] admitted = guard.admit(family.name(), family.labels(), labels);
      if (admitted != null) {
        family.metric().labelValues(admitted).inc(amount);
      }
    }
  }

  void set(Family<Gauge> family, double value, String... labels) {
    if (guard.valid(family.name(), value, false)) {
      String[] admitted = guard.admit(family.name(), family.labels(), labels);
      if (admitted != null) {
        family.metric().labelValues(admitted).set(value);
      }
    }
  }

  /** Observes a non-negative value. */
  void observe(Family<Histogram> family, double value, String... labels) {
    if (guard.valid(family.name(), value, true)) {
      String[] admitted = guard.admit(family.name(), family.labels(), labels);
      if (admitted != null) {
        family.metric().labelValues(admitted).observe(value);
      }
    }
  }
}
