package io.hyperlens.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.otel.Tracing;
import io.hyperlens.otel.TracingConfig;
import io.hyperlens.otel.ZipkinServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The demo workload exported to a real Zipkin and read back through its API: every trace holds
 * together (one root, every parent it names exported too) and its span names come from a fixed,
 * low-cardinality set, ids in attributes.
 */
class DemoTracesInZipkinTest {
  private static final Set<String> NAMES =
      Set.of(
          "workflow",
          "invoke_agent researcher",
          "invoke_agent tool-agent",
          "invoke_agent writer",
          "saga.completed",
          "saga.escalated",
          "saga.step.research",
          "saga.step.invoke_tool",
          "saga.step.write",
          "saga.compensate.rollback",
          "policy.evaluate",
          "agent.execute",
          "verification.check",
          "memory.store",
          "memory.retrieve");

  /** The Agent OS spans of the governance layer and the agents' memory and verification. */
  private static final Set<String> AGENT_OS =
      Set.of(
          "policy.evaluate",
          "agent.execute",
          "verification.check",
          "memory.store",
          "memory.retrieve");

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void everyTraceHasOneRootNoMissingParentAndNamesFromAFixedSet() throws Exception {
    try (ZipkinServer zipkin = ZipkinServer.start()) {
      Tracing tracing = zipkinTracing(zipkin);
      HypervisorEventBus bus = new HypervisorEventBus();
      AgentWorkload workload = new AgentWorkload(bus, tracing.tracer(), 7, 0.5, 0.5);
      // the demo's governance layer and agent runtime, as demo runs them: every policy decision,
      // memory operation, execution and verification a span too
      io.hyperlens.prometheus.AgentOsMetrics os =
          io.hyperlens.prometheus.AgentOsMetrics.builder().build();
      io.hyperlens.prometheus.AgentOsTelemetry telemetry =
          io.hyperlens.prometheus.AgentOsTelemetry.builder()
              .tracer(tracing.tracer())
              .metrics(os)
              .build();
      PolicyAuditor policies = new PolicyAuditor(bus, telemetry);
      DemoMetrics runtime =
          new DemoMetrics(
              bus,
              io.hyperlens.prometheus.MetricsCollector.builder()
                  .registry(new io.prometheus.metrics.model.registry.PrometheusRegistry())
                  .build(),
              os,
              telemetry);
      new DemoRun(bus, workload, new PrintWriter(new StringWriter()), tracing.sagaSink())
          .run(Duration.ofMillis(800), 50, Duration.ofSeconds(5), () -> false);
      policies.close();
      runtime.close();
      tracing.close();
      long workflows = workload.workflows();
      assertThat(policies.decisions()).isPositive();
      assertThat(workflows).isGreaterThan(10);

      JsonNode traces = awaitTraces(zipkin, workflows, "workflow");
      Set<String> names = new TreeSet<>();
      for (JsonNode trace : traces) {
        assertOneTree(trace, names);
        int agentOsSpans = 0;
        for (JsonNode span : trace) {
          if (AGENT_OS.contains(span.get("name").asText())) {
            agentOsSpans++;
          }
        }
        // A failed workflow: workflow, researcher, tool agent, the escalated saga, two steps and
        // the compensation; a completed one: the writer and its step instead of the compensation.
        // Besides, each policy decision, memory operation, execution and verification taken
        // within the workflow is a span in its trace.
        assertThat(trace.size() - agentOsSpans).isIn(7, 8);
      }
      assertThat(NAMES).containsAll(names);
      assertThat(names)
          .contains("workflow", "saga.escalated", "saga.completed")
          .containsAll(AGENT_OS);
    }
  }

  /** The LangChain4j agents' spans, as {@code demo --workload langchain4j} exports them. */
  private static final Set<String> LANGCHAIN4J_NAMES =
      Set.of(
          "invoke_agent supervisor",
          "invoke_agent researcher",
          "invoke_agent writer",
          "chat gpt-4o",
          "chat gpt-4o-mini",
          "execute_tool web_search",
          "execute_tool archive_lookup",
          "execute_tool shell_exec",
          "saga.completed",
          "saga.step.invoke_agent",
          "saga.step.execute_tool");

  @Test
  void langChain4jAgentsAreOneTreePerWorkflowInZipkin() throws Exception {
    try (ZipkinServer zipkin = ZipkinServer.start()) {
      Tracing tracing = zipkinTracing(zipkin);
      HypervisorEventBus bus = new HypervisorEventBus();
      LangChain4jWorkload workload =
          new LangChain4jWorkload(
              bus, tracing.tracer(), tracing.meterProvider(), null, 7, 0.5, 0.5);
      new DemoRun(bus, workload, new PrintWriter(new StringWriter()), tracing.sagaSink())
          .run(Duration.ofMillis(800), 25, Duration.ofSeconds(5), () -> false);
      tracing.close();
      long workflows = workload.workflows();
      assertThat(workflows).isGreaterThan(5);

      JsonNode traces = awaitTraces(zipkin, workflows, "invoke_agent supervisor");
      Set<String> names = new TreeSet<>();
      for (JsonNode trace : traces) {
        assertThat(assertOneTree(trace, names)).isEqualTo("invoke_agent supervisor");
      }
      assertThat(LANGCHAIN4J_NAMES).containsAll(names);
      assertThat(names)
          .contains(
              "invoke_agent researcher",
              "chat gpt-4o-mini",
              "execute_tool archive_lookup",
              "execute_tool shell_exec");
    }
  }

  private static Tracing zipkinTracing(ZipkinServer zipkin) {
    return Tracing.enable(
        TracingConfig.builder()
            .serviceName("hyperlens-demo")
            .exporter("zipkin")
            .endpoint(zipkin.spansEndpoint())
            .registerGlobal(false)
            .build());
  }

  /**
   * Asserts that {@code trace} has one root and that every parent a span names is in it; adds the
   * span names to {@code names} and returns the root's.
   */
  private static String assertOneTree(JsonNode trace, Set<String> names) {
    Set<String> ids = new HashSet<>();
    trace.forEach(span -> ids.add(span.get("id").asText()));
    List<String> roots = new ArrayList<>();
    for (JsonNode span : trace) {
      names.add(span.get("name").asText());
      JsonNode parent = span.get("parentId");
      if (parent == null) {
        roots.add(span.get("name").asText());
      } else {
        assertThat(ids)
            .as("the parent of %s in %s", span.get("name"), span.get("traceId"))
            .contains(parent.asText());
      }
    }
    assertThat(roots).as("roots of trace %s", trace.get(0).get("traceId")).hasSize(1);
    return roots.get(0);
  }

  private JsonNode awaitTraces(ZipkinServer zipkin, long expected, String root) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode traces = json.createArrayNode();
    while (System.nanoTime() < deadline) {
      traces =
          json.readTree(
              zipkin.get("/api/v2/traces?serviceName=hyperlens-demo&limit=10000&lookback=3600000"));
      if (traces.size() >= expected && complete(traces, root)) {
        return traces;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "Zipkin holds " + traces.size() + " complete traces of the " + expected + " exported");
  }

  /** Whether every trace has its root span (exported last, when the workflow ends). */
  private static boolean complete(JsonNode traces, String root) {
    for (JsonNode trace : traces) {
      boolean workflow = false;
      for (JsonNode span : trace) {
        workflow |= span.get("name").asText().equals(root);
      }
      if (!workflow) {
        return false;
      }
    }
    return true;
  }
}
