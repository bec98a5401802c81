package io.hyperlens.server.query;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.spi.EventPage;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.TraceHit;
import io.hyperlens.store.TraceSearch;
import io.hyperlens.trace.SpanData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/sessions} and {@code /api/sessions/{id}}: sessions newest first with their state,
 * and one session's timeline, agents (with each one's ring), ring changes, sagas and the cost of
 * its GenAI calls. Usable without HTTP.
 */
public final class SessionQueries {
  /** The parameters {@code GET /api/sessions} takes. */
  public static final Set<String> PARAMETERS = Set.of("limit", "cursor");

  /** The most events of one session read. */
  static final int TIMELINE = 10_000;

  /** The most traces of one session whose spans are read for its cost. */
  static final int COST_TRACES = 1_000;

  private final JdbcStore store;
  private final SagaQueries sagas;
  private final SpanCosts costs;

  /** Queries over {@code store}; {@code costs} prices a session's GenAI calls. */
  public SessionQueries(JdbcStore store, SagaQueries sagas, SpanCosts costs) {
    this.store = store;
    this.sagas = sagas;
    this.costs = costs;
  }

  /**
   * {@code {"sessions": [{session_id, state, created, created_by}], "next_cursor"}}, newest first.
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Map<String, Object> list(QueryParams params) {
    int limit = params.integer("limit", 50, 1, 500);
    EventPage page =
        store.pageNewestFirst(
            EventQuery.builder().eventType(EventType.SESSION_CREATED).build(),
            null,
            params.text("cursor").orElse(null),
            limit);
    List<Map<String, Object>> sessions = new ArrayList<>();
    for (HypervisorEvent created : page.events()) {
      String id = created.sessionId().orElse(null);
      if (id == null) {
        continue; // a session.created without a session id names no session
      }
      Map<String, Object> session = new LinkedHashMap<>();
      session.put("session_id", id);
      session.put("created", HypervisorEvent.formatTimestamp(created.timestamp()));
      session.put("created_by", created.agentDid().orElse(null));
      session.put("state", state(id));
      sessions.add(session);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sessions", sessions);
    out.put("next_cursor", page.nextCursor().orElse(null));
    return out;
  }

  private String state(String id) {
    List<HypervisorEvent> newest =
        store.pageNewestFirst(EventQuery.builder().sessionId(id).build(), null, null, 50).events();
    for (HypervisorEvent event : newest) {
      String type = event.eventType().value();
      if (type.startsWith("session.") && !type.equals("session.joined")) {
        return type.substring("session.".length());
      }
    }
    return "created";
  }

  /**
   * One session: {@code {"session_id", "state", "agents", "ring_changes", "sagas", "timeline",
   * "cost"}}; empty when none of its events is stored. {@code cost} counts the spans that carry
   * {@code session.id} = this session ({@link #cost}).
   */
  public Optional<Map<String, Object>> session(String id) {
    List<HypervisorEvent> timeline =
        store.query(EventQuery.builder().sessionId(id).limit(TIMELINE).build());
    if (timeline.isEmpty()) {
      return Optional.empty();
    }
    Map<String, List<HypervisorEvent>> byAgent = new LinkedHashMap<>();
    List<Map<String, Object>> ringChanges = new ArrayList<>();
    List<String> sagaIds = new ArrayList<>();
    String state = "created";
    for (HypervisorEvent event : timeline) {
      event
          .agentDid()
          .ifPresent(a -> byAgent.computeIfAbsent(a, k -> new ArrayList<>()).add(event));
      String type = event.eventType().value();
      if (type.startsWith("ring.")) {
        ringChanges.add(event.toMap());
      }
      if (event.eventType() == EventType.SAGA_CREATED) {
        sagaIds.add(String.valueOf(event.payload().get("saga_id")));
      }
      if (type.startsWith("session.") && !type.equals("session.joined")) {
        state = type.substring("session.".length());
      }
    }
    List<Map<String, Object>> agents = new ArrayList<>();
    byAgent.forEach((did, events) -> agents.add(AgentState.of(events).toMap(did)));
    List<Map<String, Object>> sagaMaps = new ArrayList<>();
    for (String sagaId : sagaIds) {
      sagas.saga(sagaId).ifPresent(sagaMaps::add);
    }
    List<Map<String, Object>> events = new ArrayList<>();
    timeline.forEach(e -> events.add(e.toMap()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("session_id", id);
    out.put("state", state);
    out.put("agents", agents);
    out.put("ring_changes", ringChanges);
    out.put("sagas", sagaMaps);
    out.put("timeline", events);
    out.put("cost", cost(id));
    return Optional.of(out);
  }

  /**
   * What the session's GenAI calls cost: those among the spans that carry {@code session.id} =
   * {@code id} (found through the store's attribute index), in the newest {@value #COST_TRACES}
   * traces that have such a span. {@link SpanCosts.Cost#toMap()} with {@code "traces"}, how many
   * traces were read, and {@code "truncated"}, true when older ones were left out.
   */
  public Map<String, Object> cost(String id) {
    List<SpanData> spans = new ArrayList<>();
    String cursor = null;
    int traces = 0;
    boolean truncated = false;
    do {
      TraceHit.Page page =
          store.searchTraces(
              new TraceSearch(
                  null,
                  null,
                  id,
                  null,
                  null,
                  null,
                  null,
                  null,
                  Map.of(),
                  Math.min(100, COST_TRACES - traces),
                  cursor));
      for (TraceHit hit : page.traces()) {
        traces++;
        for (SpanData span : store.trace(hit.traceId())) {
          if (id.equals(span.attributes().get("session.id"))) {
            spans.add(span);
          }
        }
      }
      cursor = page.nextCursor().orElse(null);
      if (cursor != null && traces >= COST_TRACES) {
        truncated = true;
        cursor = null;
      }
    } while (cursor != null);
    Map<String, Object> out = new LinkedHashMap<>(costs.of(spans).toMap());
    out.put("traces", traces);
    out.put("truncated", truncated);
    return out;
  }
}
