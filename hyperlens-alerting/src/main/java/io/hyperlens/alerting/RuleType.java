package io.hyperlens.alerting;

/**
 * The kinds of alert rule, with the wire names of Agent OS's {@code AlertConfig} rules ({@code
 * violation}, {@code latency_spike}) and the ones Hyperlens adds.
 */
public enum RuleType {
  /** Policy denials and ring breaches: at least {@code threshold} in {@code window}. */
  VIOLATION("violation"),
  /** A latency quantile over {@code window} above {@code threshold_ms}, on tool or policy work. */
  LATENCY_SPIKE("latency_spike"),
  /** At least {@code threshold} ring breaches in {@code window}. */
  RING_BREACH_RATE("ring_breach_rate"),
  /** An agent's elevation open for longer than {@code threshold_seconds}. */
  ELEVATION_TOO_LONG("elevation_too_long"),
  /** At least {@code threshold} escalated sagas in {@code window}. */
  SAGA_ESCALATED("saga_escalated"),
  /** At least {@code threshold} saga compensations in {@code window}. */
  COMPENSATION_RATE("compensation_rate"),
  /** Failed saga steps over finished ones in {@code window} at or above {@code threshold}. */
  ERROR_RATE("error_rate"),
  /** No event from an agent for {@code threshold_seconds}. */
  AGENT_SILENT("agent_silent"),
  /** The last verification of the audit trail failed. */
  AUDIT_VERIFICATION_FAILED("audit_verification_failed");

  private final String value;

  RuleType(String value) {
    this.value = value;
  }

  /** The wire name, e.g. {@code latency_spike}. */
  public String value() {
    return value;
  }

  /**
   * The rule type named {@code value}.
   *
   * @throws IllegalArgumentException naming the value and every accepted one
   */
  public static RuleType fromValue(String value) {
    for (RuleType type : values()) {
      if (type.value.equals(value)) {
        return type;
      }
    }
    StringBuilder known = new StringBuilder();
    for (RuleType type : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(type.value);
    }
    throw new IllegalArgumentException("type must be one of " + known + "; got " + value);
  }
}
