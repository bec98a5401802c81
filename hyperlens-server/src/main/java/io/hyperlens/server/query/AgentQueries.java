package io.hyperlens.server.query;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.JdbcStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/agents} and {@code /api/agents/{did}}: the agents seen, most recently active
 * first, each with its current ring, an open elevation, breaches and error rate, read from its
 * newest {@value #WINDOW} events. Usable without HTTP.
 */
public final class AgentQueries {
  /** The parameters {@code GET /api/agents} takes. */
  public static final Set<String> PARAMETERS = Set.of("limit", "cursor");

  /** How many of an agent's newest events its state is read from. */
  static final int WINDOW = 1_000;

  private final JdbcStore store;

  /** Queries over {@code store}. */
  public AgentQueries(JdbcStore store) {
    this.store = store;
  }

  /**
   * {@code {"agents": [...], "next_cursor"}}, most recently active first; {@code next_cursor} is
   * null on the last page.
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Map<String, Object> list(QueryParams params) {
    int limit = params.integer("limit", 50, 1, 500);
    JdbcStore.AgentPage page = store.pageRecentAgents(params.text("cursor").orElse(null), limit);
    List<Map<String, Object>> agents = new ArrayList<>();
    for (String did : page.agents()) {
      agents.add(AgentState.of(events(did)).toMap(did));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agents", agents);
    out.put("next_cursor", page.nextCursor().orElse(null));
    return out;
  }

  /** One agent with its 50 newest events, newest first; empty when it was never seen. */
  public Optional<Map<String, Object>> agent(String did) {
    List<HypervisorEvent> events = events(did);
    if (events.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> out = new LinkedHashMap<>(AgentState.of(events).toMap(did));
    List<Map<String, Object>> recent = new ArrayList<>();
    for (int i = events.size() - 1; i >= 0 && recent.size() < 50; i--) {
      recent.add(events.get(i).toMap());
    }
    out.put("recent_events", recent);
    return Optional.of(out);
  }

  private List<HypervisorEvent> events(String did) {
    return store.query(EventQuery.builder().agentDid(did).limit(WINDOW).build());
  }
}
