package io.hyperlens.server.query;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.spi.EventPage;
import io.hyperlens.store.JdbcStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/sagas} and {@code /api/sagas/{id}}: sagas newest first with their state ({@code
 * running}, {@code compensating}, {@code completed}, {@code escalated}), and one saga's steps,
 * failures, compensations and escalation, read from its session's saga events. Usable without HTTP.
 */
public final class SagaQueries {
  /** The parameters {@code GET /api/sagas} takes. */
  public static final Set<String> PARAMETERS = Set.of("state", "limit", "cursor");

  /** The states a saga is in. */
  static final Set<String> STATES = Set.of("running", "compensating", "completed", "escalated");

  /** The most sagas a filtered listing looks through. */
  static final int SCAN = 2_000;

  private final JdbcStore store;

  /** Queries over {@code store}. */
  public SagaQueries(JdbcStore store) {
    this.store = store;
  }

  /**
   * {@code {"sagas": [{saga_id, session_id, state, created, steps, failed_steps}], "next_cursor"}},
   * newest first. With a state filter a page looks through at most {@value #SCAN} sagas and may
   * hold fewer than {@code limit}; follow {@code next_cursor}.
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Map<String, Object> list(QueryParams params) {
    Optional<String> state = params.text("state").map(s -> s.toLowerCase(Locale.ROOT));
    if (state.isPresent() && !STATES.contains(state.get())) {
      throw new IllegalArgumentException(
          "state must be one of running, compensating, completed, escalated, got \""
              + params.text("state").get()
              + "\"");
    }
    int limit = params.integer("limit", 50, 1, 500);
    List<Map<String, Object>> sagas = new ArrayList<>();
    String cursor = params.text("cursor").orElse(null);
    int scanned = 0;
    // Each underlying page asks for what is still missing, so a page ends exactly where this
    // answer does and its cursor is where the next answer starts.
    do {
      EventPage page =
          store.pageNewestFirst(
              EventQuery.builder().eventType(EventType.SAGA_CREATED).build(),
              null,
              cursor,
              limit - sagas.size());
      for (HypervisorEvent created : page.events()) {
        scanned++;
        Map<String, Object> saga = saga(created, false);
        if (state.isEmpty() || state.get().equals(saga.get("state"))) {
          sagas.add(saga);
        }
      }
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null && sagas.size() < limit && scanned < SCAN);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sagas", sagas);
    out.put("next_cursor", cursor);
    return out;
  }

  /** One saga with its steps and events; empty when unknown. */
  public Optional<Map<String, Object>> saga(String id) {
    List<HypervisorEvent> created = store.eventsByPayload(EventType.SAGA_CREATED, "saga_id", id, 1);
    return created.isEmpty() ? Optional.empty() : Optional.of(saga(created.get(0), true));
  }

  private Map<String, Object> saga(HypervisorEvent created, boolean detail) {
    String id = String.valueOf(created.payload().get("saga_id"));
    List<HypervisorEvent> events = new ArrayList<>();
    if (created.sessionId().isPresent()) {
      for (HypervisorEvent event :
          store.query(
              EventQuery.builder().sessionId(created.sessionId().get()).limit(10_000).build())) {
        if (event.eventType().value().startsWith("saga.")
            && id.equals(String.valueOf(event.payload().get("saga_id")))) {
          events.add(event);
        }
      }
    } else {
      events.add(created);
    }
    String state = "running";
    Map<String, Map<String, Object>> steps = new LinkedHashMap<>();
    List<Map<String, Object>> compensations = new ArrayList<>();
    Map<String, Object> escalation = null;
    int failed = 0;
    for (HypervisorEvent event : events) {
      Map<String, Object> payload = event.payload();
      switch (event.eventType()) {
        case SAGA_STEP_STARTED:
        case SAGA_STEP_COMMITTED:
        case SAGA_STEP_FAILED:
          Map<String, Object> step =
              steps.computeIfAbsent(
                  String.valueOf(payload.get("step_id")),
                  k -> {
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("step_id", k);
                    s.put("action", payload.get("step_action"));
                    s.put("agent_did", event.agentDid().orElse(null));
                    s.put("status", "running");
                    return s;
                  });
          if (event.eventType() == EventType.SAGA_STEP_COMMITTED) {
            step.put("status", "committed");
          } else if (event.eventType() == EventType.SAGA_STEP_FAILED) {
            step.put("status", "failed");
            step.put("error", payload.get("error"));
            failed++;
          }
          break;
        case SAGA_COMPENSATING:
          state = "compensating";
          Map<String, Object> compensation = new LinkedHashMap<>(payload);
          compensation.put("at", HypervisorEvent.formatTimestamp(event.timestamp()));
          compensations.add(compensation);
          break;
        case SAGA_COMPLETED:
          state = "completed";
          break;
        case SAGA_ESCALATED:
          state = "escalated";
          escalation = new LinkedHashMap<>(payload);
          escalation.put("at", HypervisorEvent.formatTimestamp(event.timestamp()));
          break;
        default:
          break;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("saga_id", id);
    out.put("session_id", created.sessionId().orElse(null));
    out.put("state", state);
    out.put("created", HypervisorEvent.formatTimestamp(created.timestamp()));
    out.put("steps", detail ? new ArrayList<>(steps.values()) : steps.size());
    out.put("failed_steps", failed);
    if (detail) {
      out.put("compensations", compensations);
      out.put("escalation", escalation);
      List<Map<String, Object>> eventMaps = new ArrayList<>();
      events.forEach(e -> eventMaps.add(e.toMap()));
      out.put("events", eventMaps);
    }
    return out;
  }
}
