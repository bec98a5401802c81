package io.hyperlens.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;

/**
 * Governance metrics on the OpenTelemetry metrics API: the seed's .NET {@code GovernanceMetrics},
 * in Java. Meter {@value #METER_NAME}, eight instruments:
 *
 * <table>
 *   <caption>Instruments, and their names on a Prometheus scrape</caption>
 *   <tr><th>instrument</th><th>kind</th><th>Prometheus</th></tr>
 *   <tr><td>{@code agent_governance.policy_decisions}</td><td>counter</td>
 *       <td>{@code agent_governance_policy_decisions_total}</td></tr>
 *   <tr><td>{@code agent_governance.tool_calls_allowed}</td><td>counter</td>
 *       <td>{@code agent_governance_tool_calls_allowed_total}</td></tr>
 *   <tr><td>{@code agent_governance.tool_calls_blocked}</td><td>counter</td>
 *       <td>{@code agent_governance_tool_calls_blocked_total}</td></tr>
 *   <tr><td>{@code agent_governance.rate_limit_hits}</td><td>counter</td>
 *       <td>{@code agent_governance_rate_limit_hits_total}</td></tr>
 *   <tr><td>{@code agent_governance.evaluation_latency_ms}</td><td>histogram, unit {@code ms}</td>
 *       <td>{@code agent_governance_evaluation_latency_seconds} (served in seconds by the
 *       Hyperlens endpoint; OpenTelemetry's bridge alone names it {@code ..._ms_milliseconds})</td>
 *       </tr>
 *   <tr><td>{@code agent_governance.trust_score}</td><td>gauge, 0–1000</td>
 *       <td>{@code agent_governance_trust_score}</td></tr>
 *   <tr><td>{@code agent_governance.active_agents}</td><td>gauge</td>
 *       <td>{@code agent_governance_active_agents}</td></tr>
 *   <tr><td>{@code agent_governance.audit_events}</td><td>counter</td>
 *       <td>{@code agent_governance_audit_events_total}</td></tr>
 * </table>
 *
 * <p>Decisions carry {@code decision} ({@code allow}/{@code deny}) and, when opted in through
 * {@link GovernanceMetricsOptions}, {@code agent_id} and {@code tool_name}. The latency histogram's
 * buckets run from 0.01 ms to 1 s and include 50 ms, the seed's alert threshold. Unlike the
 * original, registering a gauge twice does not create a second instrument (the newest callback
 * wins), and {@link #recordAuditEvent} makes {@code audit_events} count. A gauge callback that
 * throws is counted ({@link #callbackFailures()}) and its reading skipped; a bucket function that
 * throws is counted too and its tag becomes {@value #UNKNOWN_BUCKET}, so the decision is still
 * recorded and the caller never sees the failure. The meter's version is the seed's {@code 1.0.0}.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * GovernanceMetrics metrics = new GovernanceMetrics(tracing.meterProvider());
 * metrics.recordDecision(true, "did:mesh:data-analyst", "file_read", 0.05);
 * metrics.recordDecision(false, "did:mesh:noisy-agent", "api_call", 0.01, true);
 * metrics.registerActiveAgentsGauge(() -> 42);
 * }</pre>
 */
public final class GovernanceMetrics implements AutoCloseable {
  /** The meter name: register it with your meter provider's views, as in .NET. */
  public static final String METER_NAME = "AgentGovernance";

  /** The latency buckets, in milliseconds. */
  public static final List<Double> LATENCY_BUCKETS_MS =
      List.of(
          0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0,
          1000.0);

  static final AttributeKey<String> DECISION = AttributeKey.stringKey("decision");
  static final AttributeKey<String> AGENT_ID = AttributeKey.stringKey("agent_id");
  static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("tool_name");
  static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("event_type");

  /** The tag value used when a bucket function throws. */
  public static final String UNKNOWN_BUCKET = "unknown";

  private static final Attributes ALLOW = Attributes.of(DECISION, "allow");
  private static final Attributes DENY = Attributes.of(DECISION, "deny");
  private static final System.Logger LOG = System.getLogger(GovernanceMetrics.class.getName());

