package io.hyperlens.ring;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.spi.MetricsExporter;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ring-enforcement metrics kept from the event bus: transitions, breaches, each agent's current
 * ring and how long it stays elevated.
 *
 * <p>Subscribes to {@code RING_ASSIGNED}, {@code RING_ELEVATED}, {@code RING_DEMOTED}, {@code
 * RING_ELEVATION_EXPIRED} (transitions) and {@code RING_BREACH_DETECTED} (breaches). The current
 * ring comes from a transition's {@code payload.to_ring}, else {@code payload.ring}; ring 0 is a
 * real ring. A ring that is not an integer in 0..3 is ignored and counted in {@code
 * malformedRings}, never thrown; integral floating-point values such as {@code 1.0} are integers. A
 * missing agent or session is labelled {@code "unknown"}.
 *
 * <p>Cardinality is bounded: each metric keeps at most {@code maxSeriesPerMetric} series (10,000 by
 * default). Counts for further label sets go to one series labelled {@value #OVERFLOW}; the
 * per-agent gauges stop tracking further agents; both are counted in {@code overflowed}.
 *
 * <p>Elevation: {@code RING_ELEVATED} opens an elevation at the event's timestamp (a second
 * elevation while one is open keeps the first start); {@code RING_DEMOTED} or {@code
 * RING_ELEVATION_EXPIRED} closes it at that event's timestamp. The duration gauge shows the open
 * elevation's time so far on the collector's clock, else the last closed one; the cumulative
 * counter sums closed elevations only, so it never goes backwards. The open gauge says whether an
 * elevation is open now (see {@link Elevations}).
 *
 * <p>{@link #exportTo(MetricsExporter)} passes counters as increments since the previous export, so
 * exporting any number of times never double-counts; an increment the exporter failed to take is
 * sent again next time. Thread-safe: events, {@link #collect()} and exports may run concurrently.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * try (RingMetricsCollector collector = new RingMetricsCollector(bus)) {
 *   bus.emit(
 *       HypervisorEvent.builder(EventType.RING_ELEVATED)
 *           .sessionId("s1")
 *           .agentDid("did:mesh:analyst")
 *           .payload(Map.of("from_ring", 3, "to_ring", 1))
 *           .build());
 *   collector.collect().current().get("did:mesh:analyst"); // 1
 * }
 * }</pre>
 */
public final class RingMetricsCollector implements AutoCloseable {
  /** Counter by event_type, agent_did, session_id: assignments, elevations, demotions, expiries. */
  public static final String TRANSITIONS_TOTAL = "agent_hypervisor_ring_transitions_total";

  /** Counter by agent_did, session_id: capability boundary violations. */
  public static final String BREACHES_TOTAL = "agent_hypervisor_ring_breaches_total";

  /**
   * Counter by agent_did: breaches of each agent over all its sessions. Rate and alert on this one:
   * a series of {@link #BREACHES_TOTAL} lives for one session, so it appears already at its first
   * breach and {@code rate()} never sees it grow.
   */
  public static final String AGENT_BREACHES_TOTAL = "agent_hypervisor_ring_agent_breaches_total";

  /**
   * Counter by event_type: ring transitions over all agents and sessions, for the same reason as
   * {@link #AGENT_BREACHES_TOTAL}.
   */
  public static final String TYPE_TRANSITIONS_TOTAL =
      "agent_hypervisor_ring_type_transitions_total";

  /** Gauge by agent_did: the current ring, 0 (root) to 3 (sandbox). */
  public static final String RING_CURRENT = "agent_hypervisor_ring_current";

  /** Gauge by agent_did: the open elevation so far, else the last closed one. */
  public static final String ELEVATION_DURATION_SECONDS =
      "agent_hypervisor_ring_elevation_duration_seconds";

  /**
   * Gauge by agent_did: 1 while the agent holds an open elevation, 0 once it is demoted or its
   * elevation expired. Alert on {@link #ELEVATION_DURATION_SECONDS} only where this is 1: that
   * gauge keeps the last closed elevation's length after a demotion.
   */
  public static final String ELEVATION_OPEN = "agent_hypervisor_ring_elevation_open";

  /** Counter by agent_did: seconds of closed elevations. */
  public static final String ELEVATED_SECONDS_TOTAL =
      "agent_hypervisor_ring_elevated_seconds_total";

  /** The snapshot key of the handled-event count, as in the seed. */
  public static final String EVENTS_PROCESSED = "events_processed";

  /** Counter: ring events handled. */
  public static final String EVENTS_PROCESSED_TOTAL =
      "agent_hypervisor_ring_events_processed_total";

