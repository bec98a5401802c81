package io.hyperlens.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.server.query.CausalTree;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import io.hyperlens.trace.TraceContext;
import io.opentelemetry.api.metrics.MeterProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The demo's real LangChain4j agents: one causal tree, spans and decisions per workflow. */
class LangChain4jWorkloadTest {
  private final HypervisorEventBus bus = new HypervisorEventBus();
  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final List<String> decisions = new CopyOnWriteArrayList<>();
  private final DecisionRecorder recorder =
      (agent, action, resource, policy, decision, context) ->
          decisions.add(
              String.join(" ", agent, action, resource, policy, decision.decision())
                  + " session="
                  + context.get("session_id"));

  private LangChain4jWorkload workload(double failureRate, double breachRate) {
    return new LangChain4jWorkload(
        bus, tracer, MeterProvider.noop(), recorder, 3, failureRate, breachRate);
  }

  @Test
  void aWorkflowIsOneTreeOfSupervisorResearcherAndWriterWithAFailedAndADeniedTool() {
    LangChain4jWorkload workload = workload(1.0, 1.0);

    DemoWorkload.WorkflowOutcome outcome = workload.runWorkflow();

    assertThat(outcome.sessionId()).isEqualTo("lc4j-session-000000");
    assertThat(outcome.sagaFailed()).isTrue();
    assertThat(outcome.breached()).isTrue();
    List<CausalTree.Node> roots =
        CausalTree.of(outcome.traceId(), bus.queryBySession(outcome.sessionId())).roots();
    assertThat(roots).hasSize(1);
    assertThat(roots.get(0).agentDid()).isEqualTo("did:mesh:supervisor");
    assertThat(roots.get(0).events())
        .containsExactly("session.created", "saga.created", "saga.completed", "session.terminated");
    assertThat(roots.get(0).children())
        .extracting(CausalTree.Node::agentDid)
        .containsExactly("did:mesh:researcher", "did:mesh:writer");
    assertThat(roots.get(0).children().get(0).events())
        .startsWith("session.joined", "saga.step_started")
        .contains("saga.step_failed");
    assertThat(decisions)
        .containsExactlyInAnyOrder(
            "did:mesh:researcher tool.execute web_search tool-ring-policy allow"
                + " session=lc4j-session-000000",
            "did:mesh:researcher tool.execute archive_lookup tool-ring-policy allow"
                + " session=lc4j-session-000000",
            "did:mesh:researcher tool.execute shell_exec tool-ring-policy deny"
                + " session=lc4j-session-000000");

    String traceId = TraceContext.of(outcome.traceId(), null, null).traceId();
    List<SpanData> spans = tracer.getTraceSpans(traceId);
    Map<String, SpanData> byName =
        spans.stream()
            .collect(java.util.stream.Collectors.toMap(SpanData::name, s -> s, (a, b) -> a));
    assertThat(byName)
        .containsKeys(
            "invoke_agent supervisor",
            "invoke_agent researcher",
            "invoke_agent writer",
            "chat gpt-4o",
            "chat gpt-4o-mini",
            "execute_tool web_search",
            "execute_tool archive_lookup",
            "execute_tool shell_exec");
    assertThat(byName.get("invoke_agent supervisor").parentSpanId()).isEmpty();
    assertThat(byName.get("execute_tool archive_lookup").attributes())
        .containsEntry("error.type", "tool_error");
    assertThat(byName.get("execute_tool shell_exec").attributes())
        .containsEntry("error.type", "tool_denied");
    assertThat(byName.get("execute_tool web_search").status()).isEqualTo(SpanStatus.UNSET);
    assertThat(byName.get("chat gpt-4o-mini").attributes())
        .containsEntry("gen_ai.agent.name", "researcher")
        .containsEntry("session.id", "lc4j-session-000000")
        .containsKey("gen_ai.usage.input_tokens");
    assertThat(workload.hyperlens().agentListener().failures()).isZero();
  }

  @Test
  void withNoFailuresEveryToolRunsAndNothingIsDenied() {
    LangChain4jWorkload workload = workload(0.0, 0.0);

    for (int i = 0; i < 3; i++) {
      DemoWorkload.WorkflowOutcome outcome = workload.runWorkflow();
      assertThat(outcome.sagaFailed()).isFalse();
      assertThat(outcome.breached()).isFalse();
    }
    assertThat(workload.workflows()).isEqualTo(3);
    assertThat(decisions)
        .hasSize(3)
        .allMatch(d -> d.contains("web_search") && d.contains(" allow"));
    assertThat(bus.typeCounts())
        .containsEntry("session.created", 3L)
        .containsEntry("session.joined", 6L)
        .containsEntry("saga.completed", 3L)
        .doesNotContainKeys("saga.step_failed", "saga.escalated");
  }

  @Test
  void ratesOutside0To1AreRefusedNamingTheField() {
    assertThatThrownBy(() -> workload(1.5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failureRate must be within 0..1, got 1.5");
    assertThatThrownBy(() -> workload(0, -0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("breachRate must be within 0..1, got -0.1");
  }
}
