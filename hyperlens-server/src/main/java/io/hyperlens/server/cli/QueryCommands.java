package io.hyperlens.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.server.query.CausalTree;
import io.hyperlens.server.query.EventQueries;
import java.io.PrintWriter;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands that query a running hub: {@code events}, {@code traces}, {@code trace} and {@code
 * agents}. Each prints a table (or, with {@code --json}, the hub's answer) and exits 0; 1 when the
 * hub cannot be reached or has nothing by that id, 2 for bad options or a refused key.
 */
final class QueryCommands {
  private QueryCommands() {}

  /**
   * GETs {@code path} with {@code params} and prints the answer: as JSON with {@code --json}, else
   * through {@code table}; a failed call becomes its message and exit code.
   */
  static int query(
      CommandSpec spec,
      HubApi api,
      String path,
      java.util.Map<String, Object> params,
      BiConsumer<PrintWriter, JsonNode> table) {
    PrintWriter out = spec.commandLine().getOut();
    try {
      JsonNode answer = api.get(path, params);
      if (api.json) {
        out.println(HubApi.pretty(answer));
      } else {
        table.accept(out, answer);
      }
      out.flush();
      return 0;
    } catch (HubApi.Failure e) {
      spec.commandLine().getErr().println(spec.name() + ": " + e.getMessage());
      return e.exitCode;
    }
  }

  @Command(
      name = "events",
      mixinStandardHelpOptions = true,
      description = "Lists a hub's events, newest first.")
  static final class Events implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HubApi api = new HubApi();

    @Mixin EventFilter filter = new EventFilter();

    @Option(names = "--since", description = "Only events since this time or age (15m, 2h).")
    String since;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many (20).")
    int limit;

    @Override
    public Integer call() {
      return query(
          spec,
          api,
          "/api/events",
          HubApi.params(
              "session",
              filter.session,
              "agent",
              filter.agent,
              "type",
              filter.type,
              "since",
              since,
              "limit",
              limit),
          (out, answer) -> {
            for (JsonNode event : answer.path("events")) {
              printEvent(out, event);
            }
          });
    }
  }

  /** The filter {@code events} and {@code tail} share. */
  static final class EventFilter {
    @Option(names = "--session", description = "Only this session's events.")
    String session;

    @Option(names = "--agent", description = "Only this agent's events.")
    String agent;

    @Option(names = "--type", description = "Only events of this type (ring.breach_detected).")
    String type;
  }

  /** One event as a line: time, type, session, agent. */
  static void printEvent(PrintWriter out, JsonNode event) {
    out.printf(
        "%s  %-28s %-20s %s%n",
        event.path("timestamp").asText(),
        event.path("event_type").asText(),
        event.path("session_id").asText("-"),
        event.path("agent_did").asText("-"));
  }

  @Command(
      name = "tail",
      mixinStandardHelpOptions = true,
      description = "Follows a hub's events as they are ingested (its live stream), until Ctrl-C.")
  static final class Tail implements Callable<Integer> {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();

    @Spec CommandSpec spec;
    @Mixin HubApi api = new HubApi();

    @Mixin EventFilter filter = new EventFilter();

    @Option(names = "--count", description = "Stop after this many events (default: never).")
    Integer count;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (count != null && count < 1) {
        spec.commandLine().getErr().println("tail: --count must be at least 1, got " + count);
        return 2;
      }
      int[] seen = {0};
      try {
        api.stream(
            "/api/stream",
            HubApi.params("type", filter.type, "session", filter.session, "agent", filter.agent),
            data -> {
              if (api.json) {
                out.println(data);
              } else {
                try {
                  printEvent(out, JSON.readTree(data));
                } catch (java.io.IOException e) {
                  out.println(data);
                }
              }
              out.flush();
              seen[0]++;
              return count == null || seen[0] < count;
            });
        return 0;
      } catch (HubApi.Failure e) {
        spec.commandLine().getErr().println(spec.name() + ": " + e.getMessage());
        return e.exitCode;
      }
    }
  }

  @Command(
      name = "traces",
      mixinStandardHelpOptions = true,
      description = "Lists a hub's traces, newest first.")
  static final class Traces implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HubApi api = new HubApi();

    @Option(names = "--status", description = "error (a span failed) or ok.")
    String status;

    @Option(names = "--service", description = "Only traces with a span of this service.")
    String service;

    @Option(names = "--agent", description = "Only traces with a span of this agent (agent.did).")
    String agent;

    @Option(names = "--session", description = "Only traces with a span of this session.")
    String session;

    @Option(
        names = "--attr",
        paramLabel = "KEY=VALUE",
        description = "Only traces with a span carrying this attribute; repeatable (AND).")
    java.util.Map<String, String> attributes = new java.util.LinkedHashMap<>();

    @Option(names = "--limit", defaultValue = "20", description = "At most this many (20).")
    int limit;

    @Override
    public Integer call() {
      java.util.Map<String, Object> params =
          HubApi.params(
              "status", status, "service", service, "agent", agent, "session", session, "limit",
              limit);
      attributes.forEach((key, value) -> params.put("attr." + key, value));
      return query(
          spec,
          api,
          "/api/traces",
          params,
          (out, answer) -> {
            for (JsonNode trace : answer.path("traces")) {
              out.printf(
                  Locale.ROOT,
                  "%s  %-24s %-16s %4d spans %3d errors %10.3f ms%n",
                  trace.path("trace_id").asText(),
                  trace.path("root_name").asText("?"),
                  trace.path("service").asText("?"),
                  trace.path("span_count").asInt(),
                  trace.path("error_count").asInt(),
                  trace.path("duration_ms").asDouble());
            }
          });
    }
  }

  @Command(
      name = "trace",
      mixinStandardHelpOptions = true,
      description =
          "Shows one trace of a hub: its spans and the causal tree of its agents, as the demo"
              + " prints them.")
  static final class Trace implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HubApi api = new HubApi();

    @Parameters(index = "0", paramLabel = "TRACE_ID", description = "The 32-hex trace id.")
    String traceId;

    @Override
    public Integer call() {
      return query(
          spec,
          api,
          "/api/traces/" + traceId,
          HubApi.params(),
          (out, answer) -> {
            JsonNode spans = answer.path("spans");
            out.printf("Trace %s: %d spans%n", traceId, answer.path("span_total").asInt());
            printTree(out, spans);
            List<HypervisorEvent> events = new ArrayList<>();
            for (JsonNode event : answer.path("events")) {
              events.add(
                  HypervisorEvent.builder(EventType.fromValue(event.path("event_type").asText()))
                      .eventId(event.path("event_id").asText())
                      .timestamp(OffsetDateTime.parse(event.path("timestamp").asText()).toInstant())
                      .agentDid(
                          event.path("agent_did").isNull()
                              ? null
                              : event.path("agent_did").asText())
                      .causalTraceId(
                          event.path("causal_trace_id").isNull()
                              ? null
                              : event.path("causal_trace_id").asText())
                      .build());
            }
            String causal = EventQueries.causalTraceOfW3C(traceId).orElse(null);
            if (!events.isEmpty() && causal != null) {
              out.printf("Causal tree (%d events):%n", events.size());
              out.print(CausalTree.of(causal, events).render());
            }
          });
    }
  }

  /** Spans as a tree: each under its parent, roots (and spans whose parent is absent) first. */
  static void printTree(PrintWriter out, JsonNode spans) {
    java.util.Map<String, List<JsonNode>> children = new java.util.LinkedHashMap<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonNode span : spans) {
      ids.add(span.path("span_id").asText());
    }
    List<JsonNode> roots = new ArrayList<>();
    for (JsonNode span : spans) {
      String parent = span.path("parent_span_id").asText(null);
      if (parent == null || !ids.contains(parent)) {
        roots.add(span);
      } else {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(span);
      }
    }
    for (JsonNode root : roots) {
      printSpan(out, root, children, 0);
    }
  }

  private static void printSpan(
      PrintWriter out, JsonNode span, java.util.Map<String, List<JsonNode>> children, int depth) {
    String name = "  ".repeat(depth + 1) + span.path("operation_name").asText();
    String message = span.path("status_message").asText("");
    out.printf(
        Locale.ROOT,
        "%-40s %-8s %-6s %10.3f ms  %s%s%n",
        name,
        span.path("kind").asText(),
        span.path("status").asText(),
        span.path("duration_ms").asDouble(),
        span.path("service_name").asText(),
        message.isEmpty() || "null".equals(message) ? "" : "  (" + message + ")");
    for (JsonNode child : children.getOrDefault(span.path("span_id").asText(), List.of())) {
      printSpan(out, child, children, depth + 1);
    }
  }

  @Command(
      name = "agents",
      mixinStandardHelpOptions = true,
      description = "Lists a hub's agents: ring, open elevation, breaches, error rate.")
  static final class Agents implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HubApi api = new HubApi();

    @Option(names = "--limit", defaultValue = "50", description = "At most this many (50).")
    int limit;

    @Override
    public Integer call() {
      return query(
          spec,
          api,
          "/api/agents",
          HubApi.params("limit", limit),
          (out, answer) -> {
            out.printf(
                "%-32s %4s %-9s %8s %10s %s%n",
                "AGENT", "RING", "ELEVATED", "BREACHES", "ERROR RATE", "LAST SEEN");
            for (JsonNode agent : answer.path("agents")) {
              out.printf(
                  Locale.ROOT,
                  "%-32s %4s %-9s %8d %9.1f%% %s%n",
                  agent.path("agent_did").asText(),
                  agent.path("ring").isNull() ? "-" : agent.path("ring").asText(),
                  agent.path("open_elevation").isNull() ? "no" : "yes",
                  agent.path("breaches").asLong(),
                  100 * agent.path("error_rate").asDouble(),
                  agent.path("last_seen").asText("-"));
            }
          });
    }
  }
}
