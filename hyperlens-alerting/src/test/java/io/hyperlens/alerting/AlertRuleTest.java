package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** A rule's defaults, each bound exactly, and how it describes itself. */
class AlertRuleTest {
  private static AlertRule rule(RuleType type, UnaryOperator<AlertRule.Builder> change) {
    return change.apply(AlertRule.builder(type).thresholdMs(1)).build();
  }

  private static void refused(
      RuleType type, UnaryOperator<AlertRule.Builder> change, String message) {
    assertThatThrownBy(() -> rule(type, change))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void defaultsDependOnTheType() {
    assertThat(AlertRule.builder(RuleType.VIOLATION).build().severity())
        .isEqualTo(Severity.CRITICAL);
    assertThat(AlertRule.builder(RuleType.AUDIT_VERIFICATION_FAILED).build().severity())
        .isEqualTo(Severity.CRITICAL);
    assertThat(AlertRule.builder(RuleType.SAGA_ESCALATED).build().severity())
        .isEqualTo(Severity.WARNING);
    assertThat(AlertRule.builder(RuleType.VIOLATION).build().groupBy()).containsExactly("agent");
    assertThat(AlertRule.builder(RuleType.RING_BREACH_RATE).build().groupBy())
        .containsExactly("agent");
    assertThat(AlertRule.builder(RuleType.ERROR_RATE).build().groupBy()).isEmpty();
    assertThat(AlertRule.builder(RuleType.VIOLATION).build().threshold()).isEqualTo(1);
    assertThat(AlertRule.builder(RuleType.RING_BREACH_RATE).build().threshold()).isEqualTo(5);
    assertThat(AlertRule.builder(RuleType.COMPENSATION_RATE).build().threshold()).isEqualTo(5);
    assertThat(AlertRule.builder(RuleType.ELEVATION_TOO_LONG).build().threshold()).isEqualTo(300);
    assertThat(AlertRule.builder(RuleType.AGENT_SILENT).build().threshold()).isEqualTo(300);
    assertThat(AlertRule.builder(RuleType.ERROR_RATE).build().threshold()).isEqualTo(0.1);
    assertThat(AlertRule.builder(RuleType.ERROR_RATE).build().minEvents()).isEqualTo(20);
    AlertRule plain = AlertRule.builder(RuleType.SAGA_ESCALATED).build();
    assertThat(plain.id()).isEqualTo("saga_escalated");
    assertThat(plain.alert()).isTrue();
    assertThat(plain.window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(plain.forDuration()).isZero();
    assertThat(plain.quantile()).isEqualTo(0.95);
    assertThat(plain.source()).isEqualTo(AlertRule.LatencySource.ANY);
    assertThat(plain.labels()).isEmpty();
    assertThat(plain.summary()).isNull();
    assertThat(AlertRule.builder(RuleType.SAGA_ESCALATED).alert(false).build().alert()).isFalse();
    assertThatThrownBy(() -> AlertRule.builder(null)).hasMessage("type must not be null");
  }

  @Test
  void everyBoundIsExact() {
    RuleType v = RuleType.VIOLATION;
    assertThat(rule(v, b -> b.id("a".repeat(128))).id()).hasSize(128);
    refused(v, b -> b.id("a".repeat(129)), "id must be 1 to 128");
    refused(v, b -> b.id("no spaces"), "got \"no spaces\"");
    assertThat(rule(v, b -> b.forDuration(Duration.ofDays(30))).forDuration())
        .isEqualTo(Duration.ofDays(30));
    refused(
        v,
        b -> b.forDuration(Duration.ofDays(30).plusMillis(1)),
        "for of rule violation must be within 0s..30d");
    refused(v, b -> b.forDuration(Duration.ofMillis(-1)), "must be within 0s..30d");
    assertThat(rule(v, b -> b.window(Duration.ofSeconds(1))).window())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(rule(v, b -> b.window(Duration.ofDays(1))).window()).isEqualTo(Duration.ofDays(1));
    refused(
        v,
        b -> b.window(Duration.ofMillis(999)),
        "window of rule violation must be within 1s..24h");
    refused(v, b -> b.window(Duration.ofDays(1).plusSeconds(1)), "within 1s..24h");
    refused(
        v, b -> b.threshold(0), "threshold of rule violation must be a positive number; got 0.0");
    refused(v, b -> b.threshold(Double.POSITIVE_INFINITY), "must be a positive number");
    refused(v, b -> b.threshold(Double.NaN), "must be a positive number");
    assertThat(rule(RuleType.ERROR_RATE, b -> b.threshold(1)).threshold()).isEqualTo(1);
    refused(RuleType.ERROR_RATE, b -> b.threshold(1.0001), "is a ratio within 0..1");
    assertThat(rule(v, b -> b.quantile(1)).quantile()).isEqualTo(1);
    refused(v, b -> b.quantile(0), "quantile of rule violation must be within (0, 1]; got 0.0");
    refused(v, b -> b.quantile(1.01), "within (0, 1]");
    assertThat(rule(v, b -> b.minEvents(1)).minEvents()).isEqualTo(1);
    refused(v, b -> b.minEvents(0), "min_events of rule violation must be at least 1; got 0");
    assertThat(rule(RuleType.AGENT_SILENT, b -> b.threshold(Duration.ofDays(366))).threshold())
        .isEqualTo(366 * 86_400);
    refused(
        RuleType.AGENT_SILENT, b -> b.threshold(Duration.ofDays(367)), "must be at most a year");
    refused(RuleType.ELEVATION_TOO_LONG, b -> b.threshold(Duration.ofDays(367)), "at most a year");
    assertThat(rule(RuleType.RING_BREACH_RATE, b -> b.threshold(1e9)).threshold()).isEqualTo(1e9);
  }

  @Test
  void groupsAndLabelsAreChecked() {
    assertThat(rule(RuleType.VIOLATION, b -> b.groupBy("session", "agent")).groupBy())
        .containsExactly("session", "agent");
    refused(
        RuleType.VIOLATION,
        b -> b.groupBy("agent", "tool"),
        "takes agent and session; got \"tool\"");
    refused(RuleType.ELEVATION_TOO_LONG, b -> b.groupBy(), "is always [agent]; got []");
    refused(RuleType.AGENT_SILENT, b -> b.groupBy("agent", "session"), "is always [agent]");
    refused(
        RuleType.AUDIT_VERIFICATION_FAILED, b -> b.groupBy("agent"), "must be empty; got [agent]");
    for (String reserved :
        List.of("alertname", "severity", "agent_did", "session_id", "9x", "a-b")) {
      refused(
          RuleType.VIOLATION,
          b -> b.label(reserved, "v"),
          "\"" + reserved + "\" is not a label name of your own");
    }
    refused(RuleType.VIOLATION, b -> b.label("team", null), "the value of team is missing");
    AlertRule labelled = rule(RuleType.VIOLATION, b -> b.label("team", "a").label("env", "prod"));
    assertThat(labelled.labels()).containsExactly(Map.entry("env", "prod"), Map.entry("team", "a"));
    refused(RuleType.VIOLATION, b -> b.summary(""), "summary of rule violation must not be blank");
    assertThat(rule(RuleType.VIOLATION, b -> b.summary("x")).summary()).isEqualTo("x");
  }

  @Test
  void eachTypeDescribesItsCondition() {
    assertThat(AlertRule.builder(RuleType.VIOLATION).build().describe())
        .isEqualTo("at least 1 policy violations in 5m, for 0s");
    assertThat(
            AlertRule.builder(RuleType.RING_BREACH_RATE)
                .forDuration(Duration.ofSeconds(90))
                .build()
                .describe())
        .isEqualTo("at least 5 ring breaches in 5m, for 90s");
    assertThat(
            AlertRule.builder(RuleType.SAGA_ESCALATED)
                .window(Duration.ofHours(2))
                .build()
                .describe())
        .isEqualTo("at least 1 escalated sagas in 2h, for 0s");
    assertThat(
            AlertRule.builder(RuleType.COMPENSATION_RATE)
                .window(Duration.ofMillis(1500))
                .build()
                .describe())
        .isEqualTo("at least 5 saga compensations in 1500ms, for 0s");
    assertThat(
            AlertRule.builder(RuleType.LATENCY_SPIKE)
                .thresholdMs(250)
                .quantile(0.99)
                .source(AlertRule.LatencySource.TOOL)
                .build()
                .describe())
        .isEqualTo("p99 tool latency over 250 ms in 5m, for 0s");
    assertThat(
            AlertRule.builder(RuleType.ERROR_RATE).threshold(0.25).minEvents(8).build().describe())
        .isEqualTo("failed saga steps at least 25 % of at least 8 in 5m, for 0s");
    assertThat(
            AlertRule.builder(RuleType.ELEVATION_TOO_LONG)
                .forDuration(Duration.ofMinutes(1))
                .build()
                .describe())
        .isEqualTo("an agent elevated for over 300 s, for 1m");
    assertThat(AlertRule.builder(RuleType.AGENT_SILENT).build().describe())
        .isEqualTo("an agent silent for 300 s, for 0s");
    assertThat(AlertRule.builder(RuleType.AUDIT_VERIFICATION_FAILED).build().describe())
        .isEqualTo("the last audit verification failed");
    assertThat(RuleState.number(2.5)).isEqualTo("2.50");
    assertThat(RuleState.number(1e15)).isEqualTo("1.00e+15");
    assertThat(RuleState.number(999_999_999_999_999.0)).isEqualTo("999999999999999");
    assertThat(RuleState.human(Duration.ofSeconds(3600))).isEqualTo("1h");
    assertThat(RuleState.human(Duration.ofSeconds(5400))).isEqualTo("90m");
    assertThat(RuleState.human(Duration.ofSeconds(59))).isEqualTo("59s");
  }

  @Test
  void eachTypeShowsItsOwnSettings() {
    assertThat(AlertRule.builder(RuleType.AUDIT_VERIFICATION_FAILED).build().toMap())
        .containsOnlyKeys("id", "type", "severity", "alert", "group_by", "for");
    assertThat(AlertRule.builder(RuleType.AGENT_SILENT).build().toMap())
        .containsEntry("threshold_seconds", 300.0)
        .doesNotContainKeys("window", "threshold");
    assertThat(AlertRule.builder(RuleType.LATENCY_SPIKE).thresholdMs(9).build().toMap())
        .containsEntry("threshold_ms", 9.0)
        .containsEntry("quantile", 0.95)
        .containsEntry("source", "any")
        .containsEntry("window", "PT5M");
    assertThat(AlertRule.builder(RuleType.ERROR_RATE).build().toMap())
        .containsEntry("threshold", 0.1)
        .containsEntry("min_events", 20);
    assertThat(
            AlertRule.builder(RuleType.VIOLATION).label("team", "a").summary("s").build().toMap())
        .containsEntry("threshold", 1.0)
        .containsEntry("window", "PT5M")
        .containsEntry("labels", Map.of("team", "a"))
        .containsEntry("summary", "s")
        .containsEntry("severity", "critical")
        .containsEntry("group_by", List.of("agent"));
    assertThat(AlertRule.builder(RuleType.VIOLATION).build().toString())
        .startsWith("AlertRule{id=violation");
  }

  @Test
  void labelNamesCountInTheDedupKeyNotOnlyTheirValues() {
    assertThat(Alert.dedupKey("r", new TreeMap<>(Map.of("agent_did", "x"))))
        .isNotEqualTo(Alert.dedupKey("r", new TreeMap<>(Map.of("session_id", "x"))));
    assertThat(Alert.dedupKey("r", Map.of())).isNotEqualTo(Alert.dedupKey("s", Map.of()));
  }

  @Test
  void anAlertShowsItsTimesAndKeys() {
    Instant t = Instant.parse("2026-12-06T10:00:00Z");
    Alert alert =
        new Alert(
            "r",
            new TreeMap<>(Map.of("alertname", "r")),
            new TreeMap<>(),
            Map.of("summary", "s"),
            AlertState.RESOLVED,
            Severity.INFO,
            2,
            t,
            t.plusSeconds(1),
            t.plusSeconds(2),
            t.plusSeconds(1),
            false);
    assertThat(alert.toMap())
        .containsEntry("rule", "r")
        .containsEntry("state", "resolved")
        .containsEntry("severity", "info")
        .containsEntry("value", 2.0)
        .containsEntry("active_at", "2026-12-06T10:00:00Z")
        .containsEntry("fired_at", "2026-12-06T10:00:01Z")
        .containsEntry("resolved_at", "2026-12-06T10:00:02Z")
        .containsEntry("last_notified_at", "2026-12-06T10:00:01Z")
        .containsEntry("notify", false)
        .containsEntry("dedup_key", alert.dedupKey())
        .containsEntry("fingerprint", alert.fingerprint());
    Alert bare =
        new Alert(
            "r",
            new TreeMap<>(),
            new TreeMap<>(),
            Map.of(),
            AlertState.PENDING,
            Severity.INFO,
            0,
            null,
            null,
            null,
            null,
            true);
    assertThat(bare.toMap()).containsEntry("active_at", null).containsEntry("fired_at", null);
    assertThat(bare.summary()).isEqualTo("r");
  }

  @Test
  void windowsCountWhatIsInsideThemToTheBucket() {
    WindowCounts counts = new WindowCounts(Duration.ofSeconds(60)); // 1 s buckets
    Instant t = Instant.parse("2026-12-06T10:00:00Z");
    counts.add(t, 2);
    counts.add(t.plusMillis(999), 1);
    assertThat(counts.sum(t)).isEqualTo(3);
    assertThat(counts.sum(t.plusSeconds(59))).isEqualTo(3);
    assertThat(counts.sum(t.plusSeconds(60))).as("a whole window later").isZero();
    counts.add(t.plusSeconds(61), 5);
    counts.add(t.plusSeconds(1), 7); // its slot now holds a newer second: too old, ignored
    assertThat(counts.sum(t.plusSeconds(61))).isEqualTo(5);
    assertThat(new WindowCounts(Duration.ofSeconds(60)).sum(Instant.EPOCH)).isZero();
    assertThat(counts.sum(t.minusSeconds(1))).as("before everything").isZero();
  }

  @Test
  void severitiesAndTypesReadTheirWireNames() {
    assertThat(Severity.fromValue(" Critical ")).isEqualTo(Severity.CRITICAL);
    assertThatThrownBy(() -> Severity.fromValue(null)).hasMessageContaining("got null");
    assertThat(RuleType.fromValue("latency_spike")).isEqualTo(RuleType.LATENCY_SPIKE);
    assertThat(AlertRule.LatencySource.fromValue("governance"))
        .isEqualTo(AlertRule.LatencySource.GOVERNANCE);
    assertThatThrownBy(() -> AlertRule.LatencySource.fromValue("x"))
        .hasMessage("source must be tool, governance or any; got x");
  }
}
