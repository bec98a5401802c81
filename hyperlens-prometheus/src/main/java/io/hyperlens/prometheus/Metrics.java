package io.hyperlens.prometheus;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the metrics endpoint: the seed's {@code enable_metrics(config)}. The endpoint serves
 * client_java's exposition (Prometheus text, OpenMetrics or protobuf, as the scraper asks) through
 * client_java's own {@link MetricsHandler}, on the JDK's HTTP server.
 *
 * <p>One {@link MetricsConfig} governs everything the endpoint serves, whoever registered it on
 * {@link MetricsEndpoint#registry()}: Hyperlens' ring, AgentCore and Agent OS metrics,
 * OpenTelemetry's governance and GenAI metrics, the JVM and process metrics. Its custom labels are
 * added to every series; names follow Prometheus' conventions (a millisecond unit is served in
 * seconds, camelCase becomes snake_case, every family has help); and a scrape holds at most {@link
 * MetricsConfig#maxSeries()} series, the rest counted in {@code
 * hyperlens_metric_series_over_budget}.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * RingMetricsCollector rings = new RingMetricsCollector(bus);
 * MetricsConfig config = MetricsConfig.defaults().withPort(0).withCustomLabels(Map.of("env", "dev"));
 * try (MetricsEndpoint endpoint = Metrics.enable(config)) {
 *   endpoint.registry().register(new RingMetricsBridge(rings)); // served with env="dev"
 *   System.out.println("Prometheus can scrape " + endpoint.uri());
 * }
 * }</pre>
 */
public final class Metrics {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private Metrics() {}

  /** Serves a new registry holding the JVM and process metrics the config asks for. */
  public static MetricsEndpoint enable(MetricsConfig config) {
    return enable(config, new PrometheusRegistry());
  }

  /**
   * Serves {@code registry}, after registering the JVM and process metrics the config asks for (a
   * registry can hold them once: serve it from one endpoint).
   *
   * @throws IllegalArgumentException when {@code config} or {@code registry} is null
   * @throws UncheckedIOException when the address cannot be bound (e.g. the port is taken)
   */
  public static MetricsEndpoint enable(MetricsConfig config, PrometheusRegistry registry) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    if (registry == null) {
      throw new IllegalArgumentException("registry must not be null");
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot serve metrics on " + config.host() + ":" + config.port() + ": " + e.getMessage(),
          e);
    }
    PrometheusRegistry served;
    try {
      served = served(config, registry);
    } catch (RuntimeException e) {
      // The JDK's server releases its socket only when stop() follows start().
      server.start();
      server.stop(0);
      throw e;
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            task -> {
              Thread thread = new Thread(task, "hyperlens-metrics-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.createContext(config.path(), new MetricsHandler(served));
    server.setExecutor(executor);
    server.start();
    return new MetricsEndpoint(server, executor, registry, config);
  }

  /**
   * What an endpoint serves for {@code registry}, for a server of your own (the hub serves its
   * {@code /metrics} this way): registers the JVM and process metrics the config asks for on {@code
   * registry}, and returns a registry that reads it through the config (custom labels on every
   * series, Prometheus naming, the series budget), to hand to client_java's exposition, e.g. its
   * {@code PrometheusScrapeHandler}. The registry itself stays as registered.
   *
   * @throws IllegalArgumentException when {@code config} or {@code registry} is null
   */
  public static PrometheusRegistry served(MetricsConfig config, PrometheusRegistry registry) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    if (registry == null) {
      throw new IllegalArgumentException("registry must not be null");
    }
    if (config.includeJvmMetrics()) {
      registerJvmMetrics(registry);
    }
    if (config.includeProcessMetrics()) {
      ProcessMetrics.builder().register(registry);
    }
    PrometheusRegistry served = new PrometheusRegistry();
    served.register(new EndpointView(registry, config));
    return served;
  }

  private static void registerJvmMetrics(PrometheusRegistry registry) {
    JvmThreadsMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmCompilationMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmMemoryPoolAllocationMetrics.builder().register(registry);
    JvmMemoryMetrics.builder().register(registry);
    JvmNativeMemoryMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
  }
}
