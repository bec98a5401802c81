package io.hyperlens.server.query;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.trace.CausalTraceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The spawn tree of one trace, rebuilt from the {@link CausalTraceId}s its events carry: one node
 * per span, children under their parent span, each node listing the agent and what it did.
 *
 * <p>Depth comes from the tree itself, not from the ids, whose string form does not carry it.
 * Events without a parseable trace id, or of another trace, are ignored. Immutable.
 *
 * <pre>{@code
 * CausalTree tree = CausalTree.of(traceId, bus.queryBySession("session-000042"));
 * System.out.print(tree.render());
 * }</pre>
 */
public final class CausalTree {
  private final String traceId;
  private final List<Node> roots;

  private CausalTree(String traceId, List<Node> roots) {
    this.traceId = traceId;
    this.roots = roots;
  }

  /**
   * A node: one span, the agent it belongs to, the event values it emitted in order, the ring its
   * last ring event put it in (null when it emitted none), and the spans under it.
   */
  public record Node(
      String spanId, String agentDid, List<String> events, Integer ring, List<Node> children) {}

  /** Builds the tree of {@code traceId} from {@code events}, in event order. */
  public static CausalTree of(String traceId, List<HypervisorEvent> events) {
    Map<String, String> parents = new LinkedHashMap<>();
    Map<String, String> agents = new LinkedHashMap<>();
    Map<String, List<String>> done = new LinkedHashMap<>();
    Map<String, Integer> rings = new LinkedHashMap<>();
    for (HypervisorEvent event : events) {
      Optional<CausalTraceId> id = parse(event);
      if (id.isEmpty() || !id.get().traceId().equals(traceId)) {
        continue;
      }
      String span = id.get().spanId();
      parents.putIfAbsent(span, id.get().parentSpanId().orElse(null));
      agents.putIfAbsent(span, event.agentDid().orElse("?"));
      done.computeIfAbsent(span, k -> new ArrayList<>()).add(event.eventType().value());
      if (event.eventType().value().startsWith("ring.")) {
        Object ring = event.payload().getOrDefault("to_ring", event.payload().get("ring"));
        if (ring instanceof Number) {
          rings.put(span, ((Number) ring).intValue());
        }
      }
    }
    List<Node> roots = new ArrayList<>();
    for (String span : parents.keySet()) {
      String parent = parents.get(span);
      if (parent == null || !parents.containsKey(parent)) {
        roots.add(build(span, parents, agents, done, rings));
      }
    }
    return new CausalTree(traceId, List.copyOf(roots));
  }

  private static Node build(
      String span,
      Map<String, String> parents,
      Map<String, String> agents,
      Map<String, List<String>> done,
      Map<String, Integer> rings) {
    List<Node> children = new ArrayList<>();
    for (Map.Entry<String, String> entry : parents.entrySet()) {
      if (span.equals(entry.getValue())) {
        children.add(build(entry.getKey(), parents, agents, done, rings));
      }
    }
    return new Node(
        span,
        agents.get(span),
        List.copyOf(done.get(span)),
        rings.get(span),
        List.copyOf(children));
  }

  private static Optional<CausalTraceId> parse(HypervisorEvent event) {
    try {
      return event.causalTraceId().map(CausalTraceId::fromString);
    } catch (IllegalArgumentException notOurs) {
      return Optional.empty();
    }
  }

  public String traceId() {
    return traceId;
  }

  /** The spans with no known parent: normally the one root of the trace. */
  public List<Node> roots() {
    return roots;
  }

  /** The tree as indented text, one line per span, with its depth and a summary of events. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Node root : roots) {
      render(root, "", "", 0, out);
    }
    return out.toString();
  }

  private static void render(Node node, String lead, String indent, int depth, StringBuilder out) {
    out.append(lead)
        .append(node.agentDid())
        .append(" (span ")
        .append(node.spanId())
        .append(", depth ")
        .append(depth)
        .append("): ")
        .append(summarize(node.events()))
        .append('\n');
    for (int i = 0; i < node.children().size(); i++) {
      boolean last = i == node.children().size() - 1;
      render(
          node.children().get(i),
          indent + (last ? "└─ " : "├─ "),
          indent + (last ? "   " : "│  "),
          depth + 1,
          out);
    }
  }

  private static String summarize(List<String> events) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String event : events) {
      counts.merge(event, 1, Integer::sum);
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(entry.getKey());
      if (entry.getValue() > 1) {
        out.append(" ×").append(entry.getValue());
      }
    }
    return out.toString();
  }
}
