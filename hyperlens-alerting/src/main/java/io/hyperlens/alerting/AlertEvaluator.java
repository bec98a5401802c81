package io.hyperlens.alerting;

import io.hyperlens.event.HypervisorEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The rules and their alerts, evaluated on one thread: observations go to every rule, and each
 * {@link #evaluate} steps every alert's state machine and returns what to notify. Holds no thread
 * and no clock of its own: {@link Alerting} drives it; tests drive it on a controlled clock.
 */
final class AlertEvaluator {
  private final Map<String, RuleState> rules = new LinkedHashMap<>();
  private final Map<String, Map<List<String>, AlertTracker>> trackers = new HashMap<>();
  private final Duration repeat;
  private final int historySize;
  private final Deque<Alert> history = new ArrayDeque<>();
  private final List<Alert> orphans = new ArrayList<>();

  AlertEvaluator(List<AlertRule> rules, Duration repeat, int maxGroups, int historySize) {
    for (AlertRule rule : rules) {
      if (this.rules.put(rule.id(), RuleState.of(rule, maxGroups)) != null) {
        throw new IllegalArgumentException(
            "rule id " + rule.id() + " is used twice; give each rule its own id");
      }
      trackers.put(rule.id(), new HashMap<>());
    }
    this.repeat = repeat;
    this.historySize = historySize;
  }

  /**
   * Carries on from saved alerts at {@code now}: pending and firing ones resume; resolved ones are
   * history. Rules that count over a window keep a restored firing alert for one window before a
   * missing reading may resolve it (the observations behind it, such as policy decisions, may not
   * be replayed); rules on durations and the audit rule take their state back from the alert. An
   * alert that no configured rule can carry on (its rule is gone, or its group no longer fits the
   * rule's {@code group_by}) is resolved at the next evaluation when firing, else forgotten.
   */
  void restore(List<Alert> saved, Instant now) {
    for (Alert alert : saved) {
      RuleState rule = rules.get(alert.ruleId());
      if (alert.state() == AlertState.RESOLVED) {
        remember(alert);
        continue;
      }
      List<String> group = rule == null ? null : groupOf(rule, alert);
      Map<List<String>, AlertTracker> alerts = rule == null ? null : trackers.get(rule.rule.id());
      if (group == null || alerts.containsKey(group)) {
        orphans.add(alert);
        continue;
      }
      rule.restore(group, alert, now);
      alerts.put(group, AlertTracker.restore(rule.rule, alert, rule.holdAfterRestart(now)));
    }
  }

  /** The group {@code alert} belongs to under {@code rule}, or null when its labels do not fit. */
  private static List<String> groupOf(RuleState rule, Alert alert) {
    if (alert.groupLabels().size() != rule.rule.groupBy().size()) {
      return null;
    }
    List<String> group = new ArrayList<>();
    for (String by : rule.rule.groupBy()) {
      String value = alert.groupLabels().get(RuleState.labelName(by));
      if (value == null) {
        return null;
      }
      group.add(value);
    }
    return group;
  }

  void observe(HypervisorEvent event, Instant at) {
    for (RuleState rule : rules.values()) {
      rule.observe(event, at);
    }
  }

  void observeDecision(String agent, String session, boolean denied, Double latencyMs, Instant at) {
    observeDecision(agent, session, denied, latencyMs, null, at);
  }

  /** A decision that answers the event {@code answers} (null: none known). */
  void observeDecision(
      String agent, String session, boolean denied, Double latencyMs, String answers, Instant at) {
    for (RuleState rule : rules.values()) {
      rule.observeDecision(agent, session, denied, latencyMs, answers, at);
    }
  }

  void observeAudit(boolean ok, String detail, Instant at) {
    for (RuleState rule : rules.values()) {
      rule.observeAudit(ok, detail, at);
    }
  }

  /**
   * Evaluates every rule at {@code now}.
   *
   * @param changed told of every alert whose state or notification time changed (to be saved); an
   *     alert whose pending state cleared is passed with state {@code INACTIVE}
   * @return the notifications to send, in evaluation order
   */
  List<Notification> evaluate(Instant now, Consumer<Alert> changed) {
    List<Notification> out = new ArrayList<>();
    for (Alert orphan : orphans) {
      boolean firing = orphan.state() == AlertState.FIRING;
      Alert ended =
          new Alert(
              orphan.ruleId(),
              orphan.labels(),
              orphan.groupLabels(),
              orphan.annotations(),
              firing ? AlertState.RESOLVED : AlertState.INACTIVE,
              orphan.severity(),
              orphan.value(),
              orphan.activeAt(),
              orphan.firedAt(),
              firing ? now : null,
              orphan.lastNotifiedAt(),
              orphan.notifies());
      changed.accept(ended); // an inactive one is deleted from the store
      if (firing) {
        remember(ended);
        out.add(new Notification(Notification.Kind.RESOLVE, ended, false, false, now));
      }
    }
    orphans.clear();
    for (RuleState rule : rules.values()) {
      Map<List<String>, AlertTracker> alerts = trackers.get(rule.rule.id());
      Map<List<String>, RuleState.Reading> readings = rule.evaluate(now);
      readings.forEach(
          (group, reading) -> {
            AlertTracker tracker = alerts.get(group);
            if (tracker == null) {
              if (!reading.holds()) {
                return;
              }
              tracker = newTracker(rule, group);
              alerts.put(group, tracker);
            }
            step(rule, group, tracker, reading, now, changed, out);
          });
      var it = alerts.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<List<String>, AlertTracker> entry = it.next();
        if (!readings.containsKey(entry.getKey())) {
          step(rule, entry.getKey(), entry.getValue(), null, now, changed, out);
        }
        AlertState state = entry.getValue().state();
        if (state == AlertState.INACTIVE || state == AlertState.RESOLVED) {
          it.remove();
        }
      }
    }
    return out;
  }

  private void step(
      RuleState rule,
      List<String> group,
      AlertTracker tracker,
      RuleState.Reading reading,
      Instant now,
      Consumer<Alert> changed,
      List<Notification> out) {
    boolean holds = reading != null && reading.holds();
    double value = reading == null ? 0 : reading.value();
    String summary = holds ? rule.summary(group, value) : null;
    AlertTracker.Transition transition = tracker.step(holds, value, summary, now, repeat);
    if (transition == AlertTracker.Transition.NONE) {
      return;
    }
    Alert alert = tracker.snapshot();
    changed.accept(alert);
    switch (transition) {
      case TRIGGER:
        out.add(new Notification(Notification.Kind.TRIGGER, alert, false, false, now));
        break;
      case REPEAT:
        out.add(new Notification(Notification.Kind.TRIGGER, alert, true, false, now));
        break;
      case RESOLVE:
        remember(alert);
        out.add(new Notification(Notification.Kind.RESOLVE, alert, false, false, now));
        break;
      default:
        break;
    }
  }

  private AlertTracker newTracker(RuleState rule, List<String> group) {
    SortedMap<String, String> groupLabels = new TreeMap<>(rule.groupLabels(group));
    SortedMap<String, String> labels = new TreeMap<>(rule.rule.labels());
    labels.putAll(groupLabels);
    labels.put(AlertRule.ALERTNAME, rule.rule.id());
    labels.put(AlertRule.SEVERITY_LABEL, rule.rule.severity().value());
    return new AlertTracker(rule.rule, labels, groupLabels);
  }

  private void remember(Alert resolved) {
    history.addFirst(resolved);
    while (history.size() > historySize) {
      history.removeLast();
    }
  }

  /** Ends every alert now: firing ones resolve, pending ones clear; see {@link #evaluate}. */
  List<Notification> resolveAll(Instant now, Consumer<Alert> changed) {
    List<Notification> out = new ArrayList<>();
    for (RuleState rule : rules.values()) {
      Map<List<String>, AlertTracker> alerts = trackers.get(rule.rule.id());
      for (Map.Entry<List<String>, AlertTracker> entry : alerts.entrySet()) {
        AlertTracker tracker = entry.getValue();
        tracker.releaseHold();
        step(rule, entry.getKey(), tracker, null, now, changed, out);
      }
      alerts.clear();
    }
    return out;
  }

  /** Pending and firing alerts now. */
  List<Alert> active() {
    List<Alert> active = new ArrayList<>();
    for (Map<List<String>, AlertTracker> alerts : trackers.values()) {
      for (AlertTracker tracker : alerts.values()) {
        active.add(tracker.snapshot());
      }
    }
    active.sort(
        java.util.Comparator.comparing(Alert::state)
            .reversed()
            .thenComparing(Alert::ruleId)
            .thenComparing(a -> a.groupLabels().toString()));
    return active;
  }

  /** Resolved alerts, newest first. */
  List<Alert> history() {
    return List.copyOf(history);
  }

  /** The rules, in configuration order. */
  List<AlertRule> rules() {
    List<AlertRule> list = new ArrayList<>();
    rules.values().forEach(r -> list.add(r.rule));
    return list;
  }

  /** Firing and pending alerts by rule id, without building snapshots. */
  Map<String, int[]> counts() {
    Map<String, int[]> counts = new LinkedHashMap<>();
    trackers.forEach(
        (rule, alerts) -> {
          int[] c = new int[2];
          for (AlertTracker tracker : alerts.values()) {
            c[tracker.state() == AlertState.FIRING ? 0 : 1]++;
          }
          counts.put(rule, c);
        });
    return counts;
  }

  /** Observations a rule could not keep for its group bound. */
  long overflowed() {
    long sum = 0;
    for (RuleState rule : rules.values()) {
      sum += rule.overflowed;
    }
    return sum;
  }
}
