package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditQuery;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.store.InMemoryAuditStore;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.logging.RecordingLoggerFinder;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanEvent;
import io.hyperlens.trace.SpanStatus;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** One call per Agent OS operation gives its span, its metrics and its audit record, consistent. */
class AgentOsTelemetryTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final List<SpanData> spans = new CopyOnWriteArrayList<>();
  private final DistributedTracer tracer =
      DistributedTracer.builder().serviceName("os").exporter(spans::addAll).build();
  private final AgentOsMetrics metrics = AgentOsMetrics.builder().registry(registry).build();

  private String scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private SpanData span(String name) {
    tracer.forceFlush(java.time.Duration.ofSeconds(10));
    return spans.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aPolicyDecisionIsASpanMetricsAndAnAuditRecordFromOneCall() throws Exception {
    try (AuditLog log =
        AuditLog.builder()
            .store(new InMemoryAuditStore(100))
            .signer(AuditSigner.generate())
            .build()) {
      AgentOsTelemetry os =
          AgentOsTelemetry.builder().tracer(tracer).metrics(metrics).decisions(log).build();
      PolicyDecision decision =
          os.evaluatePolicy(
              "agent-001",
              "file_write",
              "/prod/config.yaml",
              "rule-005",
              () -> PolicyDecision.deny("Production writes blocked"));
      assertThat(decision.denied()).isTrue();

      SpanData span = span("policy.evaluate");
      assertThat(span.attributes())
          .containsEntry("agent.id", "agent-001")
          .containsEntry("agent.action", "file_write")
          .containsEntry("policy.id", "rule-005")
          .containsEntry("policy.decision", "deny")
          .containsEntry("policy.cache_hit", false);
      assertThat(span.status()).isEqualTo(SpanStatus.OK);

      assertThat(scrape())
          .contains("agent_os_policy_evaluations_total{decision=\"deny\",policy=\"rule-005\"} 1.0")
          .contains(
              "agent_os_violations_total{action=\"file_write\",agent=\"agent-001\",policy=\"rule-005\"}"
                  + " 1.0")
          .contains(
              "agent_os_actions_blocked_total{action=\"file_write\",agent=\"agent-001\","
                  + "policy=\"rule-005\"} 1.0")
          .contains("agent_os_policy_evaluation_duration_seconds_count{policy=\"rule-005\"} 1");

      List<AuditRecord> records = log.query(AuditQuery.builder().build());
      assertThat(records).hasSize(1);
      AuditRecord record = records.get(0);
      assertThat(record.agentId()).isEqualTo("agent-001");
      assertThat(record.action()).isEqualTo("file_write");
      assertThat(record.resource()).isEqualTo("/prod/config.yaml");
      assertThat(record.decision()).isEqualTo(Decision.DENY);
      assertThat(record.ruleId()).isEqualTo("rule-005");
      assertThat(record.reason()).isEqualTo("Production writes blocked");
      assertThat(log.verify().ok()).isTrue();
    }
  }

  @Test
  void everyOperationHasItsSpanAndMetrics() throws Exception {
    AgentOsTelemetry os = AgentOsTelemetry.builder().tracer(tracer).metrics(metrics).build();
    assertThat(os.executeAgent("agent-1", "sql", () -> 42)).isEqualTo(42);
    os.storeMemory("agent-1", () -> 2048L);
    assertThat(os.retrieveMemory("agent-1", () -> "episode")).isEqualTo("episode");
    AgentOsTelemetry.Verification v =
        os.verify("agent-1", () -> new AgentOsTelemetry.Verification(false, 0.7));
    assertThat(v.passed()).isFalse();
    os.dispatchSignal("agent-1", "SIGSTOP", () -> {});
    PolicyDecision cached =
        os.evaluatePolicy(
            "agent-1", "sql", null, "rule-1", () -> PolicyDecision.allow(null).fromCache());
    assertThat(cached.cacheHit()).isTrue();

    assertThat(span("agent.execute").attributes()).containsEntry("agent.action", "sql");
    assertThat(span("memory.store").attributes()).containsEntry("agent.id", "agent-1");
    assertThat(span("memory.retrieve").attributes()).containsEntry("agent.id", "agent-1");
    assertThat(span("verification.check").attributes())
        .containsEntry("verification.passed", false)
        .containsEntry("verification.drift_score", 0.7);
    assertThat(span("signal.dispatch").attributes()).containsEntry("signal.name", "SIGSTOP");

    assertThat(scrape())
        .contains("agent_os_actions_total{action=\"sql\",agent=\"agent-1\",decision=\"allow\"} 1.0")
        .contains("agent_os_episodes_total{agent=\"agent-1\"} 1.0")
        .contains("agent_os_memory_size_bytes 2048.0")
        .contains("agent_os_retrieval_duration_seconds_count 1")
        .contains("agent_os_verifications_total{agent=\"agent-1\"} 1.0")
        .contains("agent_os_verification_failures_total{agent=\"agent-1\"} 1.0")
        .contains("agent_os_policy_cache_hits_total{policy=\"rule-1\"} 1.0")
        .doesNotContain("agent_os_violations_total{");
  }

  @Test
  void failingWorkEndsItsSpanInErrorAndAFailingRecorderIsCounted() throws Exception {
    AgentOsTelemetry os =
        AgentOsTelemetry.builder()
            .tracer(tracer)
            .metrics(metrics)
            .decisions(
                (agent, action, resource, policy, decision, context) -> {
                  throw new IllegalStateException("the audit store is down");
                })
            .build();
    assertThatThrownBy(
            () ->
                os.executeAgent(
                    "a",
                    "tool",
                    () -> {
                      throw new IllegalArgumentException("tool failed");
                    }))
        .hasMessage("tool failed");
    assertThat(span("agent.execute").status()).isEqualTo(SpanStatus.ERROR);
    assertThatThrownBy(() -> os.evaluatePolicy("a", "x", null, "p", () -> null))
        .hasMessage("policy p returned no decision");
    assertThat(span("policy.evaluate").status()).isEqualTo(SpanStatus.ERROR);
    assertThatThrownBy(() -> os.verify("a", () -> null))
        .hasMessage("the verification of a returned no result");
    // the decision stands even when it cannot be recorded
    assertThat(
            os.evaluatePolicy("a", "x", null, "p", () -> PolicyDecision.audit("look")).decision())
        .isEqualTo("audit");
    assertThat(os.recordFailures()).isEqualTo(1);
    assertThatThrownBy(() -> new PolicyDecision("maybe", null, false))
        .hasMessage("decision must be allow, deny or audit, got \"maybe\"");
    assertThatThrownBy(() -> AgentOsTelemetry.builder().tracer(tracer).build())
        .hasMessage("tracer and metrics are required");
  }

  @Test
  void aFailedPolicyOrVerificationRecordsTheExceptionOnItsSpan() throws Exception {
    AgentOsTelemetry os = AgentOsTelemetry.builder().tracer(tracer).metrics(metrics).build();
    assertThatThrownBy(
            () ->
                os.evaluatePolicy(
                    "a",
                    "x",
                    null,
                    "p",
                    () -> {
                      throw new IllegalStateException("policy engine down");
                    }))
        .hasMessage("policy engine down");
    assertThatThrownBy(
            () ->
                os.verify(
                    "a",
                    () -> {
                      throw new IllegalArgumentException("checker down");
                    }))
        .hasMessage("checker down");

    for (String name : List.of("policy.evaluate", "verification.check")) {
      SpanData span = span(name);
      assertThat(span.status()).as(name).isEqualTo(SpanStatus.ERROR);
      assertThat(span.events()).as(name).extracting(SpanEvent::name).containsExactly("exception");
    }
    assertThat(span("verification.check").statusMessage()).contains("checker down");
    assertThat(span("verification.check").events().get(0).attributes())
        .containsEntry("exception.type", "java.lang.IllegalArgumentException");
  }

  @Test
  void aFailingRecorderIsLoggedOnceAndCountedEveryTime() {
    IllegalStateException down = new IllegalStateException("the audit store is down");
    AgentOsTelemetry os =
        AgentOsTelemetry.builder()
            .tracer(tracer)
            .metrics(metrics)
            .decisions(
                (agent, action, resource, policy, decision, context) -> {
                  throw down;
                })
            .build();
    os.evaluatePolicy("a", "x", null, "p", () -> PolicyDecision.allow(null));
    os.evaluatePolicy("a", "x", null, "p", () -> PolicyDecision.allow(null));

    assertThat(os.recordFailures()).isEqualTo(2);
    assertThat(RecordingLoggerFinder.recordsFor(down))
        .singleElement()
        .satisfies(
            record -> {
              assertThat(record.logger()).isEqualTo(AgentOsTelemetry.class.getName());
              assertThat(record.level()).isEqualTo(System.Logger.Level.WARNING);
              assertThat(record.message()).endsWith("; further failures are counted");
            });
  }

  @Test
  void aSignalIsDispatchedAndAnEmptyMemoryIsASizeToo() throws Exception {
    AgentOsTelemetry os = AgentOsTelemetry.builder().tracer(tracer).metrics(metrics).build();
    AtomicBoolean dispatched = new AtomicBoolean();
    os.dispatchSignal("agent-1", "SIGTERM", () -> dispatched.set(true));
    os.storeMemory("agent-1", () -> 2048L);
    os.storeMemory("agent-1", () -> 0L);
    os.storeMemory("agent-1", () -> null);
    os.storeMemory("agent-1", () -> -1L);

    assertThat(dispatched).isTrue();
    assertThat(scrape())
        .contains("agent_os_memory_size_bytes 0.0\n")
        .contains("agent_os_episodes_total{agent=\"agent-1\"} 4.0");
  }

  @Test
  void missingBuilderPartsAreNamed() {
    assertThatThrownBy(() -> AgentOsTelemetry.builder().tracer(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracer must not be null");
    assertThatThrownBy(() -> AgentOsTelemetry.builder().metrics(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metrics must not be null");
    assertThatThrownBy(() -> AgentOsTelemetry.builder().decisions(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("decisions must not be null");
  }
}
