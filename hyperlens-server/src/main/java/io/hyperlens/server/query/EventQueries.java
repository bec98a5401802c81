package io.hyperlens.server.query;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventQueryBuilder;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.spi.EventPage;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.trace.CausalTraceId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/events} and {@code /api/events/{id}}: events newest first, filtered by type,
 * session, agent, causal trace and time, paged by an opaque cursor. Usable without HTTP.
 */
public final class EventQueries {
  /** The parameters {@code GET /api/events} takes. */
  public static final Set<String> PARAMETERS =
      Set.of("type", "session", "agent", "trace", "since", "until", "limit", "cursor");

  private final JdbcStore store;
  private final Clock clock;

  /** Queries over {@code store}; {@code clock} resolves ages such as {@code since=15m}. */
  public EventQueries(JdbcStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * One page: {@code {"events": [...], "next_cursor": "..." | null}}.
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Map<String, Object> list(QueryParams params) {
    EventQueryBuilder query = EventQuery.builder();
    params.text("type").ifPresent(type -> query.eventType(eventType(type)));
    params.text("session").ifPresent(query::sessionId);
    params.text("agent").ifPresent(query::agentDid);
    Instant now = clock.instant();
    Optional<Instant> since = params.time("since", now);
    Optional<Instant> until = params.time("until", now);
    if (since.isPresent() || until.isPresent()) {
      Instant start = since.orElse(Instant.EPOCH);
      Instant end = until.orElse(now);
      if (end.isBefore(start)) {
        throw new IllegalArgumentException(
            "until (" + end + ") must not be before since (" + start + ")");
      }
      query.timeRange(start, end);
    }
    String trace = params.text("trace").map(EventQueries::causalTrace).orElse(null);
    int limit = params.integer("limit", 100, 1, 1000);
    EventPage page =
        store.pageNewestFirst(query.build(), trace, params.text("cursor").orElse(null), limit);
    List<Map<String, Object>> events = new ArrayList<>();
    for (HypervisorEvent event : page.events()) {
      events.add(event.toMap());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("events", events);
    out.put("next_cursor", page.nextCursor().orElse(null));
    return out;
  }

  private static EventType eventType(String type) {
    try {
      return EventType.fromValue(type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "type must be an event type such as ring.breach_detected, got \"" + type + "\"", e);
    }
  }

  /** The event with id {@code id}. */
  public Optional<Map<String, Object>> event(String id) {
    return store.event(id).map(HypervisorEvent::toMap);
  }

  /**
   * The 12-hex causal trace of a trace id given as a causal trace id ({@code a1b2c3d4e5f6/...}),
   * its 12-hex trace part, or the 32-hex W3C id it maps to ({@code 00000000000000000000a1b2...}).
   *
   * @throws IllegalArgumentException when it is none of those
   */
  public static String causalTrace(String trace) {
    String head = trace.contains("/") ? trace.substring(0, trace.indexOf('/')) : trace;
    if (head.matches("[0-9a-f]{12}")) {
      return head;
    }
    return causalTraceOfW3C(head)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "trace must be a causal trace id (12 hex) or the W3C trace id it maps to (20"
                        + " zeros and 12 hex), got \""
                        + trace
                        + "\""));
  }

  /** The causal trace a W3C trace id is the padding of, if it is one. */
  public static Optional<String> causalTraceOfW3C(String w3cTraceId) {
    try {
      return Optional.of(CausalTraceId.traceIdFromW3C(w3cTraceId));
    } catch (IllegalArgumentException notPadded) {
      return Optional.empty();
    }
  }
}
