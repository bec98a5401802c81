package io.hyperlens.ring;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which agents hold an elevated ring now, and since when: the "elevation open" signal, kept from
 * ring events. {@code RING_ELEVATED} opens an agent's elevation at the event's timestamp (a second
 * elevation while one is open keeps the first start); {@code RING_DEMOTED} or {@code
 * RING_ELEVATION_EXPIRED} closes it at that event's timestamp. Other events are ignored.
 *
 * <p>Used by {@link RingMetricsCollector} (the {@code agent_hypervisor_ring_elevation_open} gauge)
 * and by alert rules on how long an elevation has been open. Not thread-safe: its owner serializes
 * access. Bounded: at most {@code maxAgents} agents are tracked; an elevation of a further agent is
 * refused by {@link #observe} and left for the caller to count.
 *
 * <pre>{@code
 * Elevations elevations = new Elevations(10_000);
 * elevations.observe(elevatedEvent);           // RING_ELEVATED of did:mesh:tool at 12:00
 * elevations.openSince("did:mesh:tool");       // Optional[12:00]
 * elevations.observe(demotedEvent);            // RING_DEMOTED at 12:05
 * elevations.openSince("did:mesh:tool");       // Optional.empty()
 * elevations.lastClosed("did:mesh:tool");      // PT5M
 * }</pre>
 */
public final class Elevations {
  private final int maxAgents;
  private final Map<String, Elevation> byAgent = new HashMap<>();

  private static final class Elevation {
    Instant openedAt;
    Duration lastClosed = Duration.ZERO;
    Duration total = Duration.ZERO;
  }

  /**
   * @param maxAgents how many agents are tracked at most, at least 1
   */
  public Elevations(int maxAgents) {
    if (maxAgents < 1) {
      throw new IllegalArgumentException("maxAgents must be at least 1, got " + maxAgents);
    }
    this.maxAgents = maxAgents;
  }

  /**
   * Applies {@code event} when it elevates, demotes or expires an agent with a DID.
   *
   * @return false only when the event would open an elevation for a new agent beyond {@code
   *     maxAgents} (nothing changes); true otherwise, whether or not the event mattered
   */
  public boolean observe(HypervisorEvent event) {
    EventType type = event.eventType();
    if (type != EventType.RING_ELEVATED
        && type != EventType.RING_DEMOTED
        && type != EventType.RING_ELEVATION_EXPIRED) {
      return true;
    }
    String agent = event.agentDid().orElse(RingMetricsCollector.UNKNOWN);
    if (type == EventType.RING_ELEVATED) {
      Elevation elevation = byAgent.get(agent);
      if (elevation == null) {
        if (byAgent.size() >= maxAgents) {
          return false;
        }
        elevation = new Elevation();
        byAgent.put(agent, elevation);
      }
      if (elevation.openedAt == null) {
        elevation.openedAt = event.timestamp();
      }
      return true;
    }
    Elevation elevation = byAgent.get(agent);
    if (elevation != null && elevation.openedAt != null) {
      Duration held = Duration.between(elevation.openedAt, event.timestamp());
      held = held.isNegative() ? Duration.ZERO : held;
      elevation.openedAt = null;
      elevation.lastClosed = held;
      elevation.total = elevation.total.plus(held);
    }
    return true;
  }

  /** When {@code agent}'s open elevation began, or empty when it holds none. */
  public Optional<Instant> openSince(String agent) {
    Elevation elevation = byAgent.get(agent);
    return elevation == null ? Optional.empty() : Optional.ofNullable(elevation.openedAt);
  }

  /** Every open elevation: agent to when it began, a copy. */
  public Map<String, Instant> open() {
    Map<String, Instant> open = new HashMap<>();
    byAgent.forEach(
        (agent, e) -> {
          if (e.openedAt != null) {
            open.put(agent, e.openedAt);
          }
        });
    return Collections.unmodifiableMap(open);
  }

  /** The length of {@code agent}'s last closed elevation, zero when none has closed. */
  public Duration lastClosed(String agent) {
    Elevation elevation = byAgent.get(agent);
    return elevation == null ? Duration.ZERO : elevation.lastClosed;
  }

  /** The summed length of {@code agent}'s closed elevations. */
  public Duration closedTotal(String agent) {
    Elevation elevation = byAgent.get(agent);
    return elevation == null ? Duration.ZERO : elevation.total;
  }

  /** Whether {@code agent} has ever been elevated here. */
  public boolean tracks(String agent) {
    return byAgent.containsKey(agent);
  }

  /** How many agents are tracked. */
  public int size() {
    return byAgent.size();
  }

  /** Agents tracked, in no particular order (a live view: copy it before changing this). */
  public java.util.Set<String> agents() {
    return Collections.unmodifiableSet(byAgent.keySet());
  }

  /** Forgets {@code agent}: its open elevation, if any, and its closed ones. */
  public void forget(String agent) {
    byAgent.remove(agent);
  }

  /** Forgets every agent. */
  public void clear() {
    byAgent.clear();
  }
}