  /** Counter: ring events whose ring was not an integer in 0..3. */
  public static final String MALFORMED_RINGS_TOTAL = "agent_hypervisor_ring_malformed_events_total";

  /** The label value for a missing agent or session. */
  public static final String UNKNOWN = "unknown";

  /** The label value of the one series that takes what exceeds the cardinality bound. */
  public static final String OVERFLOW = "__overflow__";

  /** Default bound on series per metric. */
  public static final int DEFAULT_MAX_SERIES_PER_METRIC = 10_000;

  /** Counter: ring events whose labels exceeded the series bound. */
  public static final String OVERFLOWED_TOTAL = "agent_hypervisor_ring_series_overflowed_total";

  static final String TRANSITIONS_HELP = "Ring assignments, elevations, demotions, expirations";
  static final String BREACHES_HELP = "Capability boundary violations";
  static final String AGENT_BREACHES_HELP = "Capability boundary violations of each agent";
  static final String TYPE_TRANSITIONS_HELP = "Ring transitions by event type";
  static final String CURRENT_HELP = "Current ring level (0=root, 3=sandbox)";
  static final String ELEVATION_HELP = "Time spent at elevated privilege";
  static final String ELEVATION_OPEN_HELP = "1 while the agent holds an open elevation, else 0";
  static final String ELEVATED_TOTAL_HELP =
      "Seconds spent at elevated privilege, closed elevations";
  static final String PROCESSED_HELP = "Ring events handled by the collector";
  static final String MALFORMED_HELP = "Ring events whose ring was not an integer in 0..3";
  static final String OVERFLOWED_HELP =
      "Ring events whose labels exceeded the per-metric series bound";

  private static final TransitionKey TRANSITION_OVERFLOW =
      new TransitionKey(OVERFLOW, OVERFLOW, OVERFLOW);
  private static final BreachKey BREACH_OVERFLOW = new BreachKey(OVERFLOW, OVERFLOW);

  private static final System.Logger LOG = System.getLogger(RingMetricsCollector.class.getName());
  private static final EventType[] TRANSITIONS = {
    EventType.RING_ASSIGNED,
    EventType.RING_ELEVATED,
    EventType.RING_DEMOTED,
    EventType.RING_ELEVATION_EXPIRED
  };

  private final Clock clock;
  private final int maxSeries;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<TransitionKey, Long> transitions = new HashMap<>();
  private final Map<BreachKey, Long> breaches = new HashMap<>();
  private final Map<String, Long> agentBreaches = new HashMap<>();
  private final Map<String, Long> typeTransitions = new HashMap<>();
  private final Map<String, Integer> currentRing = new HashMap<>();
  private final Elevations elevations;
  private long eventsProcessed;
  private long malformedRings;
  private long overflowed;

  // What exportTo has already handed over, per counter series; guarded by exportLock.
  private final ReentrantLock exportLock = new ReentrantLock();
  private final Map<Series, Double> exported = new HashMap<>();
  private final LongAdder exportFailures = new LongAdder();
  private final AtomicBoolean exportFailureLogged = new AtomicBoolean();

  /** One exported counter series: what it has been sent is tracked per name and label set. */
  private record Series(String name, Map<String, String> labels) {}

  /** Subscribes to {@code bus}; open elevations are measured on the bus's clock. */
  public RingMetricsCollector(HypervisorEventBus bus) {
    this(builder(bus));
  }

  /** Subscribes to {@code bus}; open elevations are measured on {@code clock}. */
  public RingMetricsCollector(HypervisorEventBus bus, Clock clock) {
    this(builder(bus).clock(clock));
  }

  RingMetricsCollector(RingMetricsCollectorBuilder builder) {
    this.clock = builder.clock != null ? builder.clock : builder.bus.clock();
    this.maxSeries = builder.maxSeriesPerMetric;
    this.elevations = new Elevations(maxSeries);
    for (EventType type : TRANSITIONS) {
      subscriptions.add(builder.bus.subscribe(type, this::onTransition));
    }
    subscriptions.add(builder.bus.subscribe(EventType.RING_BREACH_DETECTED, this::onBreach));
  }

  /** Configures a collector on {@code bus}: clock, cardinality bound. */
  public static RingMetricsCollectorBuilder builder(HypervisorEventBus bus) {
    return new RingMetricsCollectorBuilder(bus);
  }

  /** {@code key} if {@link #roomFor} it, else the overflow series. */
  private <K> K bounded(Map<K, ?> series, K key, K overflow) {
    return roomFor(series, key) ? key : overflow;
  }

