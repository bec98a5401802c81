package io.hyperlens.prometheus;

import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where and what the metrics endpoint serves: the seed's {@code MetricsConfig}.
 *
 * @param host the address to bind; {@code 127.0.0.1} unless configured, so metrics are not
 *     published beyond the machine by accident
 * @param port the port; default 9464 (the spec said 9090, which is Prometheus's own port, so a
 *     Prometheus and an agent on one host would collide); 0 picks any free port
 * @param path the scrape path, default {@code /metrics}
 * @param namespace the prefix of the Agent OS metrics ({@code agent_os} by default)
 * @param includeProcessMetrics add client_java's {@code process_*} metrics (CPU, memory, open
 *     files)
 * @param includeJvmMetrics add client_java's {@code jvm_*} metrics: the Java reading of the seed's
 *     {@code include_python_metrics}
 * @param customLabels labels added to every series the endpoint serves (e.g. {@code env=prod}),
 *     sorted by name; unmodifiable
 * @param maxSeries the most series one scrape of the endpoint serves, all families together
 *     (default {@value #DEFAULT_MAX_SERIES}), on top of each family's own bound; past it the
 *     remaining series are left out and counted in {@code hyperlens_metric_series_over_budget}
 */
public record MetricsConfig(
    String host,
    int port,
    String path,
    String namespace,
    boolean includeProcessMetrics,
    boolean includeJvmMetrics,
    Map<String, String> customLabels,
    int maxSeries) {

  /** The default port, OpenTelemetry's Prometheus exporter's too, and what deploy/ scrapes. */
  public static final int DEFAULT_PORT = 9464;

  /** The default series budget of one endpoint. */
  public static final int DEFAULT_MAX_SERIES = 50_000;

  /**
   * Validates every field.
   *
   * @throws IllegalArgumentException naming the field and the value when one is invalid
   */
  public MetricsConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank, got " + quote(host));
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    if (path == null || !path.startsWith("/") || path.contains(" ") || path.contains("?")) {
      throw new IllegalArgumentException(
          "path must start with / and hold no spaces or query, got " + quote(path));
    }
    if (namespace == null
        || !PrometheusNaming.isValidMetricName(namespace)
        || namespace.contains(":")) {
      throw new IllegalArgumentException(
          "namespace must be a Prometheus metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*), got "
              + quote(namespace));
    }
    if (maxSeries < 1) {
      throw new IllegalArgumentException("maxSeries must be at least 1, got " + maxSeries);
    }
    customLabels =
        customLabels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(customLabels));
    ConstantLabels.of(customLabels);
  }

  /**
   * A config with the default series budget.
   *
   * @throws IllegalArgumentException naming the field and the value when one is invalid
   */
  public MetricsConfig(
      String host,
      int port,
      String path,
      String namespace,
      boolean includeProcessMetrics,
      boolean includeJvmMetrics,
      Map<String, String> customLabels) {
    this(
        host,
        port,
        path,
        namespace,
        includeProcessMetrics,
        includeJvmMetrics,
        customLabels,
        DEFAULT_MAX_SERIES);
  }

  /**
   * The defaults: {@code 127.0.0.1:9464/metrics}, namespace {@code agent_os}, JVM and process,
   * 50,000 series.
   */
  public static MetricsConfig defaults() {
    return new MetricsConfig(
        "127.0.0.1", DEFAULT_PORT, "/metrics", "agent_os", true, true, Map.of());
  }

  /** This config on another port. */
  public MetricsConfig withPort(int port) {
    return new MetricsConfig(
        host,
        port,
        path,
        namespace,
        includeProcessMetrics,
        includeJvmMetrics,
        customLabels,
        maxSeries);
  }

  /** This config bound to another address. */
  public MetricsConfig withHost(String host) {
    return new MetricsConfig(
        host,
        port,
        path,
        namespace,
        includeProcessMetrics,
        includeJvmMetrics,
        customLabels,
        maxSeries);
  }

  /** This config serving another path. */
  public MetricsConfig withPath(String path) {
    return new MetricsConfig(
        host,
        port,
        path,
        namespace,
        includeProcessMetrics,
        includeJvmMetrics,
        customLabels,
        maxSeries);
  }

  /** This config with another namespace. */
  public MetricsConfig withNamespace(String namespace) {
    return new MetricsConfig(
        host,
        port,
        path,
        namespace,
        includeProcessMetrics,
        includeJvmMetrics,
        customLabels,
        maxSeries);
  }

  /** This config with or without the process and JVM metrics. */
  public MetricsConfig withRuntimeMetrics(boolean process, boolean jvm) {
    return new MetricsConfig(host, port, path, namespace, process, jvm, customLabels, maxSeries);
  }

  /** This config with labels added to every Hyperlens series. */
  public MetricsConfig withCustomLabels(Map<String, String> labels) {
    return new MetricsConfig(
        host, port, path, namespace, includeProcessMetrics, includeJvmMetrics, labels, maxSeries);
  }

  /** This config with another series budget for the whole endpoint. */
  public MetricsConfig withMaxSeries(int maxSeries) {
    return new MetricsConfig(
        host,
        port,
        path,
        namespace,
        includeProcessMetrics,
        includeJvmMetrics,
        customLabels,
        maxSeries);
  }

  private static String quote(String value) {
    return value == null ? "null" : '"' + value + '"';
  }
}
