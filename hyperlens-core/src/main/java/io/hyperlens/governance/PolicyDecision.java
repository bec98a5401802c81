package io.hyperlens.governance;

import java.util.Set;

/**
 * What a policy decided about an action: {@code allow}, {@code deny} or {@code audit} (permitted
 * and flagged for review), why, and whether a cache answered. The decision values are the audit
 * trail's and the {@code decision} label of the {@code agent_os_*} metrics.
 *
 * <pre>{@code
 * PolicyDecision decision = PolicyDecision.deny("Production writes blocked");
 * }</pre>
 *
 * @param decision {@code allow}, {@code deny} or {@code audit}
 * @param reason why, for a person; may be null
 * @param cacheHit whether the decision came from a cache rather than an evaluation
 */
public record PolicyDecision(String decision, String reason, boolean cacheHit) {
  private static final Set<String> DECISIONS = Set.of("allow", "deny", "audit");

  /**
   * Checks the decision.
   *
   * @throws IllegalArgumentException naming the value when it is not allow, deny or audit
   */
  public PolicyDecision {
    if (decision == null || !DECISIONS.contains(decision)) {
      throw new IllegalArgumentException(
          "decision must be allow, deny or audit, got "
              + (decision == null ? "null" : '"' + decision + '"'));
    }
  }

  /** The action may go ahead. */
  public static PolicyDecision allow(String reason) {
    return new PolicyDecision("allow", reason, false);
  }

  /** The action is blocked: a violation. */
  public static PolicyDecision deny(String reason) {
    return new PolicyDecision("deny", reason, false);
  }

  /** The action may go ahead, flagged for review. */
  public static PolicyDecision audit(String reason) {
    return new PolicyDecision("audit", reason, false);
  }

  /** This decision, marked as answered by a cache. */
  public PolicyDecision fromCache() {
    return new PolicyDecision(decision, reason, true);
  }

  /** Whether the action is blocked. */
  public boolean denied() {
    return decision.equals("deny");
  }
}
