package io.hyperlens.server.query;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.TraceHit;
import io.hyperlens.store.TraceSearch;
import io.hyperlens.trace.SpanData;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/traces} and {@code /api/traces/{traceId}}: trace search, newest first, and one
 * trace's spans together with the hypervisor events of its causal trace and the agents' spawn tree.
 * Usable without HTTP.
 */
public final class TraceQueries {
  /** The parameters {@code GET /api/traces} takes, besides any {@code attr.KEY}. */
  public static final Set<String> PARAMETERS =
      Set.of(
          "service",
          "agent",
          "session",
          "status",
          "min_duration_ms",
          "max_duration_ms",
          "since",
          "until",
          "limit",
          "cursor",
          "attr.*");

  /** The parameters {@code GET /api/traces/{traceId}} takes. */
  public static final Set<String> TRACE_PARAMETERS = Set.of("span_offset", "span_limit");

  private static final int MAX_EVENTS = 10_000;

  private final JdbcStore store;
  private final Clock clock;
  private final SpanCosts costs;

  /**
   * Queries over {@code store}; {@code clock} resolves ages such as {@code since=15m}, {@code
   * costs} prices the GenAI calls of a trace.
   */
  public TraceQueries(JdbcStore store, Clock clock, SpanCosts costs) {
    this.store = store;
    this.clock = clock;
    this.costs = costs;
  }

  /**
   * Trace summaries, newest first: {@code {"traces": [{trace_id, root_name, service, span_count,
   * error_count, duration_ms, agents, start, cost_usd}], "next_cursor"}}; {@code cost_usd} is what
   * the trace's priced GenAI calls cost ({@link SpanCosts}), 0 without any. {@code service}: a span
   * of the trace is that service's; {@code agent}, {@code session} and {@code attr.KEY=VALUE}: a
   * span carries that attribute ({@code agent.did} or {@code agent.id}, {@code session.id}); {@code
   * status}: {@code error} (a span failed) or {@code ok}; durations in milliseconds; {@code
   * since}/{@code until} bound the trace's start. Attribute criteria walk the store's attribute
   * index, never the spans' JSON.
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Map<String, Object> list(QueryParams params) {
    Optional<String> status = params.text("status").map(s -> s.toLowerCase(Locale.ROOT));
    if (status.isPresent() && !status.get().equals("error") && !status.get().equals("ok")) {
      throw new IllegalArgumentException(
          "status must be error or ok, got \"" + params.text("status").get() + "\"");
    }
    Instant now = clock.instant();
    Map<String, String> attributes = new LinkedHashMap<>();
    params
        .attributes()
        .forEach(
            (key, value) -> {
              if (key.isEmpty()) {
                throw new IllegalArgumentException("attr. needs a key: attr.KEY=VALUE");
              }
              attributes.put(key, value);
            });
    Optional<Double> min = params.number("min_duration_ms");
    Optional<Double> max = params.number("max_duration_ms");
    if (min.isPresent() && max.isPresent() && max.get() < min.get()) {
      throw new IllegalArgumentException(
          "max_duration_ms ("
              + max.get()
              + ") must not be below min_duration_ms ("
              + min.get()
              + ")");
    }
    TraceSearch search =
        new TraceSearch(
            params.text("service").orElse(null),
            params.text("agent").orElse(null),
            params.text("session").orElse(null),
            status.map(s -> s.equals("error")).orElse(null),
            min.orElse(null),
            max.orElse(null),
            params.time("since", now).orElse(null),
            params.time("until", now).orElse(null),
            attributes,
            params.integer("limit", 20, 1, 100),
            params.text("cursor").orElse(null));
    TraceHit.Page page = store.searchTraces(search);
    List<Map<String, Object>> traces = new ArrayList<>();
    for (TraceHit hit : page.traces()) {
      List<SpanData> spans = store.trace(hit.traceId());
      Map<String, Object> summary = summary(hit, root(spans), spans);
      summary.put("cost_usd", SpanCosts.json(costs.of(spans).usd()));
      traces.add(summary);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traces", traces);
    out.put("next_cursor", page.nextCursor().orElse(null));
    return out;
  }

  /**
   * One trace: {@code {"trace_id", "span_total", "spans": [...], "events": [...], "agents": [causal
   * tree], "cost": {...}}}; spans are paged ({@code span_offset}, {@code span_limit} up to 10,000,
   * the total given), events are those of the causal trace the W3C trace id maps to, and {@code
   * cost} is that of all the trace's GenAI calls, on every page ({@link SpanCosts.Cost#toMap()}).
   *
   * @return empty when no span and no event of the trace is stored
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Optional<Map<String, Object>> trace(String traceId, QueryParams params) {
    int offset = params.integer("span_offset", 0, 0, Integer.MAX_VALUE);
    int pageSize = params.integer("span_limit", 10_000, 1, 10_000);
    Optional<TraceView> found = view(traceId, offset, pageSize);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    TraceView view = found.get();
    List<Map<String, Object>> spanMaps = new ArrayList<>();
    for (SpanData span : view.spans()) {
      Map<String, Object> map = new LinkedHashMap<>(span.toMap());
      map.put("service_name", span.serviceName());
      spanMaps.add(map);
    }
    List<Map<String, Object>> eventMaps = new ArrayList<>();
    for (HypervisorEvent event : view.events()) {
      eventMaps.add(event.toMap());
    }
    List<Map<String, Object>> agents = new ArrayList<>();
    for (CausalTree.Node node : view.agents()) {
      agents.add(node(node));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("trace_id", traceId);
    out.put("span_total", view.spanTotal());
    out.put("span_offset", offset);
    out.put("spans", spanMaps);
    out.put("events", eventMaps);
    out.put("agents", agents);
    out.put("cost", view.cost().toMap());
    return Optional.of(out);
  }

  /**
   * One trace as the API and the UI show it.
   *
   * @param traceId the W3C trace id
   * @param spanTotal how many spans the trace has
   * @param spanOffset where {@code spans} starts among them
   * @param spans one page of them
   * @param events the hypervisor events of the causal trace the trace id maps to
   * @param agents the agents' spawn tree from those events
   * @param cost what the GenAI calls among all the trace's spans cost
   */
  public record TraceView(
      String traceId,
      int spanTotal,
      int spanOffset,
      List<SpanData> spans,
      List<HypervisorEvent> events,
      List<CausalTree.Node> agents,
      SpanCosts.Cost cost) {}

