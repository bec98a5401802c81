package io.hyperlens.server.query;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import io.hyperlens.trace.TraceSummary;
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
 * {@code GET /api/traces} and {@code /api/traces/{traceId}}: trace summaries newest first, and one
 * trace's spans together with the hypervisor events of its causal trace and the agents' spawn tree.
 * Usable without HTTP.
 */
public final class TraceQueries {
  /** The parameters {@code GET /api/traces} takes. */
  public static final Set<String> PARAMETERS =
      Set.of("service", "status", "min_duration_ms", "max_duration_ms", "limit");

  /** The parameters {@code GET /api/traces/{traceId}} takes. */
  public static final Set<String> TRACE_PARAMETERS = Set.of("span_offset", "span_limit");

  /** The most traces a summary listing reads to fill one page of filtered results. */
  static final int SCAN = 1000;

  private static final int MAX_EVENTS = 10_000;

  private final JdbcStore store;

  /** Queries over {@code store}. */
  public TraceQueries(JdbcStore store) {
    this.store = store;
  }

  /**
   * Trace summaries, newest first: {@code {"traces": [{trace_id, root_name, service, span_count,
   * error_count, duration_ms, agents, start}]}}, filtered by service (of the root span), status
   * ({@code error}: at least one span failed; {@code ok}: none did) and duration; the newest
   * {@value #SCAN} traces are searched.
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Map<String, Object> list(QueryParams params) {
    Optional<String> service = params.text("service");
    Optional<String> status = params.text("status").map(s -> s.toLowerCase(Locale.ROOT));
    if (status.isPresent() && !status.get().equals("error") && !status.get().equals("ok")) {
      throw new IllegalArgumentException(
          "status must be error or ok, got \"" + params.text("status").get() + "\"");
    }
    Optional<Double> min = params.number("min_duration_ms");
    Optional<Double> max = params.number("max_duration_ms");
    int limit = params.integer("limit", 20, 1, 100);
    List<Map<String, Object>> traces = new ArrayList<>();
    for (TraceSummary summary : store.recentTraces(SCAN)) {
      if (traces.size() == limit) {
        break;
      }
      if (status.isPresent() && (summary.errorCount() > 0) != status.get().equals("error")) {
        continue;
      }
      if (min.isPresent() && summary.totalDurationMs() < min.get()) {
        continue;
      }
      if (max.isPresent() && summary.totalDurationMs() > max.get()) {
        continue;
      }
      List<SpanData> spans = store.trace(summary.traceId());
      SpanData root = root(spans);
      if (service.isPresent() && (root == null || !root.serviceName().equals(service.get()))) {
        continue;
      }
      traces.add(summary(summary, root, spans));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traces", traces);
    return out;
  }

  /**
   * One trace: {@code {"trace_id", "span_total", "spans": [...], "events": [...], "agents": [causal
   * tree]}}; spans are paged ({@code span_offset}, {@code span_limit} up to 10,000, the total
   * given), events are those of the causal trace the W3C trace id maps to.
   *
   * @return empty when no span and no event of the trace is stored
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Optional<Map<String, Object>> trace(String traceId, QueryParams params) {
    if (!traceId.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException(
          "traceId must be 32 lowercase hex characters (a W3C trace id), got \"" + traceId + "\"");
    }
    int offset = params.integer("span_offset", 0, 0, Integer.MAX_VALUE);
    int pageSize = params.integer("span_limit", 10_000, 1, 10_000);
    List<SpanData> spans = store.trace(traceId);
    List<HypervisorEvent> events =
        traceId.startsWith("00000000000000000000")
            ? store.eventsOfCausalTrace(traceId.substring(20), MAX_EVENTS)
            : List.of();
    if (spans.isEmpty() && events.isEmpty()) {
      return Optional.empty();
    }
    List<Map<String, Object>> spanMaps = new ArrayList<>();
    for (SpanData span :
        spans.subList(Math.min(offset, spans.size()), Math.min(spans.size(), offset + pageSize))) {
      Map<String, Object> map = new LinkedHashMap<>(span.toMap());
      map.put("service_name", span.serviceName());
      spanMaps.add(map);
    }
    List<Map<String, Object>> eventMaps = new ArrayList<>();
    for (HypervisorEvent event : events) {
      eventMaps.add(event.toMap());
    }
    List<Map<String, Object>> agents = new ArrayList<>();
    if (!events.isEmpty()) {
      for (CausalTree.Node node : CausalTree.of(traceId.substring(20), events).roots()) {
        agents.add(node(node));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("trace_id", traceId);
    out.put("span_total", spans.size());
    out.put("span_offset", offset);
    out.put("spans", spanMaps);
    out.put("events", eventMaps);
    out.put("agents", agents);
    return Optional.of(out);
  }

  private static Map<String, Object> node(CausalTree.Node node) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("span_id", node.spanId());
    out.put("agent_did", node.agentDid());
    out.put("events", node.events());
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

  private static Map<String, Object> summary(
      TraceSummary summary, SpanData root, List<SpanData> spans) {
    Set<String> agents = new LinkedHashSet<>();
    int errors = 0;
    for (SpanData span : spans) {
      for (String key : List.of("agent.did", "agent.id", "agent_did")) {
        Object agent = span.attributes().get(key);
        if (agent instanceof String) {
          agents.add((String) agent);
        }
      }
      if (span.status() == SpanStatus.ERROR) {
        errors++;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("trace_id", summary.traceId());
    out.put("root_name", root == null ? null : root.name());
    out.put("service", root == null ? null : root.serviceName());
    out.put("span_count", summary.spanCount());
    out.put("error_count", errors);
    out.put("duration_ms", summary.totalDurationMs());
    out.put("agents", List.copyOf(agents));
    out.put("start", java.time.Instant.ofEpochSecond(0, summary.startEpochNanos()).toString());
    return out;
  }
}
