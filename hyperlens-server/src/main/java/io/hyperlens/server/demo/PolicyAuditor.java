package io.hyperlens.server.demo;

import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditEntryBuilder;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.Decision;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records the policy decisions of the demo workload in an audit trail, as a governance layer would:
 * an elevation granted is {@code allow}, a ring breach and the rate limit that follows are {@code
 * deny}, an escalated saga is {@code audit}, a file written is {@code allow}. Thread-safe.
 */
public final class PolicyAuditor implements AutoCloseable {
  private final AuditLog log;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final LongAdder failures = new LongAdder();

  /** Subscribes to {@code bus}; appends to {@code log} until closed (the log stays open). */
  public PolicyAuditor(HypervisorEventBus bus, AuditLog log) {
    this.log = log;
    for (EventType type :
        List.of(
            EventType.RING_ELEVATED,
            EventType.RING_BREACH_DETECTED,
            EventType.RATE_LIMITED,
            EventType.SAGA_ESCALATED,
            EventType.VFS_WRITE)) {
      subscriptions.add(bus.subscribe(type, this::record));
    }
  }

  /** Appends that failed (counted, never thrown into the workload). */
  public long failures() {
    return failures.sum();
  }

  private void record(HypervisorEvent event) {
    Map<String, Object> p = event.payload();
    AuditEntryBuilder entry;
    switch (event.eventType()) {
      case RING_ELEVATED:
        entry =
            entry(event, "ring_elevate", Decision.ALLOW, "rule-ring-elevation")
                .resource("ring:" + p.get("to_ring"))
                .reason("elevation granted: " + p.get("reason"));
        break;
      case RING_BREACH_DETECTED:
        entry =
            entry(event, "tool_call", Decision.DENY, "rule-ring-boundary")
                .resource("tool:" + p.get("attempted_tool"))
                .reason("tool needs a more privileged ring than ring " + p.get("ring"));
        break;
      case RATE_LIMITED:
        entry =
            entry(event, "tool_call", Decision.DENY, "rule-rate-limit")
                .resource("limit:" + p.get("limit"))
                .reason("rate limited after " + p.get("reason"));
        break;
      case SAGA_ESCALATED:
        entry =
            entry(event, "saga_escalate", Decision.AUDIT, "rule-saga-escalation")
                .resource("saga:" + p.get("saga_id"))
                .reason(String.valueOf(p.get("reason")));
        break;
      default:
        entry =
            entry(event, "file_write", Decision.ALLOW, "rule-vfs-write")
                .resource(String.valueOf(p.get("path")))
                .reason("within the session's write policy");
        break;
    }
    try {
      log.append(entry.build());
    } catch (RuntimeException e) {
      failures.increment();
    }
  }

  private static AuditEntryBuilder entry(
      HypervisorEvent event, String action, Decision decision, String rule) {
    AuditEntryBuilder entry =
        AuditEntry.builder()
            .agentId(event.agentDid().orElse("unknown"))
            .action(action)
            .decision(decision)
            .ruleId(rule)
            .timestamp(event.timestamp())
            .context("event_id", event.eventId());
    event.sessionId().ifPresent(s -> entry.context("session_id", s));
    return entry;
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::close);
  }
}
