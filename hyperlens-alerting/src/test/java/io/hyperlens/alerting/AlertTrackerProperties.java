package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The state machine against a plain model of its meaning, over random histories of the condition on
 * a controlled clock: a trigger exactly when the condition has held without a break for {@code
 * for}, one resolve for each trigger and only after it, repeats only while firing and never sooner
 * than the repeat interval.
 */
class AlertTrackerProperties {
  record Step(boolean holds, long advanceMillis) {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step =
        Combinators.combine(Arbitraries.of(true, false), Arbitraries.longs().between(0, 90_000))
            .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 2000)
  void transitionsFollowTheConditionsHistory(
      @ForAll("histories") List<Step> history,
      @ForAll("forSeconds") long forSeconds,
      @ForAll("repeatSeconds") long repeatSeconds) {
    Duration forDuration = Duration.ofSeconds(forSeconds);
    Duration repeat = Duration.ofSeconds(repeatSeconds);
    AlertRule rule = AlertRule.builder(RuleType.RING_BREACH_RATE).forDuration(forDuration).build();
    AlertTracker tracker = new AlertTracker(rule, new TreeMap<>(), new TreeMap<>());
    Instant now = Instant.parse("2026-12-06T00:00:00Z");
    Instant heldSince = null;
    Instant lastNotified = null;
    boolean firing = false;
    int triggers = 0;
    int resolves = 0;
    for (Step step : history) {
      now = now.plusMillis(step.advanceMillis());
      AlertTracker.Transition t = tracker.step(step.holds(), 1, "s", now, repeat);
      if (step.holds()) {
        heldSince = heldSince == null ? now : heldSince;
        boolean due = Duration.between(heldSince, now).compareTo(forDuration) >= 0;
        if (!firing && due) {
          assertThat(t).isEqualTo(AlertTracker.Transition.TRIGGER);
          firing = true;
          triggers++;
          lastNotified = now;
        } else if (firing && Duration.between(lastNotified, now).compareTo(repeat) >= 0) {
          assertThat(t).isEqualTo(AlertTracker.Transition.REPEAT);
          lastNotified = now;
        } else {
          assertThat(t).isIn(AlertTracker.Transition.NONE, AlertTracker.Transition.PENDING);
          assertThat(tracker.state()).isEqualTo(firing ? AlertState.FIRING : AlertState.PENDING);
        }
      } else {
        if (firing) {
          assertThat(t).isEqualTo(AlertTracker.Transition.RESOLVE);
          resolves++;
          assertThat(tracker.state()).isEqualTo(AlertState.RESOLVED);
        } else {
          assertThat(t)
              .isEqualTo(
                  heldSince != null
                      ? AlertTracker.Transition.CLEARED
                      : AlertTracker.Transition.NONE);
        }
        firing = false;
        heldSince = null;
      }
      assertThat(resolves).isBetween(triggers - 1, triggers);
    }
  }

  @Provide
  Arbitrary<Long> forSeconds() {
    return Arbitraries.longs().between(0, 300);
  }

  @Provide
  Arbitrary<Long> repeatSeconds() {
    return Arbitraries.longs().between(1, 600);
  }
}
