package io.hyperlens.alerting;

/**
 * Where an alert is in its life, as in Prometheus: {@code INACTIVE} (its condition does not hold),
 * {@code PENDING} (it holds, not yet for the rule's {@code for} duration), {@code FIRING}
 * (notified), {@code RESOLVED} (it fired and its condition stopped holding; the resolve was sent).
 */
public enum AlertState {
  INACTIVE,
  PENDING,
  FIRING,
  RESOLVED;

  /** The wire value, lower case. */
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
