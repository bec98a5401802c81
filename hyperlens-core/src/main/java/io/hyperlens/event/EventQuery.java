package io.hyperlens.event;

import java.time.Instant;
import java.util.Optional;

/**
 * A combined bus query: every criterion that is set must hold (AND), and {@link #limit()} keeps
 * only the newest matches. Immutable and thread-safe.
 *
 * <pre>{@code
 * EventQuery query =
 *     EventQuery.builder()
 *         .eventType(EventType.RING_ASSIGNED)
 *         .sessionId("s1")
 *         .agentDid("did:mesh:analyst")
 *         .limit(10)
 *         .build();
 * List<HypervisorEvent> newestTen = bus.query(query); // oldest first
 * }</pre>
 */
public final class EventQuery {
  private static final EventQuery ALL = new EventQuery(null, null, null, null, null, 0);

  private final EventType eventType;
  private final String sessionId;
  private final String agentDid;
  private final Instant start;
  private final Instant end;
  private final int limit;

  EventQuery(
      EventType eventType,
      String sessionId,
      String agentDid,
      Instant start,
      Instant end,
      int limit) {
    this.eventType = eventType;
    this.sessionId = sessionId;
    this.agentDid = agentDid;
    this.start = start;
    this.end = end;
    this.limit = limit;
  }

  /** Starts a query that matches every event until criteria are added. */
  public static EventQueryBuilder builder() {
    return new EventQueryBuilder();
  }

  /** The query that matches every retained event. */
  public static EventQuery all() {
    return ALL;
  }

  /** Only events of this type, when set. */
  public Optional<EventType> eventType() {
    return Optional.ofNullable(eventType);
  }

  /** Only events of this session, when set. */
  public Optional<String> sessionId() {
    return Optional.ofNullable(sessionId);
  }

  /** Only events of this agent, when set. */
  public Optional<String> agentDid() {
    return Optional.ofNullable(agentDid);
  }

  /** Inclusive lower bound on the timestamp. */
  public Optional<Instant> start() {
    return Optional.ofNullable(start);
  }

  /** Inclusive upper bound on the timestamp; absent with a start means "now" at query time. */
  public Optional<Instant> end() {
    return Optional.ofNullable(end);
  }

  /** The most matches returned (the newest ones); 0 means no limit. */
  public int limit() {
    return limit;
  }

  EventType eventTypeOrNull() {
    return eventType;
  }

  String sessionIdOrNull() {
    return sessionId;
  }

  String agentDidOrNull() {
    return agentDid;
  }

  Instant startOrNull() {
    return start;
  }

  Instant endOrNull() {
    return end;
  }

  boolean hasTimeRange() {
    return start != null || end != null;
  }

  @Override
  public String toString() {
    return "EventQuery{eventType="
        + (eventType == null ? null : eventType.value())
        + ", sessionId="
        + sessionId
        + ", agentDid="
        + agentDid
        + ", start="
        + start
        + ", end="
        + end
        + ", limit="
        + limit
        + '}';
  }
}
