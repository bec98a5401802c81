package io.hyperlens.event;

import java.util.HashMap;
import java.util.Map;

/**
 * The typed catalogue of hypervisor events: 40 members in eight {@link EventCategory categories},
 * each with the dotted wire value the other Agent Hypervisor implementations use.
 *
 * <pre>{@code
 * EventType type = EventType.fromValue("ring.breach_detected");
 * type == EventType.RING_BREACH_DETECTED;          // true
 * type.category() == EventCategory.RING;           // true
 * }</pre>
 */
public enum EventType {
  // session
  SESSION_CREATED("session.created", EventCategory.SESSION),
  SESSION_JOINED("session.joined", EventCategory.SESSION),
  SESSION_ACTIVATED("session.activated", EventCategory.SESSION),
  SESSION_TERMINATED("session.terminated", EventCategory.SESSION),
  SESSION_ARCHIVED("session.archived", EventCategory.SESSION),
  // ring
  RING_ASSIGNED("ring.assigned", EventCategory.RING),
  RING_ELEVATED("ring.elevated", EventCategory.RING),
  RING_DEMOTED("ring.demoted", EventCategory.RING),
  RING_ELEVATION_EXPIRED("ring.elevation_expired", EventCategory.RING),
  RING_BREACH_DETECTED("ring.breach_detected", EventCategory.RING),
  // liability
  VOUCH_CREATED("liability.vouch_created", EventCategory.LIABILITY),
  VOUCH_RELEASED("liability.vouch_released", EventCategory.LIABILITY),
  SLASH_EXECUTED("liability.slash_executed", EventCategory.LIABILITY),
  FAULT_ATTRIBUTED("liability.fault_attributed", EventCategory.LIABILITY),
  QUARANTINE_ENTERED("liability.quarantine_entered", EventCategory.LIABILITY),
  QUARANTINE_RELEASED("liability.quarantine_released", EventCategory.LIABILITY),
  // saga
  SAGA_CREATED("saga.created", EventCategory.SAGA),
  SAGA_STEP_STARTED("saga.step_started", EventCategory.SAGA),
  SAGA_STEP_COMMITTED("saga.step_committed", EventCategory.SAGA),
  SAGA_STEP_FAILED("saga.step_failed", EventCategory.SAGA),
  SAGA_COMPENSATING("saga.compensating", EventCategory.SAGA),
  SAGA_COMPLETED("saga.completed", EventCategory.SAGA),
  SAGA_ESCALATED("saga.escalated", EventCategory.SAGA),
  SAGA_FANOUT_STARTED("saga.fanout_started", EventCategory.SAGA),
  SAGA_FANOUT_RESOLVED("saga.fanout_resolved", EventCategory.SAGA),
  SAGA_CHECKPOINT_SAVED("saga.checkpoint_saved", EventCategory.SAGA),
  // vfs
  VFS_WRITE("vfs.write", EventCategory.VFS),
  VFS_DELETE("vfs.delete", EventCategory.VFS),
  VFS_SNAPSHOT("vfs.snapshot", EventCategory.VFS),
  VFS_RESTORE("vfs.restore", EventCategory.VFS),
  VFS_CONFLICT("vfs.conflict", EventCategory.VFS),
  // security
  RATE_LIMITED("security.rate_limited", EventCategory.SECURITY),
  AGENT_KILLED("security.agent_killed", EventCategory.SECURITY),
  SAGA_HANDOFF("security.saga_handoff", EventCategory.SECURITY),
  IDENTITY_VERIFIED("security.identity_verified", EventCategory.SECURITY),
  // audit
  AUDIT_DELTA_CAPTURED("audit.delta_captured", EventCategory.AUDIT),
  AUDIT_COMMITTED("audit.committed", EventCategory.AUDIT),
  AUDIT_GC_COLLECTED("audit.gc_collected", EventCategory.AUDIT),
  // verification
  BEHAVIOR_DRIFT("verification.behavior_drift", EventCategory.VERIFICATION),
  HISTORY_VERIFIED("verification.history_verified", EventCategory.VERIFICATION);

  private static final Map<String, EventType> BY_VALUE = new HashMap<>();

  static {
    for (EventType type : values()) {
      BY_VALUE.put(type.value, type);
    }
  }

  private final String value;
  private final EventCategory category;

  EventType(String value, EventCategory category) {
    this.value = value;
    this.category = category;
  }

  /** The dotted wire value, e.g. {@code "liability.slash_executed"}. */
  public String value() {
    return value;
  }

  /** The family this event belongs to. */
  public EventCategory category() {
    return category;
  }

  /**
   * The member whose {@link #value()} is {@code value}.
   *
   * @throws IllegalArgumentException naming the value when no member has it
   */
  public static EventType fromValue(String value) {
    if (value == null) {
      throw new IllegalArgumentException("event type value must not be null");
    }
    EventType type = BY_VALUE.get(value);
    if (type == null) {
      throw new IllegalArgumentException(
          "Unknown event type \""
              + value
              + "\" (expected a dotted value such as \"ring.assigned\")");
    }
    return type;
  }
}
