package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AlertTrackerTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final Duration REPEAT = Duration.ofHours(4);

  private static AlertTracker tracker(Duration forDuration) {
    AlertRule rule = AlertRule.builder(RuleType.VIOLATION).forDuration(forDuration).build();
    return new AlertTracker(rule, new TreeMap<>(), new TreeMap<>());
  }

  @Test
  void pendingBecomesFiringExactlyWhenForHasPassed() {
    AlertTracker tracker = tracker(Duration.ofMinutes(2));

    assertThat(tracker.step(true, 3, "3 violations", T0, REPEAT))
        .isEqualTo(AlertTracker.Transition.PENDING);
    assertThat(tracker.state()).isEqualTo(AlertState.PENDING);
    assertThat(tracker.step(true, 3, "3", T0.plusSeconds(119), REPEAT))
        .isEqualTo(AlertTracker.Transition.NONE);
    assertThat(tracker.step(true, 4, "4", T0.plusSeconds(120), REPEAT))
        .isEqualTo(AlertTracker.Transition.TRIGGER);

    Alert alert = tracker.snapshot();
    assertThat(alert.state()).isEqualTo(AlertState.FIRING);
    assertThat(alert.activeAt()).isEqualTo(T0);
    assertThat(alert.firedAt()).isEqualTo(T0.plusSeconds(120));
    assertThat(alert.value()).isEqualTo(4);
    assertThat(alert.summary()).isEqualTo("4");
  }

  @Test
  void aBreakBeforeForStartsTheWaitAgain() {
    AlertTracker tracker = tracker(Duration.ofMinutes(1));
    tracker.step(true, 1, "x", T0, REPEAT);
    assertThat(tracker.step(false, 0, null, T0.plusSeconds(50), REPEAT))
        .isEqualTo(AlertTracker.Transition.CLEARED);
    assertThat(tracker.state()).isEqualTo(AlertState.INACTIVE);
    tracker.step(true, 1, "x", T0.plusSeconds(55), REPEAT);
    assertThat(tracker.step(true, 1, "x", T0.plusSeconds(100), REPEAT))
        .as("only 45 s since it held again")
        .isEqualTo(AlertTracker.Transition.NONE);
    assertThat(tracker.step(true, 1, "x", T0.plusSeconds(115), REPEAT))
        .isEqualTo(AlertTracker.Transition.TRIGGER);
  }

  @Test
  void aFiringAlertResolvesOnceAndRepeatsOnlyAfterTheInterval() {
    AlertTracker tracker = tracker(Duration.ZERO);
    assertThat(tracker.step(true, 1, "x", T0, REPEAT)).isEqualTo(AlertTracker.Transition.TRIGGER);
    assertThat(tracker.step(true, 1, "x", T0.plus(REPEAT).minusSeconds(1), REPEAT))
        .isEqualTo(AlertTracker.Transition.NONE);
    assertThat(tracker.step(true, 1, "x", T0.plus(REPEAT), REPEAT))
        .isEqualTo(AlertTracker.Transition.REPEAT);
    assertThat(tracker.step(false, 0, null, T0.plus(REPEAT).plusSeconds(5), REPEAT))
        .isEqualTo(AlertTracker.Transition.RESOLVE);
    assertThat(tracker.snapshot().resolvedAt()).isEqualTo(T0.plus(REPEAT).plusSeconds(5));
    assertThat(tracker.step(false, 0, null, T0.plus(REPEAT).plusSeconds(9), REPEAT))
        .isEqualTo(AlertTracker.Transition.NONE);
  }

  @Test
  void theDedupKeyIsTheSha256OfTheRuleAndItsSortedGroupLabels() {
    TreeMap<String, String> a = new TreeMap<>();
    a.put("agent_did", "did:mesh:a");
    a.put("session_id", "s1");
    java.util.LinkedHashMap<String, String> reversed = new java.util.LinkedHashMap<>();
    reversed.put("session_id", "s1");
    reversed.put("agent_did", "did:mesh:a");

    String key = Alert.dedupKey("violation", a);

    assertThat(key).hasSize(64).matches("[0-9a-f]{64}");
    assertThat(Alert.dedupKey("violation", reversed)).isEqualTo(key);
    assertThat(Alert.dedupKey("ring_breach_rate", a)).isNotEqualTo(key);
    a.put("session_id", "s2");
    assertThat(Alert.dedupKey("violation", a)).isNotEqualTo(key);
    // the labels' boundaries count: ("ab", "c") is not ("a", "bc")
    assertThat(Alert.dedupKey("r", new TreeMap<>(java.util.Map.of("ab", "c"))))
        .isNotEqualTo(Alert.dedupKey("r", new TreeMap<>(java.util.Map.of("a", "bc"))));
  }

  @Test
  void theFingerprintIsAlertmanagersFnv64aOfTheLabels() {
    // Prometheus' model.LabelSet{"alertname": "x"}.Fingerprint() is 0x... computed by its
    // algorithm: FNV-1a 64 of name, 0xff, value, 0xff for each sorted label.
    TreeMap<String, String> labels = new TreeMap<>(java.util.Map.of("alertname", "x"));
    Alert alert =
        new Alert(
            "x",
            labels,
            new TreeMap<>(),
            java.util.Map.of(),
            AlertState.FIRING,
            Severity.WARNING,
            1,
            T0,
            T0,
            null,
            T0,
            true);
    long hash = 0xcbf29ce484222325L;
    for (byte b : "alertname\u00ffx\u00ff".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    assertThat(alert.fingerprint()).isEqualTo(String.format("%016x", hash));
  }
}
