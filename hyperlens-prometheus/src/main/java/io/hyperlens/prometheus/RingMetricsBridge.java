package io.hyperlens.prometheus;

import io.hyperlens.ring.BreachKey;
import io.hyperlens.ring.RingMetricsCollector;
import io.hyperlens.ring.RingMetricsSnapshot;
import io.hyperlens.ring.TransitionKey;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The seed's {@code agent_hypervisor_ring_*} metrics of a core {@link RingMetricsCollector}, as a
 * client_java {@link MultiCollector}: each scrape reads the collector's current snapshot, so
 * counters are never double counted however often (or by how many Prometheus servers) the endpoint
 * is scraped.
 *
 * <table>
 *   <caption>Series</caption>
 *   <tr><th>metric</th><th>type</th><th>labels</th></tr>
 *   <tr><td>{@code agent_hypervisor_ring_transitions_total}</td><td>counter</td>
 *       <td>{@code event_type, agent_did, session_id}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_breaches_total}</td><td>counter</td>
 *       <td>{@code agent_did, session_id}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_agent_breaches_total}</td><td>counter</td>
 *       <td>{@code agent_did}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_type_transitions_total}</td><td>counter</td>
 *       <td>{@code event_type}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_current}</td><td>gauge</td><td>{@code agent_did}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_elevation_duration_seconds}</td><td>gauge</td>
 *       <td>{@code agent_did}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_elevation_open}</td><td>gauge (1 open, 0 closed)</td>
 *       <td>{@code agent_did}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_elevated_seconds_total}</td><td>counter</td>
 *       <td>{@code agent_did}</td></tr>
 *   <tr><td>{@code agent_hypervisor_ring_events_processed_total}, {@code
 *       agent_hypervisor_ring_malformed_events_total}, {@code
 *       agent_hypervisor_ring_series_overflowed_total}</td><td>counter</td><td>none</td></tr>
 * </table>
 *
 * <p>Series are bounded by the core collector ({@code maxSeriesPerMetric}, overflow into {@code
 * __overflow__}). Constant labels, when given, are added to every series. Thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * RingMetricsCollector rings = new RingMetricsCollector(bus);
 * PrometheusRegistry registry = new PrometheusRegistry();
 * registry.register(new RingMetricsBridge(rings));
 * }</pre>
 */
public final class RingMetricsBridge implements MultiCollector {
  private static final String TRANSITIONS = "agent_hypervisor_ring_transitions";
  private static final String BREACHES = "agent_hypervisor_ring_breaches";
  private static final String AGENT_BREACHES = "agent_hypervisor_ring_agent_breaches";
  private static final String TYPE_TRANSITIONS = "agent_hypervisor_ring_type_transitions";
  private static final String ELEVATED_SECONDS = "agent_hypervisor_ring_elevated_seconds";
  private static final String EVENTS_PROCESSED = "agent_hypervisor_ring_events_processed";
  private static final String MALFORMED = "agent_hypervisor_ring_malformed_events";
  private static final String OVERFLOWED = "agent_hypervisor_ring_series_overflowed";

  private final RingMetricsCollector collector;
  private final Labels constantLabels;

  /** A bridge without constant labels. */
  public RingMetricsBridge(RingMetricsCollector collector) {
    this(collector, Map.of());
  }

  /**
   * A bridge adding {@code constantLabels} to every series.
   *
   * @throws IllegalArgumentException naming the label when a name is not a valid Prometheus label
   *     name or clashes with one of the bridge's own labels
   */
  public RingMetricsBridge(RingMetricsCollector collector, Map<String, String> constantLabels) {
    this.collector = Objects.requireNonNull(collector, "collector");
    this.constantLabels =
        ConstantLabels.of(constantLabels, "event_type", "agent_did", "session_id");
  }

  /**
   * A bridge adding the custom labels of {@code config}, as {@link AgentOsMetricsBuilder#config}
   * and {@link MetricsCollectorBuilder#config} take them. Not needed on the registry of a {@link
   * MetricsEndpoint}, which adds them itself.
   */
  public RingMetricsBridge(RingMetricsCollector collector, MetricsConfig config) {
    this(collector, requireConfig(config).customLabels());
  }

  private static MetricsConfig requireConfig(MetricsConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    return config;
  }

