package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every rule type on a controlled clock: when it holds, what it says, when it lets go. */
class AlertEvaluatorTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final String AGENT = "did:mesh:tool-agent-1";
  private static final Duration REPEAT = Duration.ofHours(4);

  private Instant now = T0;
  private final List<Alert> saved = new ArrayList<>();

  private AlertEvaluator evaluator(AlertRule... rules) {
    return new AlertEvaluator(List.of(rules), REPEAT, 100, 50);
  }

  private static HypervisorEvent event(EventType type, String agent, String session, Instant at) {
    return event(type, agent, session, at, Map.of());
  }

  private static HypervisorEvent event(
      EventType type, String agent, String session, Instant at, Map<String, ?> payload) {
    return HypervisorEvent.builder(type)
        .agentDid(agent)
        .sessionId(session)
        .timestamp(at)
        .payload(payload)
        .build();
  }

  private List<Notification> evaluate(AlertEvaluator evaluator) {
    return evaluator.evaluate(now, saved::add);
  }

  private void advance(Duration d) {
    now = now.plus(d);
  }

  @Test
  void ringBreachRateFiresPerAgentAfterForAndResolvesWhenTheWindowEmpties() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.RING_BREACH_RATE)
                .threshold(3)
                .window(Duration.ofMinutes(1))
                .forDuration(Duration.ofSeconds(30))
                .build());
    for (int i = 0; i < 3; i++) {
      evaluator.observe(event(EventType.RING_BREACH_DETECTED, AGENT, "s" + i, now), now);
    }
    evaluator.observe(event(EventType.RING_BREACH_DETECTED, "did:mesh:other", "s9", now), now);

    assertThat(evaluate(evaluator)).isEmpty();
    assertThat(evaluator.active())
        .singleElement()
        .satisfies(a -> assertThat(a.state()).isEqualTo(AlertState.PENDING));
    advance(Duration.ofSeconds(30));
    List<Notification> fired = evaluate(evaluator);

    assertThat(fired)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(Notification.Kind.TRIGGER);
              assertThat(n.alert().labels())
                  .containsEntry("alertname", "ring_breach_rate")
                  .containsEntry("agent_did", AGENT)
                  .containsEntry("severity", "warning")
                  .doesNotContainKey("session_id");
              assertThat(n.alert().value()).isEqualTo(3);
              assertThat(n.alert().summary())
                  .isEqualTo("3 ring breaches in 1m (agent_did=" + AGENT + ")");
            });
    advance(Duration.ofSeconds(31)); // the breaches are now 61 s old
    List<Notification> resolved = evaluate(evaluator);

    assertThat(resolved)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE);
              assertThat(n.alert().dedupKey()).isEqualTo(fired.get(0).alert().dedupKey());
            });
    assertThat(evaluator.active()).isEmpty();
    assertThat(evaluator.history())
        .singleElement()
        .satisfies(a -> assertThat(a.state()).isEqualTo(AlertState.RESOLVED));
  }

  @Test
  void violationsCountBreachesAndDeniedDecisionsNotAllowedOnes() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.VIOLATION).severity(Severity.CRITICAL).threshold(2).build());
    evaluator.observeDecision(AGENT, "s1", false, null, now);
    evaluator.observeDecision(AGENT, "s1", true, null, now);
    assertThat(evaluate(evaluator)).isEmpty();

    evaluator.observe(event(EventType.RING_BREACH_DETECTED, AGENT, "s1", now), now);
    List<Notification> fired = evaluate(evaluator);

    assertThat(fired)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.alert().severity()).isEqualTo(Severity.CRITICAL);
              assertThat(n.alert().summary()).startsWith("2 policy violations in 5m");
            });
  }

  @Test
  void elevationTooLongFiresWhileOpenAndResolvesOnTheDemotion() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.ELEVATION_TOO_LONG)
                .threshold(Duration.ofMinutes(5))
                .forDuration(Duration.ofMinutes(1))
                .build());
    evaluator.observe(
        event(EventType.RING_ELEVATED, AGENT, "s1", now, Map.of("from_ring", 3, "to_ring", 1)),
        now);
    advance(Duration.ofMinutes(5));
    assertThat(evaluate(evaluator)).isEmpty();
    assertThat(evaluator.active())
        .as("exactly 300 s is not over 300 s: not even pending")
        .isEmpty();
    advance(Duration.ofSeconds(1));
    assertThat(evaluate(evaluator)).isEmpty(); // pending for a minute
    advance(Duration.ofMinutes(1));
    List<Notification> fired = evaluate(evaluator);
    assertThat(fired)
        .singleElement()
        .satisfies(
            n ->
                assertThat(n.alert().summary())
                    .as("the wording names the agent: no label suffix repeats it")
                    .isEqualTo("Agent " + AGENT + " elevated for 361 s, over 300 s"));

    evaluator.observe(event(EventType.RING_DEMOTED, AGENT, "s1", now, Map.of("to_ring", 3)), now);
    advance(Duration.ofSeconds(1));

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
    advance(Duration.ofMinutes(10));
    assertThat(evaluate(evaluator)).as("the closed elevation never fires again").isEmpty();
  }

  @Test
  void sagaEscalationsAndCompensationsCountTheirOwnEvents() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.SAGA_ESCALATED).build(),
            AlertRule.builder(RuleType.COMPENSATION_RATE).threshold(2).groupBy("session").build());
    evaluator.observe(event(EventType.SAGA_COMPENSATING, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SAGA_ESCALATED, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SAGA_COMPENSATING, AGENT, "s2", now), now);

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.alert().ruleId()).isEqualTo("saga_escalated"));
    evaluator.observe(event(EventType.SAGA_COMPENSATING, "did:mesh:b", "s1", now), now);

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.alert().ruleId()).isEqualTo("compensation_rate");
              assertThat(n.alert().groupLabels()).containsExactly(Map.entry("session_id", "s1"));
            });
  }

  @Test
  void errorRateNeedsEnoughStepsAndTheRatio() {
    AlertEvaluator evaluator =
        evaluator(AlertRule.builder(RuleType.ERROR_RATE).threshold(0.25).minEvents(4).build());
    evaluator.observe(event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SAGA_STEP_COMMITTED, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SAGA_STEP_STARTED, AGENT, "s1", now), now);
    assertThat(evaluate(evaluator)).as("2 finished steps, fewer than 4").isEmpty();
    evaluator.observe(event(EventType.SAGA_STEP_COMMITTED, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SAGA_STEP_COMMITTED, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SAGA_STEP_COMMITTED, AGENT, "s1", now), now);
    assertThat(evaluate(evaluator)).as("1 of 5 failed: 20 %").isEmpty();
    evaluator.observe(event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now), now);

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.alert().value()).isEqualTo(2.0 / 6);
              assertThat(n.alert().labels()).doesNotContainKeys("agent_did", "session_id");
            });
  }

  @Test
  void latencySpikeTakesStepDurationsFromStartToEndAndTheQuantile() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.LATENCY_SPIKE)
                .thresholdMs(1000)
                .quantile(0.5)
                .window(Duration.ofMinutes(1))
                .build());
    for (int i = 0; i < 3; i++) {
      HypervisorEvent started = event(EventType.SAGA_STEP_STARTED, AGENT, "s1", now);
      evaluator.observe(started, now);
      HypervisorEvent done =
          HypervisorEvent.builder(EventType.SAGA_STEP_COMMITTED)
              .agentDid(AGENT)
              .parentEventId(started.eventId())
              .timestamp(now.plusMillis(i == 0 ? 200 : 1500))
              .build();
      evaluator.observe(done, now);
    }
    evaluator.observe(
        event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now, Map.of("duration_ms", 50)), now);
    assertThat(evaluate(evaluator)).as("median of 50, 200, 1500, 1500 is 200").isEmpty();
    evaluator.observeDecision(AGENT, "s1", false, 5000.0, now);

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.alert().value()).isEqualTo(1500);
              assertThat(n.alert().summary())
                  .isEqualTo("p50 latency 1500 ms over 1m exceeds 1000 ms");
            });
  }

  @Test
  void aToolOnlyLatencyRuleIgnoresPolicyLatency() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.LATENCY_SPIKE)
                .thresholdMs(100)
                .source(AlertRule.LatencySource.TOOL)
                .build());
    evaluator.observeDecision(AGENT, "s1", true, 5000.0, now);
    assertThat(evaluate(evaluator)).isEmpty();
  }

  @Test
  void agentSilentFiresForAQuietAgentResolvesWhenItSpeaksAndForgetsAKilledOne() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.AGENT_SILENT).threshold(Duration.ofSeconds(60)).build());
    evaluator.observe(event(EventType.SESSION_JOINED, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SESSION_JOINED, "did:mesh:killed", "s1", now), now);
    evaluator.observe(event(EventType.AGENT_KILLED, "did:mesh:killed", "s1", now), now);
    advance(Duration.ofSeconds(59));
    assertThat(evaluate(evaluator)).isEmpty();
    advance(Duration.ofSeconds(1));

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(
            n ->
                assertThat(n.alert().groupLabels()).containsExactly(Map.entry("agent_did", AGENT)));
    evaluator.observe(event(EventType.VFS_WRITE, AGENT, "s1", now), now);

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void auditVerificationFailureFiresUntilAVerificationPasses() {
    AlertEvaluator evaluator =
        evaluator(AlertRule.builder(RuleType.AUDIT_VERIFICATION_FAILED).build());
    evaluator.observeAudit(true, "", now);
    assertThat(evaluate(evaluator)).isEmpty();
    evaluator.observeAudit(false, "TAMPERED (HASH_MISMATCH) at record 17", now);

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.alert().severity()).isEqualTo(Severity.CRITICAL);
              assertThat(n.alert().summary())
                  .isEqualTo(
                      "Audit trail verification failed: TAMPERED (HASH_MISMATCH) at record 17");
            });
    evaluator.observe(
        event(EventType.HISTORY_VERIFIED, null, null, now, Map.of("verified", true)), now);
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void aRestartCarriesFiringAlertsOnWithoutASecondTriggerAndResolvesThemLater() {
    AlertRule rule =
        AlertRule.builder(RuleType.SAGA_ESCALATED).window(Duration.ofMinutes(1)).build();
    AlertEvaluator before = evaluator(rule);
    HypervisorEvent escalated = event(EventType.SAGA_ESCALATED, AGENT, "s1", now);
    before.observe(escalated, now);
    assertThat(evaluate(before)).hasSize(1);
    Alert firing = saved.get(saved.size() - 1);
    assertThat(firing.state()).isEqualTo(AlertState.FIRING);

    // a new process: the saved alert and the window's events replayed at their own times
    advance(Duration.ofSeconds(20));
    AlertEvaluator after = evaluator(rule);
    after.restore(List.of(firing), now);
    after.observe(escalated, escalated.timestamp());
    assertThat(evaluate(after)).as("still firing: no second trigger").isEmpty();
    // its events are all replayed: no hold after the restart, it resolves when they leave
    advance(Duration.ofSeconds(39));
    assertThat(evaluate(after)).isEmpty();
    advance(Duration.ofSeconds(2));

    assertThat(evaluate(after))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE);
              assertThat(n.alert().dedupKey()).isEqualTo(firing.dedupKey());
              assertThat(n.alert().firedAt()).isEqualTo(firing.firedAt());
            });
  }

  @Test
  void aFiringAlertOfARuleNoLongerConfiguredIsResolvedNotForgotten() {
    AlertEvaluator before = evaluator(AlertRule.builder(RuleType.SAGA_ESCALATED).build());
    before.observe(event(EventType.SAGA_ESCALATED, AGENT, "s1", now), now);
    evaluate(before);
    Alert firing = saved.get(saved.size() - 1);

    AlertEvaluator after = evaluator(AlertRule.builder(RuleType.VIOLATION).build());
    after.restore(List.of(firing), now);

    assertThat(evaluate(after))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE);
              assertThat(n.alert().ruleId()).isEqualTo("saga_escalated");
            });
    assertThat(evaluate(after)).isEmpty();
  }

  @Test
  void groupsAreBoundedAndWhatDoesNotFitIsCounted() {
    AlertEvaluator evaluator =
        new AlertEvaluator(
            List.of(AlertRule.builder(RuleType.RING_BREACH_RATE).threshold(1).build()),
            REPEAT,
            2,
            5);
    for (int i = 0; i < 5; i++) {
      evaluator.observe(event(EventType.RING_BREACH_DETECTED, "did:mesh:a" + i, "s", now), now);
    }
    assertThat(evaluate(evaluator)).hasSize(2);
    assertThat(evaluator.overflowed()).isEqualTo(3);
  }

  @Test
  void aRuleIdUsedTwiceIsRefused() {
    assertThatThrownBy(
            () ->
                evaluator(
                    AlertRule.builder(RuleType.VIOLATION).build(),
                    AlertRule.builder(RuleType.VIOLATION).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rule id violation is used twice");
  }

  @Test
  void aRuleThatDoesNotAlertKeepsItsStateButNotifiesNobody() {
    AlertEvaluator evaluator =
        evaluator(AlertRule.builder(RuleType.SAGA_ESCALATED).alert(false).build());
    evaluator.observe(event(EventType.SAGA_ESCALATED, AGENT, "s1", now), now);
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.alert().notifies()).isFalse());
  }

  private static Alert saved(
      AlertRule rule, Map<String, String> group, AlertState state, Instant at) {
    java.util.TreeMap<String, String> labels = new java.util.TreeMap<>(group);
    labels.put("alertname", rule.id());
    labels.put("severity", rule.severity().value());
    return new Alert(
        rule.id(),
        labels,
        new java.util.TreeMap<>(group),
        Map.of("summary", "before the restart"),
        state,
        rule.severity(),
        1,
        at,
        state == AlertState.FIRING ? at : null,
        null,
        state == AlertState.FIRING ? at : null,
        true);
  }

  @Test
  void aRestoredElevationAlertStaysFiringUntilTheDemotionNotTheFirstEvaluation() {
    AlertRule rule = AlertRule.builder(RuleType.ELEVATION_TOO_LONG).build();
    AlertEvaluator evaluator = evaluator(rule);
    // fired 5 minutes ago; the elevation event is older than anything replayed
    evaluator.restore(
        List.of(saved(rule, Map.of("agent_did", AGENT), AlertState.FIRING, now.minusSeconds(300))),
        now);
    assertThat(evaluate(evaluator)).isEmpty();
    assertThat(evaluator.active())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo(AlertState.FIRING);
              assertThat(a.value())
                  .isEqualTo(600); // open since 10 minutes: threshold before it fired
            });

    evaluator.observe(event(EventType.RING_DEMOTED, AGENT, "s1", now), now);
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void aRestoredSilenceAlertStaysFiringUntilTheAgentSpeaks() {
    AlertRule rule =
        AlertRule.builder(RuleType.AGENT_SILENT).threshold(Duration.ofMinutes(5)).build();
    AlertEvaluator evaluator = evaluator(rule);
    evaluator.restore(
        List.of(saved(rule, Map.of("agent_did", AGENT), AlertState.FIRING, now.minusSeconds(60))),
        now);
    assertThat(evaluate(evaluator)).isEmpty();
    evaluator.observe(event(EventType.VFS_WRITE, AGENT, "s1", now), now);
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void aRestoredAuditFailureStaysFiringUntilAVerificationPasses() {
    AlertRule rule = AlertRule.builder(RuleType.AUDIT_VERIFICATION_FAILED).build();
    AlertEvaluator evaluator = evaluator(rule);
    evaluator.restore(List.of(saved(rule, Map.of(), AlertState.FIRING, now)), now);
    advance(Duration.ofMinutes(10));
    assertThat(evaluate(evaluator)).as("no verification yet since the start").isEmpty();
    evaluator.observeAudit(true, "", now);
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void savedAlertsWhoseGroupNoLongerFitsTheRuleAreResolvedOrForgotten() {
    // the rule used to group by agent; it now makes one alert
    AlertRule before = AlertRule.builder(RuleType.SAGA_ESCALATED).groupBy("agent").build();
    AlertRule after = AlertRule.builder(RuleType.SAGA_ESCALATED).build();
    AlertEvaluator evaluator = evaluator(after);
    Alert a = saved(before, Map.of("agent_did", "did:mesh:a"), AlertState.FIRING, now);
    Alert b = saved(before, Map.of("agent_did", "did:mesh:b"), AlertState.FIRING, now);
    Alert c = saved(before, Map.of("agent_did", "did:mesh:c"), AlertState.PENDING, now);
    evaluator.restore(List.of(a, b, c), now);

    List<Notification> out = evaluate(evaluator);

    assertThat(out)
        .extracting(n -> n.kind() + " " + n.alert().dedupKey())
        .containsExactlyInAnyOrder("RESOLVE " + a.dedupKey(), "RESOLVE " + b.dedupKey());
    assertThat(saved)
        .filteredOn(x -> x.dedupKey().equals(c.dedupKey()))
        .singleElement()
        .satisfies(
            x -> assertThat(x.state()).as("deleted from the store").isEqualTo(AlertState.INACTIVE));
  }

  @Test
  void anAgentWhoseSessionsEndedIsDoneNotSilent() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.AGENT_SILENT).threshold(Duration.ofSeconds(60)).build());
    evaluator.observe(event(EventType.SESSION_JOINED, "did:mesh:done", "s1", now), now);
    evaluator.observe(event(EventType.SESSION_JOINED, "did:mesh:busy", "s1", now), now);
    evaluator.observe(event(EventType.SESSION_JOINED, "did:mesh:busy", "s2", now), now);
    evaluator.observe(event(EventType.SESSION_TERMINATED, "did:mesh:orchestrator", "s1", now), now);
    advance(Duration.ofMinutes(2));

    // busy still has s2 open; done and the orchestrator have no open session left
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(
            n -> assertThat(n.alert().groupLabels()).containsEntry("agent_did", "did:mesh:busy"));
  }

  @Test
  void closedElevationsLeaveRoomForNewAgentsWithinTheBound() {
    AlertEvaluator evaluator =
        new AlertEvaluator(
            List.of(
                AlertRule.builder(RuleType.ELEVATION_TOO_LONG)
                    .threshold(Duration.ofSeconds(60))
                    .build()),
            REPEAT,
            2,
            5);
    for (int i = 0; i < 5; i++) {
      evaluator.observe(event(EventType.RING_ELEVATED, "did:mesh:a" + i, "s", now), now);
      evaluator.observe(event(EventType.RING_DEMOTED, "did:mesh:a" + i, "s", now), now);
    }
    evaluator.observe(event(EventType.RING_ELEVATED, "did:mesh:late", "s", now), now);
    advance(Duration.ofMinutes(2));

    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(
            n -> assertThat(n.alert().groupLabels()).containsEntry("agent_did", "did:mesh:late"));
    assertThat(evaluator.overflowed()).isZero();
  }

  @Test
  void stepLatencyPairsBySagaAndStepWhenEndsNameNoParent() {
    AlertEvaluator evaluator =
        evaluator(AlertRule.builder(RuleType.LATENCY_SPIKE).thresholdMs(1000).quantile(1).build());
    evaluator.observe(
        event(
            EventType.SAGA_STEP_STARTED, AGENT, "s1", now, Map.of("saga_id", "g", "step_id", "1")),
        now);
    evaluator.observe(
        event(
            EventType.SAGA_STEP_COMMITTED,
            AGENT,
            "s1",
            now.plusMillis(2500),
            Map.of("saga_id", "g", "step_id", "1")),
        now);
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.alert().value()).isEqualTo(2500));
  }

  @Test
  void latencyAtTheThresholdIsNoSpikeAndSamplesAWindowOldAreGone() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.LATENCY_SPIKE)
                .thresholdMs(100)
                .quantile(1)
                .window(Duration.ofSeconds(10))
                .build());
    evaluator.observe(
        event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now, Map.of("latency_ms", 100)), now);
    evaluator.observe(
        event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now, Map.of("duration_ms", -5)), now);
    assertThat(evaluate(evaluator)).isEmpty();
    assertThat(evaluator.active()).as("100 ms is not over 100 ms").isEmpty();
    evaluator.observe(
        event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now, Map.of("latency_ms", 101)), now);
    assertThat(evaluate(evaluator)).hasSize(1);
    advance(Duration.ofSeconds(10));
    assertThat(evaluate(evaluator))
        .as("both samples are a window old")
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void aGovernanceLatencyRuleIgnoresSteps() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.LATENCY_SPIKE)
                .thresholdMs(100)
                .source(AlertRule.LatencySource.GOVERNANCE)
                .build());
    evaluator.observe(
        event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now, Map.of("duration_ms", 900)), now);
    assertThat(evaluate(evaluator)).isEmpty();
    evaluator.observeDecision(AGENT, "s1", false, 900.0, now);
    assertThat(evaluate(evaluator)).hasSize(1);
  }

  @Test
  void errorRateCountsAtTheThresholdAndTheMinimumExactly() {
    AlertEvaluator evaluator =
        evaluator(AlertRule.builder(RuleType.ERROR_RATE).threshold(0.5).minEvents(2).build());
    evaluator.observe(event(EventType.SAGA_STEP_FAILED, AGENT, "s1", now), now);
    evaluator.observe(event(EventType.SAGA_STEP_COMMITTED, AGENT, "s1", now), now);
    assertThat(evaluate(evaluator))
        .as("1 of 2 is 50 %: at the threshold")
        .singleElement()
        .satisfies(n -> assertThat(n.alert().value()).isEqualTo(0.5));
    advance(Duration.ofMinutes(5));
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void aRulesOwnSummaryIsFilledInAndKeepsItsWords() {
    AlertEvaluator evaluator =
        evaluator(
            AlertRule.builder(RuleType.RING_BREACH_RATE)
                .threshold(1)
                .groupBy("agent", "session")
                .summary("{agent} in {session}: {value} of {threshold} in {window}")
                .build(),
            AlertRule.builder(RuleType.AUDIT_VERIFICATION_FAILED).summary("audit broke").build());
    evaluator.observe(event(EventType.RING_BREACH_DETECTED, AGENT, "s1", now), now);
    evaluator.observe(
        HypervisorEvent.builder(EventType.RING_BREACH_DETECTED).timestamp(now).build(), now);
    evaluator.observeAudit(false, "TAMPERED", now);

    assertThat(evaluate(evaluator))
        .extracting(n -> n.alert().summary())
        .containsExactlyInAnyOrder(
            AGENT + " in s1: 1 of 1 in 5m", "unknown in unknown: 1 of 1 in 5m", "audit broke");
  }

  @Test
  void aBreachAndTheDenialAnsweringItAreOneViolationInEitherOrder() {
    AlertEvaluator evaluator =
        evaluator(AlertRule.builder(RuleType.VIOLATION).threshold(1).build());
    HypervisorEvent breach = event(EventType.RING_BREACH_DETECTED, AGENT, "s1", now);
    evaluator.observe(breach, now);
    evaluator.observeDecision(AGENT, "s1", true, null, breach.eventId(), now);
    HypervisorEvent other = event(EventType.RING_BREACH_DETECTED, AGENT, "s1", now);
    evaluator.observeDecision(AGENT, "s1", true, null, other.eventId(), now); // the denial first
    evaluator.observe(other, now);
    evaluator.observeDecision(AGENT, "s1", true, null, "rate-limited-event", now);
    evaluator.observeDecision(AGENT, "s1", true, null, null, now);

    // two breaches, each with its denial, a rate-limit denial and one of unknown cause
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.alert().value()).isEqualTo(4));
  }

  @Test
  void aRestoredViolationIsHeldForAWindowBecauseDecisionsAreNotReplayed() {
    AlertRule rule = AlertRule.builder(RuleType.VIOLATION).window(Duration.ofMinutes(1)).build();
    AlertEvaluator evaluator = evaluator(rule);
    evaluator.restore(
        List.of(saved(rule, Map.of("agent_did", AGENT), AlertState.FIRING, now)), now);
    advance(Duration.ofSeconds(59));
    assertThat(evaluate(evaluator)).isEmpty();
    advance(Duration.ofSeconds(1));
    assertThat(evaluate(evaluator))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.RESOLVE));
  }

  @Test
  void resolveAllEndsEveryAlertHeldOrNot() {
    AlertRule rule =
        AlertRule.builder(RuleType.VIOLATION).forDuration(Duration.ofMinutes(1)).build();
    AlertEvaluator evaluator = evaluator(rule, AlertRule.builder(RuleType.SAGA_ESCALATED).build());
    evaluator.restore(
        List.of(saved(rule, Map.of("agent_did", AGENT), AlertState.FIRING, now)), now);
    evaluator.observe(event(EventType.SAGA_ESCALATED, AGENT, "s1", now), now);
    evaluator.observeDecision("did:mesh:pending", "s1", true, null, null, now);
    evaluate(evaluator);

    List<Notification> out = evaluator.resolveAll(now, saved::add);

    assertThat(out)
        .extracting(n -> n.kind() + " " + n.alert().ruleId())
        .containsExactlyInAnyOrder("RESOLVE violation", "RESOLVE saga_escalated");
    assertThat(evaluator.active()).isEmpty();
    assertThat(saved).anySatisfy(a -> assertThat(a.state()).isEqualTo(AlertState.INACTIVE));
  }
}
