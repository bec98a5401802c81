package io.hyperlens.governance;

import java.util.Map;

/**
 * Where policy decisions are kept for the record: the audit trail ({@code AuditLog} implements it).
 * Implementations must be thread-safe; a failure is the caller's to count, never the decision's.
 */
@FunctionalInterface
public interface DecisionRecorder {
  /**
   * Records that {@code policy} decided {@code decision} about {@code agent} doing {@code action}
   * on {@code resource} (which may be null), with {@code context} (a session id, the event it
   * answers; may be empty).
   */
  void record(
      String agent,
      String action,
      String resource,
      String policy,
      PolicyDecision decision,
      Map<String, ?> context);
}