  @Override
  public MetricSnapshots collect() {
    RingMetricsSnapshot snapshot = collector.collect();
    List<CounterDataPointSnapshot> transitions = new ArrayList<>();
    for (Map.Entry<TransitionKey, Long> e : snapshot.transitionsTotal().entrySet()) {
      TransitionKey key = e.getKey();
      transitions.add(
          counter(
              labels(
                  "event_type", key.eventType(),
                  "agent_did", key.agentDid(),
                  "session_id", key.sessionId()),
              e.getValue()));
    }
    List<CounterDataPointSnapshot> breaches = new ArrayList<>();
    for (Map.Entry<BreachKey, Long> e : snapshot.breachesTotal().entrySet()) {
      BreachKey key = e.getKey();
      breaches.add(
          counter(
              labels("agent_did", key.agentDid(), "session_id", key.sessionId()), e.getValue()));
    }
    List<CounterDataPointSnapshot> agentBreaches = new ArrayList<>();
    snapshot
        .agentBreachesTotal()
        .forEach((agent, n) -> agentBreaches.add(counter(labels("agent_did", agent), n)));
    List<CounterDataPointSnapshot> typeTransitions = new ArrayList<>();
    snapshot
        .typeTransitionsTotal()
        .forEach((type, n) -> typeTransitions.add(counter(labels("event_type", type), n)));
    List<GaugeDataPointSnapshot> current = new ArrayList<>();
    snapshot.current().forEach((agent, ring) -> current.add(gauge(agent, ring)));
    List<GaugeDataPointSnapshot> duration = new ArrayList<>();
    snapshot.elevationDurationSeconds().forEach((agent, s) -> duration.add(gauge(agent, s)));
    List<GaugeDataPointSnapshot> open = new ArrayList<>();
    snapshot.elevationOpen().forEach((agent, o) -> open.add(gauge(agent, o ? 1 : 0)));
    List<CounterDataPointSnapshot> elevated = new ArrayList<>();
    snapshot
        .elevatedSecondsTotal()
        .forEach((agent, s) -> elevated.add(counter(labels("agent_did", agent), s)));

    return MetricSnapshots.builder()
        .metricSnapshot(
            counters(TRANSITIONS, "Ring transitions by event type, agent and session", transitions))
        .metricSnapshot(counters(BREACHES, "Ring breaches by agent and session", breaches))
        .metricSnapshot(
            counters(
                AGENT_BREACHES,
                "Ring breaches of each agent over all its sessions: rate and alert on this one",
                agentBreaches))
        .metricSnapshot(
            counters(
                TYPE_TRANSITIONS,
                "Ring transitions by event type over all agents and sessions",
                typeTransitions))
        .metricSnapshot(
            gauges(
                RingMetricsCollector.RING_CURRENT,
                "Current privilege ring of each agent: 0 (root) to 3 (sandbox)",
                current))
        .metricSnapshot(
            gauges(
                RingMetricsCollector.ELEVATION_DURATION_SECONDS,
                "The open elevation so far, else the last closed one, in seconds",
                duration))
        .metricSnapshot(
            gauges(
                RingMetricsCollector.ELEVATION_OPEN,
                "1 while the agent holds an open elevation, 0 after its demotion or expiry",
                open))
        .metricSnapshot(
            counters(
                ELEVATED_SECONDS, "Closed elevations of each agent, summed, in seconds", elevated))
        .metricSnapshot(
            counters(
                EVENTS_PROCESSED,
                "Ring events handled",
                List.of(counter(constantLabels, snapshot.eventsProcessed()))))
        .metricSnapshot(
            counters(
                MALFORMED,
                "Ring events whose ring was not an integer in 0..3",
                List.of(counter(constantLabels, snapshot.malformedRings()))))
        .metricSnapshot(
            counters(
                OVERFLOWED,
                "Observations folded into an __overflow__ series over the series bound",
                List.of(counter(constantLabels, snapshot.overflowed()))))
        .build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(
        TRANSITIONS,
        BREACHES,
        AGENT_BREACHES,
        TYPE_TRANSITIONS,
        RingMetricsCollector.RING_CURRENT,
        RingMetricsCollector.ELEVATION_DURATION_SECONDS,
        RingMetricsCollector.ELEVATION_OPEN,
        ELEVATED_SECONDS,
        EVENTS_PROCESSED,
        MALFORMED,
        OVERFLOWED);
  }

  private Labels labels(String... namesAndValues) {
    return Labels.of(namesAndValues).merge(constantLabels);
  }

  private GaugeDataPointSnapshot gauge(String agent, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels("agent_did", agent)).value(value).build();
  }

  private static CounterDataPointSnapshot counter(Labels labels, double value) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static CounterSnapshot counters(
      String name, String help, List<CounterDataPointSnapshot> points) {
    CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
    points.forEach(builder::dataPoint);
    return builder.build();
  }

  private static GaugeSnapshot gauges(
      String name, String help, List<GaugeDataPointSnapshot> points) {
    GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
    points.forEach(builder::dataPoint);
    return builder.build();
  }
}
