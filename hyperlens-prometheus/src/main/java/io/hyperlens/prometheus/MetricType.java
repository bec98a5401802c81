package io.hyperlens.prometheus;

/** The kinds of custom metric {@link MetricsCollector#createCustomMetric} makes, as in the seed. */
public enum MetricType {
  /** Only goes up: {@link CustomMetric.Series#inc()}. */
  COUNTER,
  /** Goes up and down: {@link CustomMetric.Series#set(double)}. */
  GAUGE,
  /** A distribution in buckets: {@link CustomMetric.Series#observe(double)}. */
  HISTOGRAM,
  /** A count and sum of observations: {@link CustomMetric.Series#observe(double)}. */
  SUMMARY,
  /** Text as labels with value 1: {@link CustomMetric.Series#info()}. */
  INFO
}
