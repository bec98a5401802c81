package io.hyperlens.event;

import java.time.Instant;

/**
 * Builds an {@link EventQuery}. Setters validate at once and throw {@link IllegalArgumentException}
 * naming the field and the value. Not thread-safe.
 */
public final class EventQueryBuilder {
  private EventType eventType;
  private String sessionId;
  private String agentDid;
  private Instant start;
  private Instant end;
  private int limit;

  EventQueryBuilder() {}

  /** Only events of this type; {@code null} clears the criterion. */
  public EventQueryBuilder eventType(EventType eventType) {
    this.eventType = eventType;
    return this;
  }

  /** Only events of this session; {@code null} clears the criterion. */
  public EventQueryBuilder sessionId(String sessionId) {
    this.sessionId = sessionId;
    return this;
  }

  /** Only events of this agent; {@code null} clears the criterion. */
  public EventQueryBuilder agentDid(String agentDid) {
    this.agentDid = agentDid;
    return this;
  }

  /**
   * Only events stamped within {@code [start, end]}, both inclusive; a {@code null} end means the
   * bus clock's "now" when the query runs.
   */
  public EventQueryBuilder timeRange(Instant start, Instant end) {
    if (start == null) {
      throw new IllegalArgumentException("start must not be null");
    }
    if (end != null && end.isBefore(start)) {
      throw new IllegalArgumentException(
          "end must not be before start, got start=" + start + " end=" + end);
    }
    this.start = start;
    this.end = end;
    return this;
  }

  /** Keeps only the newest {@code limit} matches, still returned oldest first. */
  public EventQueryBuilder limit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    this.limit = limit;
    return this;
  }

  public EventQuery build() {
    return new EventQuery(eventType, sessionId, agentDid, start, end, limit);
  }
}
