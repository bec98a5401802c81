package io.hyperlens.prometheus;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Configures a {@link MetricsCollector}. {@link #build()} registers the metrics and starts nothing.
 * Not thread-safe.
 *
 * <pre>{@code
 * MetricsCollector collector =
 *     MetricsCollector.builder()
 *         .registry(endpoint.registry())
 *         .maxSeriesPerMetric(5_000)
 *         .customLabels(Map.of("env", "prod"))
 *         .build();
 * }</pre>
 */
public final class MetricsCollectorBuilder {
  PrometheusRegistry registry = new PrometheusRegistry();
  int maxSeriesPerMetric = 10_000;
  int historySize = 1_000;
  Clock clock = Clock.systemUTC();
  Map<String, String> customLabels = Map.of();

  MetricsCollectorBuilder() {}

  /** The registry to register in; default a new one. */
  public MetricsCollectorBuilder registry(PrometheusRegistry registry) {
    if (registry == null) {
      throw new IllegalArgumentException("registry must not be null");
    }
    this.registry = registry;
    return this;
  }

  /** Label sets kept per metric before observations fold into {@code __overflow__}. */
  public MetricsCollectorBuilder maxSeriesPerMetric(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("maxSeriesPerMetric must be positive, got " + max);
    }
    this.maxSeriesPerMetric = max;
    return this;
  }

  /** Snapshots and per-metric entries kept in the history; default 1,000. */
  public MetricsCollectorBuilder historySize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("historySize must be positive, got " + size);
    }
    this.historySize = size;
    return this;
  }

  /** The clock of snapshot timestamps. */
  public MetricsCollectorBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Labels added to every series (e.g. {@code env=prod}); see {@link MetricsConfig}. */
  public MetricsCollectorBuilder customLabels(Map<String, String> labels) {
    this.customLabels = labels == null ? Map.of() : Map.copyOf(labels);
    return this;
  }

  /**
   * The custom labels of {@code config}, as {@link AgentOsMetricsBuilder#config} and {@link
   * RingMetricsBridge#RingMetricsBridge(io.hyperlens.ring.RingMetricsCollector, MetricsConfig)}
   * take them. Not needed on the registry of a {@link MetricsEndpoint}, which adds them itself.
   */
  public MetricsCollectorBuilder config(MetricsConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    return customLabels(config.customLabels());
  }

  /**
   * The collector.
   *
   * @throws IllegalArgumentException when a custom label is invalid or reuses a metric's label
   * @throws IllegalStateException when the registry already holds {@code agentcore_*} metrics
   */
  public MetricsCollector build() {
    return new MetricsCollector(this);
  }
}
