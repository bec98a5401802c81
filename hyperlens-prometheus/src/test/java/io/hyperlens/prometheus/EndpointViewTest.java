package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.logging.RecordingLoggerFinder;
import io.hyperlens.ring.RingMetricsCollector;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What one endpoint serves: its config applied to every family, whoever registered it. */
class EndpointViewTest {
  private static final MetricsConfig BARE =
      MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, false);

  private static String scrape(MetricsEndpoint endpoint) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(endpoint.uri()).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static List<String> samples(String body) {
    return body.lines().filter(l -> !l.startsWith("#")).toList();
  }

  /**
   * What {@link Metrics#served} makes of {@code families}, registered on a registry of their own.
   */
  private static PrometheusRegistry served(MetricsConfig config, MetricSnapshot... families) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(() -> MetricSnapshots.of(families));
    return Metrics.served(config, registry);
  }

  private static String text(PrometheusRegistry served) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, served.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String openMetrics(PrometheusRegistry served) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new OpenMetricsTextFormatWriter(false, true).write(out, served.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static MetricSnapshot family(PrometheusRegistry served, String name) {
    return served.scrape().stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static CounterSnapshot counter(String name, String help, Unit unit, double value) {
    return new CounterSnapshot(
        new MetricMetadata(name, help, unit),
        List.of(new CounterDataPointSnapshot(value, Labels.EMPTY, null, 0L)));
  }

  private static SummarySnapshot summary(String name, Unit unit, long created) {
    return new SummarySnapshot(
        new MetricMetadata(name, "h", unit),
        List.of(
            new SummaryDataPointSnapshot(
                2,
                300.0,
                Quantiles.of(new Quantile(0.5, 100.0), new Quantile(0.99, 200.0)),
                Labels.EMPTY,
                null,
                created)));
  }

  /** A state set whose first state is true and the others false. */
  private static StateSetSnapshot states(String name, Labels labels, String... names) {
    boolean[] values = new boolean[names.length];
    values[0] = true;
    return new StateSetSnapshot(
        new MetricMetadata(name, "h"),
        List.of(new StateSetDataPointSnapshot(names, values, labels)));
  }

  @Test
  void customLabelsReachAFamilyRegisteredWithoutThemAndKeepASeriesOwnValue() throws Exception {
    try (MetricsEndpoint endpoint =
        Metrics.enable(BARE.withCustomLabels(Map.of("env", "prod", "team", "ml")))) {
      Counter plain =
          Counter.builder()
              .name("plain_requests")
              .help("h")
              .labelNames("route")
              .register(endpoint.registry());
      plain.labelValues("/a").inc();
      Counter own =
          Counter.builder()
              .name("own_env")
              .help("h")
              .labelNames("env")
              .register(endpoint.registry());
      own.labelValues("staging").inc();

      String body = scrape(endpoint);

      assertThat(body)
          .contains("plain_requests_total{env=\"prod\",route=\"/a\",team=\"ml\"} 1.0")
          .contains("own_env_total{env=\"staging\",team=\"ml\"} 1.0");
      assertThat(samples(body)).allSatisfy(s -> assertThat(s).contains("team=\"ml\""));
    }
  }

  @Test
  void aMillisecondUnitIsServedInSecondsAndCamelCaseInSnakeCase() throws Exception {
    MultiCollector otelLike =
        () ->
            MetricSnapshots.of(
                new HistogramSnapshot(
                    new MetricMetadata(
                        "eval_latency_ms_milliseconds",
                        "Latency in milliseconds",
                        new Unit("milliseconds")),
                    List.of(
                        new HistogramDataPointSnapshot(
                            ClassicHistogramBuckets.of(
                                new double[] {50.0, 100.0, Double.POSITIVE_INFINITY},
                                new long[] {0, 1, 0}),
                            60.0,
                            Labels.of("decision", "deny"),
                            null,
                            0L))),
                new CounterSnapshot(
                    new MetricMetadata("processedSpans_ratio", "", Unit.RATIO),
                    List.of(
                        new CounterDataPointSnapshot(
                            7, Labels.of("processorType", "Batch"), null, 0L))),
                new CounterSnapshot(
                    new MetricMetadata("someCount", null),
                    List.of(new CounterDataPointSnapshot(2, Labels.of("fooBar", "x"), null, 0L))));
    try (MetricsEndpoint endpoint = Metrics.enable(BARE)) {
      endpoint.registry().register(otelLike);

      String body = scrape(endpoint);

      assertThat(body)
          .contains("# HELP eval_latency_seconds Latency in seconds")
          .contains("# TYPE eval_latency_seconds histogram")
          .contains("eval_latency_seconds_bucket{decision=\"deny\",le=\"0.05\"} 0")
          .contains("eval_latency_seconds_bucket{decision=\"deny\",le=\"0.1\"} 1")
          .contains("eval_latency_seconds_bucket{decision=\"deny\",le=\"+Inf\"} 1")
          .contains("eval_latency_seconds_sum{decision=\"deny\"} 0.06")
          .contains("otel_sdk_processor_span_processed_total{processor_type=\"Batch\"} 7.0")
          .contains("# HELP some_count_total some_count")
          .contains("some_count_total{foo_bar=\"x\"} 2.0")
          .doesNotContain("milliseconds")
          .doesNotContain("processedSpans");
    }
  }

  @Test
  void aScrapeHoldsAtMostTheBudgetAndCountsWhatItLeftOut() throws Exception {
    try (MetricsEndpoint endpoint = Metrics.enable(BARE.withMaxSeries(12))) {
      Histogram latency =
          Histogram.builder()
              .name("first_seconds")
              .help("h")
              .classicUpperBounds(0.1, 1.0)
              .register(endpoint.registry());
      latency.observe(0.5); // 3 buckets + _count + _sum = 5 series
      Counter counter =
          Counter.builder()
              .name("second")
              .help("h")
              .labelNames("agent")
              .register(endpoint.registry());
      for (int i = 0; i < 10; i++) {
        counter.labelValues("agent-" + i).inc();
      }

      String body = scrape(endpoint);

      assertThat(samples(body).stream().filter(s -> s.startsWith("first_seconds"))).hasSize(5);
      assertThat(samples(body).stream().filter(s -> s.startsWith("second_total"))).hasSize(7);
      assertThat(body).contains("hyperlens_metric_series_over_budget 3.0");
    }
  }

  @Test
  void withinTheBudgetNothingIsLeftOutAndTheGaugeSaysZero() throws Exception {
    try (MetricsEndpoint endpoint = Metrics.enable(BARE.withMaxSeries(10))) {
      Counter counter =
          Counter.builder().name("few").help("h").labelNames("agent").register(endpoint.registry());
      for (int i = 0; i < 10; i++) {
        counter.labelValues("agent-" + i).inc();
      }

      String body = scrape(endpoint);

      assertThat(samples(body).stream().filter(s -> s.startsWith("few_total"))).hasSize(10);
      assertThat(body).contains("hyperlens_metric_series_over_budget 0.0");
    }
  }

  @Test
  void aMillionAgentAttackStaysUnderTheDefaultBudget() throws Exception {
    HypervisorEventBus bus = new HypervisorEventBus();
    RingMetricsCollector rings = new RingMetricsCollector(bus);
    try (MetricsEndpoint endpoint = Metrics.enable(MetricsConfig.defaults().withPort(0))) {
      endpoint.registry().register(new RingMetricsBridge(rings));
      AgentOsMetrics os = AgentOsMetrics.builder().registry(endpoint.registry()).build();
      MetricsCollector core = MetricsCollector.builder().registry(endpoint.registry()).build();
      for (int i = 0; i < 1_000_000; i++) {
        String agent = "did:mesh:attacker-" + i;
        if (i % 10 == 0) {
          bus.emit(
              bus.eventBuilder(EventType.RING_BREACH_DETECTED)
                  .sessionId("s-" + i)
                  .agentDid(agent)
                  .payload(Map.of("ring", 3))
                  .build());
        }
        os.recordAction(agent, "tool-" + i, "deny", 0.01);
        core.recordToolExecution("tool-" + i, 0.01);
      }

      String body = scrape(endpoint);

      List<String> samples = samples(body);
      assertThat(samples.size()).isLessThanOrEqualTo(MetricsConfig.DEFAULT_MAX_SERIES + 1);
      assertThat(samples.size()).isGreaterThan(MetricsConfig.DEFAULT_MAX_SERIES - 100);
      assertThat(body.length()).isLessThan(8_000_000);
      String overBudget =
          samples.stream()
              .filter(s -> s.startsWith("hyperlens_metric_series_over_budget "))
              .findFirst()
              .orElseThrow();
      assertThat(Double.parseDouble(overBudget.split(" ")[1])).isGreaterThan(10_000);
    }
  }

  @Test
  void aCamelCaseNameIsServedInSnakeCaseKeepingItsHelpAndUnit() throws Exception {
    PrometheusRegistry served =
        served(BARE, counter("queueSize_bytes", "Bytes queued", Unit.BYTES, 3));

    assertThat(openMetrics(served))
        .contains("# TYPE queue_size_bytes counter")
        .contains("# UNIT queue_size_bytes bytes")
        .contains("# HELP queue_size_bytes Bytes queued")
        .contains("queue_size_bytes_total 3.0")
        .doesNotContain("queueSize");
  }

  @Test
  void aFamilyWithoutHelpGetsItsNameAndTheOtelTargetASentence() throws Exception {
    PrometheusRegistry served =
        served(
            BARE,
            counter("plain_count", null, null, 1),
            counter("blank_count", "", null, 2),
            new InfoSnapshot(
                new MetricMetadata("target"),
                List.of(new InfoDataPointSnapshot(Labels.of("service_name", "demo")))));

    assertThat(text(served))
        .contains("# HELP plain_count_total plain_count\n")
        .contains("# HELP blank_count_total blank_count\n")
        .contains("# HELP target_info Target metadata: the OpenTelemetry resource of the process\n")
        .contains("target_info{service_name=\"demo\"} 1");
  }

  @Test
  void everyKindOfValueInMillisecondsIsServedInSeconds() throws Exception {
    Unit ms = new Unit("milliseconds");
    PrometheusRegistry served =
        served(
            BARE,
            counter("busy_milliseconds", "Time busy in milliseconds", ms, 1500),
            new GaugeSnapshot(
                new MetricMetadata("lag_milliseconds", "Lag", ms),
                List.of(new GaugeDataPointSnapshot(250, Labels.EMPTY, null))),
            summary("wait_milliseconds", ms, 0L),
            new UnknownSnapshot(
                new MetricMetadata("raw_milliseconds", "Raw", ms),
                List.of(new UnknownDataPointSnapshot(40, Labels.EMPTY, null))));

    assertThat(text(served))
        .contains("# HELP busy_seconds_total Time busy in seconds\n")
        .contains("busy_seconds_total 1.5\n")
        .contains("lag_seconds 0.25\n")
        .contains("wait_seconds{quantile=\"0.5\"} 0.1\n")
        .contains("wait_seconds{quantile=\"0.99\"} 0.2\n")
        .contains("wait_seconds_count 2\n")
        .contains("wait_seconds_sum 0.3\n")
        .contains("raw_seconds 0.04\n")
        .doesNotContain("milliseconds");
  }

  @Test
  void aNativeHistogramInMillisecondsKeepsItsUnitForItsBucketsCannotBeRescaled() {
    PrometheusRegistry served =
        served(
            BARE,
            new HistogramSnapshot(
                new MetricMetadata("native_latency_milliseconds", "h", new Unit("milliseconds")),
                List.of(
                    new HistogramDataPointSnapshot(
                        0,
                        0,
                        0.0,
                        NativeHistogramBuckets.of(new int[] {6}, new long[] {1}), // (32, 64] ms
                        NativeHistogramBuckets.EMPTY,
                        60.0,
                        Labels.EMPTY,
                        null,
                        0L))));

    HistogramDataPointSnapshot point =
        ((HistogramSnapshot) family(served, "native_latency_milliseconds")).getDataPoints().get(0);
    // Schema 0: bucket i holds (2^(i-1), 2^i]; 60 ms stays in (32, 64] ms, with its 60 ms sum.
    assertThat(point.getNativeBucketsForPositiveValues().getBucketIndex(0)).isEqualTo(6);
    assertThat(point.getSum()).isEqualTo(60.0);
  }

  @Test
  void anExemplarInMillisecondsIsServedInSeconds() throws Exception {
    PrometheusRegistry served =
        served(
            BARE,
            new HistogramSnapshot(
                new MetricMetadata("eval_latency_milliseconds", "h", new Unit("milliseconds")),
                List.of(
                    new HistogramDataPointSnapshot(
                        ClassicHistogramBuckets.of(
                            new double[] {50.0, 100.0, Double.POSITIVE_INFINITY},
                            new long[] {0, 1, 0}),
                        60.0,
                        Labels.EMPTY,
                        Exemplars.of(
                            new Exemplar(60.0, Labels.of("trace_id", "abc", "span_id", "def"), 0L)),
                        0L))));

    HistogramDataPointSnapshot point =
        ((HistogramSnapshot) family(served, "eval_latency_seconds")).getDataPoints().get(0);
    assertThat(point.getExemplars().get(0).getValue()).isEqualTo(0.06);
  }

  @Test
  void aStateSetGetsSnakeCaseLabelsAndTheCustomOnes() throws Exception {
    PrometheusRegistry served =
        served(
            BARE.withCustomLabels(Map.of("env", "prod")),
            states("feature", Labels.of("rolloutGroup", "beta"), "on", "off"));

    assertThat(samples(text(served)))
        .contains(
            "feature{env=\"prod\",rollout_group=\"beta\",feature=\"on\"} 1",
            "feature{env=\"prod\",rollout_group=\"beta\",feature=\"off\"} 0");
  }

  @Test
  void summaryQuantilesAndStateSetStatesCountAgainstTheBudget() throws Exception {
    PrometheusRegistry served =
        served(
            BARE.withMaxSeries(7),
            // A collector's families come in name order: mode, wait_seconds, zz_last.
            states("mode", Labels.EMPTY, "a", "b", "c"), // one series per state
            summary("wait_seconds", null, 0L), // 2 quantiles + _count + _sum
            counter("zz_last", "h", null, 1));

    String body = text(served);

    assertThat(samples(body).stream().filter(s -> s.startsWith("wait_seconds"))).hasSize(4);
    assertThat(samples(body).stream().filter(s -> s.startsWith("mode"))).hasSize(3);
    assertThat(body)
        .doesNotContain("zz_last_total")
        .contains("hyperlens_metric_series_over_budget 1.0");
  }

  @Test
  void createdTimestampsAreKept() {
    long created = 1_700_000_000_123L;
    PrometheusRegistry served =
        served(
            BARE,
            new CounterSnapshot(
                new MetricMetadata("jobs", "h"),
                List.of(new CounterDataPointSnapshot(1, Labels.EMPTY, null, created))),
            summary("wait_seconds", null, created),
            new HistogramSnapshot(
                new MetricMetadata("size_bytes", "h"),
                List.of(
                    new HistogramDataPointSnapshot(
                        ClassicHistogramBuckets.of(
                            new double[] {Double.POSITIVE_INFINITY}, new long[] {1}),
                        3.0,
                        Labels.EMPTY,
                        null,
                        created))));

    for (String name : List.of("jobs", "wait_seconds", "size_bytes")) {
      DataPointSnapshot point = family(served, name).getDataPoints().get(0);
      assertThat(point.hasCreatedTimestamp()).as(name).isTrue();
      assertThat(point.getCreatedTimestampMillis()).as(name).isEqualTo(created);
    }
  }

  @Test
  void goingOverTheBudgetIsLoggedOnceAMinuteAndStayingWithinItNever() {
    String logger = EndpointView.class.getName();
    int before = RecordingLoggerFinder.recordsFrom(logger).size();

    served(BARE.withMaxSeries(5), states("mode", Labels.EMPTY, "a")).scrape();
    assertThat(RecordingLoggerFinder.recordsFrom(logger)).hasSize(before);

    PrometheusRegistry over =
        served(BARE.withMaxSeries(2), states("mode", Labels.EMPTY, "a", "b", "c", "d", "e"));
    over.scrape();
    over.scrape();

    List<RecordingLoggerFinder.LogRecord> logged =
        RecordingLoggerFinder.recordsFrom(logger).subList(before, before + 1);
    assertThat(RecordingLoggerFinder.recordsFrom(logger)).hasSize(before + 1);
    assertThat(logged.get(0).level()).isEqualTo(System.Logger.Level.WARNING);
    assertThat(logged.get(0).message())
        .isEqualTo(
            "Metrics endpoint over its budget of {0} series: {1} series left out of this scrape"
                + " (gauge {2}); bound the label values or raise MetricsConfig.maxSeries");
  }

  @Test
  void theBudgetGaugeNamesTheBudgetAndCarriesTheCustomLabels() throws Exception {
    String body = text(served(BARE.withMaxSeries(3).withCustomLabels(Map.of("env", "prod"))));

    assertThat(body)
        .contains(
            "# HELP hyperlens_metric_series_over_budget Series left out of the latest scrape"
                + " because the endpoint's series budget (MetricsConfig.maxSeries = 3) was"
                + " reached\n")
        .contains("hyperlens_metric_series_over_budget{env=\"prod\"} 0.0\n");
  }

  @Test
  void snakeCaseSplitsBeforeEachCapitalOnceAndLeavesSnakeCaseAlone() {
    assertThat(EndpointView.snakeCase("queueSize")).isEqualTo("queue_size");
    assertThat(EndpointView.snakeCase("xY")).isEqualTo("x_y");
    assertThat(EndpointView.snakeCase("Size")).isEqualTo("size");
    assertThat(EndpointView.snakeCase("foo_Bar")).isEqualTo("foo_bar");
    assertThat(EndpointView.snakeCase("processorType_ratio")).isEqualTo("processor_type_ratio");
    String snake = "already_snake_case";
    assertThat(EndpointView.snakeCase(snake)).isSameAs(snake);
  }
}
