package io.hyperlens.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Exposes the metrics of an inner registry with constant labels added to every data point: how
 * {@link Metrics#enable} gives the JVM and process metrics (whose client_java builders take no
 * constant labels) the configured custom labels. Counters, gauges, summaries and info metrics are
 * relabeled, which covers everything client_java's JVM and process instrumentation registers; other
 * types pass through unchanged. Read on scrape; thread-safe.
 */
final class LabeledMetrics implements MultiCollector {
  private final PrometheusRegistry inner;
  private final Labels labels;

  LabeledMetrics(PrometheusRegistry inner, Labels labels) {
    this.inner = inner;
    this.labels = labels;
  }

  @Override
  public MetricSnapshots collect() {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    for (MetricSnapshot snapshot : inner.scrape()) {
      out.metricSnapshot(relabel(snapshot));
    }
    return out.build();
  }

  private MetricSnapshot relabel(MetricSnapshot snapshot) {
    if (snapshot instanceof CounterSnapshot) {
      List<CounterDataPointSnapshot> points = new ArrayList<>();
      for (CounterDataPointSnapshot p : ((CounterSnapshot) snapshot).getDataPoints()) {
        points.add(
            new CounterDataPointSnapshot(p.getValue(), merged(p), p.getExemplar(), created(p)));
      }
      return new CounterSnapshot(snapshot.getMetadata(), points);
    }
    if (snapshot instanceof GaugeSnapshot) {
      List<GaugeDataPointSnapshot> points = new ArrayList<>();
      for (GaugeDataPointSnapshot p : ((GaugeSnapshot) snapshot).getDataPoints()) {
        points.add(new GaugeDataPointSnapshot(p.getValue(), merged(p), p.getExemplar()));
      }
      return new GaugeSnapshot(snapshot.getMetadata(), points);
    }
    if (snapshot instanceof SummarySnapshot) {
      List<SummaryDataPointSnapshot> points = new ArrayList<>();
      for (SummaryDataPointSnapshot p : ((SummarySnapshot) snapshot).getDataPoints()) {
        points.add(
            new SummaryDataPointSnapshot(
                p.getCount(),
                p.getSum(),
                p.getQuantiles(),
                merged(p),
                p.getExemplars(),
                created(p)));
      }
      return new SummarySnapshot(snapshot.getMetadata(), points);
    }
    if (snapshot instanceof InfoSnapshot) {
      List<InfoDataPointSnapshot> points = new ArrayList<>();
      for (InfoDataPointSnapshot p : ((InfoSnapshot) snapshot).getDataPoints()) {
        points.add(new InfoDataPointSnapshot(merged(p)));
      }
      return new InfoSnapshot(snapshot.getMetadata(), points);
    }
    return snapshot;
  }

  private Labels merged(DataPointSnapshot point) {
    return point.getLabels().merge(labels);
  }

  private static long created(DataPointSnapshot point) {
    return point.hasCreatedTimestamp() ? point.getCreatedTimestampMillis() : 0L;
  }
}
