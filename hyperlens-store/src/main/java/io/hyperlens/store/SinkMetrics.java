package io.hyperlens.store;

import io.hyperlens.prometheus.MetricsConfig;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Every count of {@link SinkStats} as Prometheus metrics, read from the sinks when scraped (nothing
 * on the write path): {@code hyperlens_store_sink_events_total{sink, outcome}} with outcome {@code
 * stored}, {@code duplicate}, {@code dropped}, {@code rejected} or {@code failed}; {@code
 * hyperlens_store_sink_accepted_total}, {@code hyperlens_store_sink_retries_total}, {@code
 * hyperlens_store_sink_queued} and {@code hyperlens_store_sink_spans_total{sink, outcome}} ({@code
 * stored}, {@code failed}). The config's custom labels go on every series.
 *
 * <pre>{@code
 * SinkMetrics.register(endpoint.registry(), MetricsConfig.defaults()).add("events", sink);
 * }</pre>
 *
 * <p>Register once per registry; add as many sinks as there are, each under its own name.
 * Thread-safe.
 */
public final class SinkMetrics {
  private final Map<String, PersistentEventSink> sinks = new ConcurrentHashMap<>();
  private final List<String> labelNames;
  private final List<String> labelValues;

  private SinkMetrics(MetricsConfig config) {
    labelNames = new ArrayList<>(config.customLabels().keySet());
    labelValues = new ArrayList<>(config.customLabels().values());
  }

  /**
   * Registers the sink metrics in {@code registry}.
   *
   * @throws IllegalArgumentException if either is null, or the registry has them already
   */
  public static SinkMetrics register(PrometheusRegistry registry, MetricsConfig config) {
    if (registry == null || config == null) {
      throw new IllegalArgumentException("registry and config must not be null");
    }
    SinkMetrics metrics = new SinkMetrics(config);
    metrics.counter(
        registry,
        "hyperlens_store_sink_events",
        "Events a persistent sink has done with, by outcome.",
        "outcome",
        Map.of(
            "stored", SinkStats::stored,
            "duplicate", SinkStats::duplicates,
            "dropped", SinkStats::dropped,
            "rejected", SinkStats::rejected,
            "failed", SinkStats::failed));
    metrics.counter(
        registry,
        "hyperlens_store_sink_spans",
        "Spans a persistent sink's span exporter has done with, by outcome.",
        "outcome",
        Map.of("stored", SinkStats::spansStored, "failed", SinkStats::spansFailed));
    metrics.counter(
        registry,
        "hyperlens_store_sink_accepted",
        "Events taken into a persistent sink's queue.",
        null,
        Map.of("", SinkStats::accepted));
    metrics.counter(
        registry,
        "hyperlens_store_sink_retries",
        "Batch writes a persistent sink retried after a store failure.",
        null,
        Map.of("", SinkStats::retries));
    GaugeWithCallback.builder()
        .name("hyperlens_store_sink_queued")
        .help("Events accepted by a persistent sink and not yet committed or failed.")
        .labelNames(metrics.names(null))
        .callback(
            callback ->
                metrics.sinks.forEach(
                    (name, sink) ->
                        callback.call(sink.stats().queued(), metrics.values(name, null))))
        .register(registry);
    return metrics;
  }

  /**
   * Reports {@code sink} under {@code name} (the {@code sink} label).
   *
   * @throws IllegalArgumentException if either is null or the name is taken
   */
  public SinkMetrics add(String name, PersistentEventSink sink) {
    if (name == null || name.isBlank() || sink == null) {
      throw new IllegalArgumentException("name and sink must be given, got " + name);
    }
    if (sinks.putIfAbsent(name, sink) != null) {
      throw new IllegalArgumentException("a sink is already reported as " + name);
    }
    return this;
  }

  /** Stops reporting the sink under {@code name}. */
  public void remove(String name) {
    sinks.remove(name);
  }

  private void counter(
      PrometheusRegistry registry,
      String name,
      String help,
      String outcomeLabel,
      Map<String, ToLongFunction<SinkStats>> outcomes) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(names(outcomeLabel))
        .callback(
            callback ->
                sinks.forEach(
                    (sinkName, sink) -> {
                      SinkStats stats = sink.stats();
                      outcomes.forEach(
                          (outcome, count) ->
                              callback.call(
                                  count.applyAsLong(stats),
                                  values(sinkName, outcomeLabel == null ? null : outcome)));
                    }))
        .register(registry);
  }

  private String[] names(String extra) {
    List<String> out = new ArrayList<>(labelNames);
    out.add("sink");
    if (extra != null) {
      out.add(extra);
    }
    return out.toArray(new String[0]);
  }

  private String[] values(String sink, String extra) {
    List<String> out = new ArrayList<>(labelValues);
    out.add(sink);
    if (extra != null) {
      out.add(extra);
    }
    return out.toArray(new String[0]);
  }
}
