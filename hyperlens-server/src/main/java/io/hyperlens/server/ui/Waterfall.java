package io.hyperlens.server.ui;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trace laid out as a waterfall: spans in tree order (each under its parent, siblings by start),
 * with their depth, their bar's offset and width in thousandths of the trace's time span (CSS
 * classes position the bars, so no inline style is needed), whether they lie on the critical path,
 * and the hypervisor events placed as markers on the first row of their agent.
 *
 * <p>The critical path is the chain from the root down through, at each span, the child that ended
 * last: the spans whose own time the trace's end waited for.
 */
public final class Waterfall {
  /** Keys under which a span names its agent. */
  static final List<String> AGENT_KEYS = List.of("agent.did", "agent.id", "agent_did");

  /**
   * One row.
   *
   * @param span the span
   * @param depth its depth in the tree, 0 for a root
   * @param left where its bar starts, in thousandths of the trace
   * @param width its bar's width, in thousandths (at least 1)
   * @param critical whether it is on the critical path
   * @param parentMissing whether it names a parent that is not among the spans laid out (not
   *     received, or on another page of a large trace): a root only by default
   * @param hasChildren whether any span is under it
   * @param agent the agent it names, or null
   * @param markers the hypervisor events on this row: {offset in thousandths, event}
   */
  public record Row(
      SpanData span,
      int depth,
      int left,
      int width,
      boolean critical,
      boolean parentMissing,
      boolean hasChildren,
      String agent,
      List<Marker> markers) {
    /** The span's status, as a word. */
    public boolean error() {
      return span.status() == SpanStatus.ERROR;
    }

    /** What in-trace search matches: the name, the service and every attribute value. */
    public String searchText() {
      StringBuilder out = new StringBuilder(span.name()).append(' ').append(span.serviceName());
      span.attributes().forEach((k, v) -> out.append(' ').append(k).append('=').append(v));
      return out.toString().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A hypervisor event on a row.
   *
   * @param left where it happened, in thousandths of the trace
   * @param event the event
   */
  public record Marker(int left, HypervisorEvent event) {}

  private final List<Row> rows;
  private final long start;
  private final long end;

  private Waterfall(List<Row> rows, long start, long end) {
    this.rows = rows;
    this.start = start;
    this.end = end;
  }

  /** The waterfall of {@code spans} with {@code events} as markers. */
  public static Waterfall of(List<SpanData> spans, List<HypervisorEvent> events) {
    if (spans.isEmpty()) {
      return new Waterfall(List.of(), 0, 0);
    }
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    Set<String> ids = new HashSet<>();
    for (SpanData span : spans) {
      start = Math.min(start, span.startEpochNanos());
      end = Math.max(end, span.endEpochNanos());
      ids.add(span.spanId());
    }
    Map<String, List<SpanData>> children = new HashMap<>();
    List<SpanData> roots = new ArrayList<>();
    for (SpanData span : spans) {
      String parent = span.parentSpanId().orElse(null);
      if (parent == null || !ids.contains(parent) || parent.equals(span.spanId())) {
        roots.add(span);
      } else {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(span);
      }
    }
    Comparator<SpanData> byStart =
        Comparator.comparingLong(SpanData::startEpochNanos).thenComparing(SpanData::spanId);
    roots.sort(byStart);
    children.values().forEach(list -> list.sort(byStart));
    Set<String> critical = criticalPath(roots, children);
    long total = Math.max(1, end - start);
    Map<String, Integer> firstRowOfAgent = new HashMap<>();
    List<Row> rows = new ArrayList<>(spans.size());
    Deque<Object[]> stack = new ArrayDeque<>();
    for (int i = roots.size() - 1; i >= 0; i--) {
      stack.push(new Object[] {roots.get(i), 0});
    }
    Set<String> seen = new HashSet<>();
    int next = 0;
    while (!stack.isEmpty() || next < spans.size()) {
      if (stack.isEmpty()) {
        // spans whose parents form a cycle are under no root: each starts a tree of its own
        SpanData orphan = spans.get(next++);
        if (!seen.contains(orphan.spanId())) {
          stack.push(new Object[] {orphan, 0});
        }
        continue;
      }
      Object[] top = stack.pop();
      SpanData span = (SpanData) top[0];
      int depth = (Integer) top[1];
      if (!seen.add(span.spanId())) {
        continue; // a cycle of parents: each span once
      }
      List<SpanData> under = children.getOrDefault(span.spanId(), List.of());
      String agent = agentOf(span);
      if (agent != null) {
        firstRowOfAgent.putIfAbsent(agent, rows.size());
      }
      int left = thousandths(span.startEpochNanos() - start, total, 999);
      int width =
          Math.max(
              1,
              Math.min(
                  1000 - left,
                  thousandths(span.endEpochNanos() - span.startEpochNanos(), total, 1000)));
      rows.add(
          new Row(
              span,
              depth,
              left,
              width,
              critical.contains(span.spanId()),
              span.parentSpanId().filter(p -> !ids.contains(p)).isPresent(),
              !under.isEmpty(),
              agent,
              new ArrayList<>()));
      for (int i = under.size() - 1; i >= 0; i--) {
        stack.push(new Object[] {under.get(i), depth + 1});
      }
    }
    for (HypervisorEvent event : events) {
      Integer row = event.agentDid().map(firstRowOfAgent::get).orElse(null);
      if (row == null) {
        continue;
      }
      long at = SpanData.toEpochNanos(event.timestamp());
      int left = thousandths(at - start, total, 999);
      rows.get(row).markers().add(new Marker(left, event));
    }
    return new Waterfall(List.copyOf(rows), start, end);
  }

  /** {@code part / total} in thousandths, within 0 and {@code max}, whatever the magnitudes. */
  private static int thousandths(long part, long total, int max) {
    double ratio = (double) part / total;
    return (int) Math.max(0, Math.min(max, Math.floor(ratio * 1000)));
  }

  /** The agent a span names, or null. */
  static String agentOf(SpanData span) {
    for (String key : AGENT_KEYS) {
      Object value = span.attributes().get(key);
      if (value instanceof String) {
        return (String) value;
      }
    }
    return null;
  }

  private static Set<String> criticalPath(
      List<SpanData> roots, Map<String, List<SpanData>> children) {
    Set<String> path = new HashSet<>();
    SpanData current = null;
    for (SpanData root : roots) {
      if (current == null || root.endEpochNanos() > current.endEpochNanos()) {
        current = root;
      }
    }
    while (current != null && path.add(current.spanId())) {
      SpanData last = null;
      for (SpanData child : children.getOrDefault(current.spanId(), List.of())) {
        if (last == null || child.endEpochNanos() > last.endEpochNanos()) {
          last = child;
        }
      }
      current = last;
    }
    return path;
  }

  /** The rows, in tree order. */
  public List<Row> rows() {
    return rows;
  }

  /** How many spans name a parent that is not laid out here. */
  public long missingParents() {
    return rows.stream().filter(Row::parentMissing).count();
  }

  /** The trace's duration in milliseconds. */
  public double durationMs() {
    return (end - start) / 1e6;
  }
}
