package io.hyperlens.prometheus;

import io.hyperlens.prometheus.MetricsCollector.Family;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.metrics.Summary;
import java.util.List;

/**
 * A metric made by {@link MetricsCollector#createCustomMetric}: pick a series with {@link
 * #labels(String...)} and record on it, as the seed's {@code metric.labels(...).inc()}. Recording
 * follows the collector's rules: bad input and an operation the type does not have (observing a
 * counter) are dropped and counted, never thrown. Thread-safe.
 *
 * <pre>{@code
 * CustomMetric actions =
 *     collector.createCustomMetric(
 *         "user_actions", MetricType.COUNTER, "User actions performed", "action_type", "user_role");
 * actions.labels("agent_create", "admin").inc();
 * }</pre>
 */
public final class CustomMetric {
  private final String name;
  private final MetricType type;
  private final List<String> labelNames;
  private final Family<?> family;
  private final SeriesGuard guard;

  CustomMetric(
      String name, MetricType type, List<String> labelNames, Family<?> family, SeriesGuard guard) {
    this.name = name;
    this.type = type;
    this.labelNames = labelNames;
    this.family = family;
    this.guard = guard;
  }

  /** The name it was created with. */
  public String name() {
    return name;
  }

  /** The name Prometheus sees, e.g. {@code agentcore_user_actions_total}. */
  public String exposedName() {
    return family.name();
  }

  /** Its type. */
  public MetricType type() {
    return type;
  }

  /** Its label names, in order. */
  public List<String> labelNames() {
    return labelNames;
  }

  /** The series for these label values (one per label name, in order). */
  public Series labels(String... values) {
    return new Series(values);
  }

  /** One label set of the metric. */
  public final class Series {
    private final String[] values;

    private Series(String[] values) {
      this.values = values == null ? null : values.clone();
    }

    /** Adds 1 (counter, gauge). */
    public void inc() {
      inc(1);
    }

    /** Adds {@code amount} (counter: not negative; gauge: any finite value). */
    public void inc(double amount) {
      if (type == MetricType.COUNTER) {
        String[] admitted = admit(amount, true);
        if (admitted != null) {
          ((Counter) family.metric()).labelValues(admitted).inc(amount);
        }
      } else if (type == MetricType.GAUGE) {
        String[] admitted = admit(amount, false);
        if (admitted != null) {
          ((Gauge) family.metric()).labelValues(admitted).inc(amount);
        }
      } else {
        guard.drop(family.name(), "wrong_type");
      }
    }

    /** Sets a gauge. */
    public void set(double value) {
      if (type != MetricType.GAUGE) {
        guard.drop(family.name(), "wrong_type");
        return;
      }
      String[] admitted = admit(value, false);
      if (admitted != null) {
        ((Gauge) family.metric()).labelValues(admitted).set(value);
      }
    }

    /** Observes a value in a histogram or summary (not negative). */
    public void observe(double value) {
      if (type != MetricType.HISTOGRAM && type != MetricType.SUMMARY) {
        guard.drop(family.name(), "wrong_type");
        return;
      }
      String[] admitted = admit(value, true);
      if (admitted == null) {
        return;
      }
      if (type == MetricType.HISTOGRAM) {
        ((Histogram) family.metric()).labelValues(admitted).observe(value);
      } else {
        ((Summary) family.metric()).labelValues(admitted).observe(value);
      }
    }

    /** Makes these label values the info's only series (value 1). */
    public void info() {
      if (type != MetricType.INFO) {
        guard.drop(family.name(), "wrong_type");
        return;
      }
      String[] admitted = guard.admit(family.name(), family.labels(), values);
      if (admitted != null) {
        ((Info) family.metric()).setLabelValues(admitted);
      }
    }

    private String[] admit(double value, boolean nonNegative) {
      return guard.valid(family.name(), value, nonNegative)
          ? guard.admit(family.name(), family.labels(), values)
          : null;
    }
  }
}
