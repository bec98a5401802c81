package io.hyperlens.prometheus;

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bounded snapshot history and the per-metric histories: at each snapshot every tracked family
 * appends {@code {timestamp, value, series}} (histograms and summaries: the count as value, plus
 * {@code sum}). Thread-safe.
 */
final class MetricHistory {
  private final Clock clock;
  private final int size;
  private final Map<String, Family<?>> families = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final ArrayDeque<Map<String, Object>> snapshots = new ArrayDeque<>();
  private final Map<String, ArrayDeque<Map<String, Object>>> perMetric = new LinkedHashMap<>();

  MetricHistory(Clock clock, int size) {
    this.clock = clock;
    this.size = size;
  }

  <F extends Family<?>> F track(F family) {
    families.put(family.name(), family);
    return family;
  }

  Instant now() {
    return clock.instant();
  }

  /** The family's data points summed: values, or counts for histograms and summaries. */
  double sum(Family<?> family) {
    double total = 0;
    for (DataPointSnapshot point : family.metric().collect().getDataPoints()) {
      total += value(point);
    }
    return total;
  }

  private static double value(DataPointSnapshot point) {
    if (point instanceof CounterDataPointSnapshot) {
      return ((CounterDataPointSnapshot) point).getValue();
    }
    if (point instanceof GaugeDataPointSnapshot) {
      return ((GaugeDataPointSnapshot) point).getValue();
    }
    if (point instanceof HistogramDataPointSnapshot) {
      return ((HistogramDataPointSnapshot) point).getCount();
    }
    if (point instanceof SummaryDataPointSnapshot) {
      return ((SummaryDataPointSnapshot) point).getCount();
    }
    return 1; // info
  }

  void record(MetricsSnapshot snapshot) {
    String timestamp = MetricsSnapshot.format(snapshot.timestamp());
    Map<String, Map<String, Object>> entries = new LinkedHashMap<>();
    for (Family<?> family : families.values()) {
      entries.put(family.name(), entry(family, timestamp));
    }
    synchronized (lock) {
      append(snapshots, snapshot.asMap());
      entries.forEach(
          (name, entry) -> append(perMetric.computeIfAbsent(name, n -> new ArrayDeque<>()), entry));
    }
  }

  private static Map<String, Object> entry(Family<?> family, String timestamp) {
    double total = 0;
    double sum = 0;
    boolean distribution = false;
    Map<String, Double> series = new LinkedHashMap<>();
    for (DataPointSnapshot point : family.metric().collect().getDataPoints()) {
      double value = value(point);
      total += value;
      series.put(labels(point), value);
      if (point instanceof HistogramDataPointSnapshot) {
        distribution = true;
        sum += ((HistogramDataPointSnapshot) point).getSum();
      } else if (point instanceof SummaryDataPointSnapshot) {
        distribution = true;
        sum += ((SummaryDataPointSnapshot) point).getSum();
      }
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("timestamp", timestamp);
    entry.put("value", total);
    if (distribution) {
      entry.put("sum", sum);
    }
    entry.put("series", series);
    return entry;
  }

  private static String labels(DataPointSnapshot point) {
    StringJoiner joiner = new StringJoiner(",", "{", "}");
    for (Label label : point.getLabels()) {
      joiner.add(label.getName() + "=\"" + label.getValue() + "\"");
    }
    return joiner.toString();
  }

  private void append(ArrayDeque<Map<String, Object>> deque, Map<String, Object> entry) {
    if (deque.size() == size) {
      deque.pollFirst();
    }
    deque.addLast(entry);
  }

  List<Map<String, Object>> get(String metricName, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    synchronized (lock) {
      ArrayDeque<Map<String, Object>> source =
          metricName == null ? snapshots : perMetric.get(resolve(metricName));
      if (source == null) {
        return List.of();
      }
      List<Map<String, Object>> all = new ArrayList<>(source);
      return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
    }
  }

  /** The exposed family name for {@code name}, given as exposed or short. */
  private String resolve(String name) {
    if (families.containsKey(name)) {
      return name;
    }
    for (String candidate :
        List.of(
            MetricsCollector.PREFIX + name,
            MetricsCollector.PREFIX + name + "_total",
            MetricsCollector.PREFIX + name + "_info")) {
      if (families.containsKey(candidate)) {
        return candidate;
      }
    }
    return name;
  }
}