  private final GovernanceMetricsOptions options;
  private final Meter meter;
  private final LongCounter policyDecisions;
  private final LongCounter toolCallsAllowed;
  private final LongCounter toolCallsBlocked;
  private final LongCounter rateLimitHits;
  private final DoubleHistogram evaluationLatency;
  private final LongCounter auditEvents;

  private final AtomicReference<Consumer<ObservableDoubleMeasurement>> trustScores =
      new AtomicReference<>();
  private final AtomicReference<IntSupplier> activeAgents = new AtomicReference<>();
  private ObservableDoubleGauge trustScoreGauge;
  private ObservableLongGauge activeAgentsGauge;
  private final LongAdder callbackFailures = new LongAdder();
  private final AtomicBoolean callbackFailureLogged = new AtomicBoolean();

  /** Metrics on {@code meterProvider} with the default options (only {@code decision}). */
  public GovernanceMetrics(MeterProvider meterProvider) {
    this(meterProvider, GovernanceMetricsOptions.defaults());
  }

  /**
   * Metrics on {@code meterProvider} with explicit tag options.
   *
   * @throws IllegalArgumentException when either argument is null
   */
  public GovernanceMetrics(MeterProvider meterProvider, GovernanceMetricsOptions options) {
    if (meterProvider == null) {
      throw new IllegalArgumentException("meterProvider must not be null");
    }
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    this.options = options;
    this.meter = meterProvider.meterBuilder(METER_NAME).setInstrumentationVersion("1.0.0").build();
    this.policyDecisions =
        meter
            .counterBuilder("agent_governance.policy_decisions")
            .setDescription("Total policy evaluation decisions")
            .build();
    this.toolCallsBlocked =
        meter
            .counterBuilder("agent_governance.tool_calls_blocked")
            .setDescription("Tool calls blocked by governance policy")
            .build();
    this.toolCallsAllowed =
        meter
            .counterBuilder("agent_governance.tool_calls_allowed")
            .setDescription("Tool calls allowed by governance policy")
            .build();
    this.rateLimitHits =
        meter
            .counterBuilder("agent_governance.rate_limit_hits")
            .setDescription("Requests rejected by rate limiting")
            .build();
    this.evaluationLatency =
        meter
            .histogramBuilder("agent_governance.evaluation_latency_ms")
            .setUnit("ms")
            .setDescription("Governance evaluation latency in milliseconds")
            .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS_MS)
            .build();
    this.auditEvents =
        meter
            .counterBuilder("agent_governance.audit_events")
            .setDescription("Total audit events emitted")
            .build();
  }

  /** As {@link #recordDecision(boolean, String, String, double, boolean)}, not rate-limited. */
  public void recordDecision(
      boolean allowed, String agentId, String toolName, double evaluationMs) {
    recordDecision(allowed, agentId, toolName, evaluationMs, false);
  }

  /**
   * Records one policy decision: {@code policy_decisions} and either {@code tool_calls_allowed} or
   * {@code tool_calls_blocked} by one, {@code rate_limit_hits} by one when {@code rateLimited}, and
   * {@code evaluationMs} into the latency histogram, all with the same attributes.
   *
   * @param agentId the agent's DID; used only when {@code agent_id} is opted in
   * @param toolName the tool; used only when {@code tool_name} is opted in
   * @param evaluationMs how long the evaluation took, in milliseconds, finite and not negative
   * @throws IllegalArgumentException naming the field when a value is invalid; nothing is recorded
   */
  public void recordDecision(
      boolean allowed, String agentId, String toolName, double evaluationMs, boolean rateLimited) {
    if (!(evaluationMs >= 0.0) || Double.isInfinite(evaluationMs)) {
      throw new IllegalArgumentException(
          "evaluationMs must be a finite, non-negative number, got " + evaluationMs);
    }
    Attributes attributes = decisionAttributes(allowed, agentId, toolName);
    policyDecisions.add(1, attributes);
    if (allowed) {
      toolCallsAllowed.add(1, attributes);
    } else {
      toolCallsBlocked.add(1, attributes);
    }
    if (rateLimited) {
      rateLimitHits.add(1, attributes);
    }
    evaluationLatency.record(evaluationMs, attributes);
  }

  private Attributes decisionAttributes(boolean allowed, String agentId, String toolName) {
    if (!options.includeAgentIdTag() && !options.includeToolNameTag()) {
      return allowed ? ALLOW : DENY;
    }
    AttributesBuilder builder = Attributes.builder().put(DECISION, allowed ? "allow" : "deny");
    if (options.includeAgentIdTag()) {
      builder.put(AGENT_ID, tag("agentId", agentId, options.agentIdBucket()));
    }
    if (options.includeToolNameTag()) {
      builder.put(TOOL_NAME, tag("toolName", toolName, options.toolNameBucket()));
    }
    return builder.build();
  }

  private String tag(String field, String value, UnaryOperator<String> bucket) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null when it is a tag");
    }
    if (bucket == null) {
      return value;
    }
    String bucketed;
    try {
      bucketed = bucket.apply(value);
    } catch (RuntimeException e) {
      // A broken bucket function must not break the policy path that records the decision.
      failed("A bucket function", e);
      return UNKNOWN_BUCKET;
    }
    if (bucketed == null) {
      throw new IllegalArgumentException(
          field + " bucket function returned null for " + TracingConfig.quote(value));
    }
    return bucketed;
  }

  /**
   * Counts one audit event of {@code eventType} in {@code audit_events}, tagged {@code event_type}
   * (keep the set of types small and fixed, e.g. {@code AUDIT_COMMITTED}).
   *
   * @throws IllegalArgumentException when {@code eventType} is blank
   */
  public void recordAuditEvent(String eventType) {
    if (eventType == null || eventType.isBlank()) {
      throw new IllegalArgumentException(
          "eventType must not be blank, got " + TracingConfig.quote(eventType));
    }
    auditEvents.add(1, Attributes.of(EVENT_TYPE, eventType));
  }

  /**
   * Reports trust scores (0–1000) on every collection: {@code callback} records one measurement per
   * agent, e.g. {@code m.record(850.0, Attributes.of(stringKey("agent_id"), "did:mesh:trusted"))}.
   * Registering again replaces the callback; there is only ever one {@code trust_score} gauge.
   */
  public void registerTrustScoreGauge(Consumer<ObservableDoubleMeasurement> callback) {
    if (callback == null) {
      throw new IllegalArgumentException("callback must not be null");
    }
    trustScores.set(callback);
    synchronized (this) {
      if (trustScoreGauge == null) {
        trustScoreGauge =
            meter
                .gaugeBuilder("agent_governance.trust_score")
                .setDescription("Current agent trust score (0-1000)")
                .buildWithCallback(
                    measurement -> guarded(() -> trustScores.get().accept(measurement)));
      }
    }
  }

  /**
   * Reports the number of active governed agents on every collection. Registering again replaces
   * the callback; there is only ever one {@code active_agents} gauge.
   */
  public void registerActiveAgentsGauge(IntSupplier callback) {
    if (callback == null) {
      throw new IllegalArgumentException("callback must not be null");
    }
    activeAgents.set(callback);
    synchronized (this) {
      if (activeAgentsGauge == null) {
        activeAgentsGauge =
            meter
                .gaugeBuilder("agent_governance.active_agents")
                .ofLongs()
                .setDescription("Number of active agents being tracked")
                .buildWithCallback(
                    measurement ->
                        guarded(() -> measurement.record(activeAgents.get().getAsInt())));
      }
    }
  }

  private void guarded(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      failed("A gauge callback", e);
    }
  }

  private void failed(String what, RuntimeException e) {
    callbackFailures.increment();
    if (callbackFailureLogged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          what
              + " of GovernanceMetrics threw; a gauge reading is skipped, a bucket becomes \""
              + UNKNOWN_BUCKET
              + "\". Further failures are only counted (callbackFailures()).",
          e);
    }
  }

  /** Gauge callbacks and bucket functions that threw. */
  public long callbackFailures() {
    return callbackFailures.sum();
  }

  /** Removes the gauges; the counters stay with the meter provider. */
  @Override
  public synchronized void close() {
    if (trustScoreGauge != null) {
      trustScoreGauge.close();
      trustScoreGauge = null;
    }
    if (activeAgentsGauge != null) {
      activeAgentsGauge.close();
      activeAgentsGauge = null;
    }
  }
}
