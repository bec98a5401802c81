package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentOsMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyMetricHasTheSeedsNameAndType() throws IOException {
    AgentOsMetrics os = AgentOsMetrics.builder().registry(registry).build();
    os.recordAction("agent-001", "sql", "allow", 0.012);
    os.recordAction("agent-001", "file_write", "deny", 1.7);
    os.recordViolation("agent-001", "file_write", "rule-005");
    os.recordBlocked("agent-001", "file_write", "rule-005");
    os.setActiveAgents(3);
    os.recordPolicyEvaluation("rule-005", "deny", 0.0004, true);
    os.recordEpisodeStored("agent-001");
    os.setMemorySize(1_048_576);
    os.recordRetrieval(0.02);
    os.recordVerification("agent-001", false, 0.35);

    String golden;
    try (InputStream in = getClass().getResourceAsStream("agent-os.golden.txt")) {
      golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(scrape()).isEqualTo(golden);
  }

  @Test
  void theNamespaceComesFromTheConfigAndSharesDropCountersWithTheCollector() throws IOException {
    MetricsConfig config =
        MetricsConfig.defaults().withNamespace("kernel").withCustomLabels(Map.of("env", "dev"));
    AgentOsMetrics os = AgentOsMetrics.builder().registry(registry).config(config).build();
    MetricsCollector collector = MetricsCollector.builder().registry(registry).build();
    os.setActiveAgents(1);
    os.recordAction("a", "sql", "allow", Double.NaN);
    collector.recordToolExecution("t", -1);

    assertThat(scrape())
        .contains("kernel_active_agents{env=\"dev\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{env=\"dev\",metric=\"kernel_action_duration_seconds\",reason=\"not_finite\"} 1.0")
        .contains(
            "hyperlens_metric_observations_dropped_total{env=\"dev\",metric=\"agentcore_tool_execution_seconds\",reason=\"negative\"} 1.0");
  }

  @Test
  void aBadNamespaceIsRejectedNamingIt() {
    assertThatThrownBy(() -> AgentOsMetrics.builder().namespace("agent os"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "namespace must be a Prometheus metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*), got"
                + " \"agent os\"");
  }

  @Test
  void theNamespaceAndSeriesBoundCanBeSetDirectly() throws IOException {
    AgentOsMetrics os =
        AgentOsMetrics.builder()
            .registry(registry)
            .namespace("kernel")
            .maxSeriesPerMetric(1)
            .build();
    os.recordEpisodeStored("agent-1");
    os.recordEpisodeStored("agent-2");

    assertThat(scrape())
        .contains("kernel_episodes_total{agent=\"agent-1\"} 1.0")
        .contains("kernel_episodes_total{agent=\"__overflow__\"} 1.0")
        .doesNotContain("agent_os_");
  }

  @Test
  void missingOrBadBuilderArgumentsAreNamed() {
    assertThatThrownBy(() -> AgentOsMetrics.builder().registry(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("registry must not be null");
    assertThatThrownBy(() -> AgentOsMetrics.builder().config(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config must not be null");
    assertThatThrownBy(() -> AgentOsMetrics.builder().maxSeriesPerMetric(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSeriesPerMetric must be positive, got 0");
  }
}
