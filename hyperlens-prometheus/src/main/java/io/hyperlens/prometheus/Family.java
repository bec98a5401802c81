package io.hyperlens.prometheus;

import io.prometheus.metrics.core.metrics.MetricWithFixedMetadata;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registered client_java metric with the name Prometheus sees, its number of labels and the label
 * sets recorded so far (what {@link SeriesGuard} bounds).
 */
record Family<M extends MetricWithFixedMetadata>(
    String name, M metric, int labels, Set<List<String>> series) {

  static <M extends MetricWithFixedMetadata> Family<M> of(String name, M metric, int labels) {
    return new Family<>(name, metric, labels, ConcurrentHashMap.newKeySet());
  }
}
