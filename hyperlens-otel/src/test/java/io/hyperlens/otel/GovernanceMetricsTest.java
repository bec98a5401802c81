package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every test of the seed's .NET {@code GovernanceMetricsTests}, and what the original lacked. */
class GovernanceMetricsTest {
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider provider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  private final GovernanceMetrics metrics = new GovernanceMetrics(provider);

  @AfterEach
  void close() {
    metrics.close();
    provider.close();
  }

  private Map<String, MetricData> collect() {
    return reader.collectAllMetrics().stream()
        .collect(Collectors.toMap(MetricData::getName, m -> m));
  }

  private static long sum(Map<String, MetricData> all, String name) {
    MetricData metric = all.get(name);
    return metric == null
        ? 0
        : metric.getLongSumData().getPoints().stream().mapToLong(LongPointData::getValue).sum();
  }

  private static Attributes onlyPointAttributes(Map<String, MetricData> all, String name) {
    Collection<LongPointData> points = all.get(name).getLongSumData().getPoints();
    assertThat(points).hasSize(1);
    return points.iterator().next().getAttributes();
  }

  @Test
  void meterNameIsAgentGovernanceAndEveryInstrumentIsNamedAsTheSeedNamesIt() {
    assertThat(GovernanceMetrics.METER_NAME).isEqualTo("AgentGovernance");
    metrics.recordDecision(false, "did:mesh:a", "t", 0.1, true);
    metrics.recordAuditEvent("AUDIT_COMMITTED");
    metrics.registerTrustScoreGauge(m -> m.record(850.0));
    metrics.registerActiveAgentsGauge(() -> 1);

    Map<String, MetricData> all = collect();
    assertThat(all.keySet())
        .containsExactlyInAnyOrder(
            "agent_governance.policy_decisions",
            "agent_governance.tool_calls_blocked",
            "agent_governance.rate_limit_hits",
            "agent_governance.evaluation_latency_ms",
            "agent_governance.audit_events",
            "agent_governance.trust_score",
            "agent_governance.active_agents");
    assertThat(all.values())
        .allSatisfy(
            m ->
                assertThat(m.getInstrumentationScopeInfo().getName()).isEqualTo("AgentGovernance"));
    assertThat(all.get("agent_governance.evaluation_latency_ms").getUnit()).isEqualTo("ms");
    metrics.recordDecision(true, "did:mesh:a", "t", 0.1);
    assertThat(collect()).containsKey("agent_governance.tool_calls_allowed");
  }

  @Test
  void recordDecisionAllowedIncrementsCounters() {
    metrics.recordDecision(true, "did:agentmesh:test", "file_read", 0.05);

    Map<String, MetricData> all = collect();
    assertThat(sum(all, "agent_governance.policy_decisions")).isEqualTo(1);
    assertThat(sum(all, "agent_governance.tool_calls_allowed")).isEqualTo(1);
    assertThat(sum(all, "agent_governance.tool_calls_blocked")).isZero();
    assertThat(sum(all, "agent_governance.rate_limit_hits")).isZero();
  }

  @Test
  void recordDecisionDeniedIncrementsBlockedCounter() {
    metrics.recordDecision(false, "did:agentmesh:test", "shell_exec", 0.02);

    Map<String, MetricData> all = collect();
    assertThat(sum(all, "agent_governance.tool_calls_blocked")).isEqualTo(1);
    assertThat(sum(all, "agent_governance.tool_calls_allowed")).isZero();
    assertThat(onlyPointAttributes(all, "agent_governance.tool_calls_blocked"))
        .isEqualTo(Attributes.of(AttributeKey.stringKey("decision"), "deny"));
  }

  @Test
  void recordDecisionRateLimitedIncrementsRateLimitCounter() {
    metrics.recordDecision(false, "did:agentmesh:test", "api_call", 0.01, true);

    Map<String, MetricData> all = collect();
    assertThat(sum(all, "agent_governance.rate_limit_hits")).isEqualTo(1);
    assertThat(sum(all, "agent_governance.tool_calls_blocked")).isEqualTo(1);
    assertThat(sum(all, "agent_governance.policy_decisions")).isEqualTo(1);
  }

  @Test
  void recordDecisionRecordsLatencyExactlyInMillisecondBuckets() {
    metrics.recordDecision(true, "did:agentmesh:test", "search", 0.087);

    HistogramPointData point =
        collect()
            .get("agent_governance.evaluation_latency_ms")
            .getHistogramData()
            .getPoints()
            .iterator()
            .next();
    assertThat(point.getCount()).isEqualTo(1);
    assertThat(point.getSum()).isEqualTo(0.087);
    assertThat(point.getMin()).isEqualTo(0.087);
    assertThat(point.getBoundaries()).isEqualTo(GovernanceMetrics.LATENCY_BUCKETS_MS);
    assertThat(point.getBoundaries()).contains(50.0);
    // 0.087 ms lies in (0.05, 0.1].
    int bucket = point.getBoundaries().indexOf(0.1);
    assertThat(point.getCounts().get(bucket)).isEqualTo(1);
  }

