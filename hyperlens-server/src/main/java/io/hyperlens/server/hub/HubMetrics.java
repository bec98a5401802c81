package io.hyperlens.server.hub;

import io.hyperlens.server.stream.EventStream;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.DoubleSupplier;

/**
 * The hub's own metrics, {@code hyperlens_hub_*}, on the registry its {@code /metrics} serves:
 * requests by route and status, items ingested, duplicates, rejected and dropped by reason, batch
 * sizes, commit latency, ingest requests in flight, store size, redactions and retention.
 * Thread-safe.
 */
public final class HubMetrics {
  private final Counter requests;
  private final Counter ingested;
  private final Counter duplicates;
  private final Counter rejected;
  private final Counter retentionDeleted;
  private final Histogram batchSize;
  private final Histogram commitSeconds;
  private final Gauge inFlight;
  private final PrometheusRegistry registry;

  /**
   * Registers the hub's metrics on {@code registry}; {@code storeBytes} reads the store's size,
   * {@code redactedValues} the values redacted at ingest so far.
   */
  public HubMetrics(
      PrometheusRegistry registry,
      DoubleSupplier storeBytes,
      DoubleSupplier redactedValues,
      DoubleSupplier truncatedValues,
      DoubleSupplier droppedAttributes) {
    this.registry = registry;
    requests =
        Counter.builder()
            .name("hyperlens_hub_requests_total")
            .help("HTTP requests answered, by route template, method and status")
            .labelNames("route", "method", "status")
            .register(registry);
    ingested =
        Counter.builder()
            .name("hyperlens_hub_ingested_total")
            .help("Events and spans newly stored, by kind (events, spans)")
            .labelNames("kind")
            .register(registry);
    duplicates =
        Counter.builder()
            .name("hyperlens_hub_duplicates_total")
            .help("Events and spans received again (a retry) and not stored twice, by kind")
            .labelNames("kind")
            .register(registry);
    rejected =
        Counter.builder()
            .name("hyperlens_hub_rejected_total")
            .help(
                "Requests and items refused, by reason (invalid, malformed_json, too_large,"
                    + " unauthorized, forbidden, rate_limited, overloaded, rejected_span, ...)")
            .labelNames("reason")
            .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_hub_dropped_total")
        .help(
            "Parts of accepted telemetry not kept whole, by reason: truncated_value (a string cut"
                + " at the value limit), span_attribute_over_limit (past the per-span limit)")
        .labelNames("reason")
        .callback(
            callback -> {
              callback.call(truncatedValues.getAsDouble(), "truncated_value");
              callback.call(droppedAttributes.getAsDouble(), "span_attribute_over_limit");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_hub_redacted_values_total")
        .help("Ingested values in which a secret was redacted")
        .callback(callback -> callback.call(redactedValues.getAsDouble()))
        .register(registry);
    retentionDeleted =
        Counter.builder()
            .name("hyperlens_hub_retention_deleted_total")
            .help("Events and spans removed by retention, by kind")
            .labelNames("kind")
            .register(registry);
    batchSize =
        Histogram.builder()
            .name("hyperlens_hub_batch_size")
            .help("Items per ingest request, by kind")
            .labelNames("kind")
            .classicUpperBounds(1, 10, 100, 1_000, 10_000, 100_000)
            .register(registry);
    commitSeconds =
        Histogram.builder()
            .name("hyperlens_hub_commit_seconds")
            .help("Time to validate and durably commit one ingest request, by kind")
            .labelNames("kind")
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .register(registry);
    inFlight =
        Gauge.builder()
            .name("hyperlens_hub_ingest_in_flight")
            .help("Ingest requests being validated or committed now (the queue depth)")
            .register(registry);
    GaugeWithCallback.builder()
        .name("hyperlens_hub_store_bytes")
        .help("Disk used by the store")
        .callback(callback -> callback.call(storeBytes.getAsDouble()))
        .register(registry);
  }

  /** Events or spans ({@code kind}) newly stored so far. */
  public double ingested(String kind) {
    return ingested.labelValues(kind).get();
  }

  /** Puts the live stream's clients and their ends on the registry. */
  public void streams(EventStream stream) {
    GaugeWithCallback.builder()
        .name("hyperlens_hub_stream_clients")
        .help("Live-stream (SSE) clients connected now")
        .callback(callback -> callback.call(stream.subscribers()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_hub_stream_disconnects_total")
        .help(
            "Live-stream clients gone, by reason: closed (they left), slow_consumer (cut off for"
                + " falling behind), shutdown")
        .labelNames("reason")
        .callback(
            callback -> {
              for (EventStream.EndReason reason : EventStream.EndReason.values()) {
                callback.call(stream.ended(reason), reason.value());
              }
            })
        .register(registry);
  }

  /** A request answered. */
  public void request(String route, String method, int status) {
    requests.labelValues(route, method, Integer.toString(status)).inc();
  }

  /** An ingest request committed: {@code stored} new items and {@code duplicate} repeats. */
  public void committed(String kind, int stored, int duplicate, double seconds) {
    ingested.labelValues(kind).inc(stored);
    duplicates.labelValues(kind).inc(duplicate);
    batchSize.labelValues(kind).observe(stored + duplicate);
    commitSeconds.labelValues(kind).observe(seconds);
  }

  /** Something refused for {@code reason}, {@code count} times. */
  public void rejected(String reason, long count) {
    if (count > 0) {
      rejected.labelValues(reason).inc(count);
    }
  }

  /** Items removed by retention. */
  public void retentionDeleted(String kind, long count) {
    if (count > 0) {
      retentionDeleted.labelValues(kind).inc(count);
    }
  }

  /** An ingest request started ({@code +1}) or ended ({@code -1}). */
  public void inFlight(int delta) {
    inFlight.inc(delta);
  }
}
