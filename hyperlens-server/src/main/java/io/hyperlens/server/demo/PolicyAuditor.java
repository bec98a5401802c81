package io.hyperlens.server.demo;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.prometheus.AgentOsTelemetry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's governance layer: decides on the workload's policy questions, one {@link
 * AgentOsTelemetry#evaluatePolicy} call each, so every decision is a {@code policy.evaluate} span,
 * {@code agent_os_*} metrics and (with an audit trail) an audit record. An elevation granted is
 * {@code allow}, a ring breach and the rate limit that follows are {@code deny}, an escalated saga
 * is {@code audit}, a file written is {@code allow}. Thread-safe.
 */
public final class PolicyAuditor implements AutoCloseable {
  private final AgentOsTelemetry telemetry;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final LongAdder decisions = new LongAdder();

  /** Subscribes to {@code bus}; decides through {@code telemetry} until closed. */
  public PolicyAuditor(HypervisorEventBus bus, AgentOsTelemetry telemetry) {
    this.telemetry = telemetry;
    for (EventType type :
        List.of(
            EventType.RING_ELEVATED,
            EventType.RING_BREACH_DETECTED,
            EventType.RATE_LIMITED,
            EventType.SAGA_ESCALATED,
            EventType.VFS_WRITE)) {
      subscriptions.add(bus.subscribe(type, this::decide));
    }
  }

  /** Decisions the audit trail failed to take (counted, never thrown into the workload). */
  public long failures() {
    return telemetry.recordFailures();
  }

  /** Decisions made. */
  public long decisions() {
    return decisions.sum();
  }

  private void decide(HypervisorEvent event) {
    Map<String, Object> p = event.payload();
    String action;
    String resource;
    String policy;
    PolicyDecision decision;
    switch (event.eventType()) {
      case RING_ELEVATED:
        action = "ring_elevate";
        resource = "ring:" + p.get("to_ring");
        policy = "rule-ring-elevation";
        decision = PolicyDecision.allow("elevation granted: " + p.get("reason"));
        break;
      case RING_BREACH_DETECTED:
        action = "tool_call";
        resource = "tool:" + p.get("attempted_tool");
        policy = "rule-ring-boundary";
        decision =
            PolicyDecision.deny("tool needs a more privileged ring than ring " + p.get("ring"));
        break;
      case RATE_LIMITED:
        action = "tool_call";
        resource = "limit:" + p.get("limit");
        policy = "rule-rate-limit";
        decision = PolicyDecision.deny("rate limited after " + p.get("reason"));
        break;
      case SAGA_ESCALATED:
        action = "saga_escalate";
        resource = "saga:" + p.get("saga_id");
        policy = "rule-saga-escalation";
        decision = PolicyDecision.audit(String.valueOf(p.get("reason")));
        break;
      default:
        action = "file_write";
        resource = String.valueOf(p.get("path"));
        policy = "rule-vfs-write";
        decision = PolicyDecision.allow("within the session's write policy");
        break;
    }
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("event_id", event.eventId());
    event.sessionId().ifPresent(s -> context.put("session_id", s));
    telemetry.evaluatePolicy(
        event.agentDid().orElse("unknown"), action, resource, policy, context, () -> decision);
    decisions.increment();
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::close);
  }
}
