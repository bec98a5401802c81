package io.hyperlens.alerting;

import java.time.Instant;

/**
 * What a channel is asked to deliver: an alert that fired (or fires again after the repeat
 * interval) or resolved.
 *
 * @param kind trigger or resolve
 * @param alert the alert at that moment
 * @param repeat true for a trigger sent again after the repeat interval (or a resend to
 *     Alertmanager)
 * @param test true for {@code hyperlens alerts test}'s alert, which no rule raised
 * @param at when it was decided (the evaluation's time): an Alertmanager {@code endsAt} counts from
 *     it
 */
public record Notification(Kind kind, Alert alert, boolean repeat, boolean test, Instant at) {
  /** PagerDuty's {@code event_action}, Alertmanager's {@code status}. */
  public enum Kind {
    TRIGGER,
    RESOLVE
  }

  public Notification {
    if (kind == null || alert == null || at == null) {
      throw new IllegalArgumentException("kind, alert and at must not be null");
    }
  }

  /** Whether this is a resolve. */
  public boolean resolved() {
    return kind == Kind.RESOLVE;
  }
}
