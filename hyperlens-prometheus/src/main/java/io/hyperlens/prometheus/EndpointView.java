package io.hyperlens.prometheus;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What a {@link MetricsEndpoint} serves: every family registered on its registry, whoever
 * registered it (Hyperlens classes, client_java's JVM and process metrics, OpenTelemetry's
 * Prometheus bridge), with the endpoint's {@link MetricsConfig} applied on each scrape:
 *
 * <ul>
 *   <li>the custom labels are added to every series that lacks them;
 *   <li>names follow Prometheus' conventions: a unit in milliseconds is exposed in seconds (values,
 *       bucket bounds and exemplars divided by 1,000; a native histogram, whose buckets cannot be
 *       rescaled exactly, keeps its unit), so {@code agent_governance.evaluation_latency_ms}
 *       becomes {@code agent_governance_evaluation_latency_seconds} instead of OpenTelemetry's
 *       {@code ..._ms_milliseconds}), the OpenTelemetry SDK's camelCase batch-processor metrics get
 *       their semantic-convention names, any other camelCase metric or label name is written in
 *       snake_case, and a family without help gets one;
 *   <li>at most {@link MetricsConfig#maxSeries()} series are served: families in the order the
 *       registry scrapes them (collectors in registration order), and past the budget the remaining
 *       series are left out of the scrape and counted in the gauge {@value #OVER_BUDGET}, which is
 *       always present.
 * </ul>
 *
 * <p>Read on scrape; thread-safe.
 */
final class EndpointView implements MultiCollector {
  static final String OVER_BUDGET = "hyperlens_metric_series_over_budget";
  private static final System.Logger LOG = System.getLogger(EndpointView.class.getName());
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;

  /** The OpenTelemetry SDK 1.50 batch span processor's own instruments, by their exposed name. */
  private static final Map<String, MetricMetadata> SDK_NAMES =
      Map.of(
          "queueSize_ratio",
          new MetricMetadata(
              "otel_sdk_processor_span_queue_size",
              "Spans in the OpenTelemetry batch span processor's queue"),
          "processedSpans_ratio",
          new MetricMetadata(
              "otel_sdk_processor_span_processed",
              "Spans the OpenTelemetry batch span processor processed (dropped=true: dropped)"));

  private final PrometheusRegistry inner;
  private final Labels customLabels;
  private final int maxSeries;
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  EndpointView(PrometheusRegistry inner, MetricsConfig config) {
    this.inner = inner;
    this.customLabels = ConstantLabels.of(config.customLabels());
    this.maxSeries = config.maxSeries();
  }

  @Override
  public MetricSnapshots collect() {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    int budget = maxSeries;
    long overBudget = 0;
    for (MetricSnapshot snapshot : inner.scrape()) {
      MetricSnapshot served = normalize(snapshot);
      int series = series(served);
      if (series <= budget) {
        out.metricSnapshot(served);
        budget -= series;
      } else {
        MetricSnapshot cut = keepFirst(served, budget);
        int kept = series(cut);
        budget -= kept;
        overBudget += series - kept;
        if (!cut.getDataPoints().isEmpty()) {
          out.metricSnapshot(cut);
        }
      }
    }
    if (overBudget > 0) {
      warn(overBudget);
    }
    out.metricSnapshot(
        new GaugeSnapshot(
            new MetricMetadata(
                OVER_BUDGET,
                "Series left out of the latest scrape because the endpoint's series budget"
                    + " (MetricsConfig.maxSeries = "
                    + maxSeries
                    + ") was reached"),
            List.of(new GaugeDataPointSnapshot(overBudget, customLabels, null))));
    return out.build();
  }

  private void warn(long overBudget) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= LOG_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Metrics endpoint over its budget of {0} series: {1} series left out of this scrape"
              + " (gauge {2}); bound the label values or raise MetricsConfig.maxSeries",
          maxSeries,
          overBudget,
          OVER_BUDGET);
    }
  }

  /** The snapshot with its name, unit, help and labels as the endpoint serves them. */
  private MetricSnapshot normalize(MetricSnapshot snapshot) {
    MetricMetadata metadata = snapshot.getMetadata();
    double scale = 1.0;
    MetricMetadata renamed = SDK_NAMES.get(metadata.getName());
    if (renamed != null) {
      metadata = renamed;
    } else if (metadata.hasUnit()
        && "milliseconds".equals(metadata.getUnit().toString())
        && !hasNativeHistogram(snapshot)) {
      String base = metadata.getName().replaceFirst("(_ms)?_milliseconds$", "");
      metadata =
          new MetricMetadata(
              base + "_seconds", help(metadata).replace("milliseconds", "seconds"), Unit.SECONDS);
      scale = 0.001;
    } else if (!snakeCase(metadata.getName()).equals(metadata.getName())
        || !metadata.getName().equals(metadata.getPrometheusName())
        || metadata.getHelp() == null
        || metadata.getHelp().isEmpty()) {
      metadata =
          new MetricMetadata(
              snakeCase(metadata.getName()),
              help(metadata),
              metadata.hasUnit() ? metadata.getUnit() : null);
    }
    if (metadata == snapshot.getMetadata() && scale == 1.0 && !relabels(snapshot)) {
      return snapshot; // the common case: served as registered, nothing copied on the scrape
    }
    return rebuild(snapshot, metadata, this::labels, scale);
  }

  /**
   * Whether {@code snapshot} holds native (exponential) histogram data, whose buckets cannot be
   * rescaled from milliseconds to seconds exactly: such a family is served in its own unit.
   */
  private static boolean hasNativeHistogram(MetricSnapshot snapshot) {
    if (!(snapshot instanceof HistogramSnapshot)) {
      return false;
    }
    for (HistogramDataPointSnapshot point : ((HistogramSnapshot) snapshot).getDataPoints()) {
      if (point.hasNativeHistogramData()) {
        return true;
      }
    }
    return false;
  }

  private static String help(MetricMetadata metadata) {
    if (metadata.getHelp() != null && !metadata.getHelp().isEmpty()) {
      return metadata.getHelp();
    }
    return "target".equals(metadata.getName())
        ? "Target metadata: the OpenTelemetry resource of the process"
        : snakeCase(metadata.getName());
  }

  /** Whether any data point of {@code snapshot} gets other labels than it has. */
  private boolean relabels(MetricSnapshot snapshot) {
    if (!customLabels.isEmpty()) {
      return true;
    }
    for (DataPointSnapshot point : snapshot.getDataPoints()) {
      Labels labels = point.getLabels();
      for (int i = 0; i < labels.size(); i++) {
        if (!snakeCase(labels.getName(i)).equals(labels.getName(i))) {
          return true;
        }
      }
    }
    return false;
  }

  private Labels labels(Labels labels) {
    Labels out = labels;
    boolean camel = false;
    for (int i = 0; i < labels.size(); i++) {
      camel |= !snakeCase(labels.getName(i)).equals(labels.getName(i));
    }
    if (camel) {
      Labels.Builder builder = Labels.builder();
      for (int i = 0; i < labels.size(); i++) {
        builder.label(snakeCase(labels.getName(i)), labels.getValue(i));
      }
      out = builder.build();
    }
    for (int i = 0; i < customLabels.size(); i++) {
      if (!out.contains(customLabels.getName(i))) {
        out = out.add(customLabels.getName(i), customLabels.getValue(i));
      }
    }
    return out;
  }

  /** {@code queueSize} as {@code queue_size}; names already in snake_case are returned as is. */
  static String snakeCase(String name) {
    StringBuilder out = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c)) {
        if (out == null) {
          out = new StringBuilder(name.length() + 4).append(name, 0, i);
        }
        if (i > 0 && name.charAt(i - 1) != '_') {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? name : out.toString().toLowerCase(Locale.ROOT);
  }

  /** The series a snapshot puts on a scrape: one per sample line, buckets included. */
  static int series(MetricSnapshot snapshot) {
    int series = 0;
    for (DataPointSnapshot point : snapshot.getDataPoints()) {
      series += series(point);
    }
    return series;
  }

  private static int series(DataPointSnapshot point) {
    if (point instanceof HistogramDataPointSnapshot) {
      HistogramDataPointSnapshot h = (HistogramDataPointSnapshot) point;
      return h.hasClassicHistogramData() ? h.getClassicBuckets().size() + 2 : 3;
    }
    if (point instanceof SummaryDataPointSnapshot) {
      return ((SummaryDataPointSnapshot) point).getQuantiles().size() + 2;
    }
    if (point instanceof StateSetDataPointSnapshot) {
      return ((StateSetDataPointSnapshot) point).size();
    }
    return 1;
  }

  /** The snapshot with only its first data points, as many as fit in {@code budget} series. */
  private static MetricSnapshot keepFirst(MetricSnapshot snapshot, int budget) {
    List<DataPointSnapshot> kept = new ArrayList<>();
    int left = budget;
    for (DataPointSnapshot point : snapshot.getDataPoints()) {
      int series = series(point);
      if (series > left) {
        break;
      }
      kept.add(point);
      left -= series;
    }
    return rebuild(snapshot, snapshot.getMetadata(), Function.identity(), 1.0, kept);
  }

  private static MetricSnapshot rebuild(
      MetricSnapshot snapshot,
      MetricMetadata metadata,
      Function<Labels, Labels> labels,
      double scale) {
    List<DataPointSnapshot> points = new ArrayList<>(snapshot.getDataPoints());
    return rebuild(snapshot, metadata, labels, scale, points);
  }

  @SuppressWarnings("unchecked")
  private static MetricSnapshot rebuild(
      MetricSnapshot snapshot,
      MetricMetadata metadata,
      Function<Labels, Labels> labels,
      double scale,
      List<DataPointSnapshot> points) {
    if (snapshot instanceof CounterSnapshot) {
      List<CounterDataPointSnapshot> out = new ArrayList<>();
      for (DataPointSnapshot d : points) {
        CounterDataPointSnapshot p = (CounterDataPointSnapshot) d;
        out.add(
            new CounterDataPointSnapshot(
                p.getValue() * scale,
                labels.apply(p.getLabels()),
                scaled(p.getExemplar(), scale),
                created(p)));
      }
      return new CounterSnapshot(metadata, out);
    }
    if (snapshot instanceof GaugeSnapshot) {
      List<GaugeDataPointSnapshot> out = new ArrayList<>();
      for (DataPointSnapshot d : points) {
        GaugeDataPointSnapshot p = (GaugeDataPointSnapshot) d;
        out.add(
            new GaugeDataPointSnapshot(
                p.getValue() * scale, labels.apply(p.getLabels()), scaled(p.getExemplar(), scale)));
      }
      return new GaugeSnapshot(metadata, out);
    }
    if (snapshot instanceof HistogramSnapshot) {
      List<HistogramDataPointSnapshot> out = new ArrayList<>();
      for (DataPointSnapshot d : points) {
        out.add(histogram((HistogramDataPointSnapshot) d, labels, scale));
      }
      return new HistogramSnapshot(
          ((HistogramSnapshot) snapshot).isGaugeHistogram(), metadata, out);
    }
    if (snapshot instanceof SummarySnapshot) {
      List<SummaryDataPointSnapshot> out = new ArrayList<>();
      for (DataPointSnapshot d : points) {
        SummaryDataPointSnapshot p = (SummaryDataPointSnapshot) d;
        List<Quantile> quantiles = new ArrayList<>();
        for (Quantile q : p.getQuantiles()) {
          quantiles.add(new Quantile(q.getQuantile(), q.getValue() * scale));
        }
        out.add(
            new SummaryDataPointSnapshot(
                p.getCount(),
                p.getSum() * scale,
                Quantiles.of(quantiles),
                labels.apply(p.getLabels()),
                scaled(p.getExemplars(), scale),
                created(p)));
      }
      return new SummarySnapshot(metadata, out);
    }
    if (snapshot instanceof InfoSnapshot) {
      List<InfoDataPointSnapshot> out = new ArrayList<>();
      for (DataPointSnapshot d : points) {
        out.add(new InfoDataPointSnapshot(labels.apply(d.getLabels())));
      }
      return new InfoSnapshot(metadata, out);
    }
    if (snapshot instanceof StateSetSnapshot) {
      List<StateSetDataPointSnapshot> out = new ArrayList<>();
      for (DataPointSnapshot d : points) {
        StateSetDataPointSnapshot p = (StateSetDataPointSnapshot) d;
        String[] names = new String[p.size()];
        boolean[] values = new boolean[p.size()];
        for (int i = 0; i < p.size(); i++) {
          names[i] = p.getName(i);
          values[i] = p.isTrue(i);
        }
        out.add(new StateSetDataPointSnapshot(names, values, labels.apply(p.getLabels())));
      }
      return new StateSetSnapshot(metadata, out);
    }
    List<UnknownDataPointSnapshot> out = new ArrayList<>();
    for (DataPointSnapshot d : points) {
      UnknownDataPointSnapshot p = (UnknownDataPointSnapshot) d;
      out.add(
          new UnknownDataPointSnapshot(
              p.getValue() * scale, labels.apply(p.getLabels()), scaled(p.getExemplar(), scale)));
    }
    return new UnknownSnapshot(metadata, out);
  }

  private static HistogramDataPointSnapshot histogram(
      HistogramDataPointSnapshot p, Function<Labels, Labels> labels, double scale) {
    ClassicHistogramBuckets buckets = p.getClassicBuckets();
    if (scale != 1.0 && p.hasClassicHistogramData()) {
      double[] bounds = new double[buckets.size()];
      long[] counts = new long[buckets.size()];
      int i = 0;
      for (ClassicHistogramBucket bucket : buckets) {
        bounds[i] =
            Double.isInfinite(bucket.getUpperBound())
                ? bucket.getUpperBound()
                : bucket.getUpperBound() * scale;
        counts[i++] = bucket.getCount();
      }
      buckets = ClassicHistogramBuckets.of(bounds, counts);
    }
    if (!p.hasNativeHistogramData()) {
      return new HistogramDataPointSnapshot(
          buckets,
          p.getSum() * scale,
          labels.apply(p.getLabels()),
          scaled(p.getExemplars(), scale),
          created(p));
    }
    return new HistogramDataPointSnapshot(
        buckets,
        p.getNativeSchema(),
        p.getNativeZeroCount(),
        p.getNativeZeroThreshold(),
        p.getNativeBucketsForPositiveValues(),
        p.getNativeBucketsForNegativeValues(),
        p.getSum() * scale,
        labels.apply(p.getLabels()),
        scaled(p.getExemplars(), scale),
        created(p));
  }

  private static Exemplar scaled(Exemplar exemplar, double scale) {
    if (exemplar == null || scale == 1.0) {
      return exemplar;
    }
    return new Exemplar(
        exemplar.getValue() * scale,
        exemplar.getLabels(),
        exemplar.hasTimestamp() ? exemplar.getTimestampMillis() : 0L);
  }

  private static Exemplars scaled(Exemplars exemplars, double scale) {
    if (exemplars == null || scale == 1.0) {
      return exemplars;
    }
    List<Exemplar> out = new ArrayList<>(exemplars.size());
    for (Exemplar exemplar : exemplars) {
      out.add(scaled(exemplar, scale));
    }
    return Exemplars.of(out);
  }

  private static long created(DataPointSnapshot point) {
    return point.hasCreatedTimestamp() ? point.getCreatedTimestampMillis() : 0L;
  }
}
