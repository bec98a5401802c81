package io.hyperlens.alerting;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;

/**
 * The state machine of one alert: inactive, pending, firing, resolved. {@link #step} is called at
 * every evaluation with whether the condition holds; what it returns says what to notify. Not
 * thread-safe (one evaluator owns it).
 */
final class AlertTracker {
  /** What one step did. */
  enum Transition {
    /** Nothing changed that anyone needs to hear. */
    NONE,
    /** The condition began to hold; the alert waits for {@code for}. */
    PENDING,
    /** A pending alert's condition stopped holding before it fired. */
    CLEARED,
    /** The alert fired: send a trigger. */
    TRIGGER,
    /** Still firing after the repeat interval: send the trigger again. */
    REPEAT,
    /** It stopped holding after firing: send a resolve. */
    RESOLVE
  }

  private final AlertRule rule;
  private final SortedMap<String, String> labels;
  private final SortedMap<String, String> groupLabels;
  private AlertState state = AlertState.INACTIVE;
  private double value;
  private String summary;
  private Instant activeAt;
  private Instant firedAt;
  private Instant resolvedAt;
  private Instant lastNotifiedAt;
  private Instant holdUntil;

  AlertTracker(
      AlertRule rule, SortedMap<String, String> labels, SortedMap<String, String> groupLabels) {
    this.rule = rule;
    this.labels = labels;
    this.groupLabels = groupLabels;
  }

  /**
   * A tracker carrying on from {@code saved} (a restart); while firing, a condition that does not
   * hold before {@code holdUntil} (null: no hold) does not resolve it yet.
   */
  static AlertTracker restore(AlertRule rule, Alert saved, Instant holdUntil) {
    AlertTracker tracker = new AlertTracker(rule, saved.labels(), saved.groupLabels());
    tracker.state = saved.state();
    tracker.value = saved.value();
    tracker.summary = saved.summary();
    tracker.activeAt = saved.activeAt();
    tracker.firedAt = saved.firedAt();
    tracker.resolvedAt = saved.resolvedAt();
    tracker.lastNotifiedAt = saved.lastNotifiedAt();
    tracker.holdUntil = holdUntil;
    return tracker;
  }

  /**
   * One evaluation at {@code now}.
   *
   * @param holds whether the rule's condition holds for this group now
   * @param value the value it saw (kept as the alert's value while it holds)
   * @param summary the summary for that value
   * @param repeat how long a firing alert waits before its trigger is sent again, or null never
   */
  Transition step(boolean holds, double value, String summary, Instant now, Duration repeat) {
    if (holds) {
      this.value = value;
      this.summary = summary;
      switch (state) {
        case INACTIVE:
        case RESOLVED:
          activeAt = now;
          resolvedAt = null;
          firedAt = null;
          if (rule.forDuration().isZero()) {
            return fire(now);
          }
          state = AlertState.PENDING;
          return Transition.PENDING;
        case PENDING:
          return Duration.between(activeAt, now).compareTo(rule.forDuration()) >= 0
              ? fire(now)
              : Transition.NONE;
        default: // FIRING
          if (repeat != null
              && (lastNotifiedAt == null
                  || Duration.between(lastNotifiedAt, now).compareTo(repeat) >= 0)) {
            lastNotifiedAt = now;
            return Transition.REPEAT;
          }
          return Transition.NONE;
      }
    }
    switch (state) {
      case PENDING:
        state = AlertState.INACTIVE;
        activeAt = null;
        return Transition.CLEARED;
      case FIRING:
        if (holdUntil != null && now.isBefore(holdUntil)) {
          return Transition.NONE; // restored: its window has not been seen whole since the start
        }
        state = AlertState.RESOLVED;
        resolvedAt = now;
        return Transition.RESOLVE;
      default:
        return Transition.NONE;
    }
  }

  private Transition fire(Instant now) {
    state = AlertState.FIRING;
    firedAt = now;
    lastNotifiedAt = now;
    return Transition.TRIGGER;
  }

  /** Lets a restored alert resolve at once (see {@link #restore}). */
  void releaseHold() {
    holdUntil = null;
  }

  AlertState state() {
    return state;
  }

  SortedMap<String, String> groupLabels() {
    return groupLabels;
  }

  AlertRule rule() {
    return rule;
  }

  /** A snapshot of the alert now. */
  Alert snapshot() {
    return new Alert(
        rule.id(),
        labels,
        groupLabels,
        Map.of(
            "summary",
            summary == null ? rule.id() : summary,
            "description",
            rule.type().value() + " rule " + rule.id() + ": " + rule.describe()),
        state,
        rule.severity(),
        value,
        activeAt,
        firedAt,
        resolvedAt,
        lastNotifiedAt,
        rule.alert());
  }
}
