package io.hyperlens.server.demo;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A simulated multi-agent workflow on the event bus: an orchestrator opens a session and spawns a
 * researcher and a writer, the researcher delegates to a tool agent; agents get rings, the tool
 * agent is elevated by a vouch and demoted again (or its elevation expires), sometimes breaches its
 * ring; a three-step saga runs, and when its tool step fails the earlier step is compensated and
 * the saga escalates.
 *
 * <p>Each workflow is also traced with a {@link DistributedTracer}, one span per agent's work, each
 * the span of the agent's {@link CausalTraceId} (see {@link
 * io.hyperlens.trace.SpanBuilder#setCausalTraceId}): {@code workflow} for the orchestrator (the
 * trace's root), {@code invoke_agent researcher} under it, {@code invoke_agent tool-agent} under
 * that, {@code invoke_agent writer} under the workflow. The saga's own spans (the saga and one per
 * step) come from the saga exporter, under the span current when the saga started, so no step is
 * traced twice.
 *
 * <p>Each call of {@link #runWorkflow()} emits one workflow's events on the calling thread. Not
 * thread-safe: one workload per thread.
 */
public final class AgentWorkload implements DemoWorkload {
  /** Agents come from a small pool so per-agent series stay bounded. */
  static final int AGENT_POOL = 8;

  private final HypervisorEventBus bus;
  private final DistributedTracer tracer;
  private final Random random;
  private final double failureRate;
  private final double breachRate;
  private long workflows;

  /**
   * @param failureRate probability that a saga's tool step fails, 0..1
   * @param breachRate probability that the tool agent breaches its ring, 0..1
   */
  public AgentWorkload(HypervisorEventBus bus, long seed, double failureRate, double breachRate) {
    this(
        bus,
        DistributedTracer.builder().serviceName("hyperlens-demo").build(),
        seed,
        failureRate,
        breachRate);
  }

  /**
   * A workload whose workflows are traced by {@code tracer}.
   *
   * @param failureRate probability that a saga's tool step fails, 0..1
   * @param breachRate probability that the tool agent breaches its ring, 0..1
   */
  public AgentWorkload(
      HypervisorEventBus bus,
      DistributedTracer tracer,
      long seed,
      double failureRate,
      double breachRate) {
    if (failureRate < 0 || failureRate > 1) {
      throw new IllegalArgumentException("failureRate must be within 0..1, got " + failureRate);
    }
    if (breachRate < 0 || breachRate > 1) {
      throw new IllegalArgumentException("breachRate must be within 0..1, got " + breachRate);
    }
    this.bus = bus;
    this.tracer = tracer;
    this.random = new Random(seed);
    this.failureRate = failureRate;
    this.breachRate = breachRate;
  }

  @Override
  public DistributedTracer tracer() {
    return tracer;
  }

  @Override
  public long workflows() {
    return workflows;
  }

  @Override
  @SuppressWarnings("try") // the scope only keeps the workflow span current
  public WorkflowOutcome runWorkflow() {
    long n = workflows++;
    int slot = (int) (n % AGENT_POOL);
    String session = String.format("session-%06d", n);
    String sagaId = String.format("saga-%06d", n);
    Agent orchestrator = new Agent("did:mesh:orchestrator-" + slot, CausalTraceId.root());
    Agent researcher = new Agent("did:mesh:researcher-" + slot, orchestrator.trace.child());
    Agent writer = new Agent("did:mesh:writer-" + slot, orchestrator.trace.child());
    Agent toolAgent = new Agent("did:mesh:tool-agent-" + slot, researcher.trace.child());

    Span workflow =
        tracer
            .spanBuilder("workflow")
            .setCausalTraceId(orchestrator.trace)
            .setAttribute("session.id", session)
            .setAttribute("agent.did", orchestrator.did)
            .startSpan();
    boolean failed = false;
    boolean breached = false;
    try (Scope scope = workflow.makeCurrent()) {
      String created =
          emit(EventType.SESSION_CREATED, session, orchestrator, null, Map.of("model", "gpt-4o"));
      emit(EventType.RING_ASSIGNED, session, orchestrator, created, Map.of("ring", 2));
      for (Agent agent : new Agent[] {researcher, writer, toolAgent}) {
        emit(EventType.SESSION_JOINED, session, agent, created, Map.of());
        emit(EventType.RING_ASSIGNED, session, agent, created, Map.of("ring", 3));
      }
      emit(EventType.SESSION_ACTIVATED, session, orchestrator, created, Map.of());

      String saga =
          emit(EventType.SAGA_CREATED, session, orchestrator, created, sagaPayload(sagaId));
      Span research = agentSpan(researcher, "researcher", session);
      try (Scope researching = research.makeCurrent()) {
        step(session, researcher, saga, sagaId, "gather-sources", "research", null);
        Span tool = agentSpan(toolAgent, "tool-agent", session);
        try (Scope tooling = tool.makeCurrent()) {
          // The tool agent needs ring 1 for its tool call: vouched, elevated, then back to ring 3.
          String vouch =
              emit(
                  EventType.VOUCH_CREATED,
                  session,
                  orchestrator,
                  saga,
                  Map.of("vouchee", toolAgent.did, "stake", 50));
          emit(
              EventType.RING_ELEVATED,
              session,
              toolAgent,
              vouch,
              Map.of("from_ring", 3, "to_ring", 1, "reason", "admin vouch"));
          breached = random.nextDouble() < breachRate;
          if (breached) {
            String breach =
                emit(
                    EventType.RING_BREACH_DETECTED,
                    session,
                    toolAgent,
                    vouch,
                    Map.of("attempted_tool", "shell_exec", "ring", 1));
            emit(
                EventType.RATE_LIMITED,
                session,
                toolAgent,
                breach,
                Map.of("limit", "10/min", "reason", "ring breach"));
          }
          failed = random.nextDouble() < failureRate;
          step(
              session,
              toolAgent,
              saga,
              sagaId,
              "call-tool",
              "invoke_tool",
              failed ? "tool_timeout" : null);
          if (random.nextBoolean()) {
            emit(
                EventType.RING_DEMOTED,
                session,
                toolAgent,
                vouch,
                Map.of("from_ring", 1, "to_ring", 3));
          } else {
            emit(
                EventType.RING_ELEVATION_EXPIRED,
                session,
                toolAgent,
                vouch,
                Map.of("from_ring", 1, "to_ring", 3));
          }
          emit(
              EventType.VOUCH_RELEASED,
              session,
              orchestrator,
              vouch,
              Map.of("vouchee", toolAgent.did));
        } finally {
          tracer.finishSpan(
              tool,
              failed ? SpanStatus.ERROR : SpanStatus.OK,
              failed ? "tool_timeout: no answer after 30s" : null);
        }
      } finally {
        tracer.finishSpan(research, SpanStatus.OK, null);
      }

      if (failed) {
        Map<String, Object> compensation = sagaPayload(sagaId);
        compensation.put("step_id", "rollback-sources");
        compensation.put("step_action", "rollback");
        emit(EventType.SAGA_COMPENSATING, session, researcher, saga, compensation);
        Map<String, Object> escalation = sagaPayload(sagaId);
        escalation.put("reason", "tool step failed: tool_timeout");
        emit(EventType.SAGA_ESCALATED, session, orchestrator, saga, escalation);
        emit(
            EventType.FAULT_ATTRIBUTED,
            session,
            orchestrator,
            saga,
            Map.of("agent", toolAgent.did, "fault", "tool_timeout"));
      } else {
        Span writing = agentSpan(writer, "writer", session);
        try (Scope writingScope = writing.makeCurrent()) {
          step(session, writer, saga, sagaId, "draft-report", "write", null);
          emit(
              EventType.VFS_WRITE,
              session,
              writer,
              saga,
              Map.of("path", "/reports/" + sagaId + ".md", "bytes", 1024 + random.nextInt(8192)));
        } finally {
          tracer.finishSpan(writing, SpanStatus.OK, null);
        }
        emit(EventType.SAGA_COMPLETED, session, orchestrator, saga, sagaPayload(sagaId));
      }

      String delta =
          emit(EventType.AUDIT_DELTA_CAPTURED, session, orchestrator, created, Map.of("deltas", 3));
      emit(EventType.AUDIT_COMMITTED, session, orchestrator, delta, Map.of());
      emit(EventType.SESSION_TERMINATED, session, orchestrator, created, Map.of());
      emit(EventType.SESSION_ARCHIVED, session, orchestrator, created, Map.of());
    } finally {
      tracer.finishSpan(
          workflow,
          failed ? SpanStatus.ERROR : SpanStatus.OK,
          failed ? "tool step failed: tool_timeout" : null);
    }
    return new WorkflowOutcome(session, orchestrator.trace.traceId(), failed, breached);
  }

  private void step(
      String session,
      Agent agent,
      String parent,
      String sagaId,
      String stepId,
      String action,
      String error) {
    Map<String, Object> payload = sagaPayload(sagaId);
    payload.put("step_id", stepId);
    payload.put("step_action", action);
    // The saga exporter turns the step's events into its span, saga.step.{action}.
    String started = emit(EventType.SAGA_STEP_STARTED, session, agent, parent, payload);
    if (error == null) {
      payload.put("result", "ok");
      emit(EventType.SAGA_STEP_COMMITTED, session, agent, started, payload);
    } else {
      payload.put("error", error);
      payload.put("reason", "no answer after 30s");
      emit(EventType.SAGA_STEP_FAILED, session, agent, started, payload);
    }
  }

  /** The span of {@code agent}'s work: its causal span, a child of its spawner's. */
  private Span agentSpan(Agent agent, String role, String session) {
    return tracer
        .spanBuilder("invoke_agent " + role)
        .setCausalTraceId(agent.trace)
        .setAttribute("gen_ai.operation.name", "invoke_agent")
        .setAttribute("gen_ai.agent.name", role)
        .setAttribute("agent.did", agent.did)
        .setAttribute("session.id", session)
        .startSpan();
  }

  private static Map<String, Object> sagaPayload(String sagaId) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("saga_id", sagaId);
    return payload;
  }

  private String emit(
      EventType type, String session, Agent agent, String parent, Map<String, ?> payload) {
    HypervisorEvent event =
        bus.eventBuilder(type)
            .sessionId(session)
            .agentDid(agent.did)
            .causalTraceId(agent.trace)
            .parentEventId(parent)
            .payload(payload)
            .build();
    bus.emit(event);
    return event.eventId();
  }

  private static final class Agent {
    final String did;
    final CausalTraceId trace;

    Agent(String did, CausalTraceId trace) {
      this.did = did;
      this.trace = trace;
    }
  }
}