  @Test
  void registerTrustScoreGaugeReportsValuesWithTheirAgents() {
    metrics.registerTrustScoreGauge(
        m -> {
          m.record(850.0, Attributes.of(AttributeKey.stringKey("agent_id"), "did:mesh:trusted"));
          m.record(320.0, Attributes.of(AttributeKey.stringKey("agent_id"), "did:mesh:suspicious"));
        });

    Map<String, Double> scores =
        collect().get("agent_governance.trust_score").getDoubleGaugeData().getPoints().stream()
            .collect(
                Collectors.toMap(
                    p -> p.getAttributes().get(AttributeKey.stringKey("agent_id")),
                    p -> p.getValue()));
    assertThat(scores)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("did:mesh:trusted", 850.0, "did:mesh:suspicious", 320.0));
  }

  @Test
  void registerActiveAgentsGaugeReportsCount() {
    metrics.registerActiveAgentsGauge(() -> 42);

    assertThat(collect().get("agent_governance.active_agents").getLongGaugeData().getPoints())
        .singleElement()
        .satisfies(p -> assertThat(p.getValue()).isEqualTo(42));
  }

  @Test
  void registeringAGaugeAgainReplacesItsCallbackInsteadOfAddingAnInstrument() {
    metrics.registerActiveAgentsGauge(() -> 1);
    metrics.registerActiveAgentsGauge(() -> 2);
    metrics.registerTrustScoreGauge(m -> m.record(1.0));
    metrics.registerTrustScoreGauge(m -> m.record(2.0));

    Map<String, MetricData> all = collect();
    assertThat(all.get("agent_governance.active_agents").getLongGaugeData().getPoints())
        .singleElement()
        .satisfies(p -> assertThat(p.getValue()).isEqualTo(2));
    assertThat(all.get("agent_governance.trust_score").getDoubleGaugeData().getPoints())
        .singleElement()
        .satisfies(p -> assertThat(p.getValue()).isEqualTo(2.0));
  }

  @Test
  void aThrowingGaugeCallbackIsCountedAndTheOtherGaugeStillReports() {
    metrics.registerTrustScoreGauge(
        m -> {
          throw new IllegalStateException("registry down");
        });
    metrics.registerActiveAgentsGauge(() -> 7);

    Map<String, MetricData> all = collect();
    assertThat(all.get("agent_governance.active_agents").getLongGaugeData().getPoints())
        .singleElement()
        .satisfies(p -> assertThat(p.getValue()).isEqualTo(7));
    assertThat(metrics.callbackFailures()).isEqualTo(1);
  }

  @Test
  void closeRemovesTheGauges() {
    metrics.registerActiveAgentsGauge(() -> 3);
    metrics.close();

    assertThat(collect()).doesNotContainKey("agent_governance.active_agents");
  }

  @Test
  void auditEventsReallyCount() {
    metrics.recordAuditEvent("AUDIT_COMMITTED");
    metrics.recordAuditEvent("AUDIT_COMMITTED");
    metrics.recordAuditEvent("POLICY_VIOLATION");

    Map<String, Long> byType =
        collect().get("agent_governance.audit_events").getLongSumData().getPoints().stream()
            .collect(
                Collectors.toMap(
                    p -> p.getAttributes().get(AttributeKey.stringKey("event_type")),
                    LongPointData::getValue));
    assertThat(byType)
        .containsExactlyInAnyOrderEntriesOf(Map.of("AUDIT_COMMITTED", 2L, "POLICY_VIOLATION", 1L));
  }

  @Test
  void badValuesAreRejectedNamingTheFieldAndRecordNothing() {
    assertThatThrownBy(() -> metrics.recordDecision(true, "a", "t", -1.0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("evaluationMs must be a finite, non-negative number, got -1.0");
    assertThatThrownBy(() -> metrics.recordDecision(true, "a", "t", Double.NaN))
        .hasMessage("evaluationMs must be a finite, non-negative number, got NaN");
    assertThatThrownBy(() -> metrics.recordAuditEvent(" "))
        .hasMessage("eventType must not be blank, got \" \"");
    assertThatThrownBy(() -> metrics.registerActiveAgentsGauge(null))
        .hasMessage("callback must not be null");
    assertThat(collect()).isEmpty();
  }

  @Test
  void nullOptionsOrProviderAreRejected() {
    assertThatThrownBy(() -> new GovernanceMetrics(provider, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("options must not be null");
    assertThatThrownBy(() -> new GovernanceMetrics(null))
        .hasMessage("meterProvider must not be null");
  }

  // The .NET GovernanceMetricsTagPolicyTests.

  private Set<String> tagKeys(GovernanceMetricsOptions options, String agentId, String toolName) {
    try (GovernanceMetrics tagged = new GovernanceMetrics(provider, options)) {
      tagged.recordDecision(true, agentId, toolName, 0.1);
    }
    return onlyPointAttributes(collect(), "agent_governance.policy_decisions")
        .asMap()
        .keySet()
        .stream()
        .map(AttributeKey::getKey)
        .collect(Collectors.toSet());
  }

  private Optional<String> lastTag(String key) {
    return Optional.ofNullable(
        onlyPointAttributes(collect(), "agent_governance.policy_decisions")
            .get(AttributeKey.stringKey(key)));
  }

  @Test
  void defaultOptionsEmitOnlyTheDecisionTag() {
    assertThat(tagKeys(GovernanceMetricsOptions.defaults(), "did:agentmesh:test", "file_read"))
        .containsExactly("decision");
  }

  @Test
  void includeAgentIdTagEmitsAgentId() {
    GovernanceMetricsOptions options =
        GovernanceMetricsOptions.builder().includeAgentIdTag(true).build();
    assertThat(tagKeys(options, "did:agentmesh:abc", "file_read"))
        .containsExactlyInAnyOrder("decision", "agent_id");
    assertThat(lastTag("agent_id")).contains("did:agentmesh:abc");
  }

  @Test
  void includeToolNameTagEmitsToolName() {
    GovernanceMetricsOptions options =
        GovernanceMetricsOptions.builder().includeToolNameTag(true).build();
    assertThat(tagKeys(options, "did:agentmesh:abc", "file_read"))
        .containsExactlyInAnyOrder("decision", "tool_name");
    assertThat(lastTag("tool_name")).contains("file_read");
  }

  @Test
  void agentIdBucketIsAppliedBeforeEmission() {
    GovernanceMetricsOptions options =
        GovernanceMetricsOptions.builder()
            .includeAgentIdTag(true)
            .agentIdBucket(id -> id.startsWith("did:agentmesh:") ? "agentmesh" : "other")
            .build();
    tagKeys(options, "did:agentmesh:abc123", "file_read");
    assertThat(lastTag("agent_id")).contains("agentmesh");
  }

  @Test
  void toolNameBucketIsAppliedBeforeEmission() {
    GovernanceMetricsOptions options =
        GovernanceMetricsOptions.builder()
            .includeToolNameTag(true)
            .toolNameBucket(
                name -> name.contains(".") ? name.substring(0, name.indexOf('.')) : name)
            .build();
    tagKeys(options, "did:agentmesh:abc", "fs.read_file");
    assertThat(lastTag("tool_name")).contains("fs");
  }

  @Test
  void aThrowingBucketFunctionIsCountedAndTheDecisionStillRecorded() {
    GovernanceMetricsOptions options =
        GovernanceMetricsOptions.builder()
            .includeAgentIdTag(true)
            .agentIdBucket(
                id -> {
                  throw new IllegalStateException("bug in the bucket");
                })
            .build();
    GovernanceMetrics tagged = new GovernanceMetrics(provider, options);
    tagged.recordDecision(true, "did:mesh:a", "t", 1.0);

    assertThat(lastTag("agent_id")).contains(GovernanceMetrics.UNKNOWN_BUCKET);
    assertThat(tagged.callbackFailures()).isEqualTo(1);
  }

  @Test
  void bothTagsEnabledEmitAllThree() {
    GovernanceMetricsOptions options =
        GovernanceMetricsOptions.builder().includeAgentIdTag(true).includeToolNameTag(true).build();
    assertThat(tagKeys(options, "did:agentmesh:abc", "file_read"))
        .containsExactlyInAnyOrder("agent_id", "decision", "tool_name");
  }

  @Test
  void aBucketReturningNullOrANullIdThatWouldBeATagIsRejectedBeforeRecording() {
    GovernanceMetrics nulls =
        new GovernanceMetrics(
            provider,
            GovernanceMetricsOptions.builder()
                .includeAgentIdTag(true)
                .agentIdBucket(id -> null)
                .build());
    assertThatThrownBy(() -> nulls.recordDecision(true, "did:x", "t", 1.0))
        .hasMessage("agentId bucket function returned null for \"did:x\"");
    GovernanceMetrics tagged =
        new GovernanceMetrics(
            provider, GovernanceMetricsOptions.builder().includeToolNameTag(true).build());
    assertThatThrownBy(() -> tagged.recordDecision(true, "did:x", null, 1.0))
        .hasMessage("toolName must not be null when it is a tag");
    // Untagged, a null id is fine: it is not recorded anywhere.
    metrics.recordDecision(true, null, null, 1.0);
    assertThat(sum(collect(), "agent_governance.policy_decisions")).isEqualTo(1);
  }
}
