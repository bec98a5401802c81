package io.hyperlens.prometheus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.metrics.MetricWithFixedMetadata;
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
  private final Instruments instruments;

  CustomMetric(
      String name,
      MetricType type,
      List<String> labelNames,
      Family<?> family,
      Instruments instruments) {
    this.name = name;
    this.type = type;
    this.labelNames = labelNames;
    this.family = family;
    this.instruments = instruments;
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

  /** The family as the metric type {@link #type} says it is. */
  @SuppressWarnings("unchecked")
  private <M extends MetricWithFixedMetadata> Family<M> as() {
    return (Family<M>) family;
  }

  private void wrongType() {
    instruments.guard().drop(family.name(), "wrong_type");
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
        instruments.inc(CustomMetric.this.<Counter>as(), amount, values);
      } else if (type == MetricType.GAUGE) {
        instruments.add(CustomMetric.this.<Gauge>as(), amount, values);
      } else {
        wrongType();
      }
    }

    /** Sets a gauge. */
    public void set(double value) {
      if (type == MetricType.GAUGE) {
        instruments.set(CustomMetric.this.<Gauge>as(), value, values);
      } else {
        wrongType();
      }
    }

    /** Observes a value in a histogram or summary (not negative). */
    public void observe(double value) {
      if (type == MetricType.HISTOGRAM) {
        instruments.observe(CustomMetric.this.<Histogram>as(), value, values);
      } else if (type == MetricType.SUMMARY) {
        instruments.observeSummary(CustomMetric.this.<Summary>as(), value, values);
      } else {
        wrongType();
      }
    }

    /** Makes these label values the info's only series (value 1). */
    public void info() {
      if (type == MetricType.INFO) {
        instruments.info(CustomMetric.this.<Info>as(), values);
      } else {
        wrongType();
      }
    }
  }
}
