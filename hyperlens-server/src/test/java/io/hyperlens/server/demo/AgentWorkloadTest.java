package io.hyperlens.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentWorkloadTest {
  private final HypervisorEventBus bus = new HypervisorEventBus();

  @Test
  void successfulWorkflowCompletesItsSaga() {
    AgentWorkload workload = new AgentWorkload(bus, 1, 0.0, 0.0);

    DemoWorkload.WorkflowOutcome outcome = workload.runWorkflow();

    assertThat(outcome.sagaFailed()).isFalse();
    assertThat(outcome.breached()).isFalse();
    Map<String, Long> counts = bus.typeCounts();
    assertThat(counts)
        .containsEntry("session.created", 1L)
        .containsEntry("session.joined", 3L)
        .containsEntry("ring.assigned", 4L)
        .containsEntry("saga.step_started", 3L)
        .containsEntry("saga.step_committed", 3L)
        .containsEntry("saga.completed", 1L)
        .doesNotContainKeys("saga.escalated", "ring.breach_detected", "saga.step_failed");
    assertThat(bus.eventCount()).isEqualTo(26);
  }

  @Test
  void failedToolStepIsCompensatedAndEscalated() {
    AgentWorkload workload = new AgentWorkload(bus, 1, 1.0, 1.0);

    DemoWorkload.WorkflowOutcome outcome = workload.runWorkflow();

    assertThat(outcome.sagaFailed()).isTrue();
    assertThat(outcome.breached()).isTrue();
    HypervisorEvent failed = bus.queryByType(EventType.SAGA_STEP_FAILED).get(0);
    assertThat(failed.payload())
        .containsEntry("step_id", "call-tool")
        .containsEntry("error", "tool_timeout");
    HypervisorEvent compensating = bus.queryByType(EventType.SAGA_COMPENSATING).get(0);
    assertThat(compensating.payload()).containsEntry("step_action", "rollback");
    assertThat(bus.queryByType(EventType.SAGA_ESCALATED)).hasSize(1);
    assertThat(bus.queryByType(EventType.SAGA_COMPLETED)).isEmpty();
    assertThat(bus.queryByType(EventType.RING_BREACH_DETECTED).get(0).agentDid())
        .contains("did:mesh:tool-agent-0");
  }

  @Test
  void aFailedWorkflowsAgentSpansAreItsCausalTree() {
    DistributedTracer tracer = DistributedTracer.builder().build();
    AgentWorkload workload = new AgentWorkload(bus, tracer, 1, 1.0, 0.0);

    DemoWorkload.WorkflowOutcome outcome = workload.runWorkflow();

    List<HypervisorEvent> events = bus.queryBySession(outcome.sessionId());
    CausalTraceId orchestrator = trace(events, "did:mesh:orchestrator-0");
    CausalTraceId researcher = trace(events, "did:mesh:researcher-0");
    CausalTraceId tool = trace(events, "did:mesh:tool-agent-0");
    List<SpanData> spans = tracer.getTraceSpans(orchestrator.w3cTraceId());
    assertThat(outcome.traceId()).isEqualTo(orchestrator.traceId());
    // No writer span: the saga failed before the writer's step.
    assertThat(spans)
        .extracting(SpanData::name)
        .containsExactly("workflow", "invoke_agent researcher", "invoke_agent tool-agent");
    SpanData workflow = spans.get(0);
    assertThat(workflow.spanId()).isEqualTo(orchestrator.w3cSpanId());
    assertThat(workflow.parentSpanId()).isEmpty();
    assertThat(workflow.status()).isEqualTo(SpanStatus.ERROR);
    SpanData research = spans.get(1);
    assertThat(research.spanId()).isEqualTo(researcher.w3cSpanId());
    assertThat(research.parentSpanId()).contains(workflow.spanId());
    SpanData toolSpan = spans.get(2);
    assertThat(toolSpan.spanId()).isEqualTo(tool.w3cSpanId());
    assertThat(toolSpan.parentSpanId()).contains(research.spanId());
    assertThat(toolSpan.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(toolSpan.statusMessage()).contains("tool_timeout: no answer after 30s");
    assertThat(toolSpan.attributes()).containsEntry("gen_ai.agent.name", "tool-agent");
  }

  @Test
  void agentsCarryChildTraceIdsOfOneTree() {
    DemoWorkload.WorkflowOutcome outcome = new AgentWorkload(bus, 7, 0.5, 0.5).runWorkflow();

    List<HypervisorEvent> events = bus.queryBySession(outcome.sessionId());
    CausalTraceId orchestrator = trace(events, "did:mesh:orchestrator-0");
    CausalTraceId researcher = trace(events, "did:mesh:researcher-0");
    CausalTraceId writer = trace(events, "did:mesh:writer-0");
    CausalTraceId tool = trace(events, "did:mesh:tool-agent-0");
    assertThat(orchestrator.parentSpanId()).isEmpty();
    assertThat(orchestrator.traceId()).isEqualTo(outcome.traceId());
    assertThat(researcher.parentSpanId()).contains(orchestrator.spanId());
    assertThat(writer.parentSpanId()).contains(orchestrator.spanId());
    assertThat(tool.parentSpanId()).contains(researcher.spanId());
    assertThat(events)
        .allSatisfy(e -> assertThat(e.causalTraceId()).isPresent())
        .allSatisfy(
            e ->
                assertThat(CausalTraceId.fromString(e.causalTraceId().get()).traceId())
                    .isEqualTo(outcome.traceId()));
  }

  @Test
  void sameSeedGivesSameOutcomes() {
    AgentWorkload a = new AgentWorkload(new HypervisorEventBus(), 99, 0.3, 0.3);
    AgentWorkload b = new AgentWorkload(new HypervisorEventBus(), 99, 0.3, 0.3);
    for (int i = 0; i < 50; i++) {
      DemoWorkload.WorkflowOutcome x = a.runWorkflow();
      DemoWorkload.WorkflowOutcome y = b.runWorkflow();
      assertThat(x.sagaFailed()).isEqualTo(y.sagaFailed());
      assertThat(x.breached()).isEqualTo(y.breached());
    }
    assertThat(a.workflows()).isEqualTo(50);
  }

  @Test
  void rejectsRatesOutsideZeroToOne() {
    assertThatThrownBy(() -> new AgentWorkload(bus, 1, 1.5, 0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("failureRate must be within 0..1, got 1.5");
    assertThatThrownBy(() -> new AgentWorkload(bus, 1, 0, -0.1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("breachRate must be within 0..1, got -0.1");
  }

  private static CausalTraceId trace(List<HypervisorEvent> events, String agent) {
    return events.stream()
        .filter(e -> e.agentDid().orElse("").equals(agent))
        .map(e -> CausalTraceId.fromString(e.causalTraceId().orElseThrow()))
        .findFirst()
        .orElseThrow();
  }
}