  /** Whether {@code key}'s series exists or there is room for it; counts a refusal. */
  private boolean roomFor(Map<?, ?> series, Object key) {
    if (series.size() < maxSeries || series.containsKey(key)) {
      return true;
    }
    overflowed++;
    return false;
  }

  private void onTransition(HypervisorEvent event) {
    String agent = event.agentDid().orElse(UNKNOWN);
    String session = event.sessionId().orElse(UNKNOWN);
    Object ring = ringValue(event.payload());
    lock.lock();
    try {
      eventsProcessed++;
      TransitionKey key = new TransitionKey(event.eventType().value(), agent, session);
      transitions.merge(bounded(transitions, key, TRANSITION_OVERFLOW), 1L, Long::sum);
      typeTransitions.merge(event.eventType().value(), 1L, Long::sum); // four types at most
      if (ring != null) {
        int parsed = parseRing(ring);
        if (parsed < 0) {
          malformedRings++;
        } else if (roomFor(currentRing, agent)) {
          currentRing.put(agent, parsed);
        }
      }
      if (!elevations.observe(event)) {
        overflowed++;
      }
    } finally {
      lock.unlock();
    }
  }

  private void onBreach(HypervisorEvent event) {
    BreachKey key =
        new BreachKey(event.agentDid().orElse(UNKNOWN), event.sessionId().orElse(UNKNOWN));
    lock.lock();
    try {
      eventsProcessed++;
      breaches.merge(bounded(breaches, key, BREACH_OVERFLOW), 1L, Long::sum);
      agentBreaches.merge(bounded(agentBreaches, key.agentDid(), OVERFLOW), 1L, Long::sum);
    } finally {
      lock.unlock();
    }
  }

  private static Object ringValue(Map<String, Object> payload) {
    Object toRing = payload.get("to_ring");
    return toRing != null ? toRing : payload.get("ring");
  }

