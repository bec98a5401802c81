package io.hyperlens.server.query;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an agent's events, oldest first, say about it now: its ring (from a ring event's {@code
 * to_ring}, else {@code ring}, as the ring metrics read it), an elevation still open (elevated and
 * not yet demoted or expired), breaches, and its saga steps and how many failed.
 */
final class AgentState {
  private Integer ring;
  private HypervisorEvent openElevation;
  private long breaches;
  private long steps;
  private long failedSteps;
  private HypervisorEvent last;

  /** Folds {@code events}, oldest first. */
  static AgentState of(List<HypervisorEvent> events) {
    AgentState state = new AgentState();
    for (HypervisorEvent event : events) {
      state.add(event);
    }
    return state;
  }

  private void add(HypervisorEvent event) {
    last = event;
    EventType type = event.eventType();
    Object to = event.payload().getOrDefault("to_ring", event.payload().get("ring"));
    if (type.value().startsWith("ring.") && to instanceof Number) {
      ring = ((Number) to).intValue();
    }
    switch (type) {
      case RING_ELEVATED:
        openElevation = event;
        break;
      case RING_DEMOTED:
      case RING_ELEVATION_EXPIRED:
        openElevation = null;
        break;
      case RING_BREACH_DETECTED:
        breaches++;
        break;
      case SAGA_STEP_COMMITTED:
        steps++;
        break;
      case SAGA_STEP_FAILED:
        steps++;
        failedSteps++;
        break;
      default:
        break;
    }
  }

  /** The agent as the API shows it. */
  Map<String, Object> toMap(String agentDid) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_did", agentDid);
    out.put("ring", ring);
    if (openElevation != null) {
      Map<String, Object> elevation = new LinkedHashMap<>();
      elevation.put("since", HypervisorEvent.formatTimestamp(openElevation.timestamp()));
      elevation.put("to_ring", openElevation.payload().get("to_ring"));
      elevation.put("reason", openElevation.payload().get("reason"));
      out.put("open_elevation", elevation);
    } else {
      out.put("open_elevation", null);
    }
    out.put("breaches", breaches);
    out.put("steps", steps);
    out.put("failed_steps", failedSteps);
    out.put("error_rate", steps == 0 ? 0.0 : (double) failedSteps / steps);
    out.put("last_seen", last == null ? null : HypervisorEvent.formatTimestamp(last.timestamp()));
    out.put("last_session", last == null ? null : last.sessionId().orElse(null));
    return out;
  }
}
