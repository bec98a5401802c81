package io.hyperlens.prometheus;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Validated constant labels, added to every series Hyperlens exposes. */
final class ConstantLabels {
  private ConstantLabels() {}

  /**
   * {@code labels} as client_java labels.
   *
   * @param reserved label names the metrics use themselves
   * @throws IllegalArgumentException naming the label when a name is invalid or reserved, or a
   *     value is null
   */
  static Labels of(Map<String, String> labels, String... reserved) {
    if (labels == null || labels.isEmpty()) {
      return Labels.EMPTY;
    }
    Set<String> taken = Set.of(reserved);
    Labels.Builder builder = Labels.builder();
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      String name = e.getKey();
      if (!PrometheusNaming.isValidLabelName(name) || name.startsWith("__")) {
        throw new IllegalArgumentException(
            "customLabels: \"" + name + "\" is not a valid Prometheus label name");
      }
      if (taken.contains(name)) {
        throw new IllegalArgumentException(
            "customLabels: \"" + name + "\" is already a label of Hyperlens' metrics");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("customLabels: the value of \"" + name + "\" is null");
      }
      builder.label(name, e.getValue());
    }
    return builder.build();
  }
}