  /**
   * The ring as 0..3, or -1 when it is not an integer in that range. Integral floating-point values
   * count ({@code 1.0}: JSON decoders such as Gson read every number as a double); strings and
   * booleans do not.
   */
  static int parseRing(Object value) {
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      long ring = ((Number) value).longValue();
      return ring >= 0 && ring <= 3 ? (int) ring : -1;
    }
    if (value instanceof Double
        || value instanceof Float
        || value instanceof BigDecimal
        || value instanceof BigInteger) {
      double ring = ((Number) value).doubleValue();
      return ring >= 0 && ring <= 3 && ring == Math.rint(ring) ? (int) ring : -1;
    }
    return -1;
  }

  private static double seconds(Duration d) {
    return d.isNegative() ? 0.0 : d.getSeconds() + d.getNano() / 1e9;
  }

  /** An immutable snapshot of every metric now. */
  public RingMetricsSnapshot collect() {
    Instant now = clock.instant();
    lock.lock();
    try {
      Map<String, Double> duration = new HashMap<>();
      Map<String, Double> total = new HashMap<>();
      Map<String, Boolean> open = new HashMap<>();
      for (String agent : elevations.agents()) {
        Instant openedAt = elevations.openSince(agent).orElse(null);
        duration.put(
            agent,
            openedAt != null
                ? seconds(Duration.between(openedAt, now))
                : seconds(elevations.lastClosed(agent)));
        total.put(agent, seconds(elevations.closedTotal(agent)));
        open.put(agent, openedAt != null);
      }
      return new RingMetricsSnapshot(
          transitions,
          breaches,
          agentBreaches,
          typeTransitions,
          currentRing,
          duration,
          total,
          open,
          eventsProcessed,
          malformedRings,
          overflowed);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Pushes every metric to {@code exporter}: gauges as their current value, counters as what they
   * grew by since the last successful export. A call that throws is counted in {@link
   * #exportFailures()}, logged once, and does not stop the other calls; a counter increment that
   * failed is sent again on the next export.
   */
  public void exportTo(MetricsExporter exporter) {
    if (exporter == null) {
      throw new IllegalArgumentException("exporter must not be null");
    }
    exportLock.lock();
    try {
      // Taken under the export lock: concurrent exports then see snapshots in order, and an
      // export cannot resend totals that a concurrent reset() has cleared.
      RingMetricsSnapshot snapshot = collect();
      for (Map.Entry<TransitionKey, Long> e : snapshot.transitionsTotal().entrySet()) {
        TransitionKey k = e.getKey();
        exportCounter(
            exporter,
            TRANSITIONS_TOTAL,
            e.getValue(),
            labels(
                "event_type",
                k.eventType(),
                "agent_did",
                k.agentDid(),
                "session_id",
                k.sessionId()),
            TRANSITIONS_HELP);
      }
      for (Map.Entry<BreachKey, Long> e : snapshot.breachesTotal().entrySet()) {
        BreachKey k = e.getKey();
        exportCounter(
            exporter,
            BREACHES_TOTAL,
            e.getValue(),
            labels("agent_did", k.agentDid(), "session_id", k.sessionId()),
            BREACHES_HELP);
      }
      for (Map.Entry<String, Long> e : snapshot.agentBreachesTotal().entrySet()) {
        exportCounter(
            exporter,
            AGENT_BREACHES_TOTAL,
            e.getValue(),
            labels("agent_did", e.getKey()),
            AGENT_BREACHES_HELP);
      }
      for (Map.Entry<String, Long> e : snapshot.typeTransitionsTotal().entrySet()) {
        exportCounter(
            exporter,
            TYPE_TRANSITIONS_TOTAL,
            e.getValue(),
            labels("event_type", e.getKey()),
            TYPE_TRANSITIONS_HELP);
      }
      for (Map.Entry<String, Double> e : snapshot.elevatedSecondsTotal().entrySet()) {
        exportCounter(
            exporter,
            ELEVATED_SECONDS_TOTAL,
            e.getValue(),
            labels("agent_did", e.getKey()),
            ELEVATED_TOTAL_HELP);
      }
      exportCounter(
          exporter, EVENTS_PROCESSED_TOTAL, snapshot.eventsProcessed(), Map.of(), PROCESSED_HELP);
      exportCounter(
          exporter, MALFORMED_RINGS_TOTAL, snapshot.malformedRings(), Map.of(), MALFORMED_HELP);
      exportCounter(exporter, OVERFLOWED_TOTAL, snapshot.overflowed(), Map.of(), OVERFLOWED_HELP);
      for (Map.Entry<String, Integer> e : snapshot.current().entrySet()) {
        exportGauge(
            exporter, RING_CURRENT, e.getValue(), labels("agent_did", e.getKey()), CURRENT_HELP);
      }
      for (Map.Entry<String, Double> e : snapshot.elevationDurationSeconds().entrySet()) {
        exportGauge(
            exporter,
            ELEVATION_DURATION_SECONDS,
            e.getValue(),
            labels("agent_did", e.getKey()),
            ELEVATION_HELP);
      }
      for (Map.Entry<String, Boolean> e : snapshot.elevationOpen().entrySet()) {
        exportGauge(
            exporter,
            ELEVATION_OPEN,
            e.getValue() ? 1 : 0,
            labels("agent_did", e.getKey()),
            ELEVATION_OPEN_HELP);
      }
    } finally {
      exportLock.unlock();
    }
  }

  private void exportCounter(
      MetricsExporter exporter,
      String name,
      double total,
      Map<String, String> labels,
      String help) {
    Series series = new Series(name, labels);
    double sent = exported.getOrDefault(series, 0.0);
    double delta = total - sent;
    if (delta <= 0) {
      return;
    }
    try {
      exporter.incCounter(name, delta, labels, help);
      exported.put(series, total);
    } catch (RuntimeException e) {
      failed(name, e);
    }
  }

  private void exportGauge(
      MetricsExporter exporter,
      String name,
      double value,
      Map<String, String> labels,
      String help) {
    try {
      exporter.setGauge(name, value, labels, help);
    } catch (RuntimeException e) {
      failed(name, e);
    }
  }

  private void failed(String name, RuntimeException e) {
    exportFailures.increment();
    if (exportFailureLogged.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          "Metrics exporter failed on " + name + "; further failures are only counted",
          e);
    }
  }

  private static Map<String, String> labels(String... namesAndValues) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      labels.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(labels);
  }

  /** Exporter calls that threw. */
  public long exportFailures() {
    return exportFailures.sum();
  }

  /** Forgets every metric and what was exported; counters start again from zero. */
  public void reset() {
    exportLock.lock();
    try {
      lock.lock();
      try {
        transitions.clear();
        breaches.clear();
        agentBreaches.clear();
        typeTransitions.clear();
        currentRing.clear();
        elevations.clear();
        eventsProcessed = 0;
        malformedRings = 0;
        overflowed = 0;
      } finally {
        lock.unlock();
      }
      exported.clear();
    } finally {
      exportLock.unlock();
    }
  }

  /** Unsubscribes from the bus; the metrics gathered so far stay readable. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      subscriptions.forEach(Subscription::close);
    }
  }
}
