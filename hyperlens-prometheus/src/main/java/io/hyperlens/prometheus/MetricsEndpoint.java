package io.hyperlens.prometheus;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.net.URI;
import java.util.concurrent.ExecutorService;

/**
 * A running {@code /metrics} endpoint: the handle {@link Metrics#enable} returns. {@link #close()}
 * stops the server and its threads. Thread-safe.
 *
 * <pre>{@code
 * try (MetricsEndpoint endpoint = Metrics.enable(MetricsConfig.defaults().withPort(0))) {
 *   System.out.println("scrape " + endpoint.uri());
 * }
 * }</pre>
 */
public final class MetricsEndpoint implements Closeable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusRegistry registry;
  private final MetricsConfig config;

  MetricsEndpoint(
      HttpServer server,
      ExecutorService executor,
      PrometheusRegistry registry,
      MetricsConfig config) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
    this.config = config;
  }

  /** The port actually bound: the configured one, or the one picked for port 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The address bound. */
  public String host() {
    return config.host();
  }

  /** The scrape URL, e.g. {@code http://127.0.0.1:9464/metrics}. */
  public URI uri() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return URI.create("http://" + host + ":" + port() + config.path());
  }

  /** The registry served; register more collectors on it at any time. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Stops serving: waits up to a second for scrapes in progress, then stops the threads. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
