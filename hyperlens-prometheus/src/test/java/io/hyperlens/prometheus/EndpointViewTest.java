package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.RingMetricsCollector;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
