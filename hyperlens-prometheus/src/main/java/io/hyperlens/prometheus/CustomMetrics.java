package io.hyperlens.prometheus;

import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The collector's custom metrics, by the name they were created with. Thread-safe. */
final class CustomMetrics {
  private final Instruments instruments;
  private final Map<String, CustomMetric> byName = new ConcurrentHashMap<>();

  CustomMetrics(Instruments instruments) {
    this.instruments = instruments;
  }

  synchronized CustomMetric create(
      String name, MetricType type, String description, String... labels) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("custom metric name must not be blank, got " + name);
    }
    if (type == null) {
      throw new IllegalArgumentException("metric_type of custom metric \"" + name + "\" is null");
    }
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("custom metric \"" + name + "\" already exists");
    }
    String base = name.startsWith(MetricsCollector.PREFIX) ? name : MetricsCollector.PREFIX + name;
    String suffix = type == MetricType.COUNTER ? "_total" : type == MetricType.INFO ? "_info" : "";
    if (!suffix.isEmpty() && base.endsWith(suffix)) {
      base = base.substring(0, base.length() - suffix.length());
    }
    if (!PrometheusNaming.isValidMetricName(base)) {
      throw new IllegalArgumentException(
          "custom metric name \"" + name + "\" does not make a valid Prometheus name: " + base);
    }
    String[] labelNames = labels == null ? new String[0] : labels.clone();
    Set<String> seen = new HashSet<>();
    for (String label : labelNames) {
      if (label == null
          || !PrometheusNaming.isValidLabelName(label)
          || label.startsWith("__")
          || !seen.add(label)
          || instruments.isConstantLabel(label)) {
        throw new IllegalArgumentException(
            "label \"" + label + "\" of custom metric \"" + name + "\" is invalid or repeated");
      }
    }
    String help = description == null || description.isBlank() ? name : description;
    Family<?> family;
    try {
      family = build(type, base, help, labelNames);
    } catch (IllegalStateException | IllegalArgumentException clash) {
      throw new IllegalArgumentException(
          "custom metric \"" + name + "\" clashes with a registered metric: " + clash.getMessage(),
          clash);
    }
    CustomMetric custom = new CustomMetric(name, type, List.of(labelNames), family, instruments);
    byName.put(name, custom);
    return custom;
  }

  private Family<?> build(MetricType type, String name, String help, String[] labels) {
    switch (type) {
      case COUNTER:
        return instruments.counter(name, help, labels);
      case GAUGE:
        return instruments.gauge(name, help, labels);
      case HISTOGRAM:
        return instruments.histogram(name, help, labels);
      case SUMMARY:
        return instruments.summary(name, help, labels);
      default:
        return instruments.info(name, help, labels);
    }
  }

  Optional<CustomMetric> get(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
  }
}
