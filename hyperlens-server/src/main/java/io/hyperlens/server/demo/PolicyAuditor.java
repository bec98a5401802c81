package io.hyperlens.server.demo;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.otel.GovernanceMetrics;
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
 * is {@code audit}, a file written is {@code allow}. A question asked before about the same policy
 * and resource (ring 1, a rate limit) is answered from a small decision cache, as a policy engine
 * would, and counted as a cache hit. With {@link GovernanceMetrics}, each decision is also one of
 * the OpenTelemetry {@code agent_governance.*} measurements (decision, tool call allowed or
 * blocked, rate limit hit, evaluation latency), the audit events the workload commits are counted,
 * and the trust score is the share of decisions that allowed, on 0..1000. Thread-safe.
 */
public final class PolicyAuditor implements AutoCloseable {
  private final AgentOsTelemetry telemetry;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final LongAdder decisions = new LongAdder();
  private final LongAdder allowed = new LongAdder();
  private final GovernanceMetrics governance;
  private final Map<String, PolicyDecision> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PolicyDecision> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  private static final int CACHE_SIZE = 1_000;

  /** Subscribes to {@code bus}; decides through {@code telemetry} until closed. */
  public PolicyAuditor(HypervisorEventBus bus, AgentOsTelemetry telemetry) {
    this(bus, telemetry, null);
  }

  /**
   * Subscribes to {@code bus}; decides through {@code telemetry} and, unless null, measures each
   * decision on {@code governance} too.
   */
  public PolicyAuditor(
      HypervisorEventBus bus, AgentOsTelemetry telemetry, GovernanceMetrics governance) {
    this.telemetry = telemetry;
    this.governance = governance;
    if (governance != null) {
      subscriptions.add(
          bus.subscribe(
              EventType.AUDIT_COMMITTED, e -> governance.recordAuditEvent(e.eventType().value())));
      governance.registerTrustScoreGauge(
          m -> {
            long all = decisions.sum();
            if (all > 0) {
              m.record(1000.0 * allowed.sum() / all);
            }
          });
    }
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
    String agent = event.agentDid().orElse("unknown");
    long start = System.nanoTime();
    PolicyDecision made =
        telemetry.evaluatePolicy(
            agent, action, resource, policy, context, () -> cached(policy, resource, decision));
    decisions.increment();
    if (!made.denied()) {
      allowed.increment();
    }
    if (governance != null) {
      governance.recordDecision(
          !made.denied(),
          agent,
          action,
          (System.nanoTime() - start) / 1e6,
          event.eventType() == EventType.RATE_LIMITED);
    }
  }

  /** {@code decision}, or the one given before for the same policy and resource, as a hit. */
  private PolicyDecision cached(String policy, String resource, PolicyDecision decision) {
    String key = policy + '\u0000' + resource;
    synchronized (cache) {
      PolicyDecision before = cache.get(key);
      if (before != null && before.decision().equals(decision.decision())) {
        return before.fromCache();
      }
      cache.put(key, decision);
      return decision;
    }
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::close);
  }
}