  /**
   * One trace with a page of its spans ({@code pageSize} from {@code offset}); empty when no span
   * and no event of it is stored.
   *
   * @throws IllegalArgumentException when the id is not a W3C trace id
   */
  public Optional<TraceView> view(String traceId, int offset, int pageSize) {
    if (!traceId.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException(
          "traceId must be 32 lowercase hex characters (a W3C trace id), got \"" + traceId + "\"");
    }
    List<SpanData> spans = store.trace(traceId);
    Optional<String> causal = EventQueries.causalTraceOfW3C(traceId);
    List<HypervisorEvent> events =
        causal.map(c -> store.eventsOfCausalTrace(c, MAX_EVENTS)).orElse(List.of());
    if (spans.isEmpty() && events.isEmpty()) {
      return Optional.empty();
    }
    List<CausalTree.Node> agents =
        events.isEmpty() ? List.of() : CausalTree.of(causal.orElseThrow(), events).roots();
    return Optional.of(
        new TraceView(
            traceId,
            spans.size(),
            offset,
            List.copyOf(
                spans.subList(
                    Math.min(offset, spans.size()), Math.min(spans.size(), offset + pageSize))),
            events,
            agents,
            costs.of(spans)));
  }

  private static Map<String, Object> node(CausalTree.Node node) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("causal_span_id", node.spanId());
    out.put("agent_did", node.agentDid());
    out.put("events", node.events());
    out.put("ring", node.ring());
    List<Map<String, Object>> children = new ArrayList<>();
    for (CausalTree.Node child : node.children()) {
      children.add(node(child));
    }
    out.put("children", children);
    return out;
  }

  /** The span without a parent in the trace, else the earliest. */
  static SpanData root(List<SpanData> spans) {
    Set<String> ids = new HashSet<>();
    for (SpanData span : spans) {
      ids.add(span.spanId());
    }
    SpanData earliest = null;
    for (SpanData span : spans) {
      if (span.parentSpanId().isEmpty() || !ids.contains(span.parentSpanId().get())) {
        return span;
      }
      if (earliest == null || span.startEpochNanos() < earliest.startEpochNanos()) {
        earliest = span;
      }
    }
    return earliest;
  }

  private static Map<String, Object> summary(TraceHit hit, SpanData root, List<SpanData> spans) {
    Set<String> agents = new LinkedHashSet<>();
    for (SpanData span : spans) {
      for (String key : List.of("agent.did", "agent.id", "agent_did")) {
        Object agent = span.attributes().get(key);
        if (agent instanceof String) {
          agents.add((String) agent);
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("trace_id", hit.traceId());
    out.put("root_name", root == null ? null : root.name());
    // false when every span names a parent: the root was not received (yet), and root_name is
    // only the earliest span's
    out.put("root_received", root != null && root.parentSpanId().isEmpty());
    out.put("service", root == null ? null : root.serviceName());
    out.put("span_count", hit.spanCount());
    out.put("error_count", hit.errorCount());
    out.put("duration_ms", hit.durationMs());
    out.put("agents", List.copyOf(agents));
    out.put("start", Instant.ofEpochSecond(0, hit.startEpochNanos()).toString());
    return out;
  }
}
