package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsCollectorTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final MetricsCollector collector =
      MetricsCollector.builder()
          .registry(registry)
          .clock(Clock.fixed(Instant.parse("2025-01-15T12:34:56.789Z"), ZoneOffset.UTC))
          .build();

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = MetricsCollectorTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Every call of the seed's "Metrics Collection" section, with its example values. */
  private void recordTheSeedsExamples() {
    collector.recordAgentCreated(AgentPhilosophy.REACT, "initializing");
    collector.recordAgentCompleted(AgentPhilosophy.REACT, "completed");
    collector.recordAgentInitialization(AgentPhilosophy.REACT, 1.5);
    collector.recordAgentExecution(AgentPhilosophy.CHAIN_OF_THOUGHT, 30.5);
    collector.recordStateTransition("initializing", "running", AgentPhilosophy.REACT);
    collector.updateResourceUsage("agent-123", AgentPhilosophy.REACT, 45.5, 256.0);
    collector.recordContainerCreation(AgentPhilosophy.REACT, 0.05, true);
    collector.updateSystemResources(65.5, 72.3, 4096.0);
    collector.recordCacheAccess("tool_metadata", true, 150);
    collector.recordCacheAccess("tool_results", false, 100);
    collector.recordContainerCreation(AgentPhilosophy.REACT, 1.2, false);
    collector.recordGcCollection(25.5);
    collector.recordReactIterations("agent-123", 5);
    collector.recordCotSteps("agent-456", 7);
    collector.recordMultiAgentMessage("direct");
    collector.recordConsensus("reached");
    collector.recordAutonomousGoal("active", "high");
    collector.recordAutonomousDecision("autonomous-agent-1");
    collector.recordToolExecution("calculator", 0.25, "success");
    collector.recordToolExecution("web_search", 1.5, "failed", "TimeoutError");
    collector.recordError("ValidationError", "sandbox");
    collector.recordAgentFailure(AgentPhilosophy.REACT, "execution_timeout");
    collector.setRuntimeInfo(
        Map.of("version", "1.0.0", "environment", "production", "platform", "linux"));
    collector.updateContainerPoolSize(AgentPhilosophy.REACT, 4);
  }

  @Test
  void everyMetricHasTheSeedsNameTypeLabelsAndBuckets() throws IOException {
    recordTheSeedsExamples();

    assertThat(scrape()).isEqualTo(golden("metrics-collector.golden.txt"));
  }

  @Test
  void badInputIsDroppedAndCountedNeverThrown() throws IOException {
    collector.recordToolExecution("calculator", Double.NaN, "success");
    collector.recordAgentInitialization(AgentPhilosophy.REACT, -1);
    collector.recordAgentCreated(null);
    collector.recordGcCollection(-3);
    collector.updateSystemResources(Double.POSITIVE_INFINITY, 1, 1);

    assertThat(scrape())
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_agent_initialization_seconds\",reason=\"negative\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_tool_execution_seconds\",reason=\"not_finite\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_agents_total\",reason=\"null_label\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_memory_released_mb_total\",reason=\"negative\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_system_cpu_percent\",reason=\"not_finite\"} 1.0")
        .doesNotContain("agentcore_gc_collections_total 1.0");
  }

  @Test
  void seriesBeyondTheBoundFoldIntoOneOverflowSeriesAndAreCounted() throws IOException {
    PrometheusRegistry small = new PrometheusRegistry();
    MetricsCollector bounded =
        MetricsCollector.builder().registry(small).maxSeriesPerMetric(2).build();
    for (int i = 0; i < 5; i++) {
      bounded.recordAutonomousDecision("agent-" + i);
    }
    bounded.recordAutonomousDecision("agent-0");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, small.scrape());
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("agentcore_autonomous_decisions_total{agent_id=\"agent-0\"} 2.0")
        .contains("agentcore_autonomous_decisions_total{agent_id=\"agent-1\"} 1.0")
        .contains("agentcore_autonomous_decisions_total{agent_id=\"__overflow__\"} 3.0")
        .doesNotContain("agent-2")
        .contains(
            "hyperlens_metric_series_dropped_total{metric=\"agentcore_autonomous_decisions_total\"} 3.0");
  }

  @Test
  void removingAnAgentFreesItsSeries() throws IOException {
    collector.updateResourceUsage("agent-1", AgentPhilosophy.REACT, 10, 20);
    collector.removeAgent("agent-1", AgentPhilosophy.REACT);

    assertThat(scrape()).doesNotContain("agent-1");
  }

  @Test
  void customMetricsAreExposedUnderTheAgentcorePrefix() throws IOException {
    CustomMetric actions =
        collector.createCustomMetric(
            "user_actions",
            MetricType.COUNTER,
            "User actions performed",
            "action_type",
            "user_role");
    actions.labels("agent_create", "admin").inc();
    CustomMetric latency =
        collector.createCustomMetric(
            "request_latency", MetricType.HISTOGRAM, "API request latency", "endpoint");
    latency.labels("/api/agents").observe(0.123);
    collector.createCustomMetric("queue_depth", MetricType.GAUGE, "Queue depth").labels().set(7);
    collector
        .createCustomMetric("payload_bytes", MetricType.SUMMARY, "Payload size")
        .labels()
        .observe(512);
    collector.createCustomMetric("build", MetricType.INFO, "Build", "commit").labels("abc").info();

    assertThat(collector.getCustomMetric("user_actions")).containsSame(actions);
    assertThat(collector.getCustomMetric("missing")).isEmpty();
    assertThat(actions.exposedName()).isEqualTo("agentcore_user_actions_total");
    assertThat(scrape())
        .contains(
            "agentcore_user_actions_total{action_type=\"agent_create\",user_role=\"admin\"} 1.0")
        .contains("agentcore_request_latency_bucket{endpoint=\"/api/agents\",le=\"0.25\"} 1")
        .contains("agentcore_queue_depth 7.0")
        .contains("agentcore_payload_bytes_count 1")
        .contains("agentcore_build_info{commit=\"abc\"} 1");
  }

  @Test
  void aDuplicateOrInvalidCustomMetricIsAClearError() {
    collector.createCustomMetric("user_actions", MetricType.COUNTER, "x");

    assertThatThrownBy(() -> collector.createCustomMetric("user_actions", MetricType.GAUGE, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("custom metric \"user_actions\" already exists");
    assertThatThrownBy(() -> collector.createCustomMetric("agents", MetricType.COUNTER, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("custom metric \"agents\" clashes with a registered metric");
    assertThatThrownBy(() -> collector.createCustomMetric("bad-name", MetricType.COUNTER, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "custom metric name \"bad-name\" does not make a valid Prometheus name:"
                + " agentcore_bad-name");
    assertThatThrownBy(
            () -> collector.createCustomMetric("ok_name", MetricType.COUNTER, "x", "bad label"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label \"bad label\" of custom metric \"ok_name\" is invalid or repeated");
  }

  @Test
  void usingACustomMetricWronglyIsDroppedAndCounted() throws IOException {
    CustomMetric actions =
        collector.createCustomMetric("user_actions", MetricType.COUNTER, "x", "action_type");
    actions.labels("a").observe(1);
    actions.labels("a", "extra").inc();
    actions.labels("a").inc(-1);

    assertThat(scrape())
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_user_actions_total\",reason=\"wrong_type\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_user_actions_total\",reason=\"label_count\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_user_actions_total\",reason=\"negative\"} 1.0");
  }

  @Test
  void theSnapshotIsTheSeedsShape() {
    collector.updateSystemResources(65.5, 72.3, 4096.0);
    for (int i = 0; i < 17; i++) {
      collector.recordAgentCreated(i % 2 == 0 ? AgentPhilosophy.REACT : AgentPhilosophy.AUTONOMOUS);
    }
    collector.recordAgentCompleted(AgentPhilosophy.REACT, "completed");
    collector.recordAgentCompleted(AgentPhilosophy.AUTONOMOUS, "failed");

    assertThat(collector.snapshotMetrics().asMap())
        .containsExactly(
            entry("timestamp", "2025-01-15T12:34:56.789Z"),
            entry(
                "metrics",
                Map.of(
                    "agents",
                    Map.of("active", 15L),
                    "system",
                    Map.of(
                        "cpu_percent", 65.5,
                        "memory_percent", 72.3,
                        "memory_available_mb", 4096.0))));
  }

  @Test
  void historyKeepsTheLastSnapshotsOldestFirst() {
    for (int i = 0; i < 15; i++) {
      collector.updateSystemResources(i, 0, 0);
      collector.snapshotMetrics();
    }

    List<Map<String, Object>> history = collector.getMetricHistory(null, 10);
    assertThat(history).hasSize(10);
    assertThat(history.get(0).toString()).contains("cpu_percent=5.0");
    assertThat(history.get(9).toString()).contains("cpu_percent=14.0");
    assertThat(collector.getMetricHistory(null, 0)).isEmpty();
    assertThatThrownBy(() -> collector.getMetricHistory(null, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must not be negative, got -1");
  }

  @Test
  void historyIsBoundedOldestDroppedFirst() {
    MetricsCollector small = MetricsCollector.builder().historySize(3).build();
    for (int i = 0; i < 5; i++) {
      small.recordCacheAccess("tools", true, i);
      small.snapshotMetrics();
    }

    assertThat(small.getMetricHistory(null, 100)).hasSize(3);
    assertThat(small.getMetricHistory("cache_size", 100))
        .extracting(entry -> entry.get("value"))
        .containsExactly(2.0, 3.0, 4.0);
  }

  @Test
  void perMetricHistoryIsReallyKept() {
    collector.recordToolExecution("calculator", 0.25);
    collector.snapshotMetrics();
    collector.recordToolExecution("calculator", 0.25);
    collector.recordToolExecution("web_search", 1.5, "failed", "TimeoutError");
    collector.snapshotMetrics();

    List<Map<String, Object>> history = collector.getMetricHistory("tool_executions", 100);
    assertThat(history).hasSize(2);
    assertThat(history.get(0)).containsEntry("value", 1.0);
    assertThat(history.get(1))
        .containsEntry("timestamp", "2025-01-15T12:34:56.789Z")
        .containsEntry("value", 3.0)
        .containsEntry(
            "series",
            Map.of(
                "{status=\"success\",tool_id=\"calculator\"}", 2.0,
                "{status=\"failed\",tool_id=\"web_search\"}", 1.0));
    assertThat(collector.getMetricHistory("agentcore_tool_executions_total", 1)).hasSize(1);
    assertThat(collector.getMetricHistory("tool_execution_seconds", 1).get(0))
        .containsEntry("value", 3.0)
        .containsEntry("sum", 2.0);
    assertThat(collector.getMetricHistory("no_such_metric", 10)).isEmpty();
  }

  @Test
  void runtimeInfoIsReplacedNotAccumulated() throws IOException {
    collector.setRuntimeInfo(Map.of("version", "1.0.0", "environment", "dev", "platform", "linux"));
    collector.setRuntimeInfo(
        Map.of("version", "1.1.0", "environment", "prod", "platform", "linux", "extra", "x"));

    assertThat(scrape())
        .contains(
            "agentcore_runtime_info{environment=\"prod\",platform=\"linux\",version=\"1.1.0\"} 1")
        .doesNotContain("version=\"1.0.0\"")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_runtime_info\",reason=\"unknown_label\"} 1.0");
  }

  @Test
  void builderErrorsNameTheField() {
    assertThatThrownBy(() -> MetricsCollector.builder().maxSeriesPerMetric(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSeriesPerMetric must be positive, got 0");
    assertThatThrownBy(
            () -> MetricsCollector.builder().customLabels(Map.of("philosophy", "x")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("customLabels: \"philosophy\" is already a label of Hyperlens' metrics");
  }

  @Test
  void theCustomLabelsOfAConfigReachEverySeries() throws IOException {
    PrometheusRegistry labelled = new PrometheusRegistry();
    MetricsCollector withConfig =
        MetricsCollector.builder()
            .registry(labelled)
            .config(MetricsConfig.defaults().withCustomLabels(Map.of("env", "prod")))
            .build();
    withConfig.recordToolExecution("calculator", 0.25);
    withConfig.recordAutonomousDecision("agent-1");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, labelled.scrape());
    assertThat(out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")))
        .contains("agentcore_autonomous_decisions_total{agent_id=\"agent-1\",env=\"prod\"} 1.0")
        .allSatisfy(line -> assertThat(line).contains("env=\"prod\""));
  }

  @Test
  void noCustomLabelsIsTheSameAsNone() throws IOException {
    PrometheusRegistry plain = new PrometheusRegistry();
    MetricsCollector.builder().registry(plain).customLabels(null).build().recordConsensus("x");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, plain.scrape());
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("agentcore_multi_agent_consensus_total{result=\"x\"} 1.0");
  }

  @Test
  void oneSeriesAndOneSnapshotAreValidBounds() {
    MetricsCollector tiny = MetricsCollector.builder().maxSeriesPerMetric(1).historySize(1).build();
    tiny.recordAutonomousDecision("agent-0");
    tiny.recordAutonomousDecision("agent-1");
    tiny.snapshotMetrics();
    tiny.snapshotMetrics();

    assertThat(tiny.getMetricHistory(null, 10)).hasSize(1);
    assertThat(tiny.getMetricHistory("autonomous_decisions", 10).get(0))
        .containsEntry(
            "series",
            Map.of(
                "{agent_id=\"agent-0\"}", 1.0,
                "{agent_id=\"__overflow__\"}", 1.0));
  }

  @Test
  void missingBuilderArgumentsAreNamed() {
    assertThatThrownBy(() -> MetricsCollector.builder().registry(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("registry must not be null");
    assertThatThrownBy(() -> MetricsCollector.builder().config(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config must not be null");
    assertThatThrownBy(() -> MetricsCollector.builder().historySize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historySize must be positive, got 0");
  }

  @Test
  void customMetricNamesMayAlreadyCarryThePrefixAndTheTypeSuffix() throws IOException {
    CustomMetric jobs =
        collector.createCustomMetric("agentcore_jobs_total", MetricType.COUNTER, "Jobs");
    CustomMetric build =
        collector.createCustomMetric("build_info", MetricType.INFO, null, "commit");
    CustomMetric depth =
        collector.createCustomMetric("queue_depth", MetricType.GAUGE, " ", (String[]) null);
    jobs.labels().inc();
    build.labels("abc").info();
    depth.labels().set(2);

    assertThat(jobs.exposedName()).isEqualTo("agentcore_jobs_total");
    assertThat(jobs.name()).isEqualTo("agentcore_jobs_total");
    assertThat(build.exposedName()).isEqualTo("agentcore_build_info");
    assertThat(build.type()).isEqualTo(MetricType.INFO);
    assertThat(build.labelNames()).containsExactly("commit");
    assertThat(depth.labelNames()).isEmpty();
    assertThat(collector.getCustomMetric(null)).isEmpty();
    assertThat(scrape())
        .contains("# HELP agentcore_jobs_total Jobs\n")
        .contains("agentcore_jobs_total 1.0\n")
        .contains("# HELP agentcore_build_info build_info\n")
        .contains("agentcore_build_info{commit=\"abc\"} 1\n")
        .contains("# HELP agentcore_queue_depth queue_depth\n")
        .contains("agentcore_queue_depth 2.0\n");
  }

  @Test
  void theCollectorRegistersOnTheRegistryItWasGiven() {
    assertThat(collector.registry()).isSameAs(registry);
    assertThat(registry.scrape().stream().map(m -> m.getMetadata().getPrometheusName()))
        .contains("agentcore_agents", "agentcore_tool_execution_seconds");
  }

  @Test
  void aCustomMetricNeedsANameATypeAndLabelsOfItsOwn() {
    MetricsCollector labelled =
        MetricsCollector.builder().customLabels(Map.of("env", "prod")).build();
    String invalid = "label \"%s\" of custom metric \"jobs\" is invalid or repeated";

    assertThatThrownBy(() -> collector.createCustomMetric(null, MetricType.COUNTER, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("custom metric name must not be blank, got null");
    assertThatThrownBy(() -> collector.createCustomMetric(" ", MetricType.COUNTER, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("custom metric name must not be blank, got  ");
    assertThatThrownBy(() -> collector.createCustomMetric("jobs", null, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric_type of custom metric \"jobs\" is null");
    assertThatThrownBy(() -> labelled.createCustomMetric("jobs", MetricType.COUNTER, "x", "env"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(invalid, "env");
    assertThatThrownBy(
            () -> collector.createCustomMetric("jobs", MetricType.COUNTER, "x", "__kind"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(invalid, "__kind");
    assertThatThrownBy(
            () -> collector.createCustomMetric("jobs", MetricType.COUNTER, "x", "kind", "kind"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(invalid, "kind");
    assertThatThrownBy(
            () -> collector.createCustomMetric("jobs", MetricType.COUNTER, "x", (String) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(invalid, "null");
  }

  @Test
  void aCustomGaugeAddsAndSetsAndAnyOtherUseIsCountedAsWrongType() throws IOException {
    CustomMetric depth = collector.createCustomMetric("queue_depth", MetricType.GAUGE, "Depth");
    depth.labels().inc(2);
    depth.labels().inc();
    CustomMetric jobs = collector.createCustomMetric("jobs", MetricType.COUNTER, "Jobs");
    jobs.labels().set(5);
    jobs.labels().info();
    jobs.labels((String[]) null).inc();
    CustomMetric latency =
        collector.createCustomMetric("latency_seconds", MetricType.HISTOGRAM, "Latency");
    latency.labels().inc();

    assertThat(scrape())
        .contains("agentcore_queue_depth 3.0\n")
        .doesNotContain("agentcore_jobs_total 5.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_jobs_total\",reason=\"wrong_type\"} 2.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_jobs_total\",reason=\"label_count\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_latency_seconds\",reason=\"wrong_type\"} 1.0");
  }

  @Test
  void historyKeepsSummariesWithTheirSumAndCountsAnInfoAsOne() {
    CustomMetric payload =
        collector.createCustomMetric("payload_bytes", MetricType.SUMMARY, "Payload size");
    payload.labels().observe(512);
    payload.labels().observe(256);
    collector.setRuntimeInfo(Map.of("version", "1.0.0"));
    collector.snapshotMetrics();

    assertThat(collector.getMetricHistory("payload_bytes", 1).get(0))
        .containsEntry("value", 2.0)
        .containsEntry("sum", 768.0);
    assertThat(collector.getMetricHistory("runtime_info", 1).get(0))
        .containsEntry("value", 1.0)
        .doesNotContainKey("sum");
  }

  @Test
  void aRemovedAgentNoLongerCountsAgainstTheSeriesBound() throws IOException {
    PrometheusRegistry small = new PrometheusRegistry();
    MetricsCollector bounded =
        MetricsCollector.builder().registry(small).maxSeriesPerMetric(1).build();
    bounded.updateResourceUsage("agent-1", AgentPhilosophy.REACT, 10, 20);
    bounded.removeAgent("agent-1", AgentPhilosophy.REACT);
    bounded.updateResourceUsage("agent-2", AgentPhilosophy.REACT, 30, 40);
    bounded.removeAgent(null, AgentPhilosophy.REACT);
    bounded.removeAgent("agent-2", null);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, small.scrape());
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("agentcore_agent_cpu_percent{agent_id=\"agent-2\",philosophy=\"react\"} 30.0")
        .contains("agentcore_agent_memory_mb{agent_id=\"agent-2\",philosophy=\"react\"} 40.0")
        .doesNotContain("__overflow__");
  }

  @Test
  void missingRuntimeInfoIsCountedAndZeroIsAValidObservation() throws IOException {
    collector.setRuntimeInfo(null);
    collector.recordToolExecution("calculator", 0.0);
    collector.recordToolExecution("web_search", Double.NaN);

    assertThat(scrape())
        .contains(
            "hyperlens_metric_observations_dropped_total{metric=\"agentcore_runtime_info\",reason=\"null_label\"} 1.0")
        .contains("agentcore_tool_execution_seconds_count{tool_id=\"calculator\"} 1")
        .doesNotContain("reason=\"negative\"")
        // a NaN duration is dropped, the execution itself still counts
        .contains("agentcore_tool_executions_total{status=\"success\",tool_id=\"web_search\"} 1.0")
        .doesNotContain("agentcore_tool_execution_seconds_count{tool_id=\"web_search\"}");
  }
}
