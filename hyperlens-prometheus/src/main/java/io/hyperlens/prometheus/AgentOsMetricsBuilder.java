package io.hyperlens.prometheus;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * Configures {@link AgentOsMetrics}; {@link #config(MetricsConfig)} takes the namespace and custom
 * labels from a {@link MetricsConfig}. Not thread-safe.
 *
 * <pre>{@code
 * AgentOsMetrics os =
 *     AgentOsMetrics.builder().registry(endpoint.registry()).config(config).build();
 * }</pre>
 */
public final class AgentOsMetricsBuilder {
  private PrometheusRegistry registry = new PrometheusRegistry();
  private String namespace = "agent_os";
  private int maxSeriesPerMetric = 10_000;
  private Map<String, String> customLabels = Map.of();

  AgentOsMetricsBuilder() {}

  /** The registry to register in; default a new one. */
  public AgentOsMetricsBuilder registry(PrometheusRegistry registry) {
    if (registry == null) {
      throw new IllegalArgumentException("registry must not be null");
    }
    this.registry = registry;
    return this;
  }

  /** Namespace and custom labels from {@code config}. */
  public AgentOsMetricsBuilder config(MetricsConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    this.namespace = config.namespace();
    this.customLabels = config.customLabels();
    return this;
  }

  /** The metric name prefix, validated as {@link MetricsConfig#namespace()} is. */
  public AgentOsMetricsBuilder namespace(String namespace) {
    this.namespace = MetricsConfig.defaults().withNamespace(namespace).namespace();
    return this;
  }

  /** Label sets kept per metric before observations fold into {@code __overflow__}. */
  public AgentOsMetricsBuilder maxSeriesPerMetric(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxSeriesPerMetric must be positive, got " + max);
    }
    this.maxSeriesPerMetric = max;
    return this;
  }

  /** The metrics, registered. */
  public AgentOsMetrics build() {
    return new AgentOsMetrics(registry, namespace, maxSeriesPerMetric, customLabels);
  }
}
