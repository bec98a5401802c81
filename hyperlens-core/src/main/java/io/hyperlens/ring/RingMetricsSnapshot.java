package io.hyperlens.ring;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable, point-in-time copy of a {@link RingMetricsCollector}'s metrics.
 *
 * @param transitionsTotal {@code agent_hypervisor_ring_transitions_total} by (event type, agent,
 *     session)
 * @param breachesTotal {@code agent_hypervisor_ring_breaches_total} by (agent, session)
 * @param agentBreachesTotal {@code agent_hypervisor_ring_agent_breaches_total} by agent
 * @param typeTransitionsTotal {@code agent_hypervisor_ring_type_transitions_total} by event type
 * @param current {@code agent_hypervisor_ring_current}: the agent's ring, 0 (root) to 3 (sandbox)
 * @param elevationDurationSeconds {@code agent_hypervisor_ring_elevation_duration_seconds}: the
 *     open elevation so far, else the last closed one
 * @param elevatedSecondsTotal {@code agent_hypervisor_ring_elevated_seconds_total}: all closed
 *     elevations, summed
 * @param elevationOpen {@code agent_hypervisor_ring_elevation_open}: whether the agent holds an
 *     open elevation now
 * @param eventsProcessed ring events handled
 * @param malformedRings events whose ring value was not an integer in 0..3 (the value was ignored,
 *     the event still counted)
 */
public record RingMetricsSnapshot(
    Map<TransitionKey, Long> transitionsTotal,
    Map<BreachKey, Long> breachesTotal,
    Map<String, Long> agentBreachesTotal,
    Map<String, Long> typeTransitionsTotal,
    Map<String, Integer> current,
    Map<String, Double> elevationDurationSeconds,
    Map<String, Double> elevatedSecondsTotal,
    Map<String, Boolean> elevationOpen,
    long eventsProcessed,
    long malformedRings,
    long overflowed) {

  public RingMetricsSnapshot {
    transitionsTotal = Map.copyOf(transitionsTotal);
    breachesTotal = Map.copyOf(breachesTotal);
    agentBreachesTotal = Map.copyOf(agentBreachesTotal);
    typeTransitionsTotal = Map.copyOf(typeTransitionsTotal);
    current = Map.copyOf(current);
    elevationDurationSeconds = Map.copyOf(elevationDurationSeconds);
    elevatedSecondsTotal = Map.copyOf(elevatedSecondsTotal);
    elevationOpen = Map.copyOf(elevationOpen);
  }

  /**
   * The seed's {@code collect()} shape: metric name to its series, plus {@code events_processed}.
   */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put(RingMetricsCollector.TRANSITIONS_TOTAL, transitionsTotal);
    map.put(RingMetricsCollector.BREACHES_TOTAL, breachesTotal);
    map.put(RingMetricsCollector.RING_CURRENT, current);
    map.put(RingMetricsCollector.ELEVATION_DURATION_SECONDS, elevationDurationSeconds);
    map.put(RingMetricsCollector.ELEVATED_SECONDS_TOTAL, elevatedSecondsTotal);
    map.put(RingMetricsCollector.ELEVATION_OPEN, elevationOpen);
    map.put(RingMetricsCollector.EVENTS_PROCESSED, eventsProcessed);
    return Map.copyOf(map);
  }
}
