package io.hyperlens.prometheus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Map;

/**
 * The seed's Agent OS metrics (kernel, policy, memory, verification), named {@code <namespace>_*}
 * with the namespace from {@link MetricsConfig} ({@code agent_os} by default).
 *
 * <table>
 *   <caption>Metrics and the labels chosen for them (the seed gives none)</caption>
 *   <tr><th>metric</th><th>type</th><th>labels</th></tr>
 *   <tr><td>{@code _actions_total}</td><td>counter</td><td>agent, action, decision</td></tr>
 *   <tr><td>{@code _violations_total}</td><td>counter</td><td>agent, action, policy</td></tr>
 *   <tr><td>{@code _actions_blocked_total}</td><td>counter</td><td>agent, action, policy</td></tr>
 *   <tr><td>{@code _action_duration_seconds}</td><td>histogram</td><td>action</td></tr>
 *   <tr><td>{@code _active_agents}</td><td>gauge</td><td>none</td></tr>
 *   <tr><td>{@code _policy_evaluations_total}</td><td>counter</td><td>policy, decision</td></tr>
 *   <tr><td>{@code _policy_evaluation_duration_seconds}</td><td>histogram</td><td>policy</td></tr>
 *   <tr><td>{@code _policy_cache_hits_total}</td><td>counter</td><td>policy</td></tr>
 *   <tr><td>{@code _episodes_total}</td><td>counter</td><td>agent</td></tr>
 *   <tr><td>{@code _memory_size_bytes}</td><td>gauge</td><td>none</td></tr>
 *   <tr><td>{@code _retrieval_duration_seconds}</td><td>histogram</td><td>none</td></tr>
 *   <tr><td>{@code _verifications_total}</td><td>counter</td><td>agent</td></tr>
 *   <tr><td>{@code _verification_failures_total}</td><td>counter</td><td>agent</td></tr>
 *   <tr><td>{@code _drift_score}</td><td>histogram</td><td>agent</td></tr>
 * </table>
 *
 * <p>{@code agent} is the agent id, {@code decision} is {@code allow}, {@code deny} or {@code
 * audit}, {@code policy} the rule id. Durations are in seconds; the action histogram's buckets hold
 * the seed's {@code HighLatency} threshold (1 s), the policy histogram's are sub-millisecond, and
 * drift scores are taken as 0..1. Recording follows {@link MetricsCollector}'s rules: bad input is
 * dropped and counted, label sets are bounded per metric. Thread-safe.
 *
 * <pre>{@code
 * AgentOsMetrics os = AgentOsMetrics.builder().registry(registry).namespace("agent_os").build();
 * os.recordAction("agent-001", "sql", "allow", 0.012);
 * os.recordViolation("agent-001", "file_write", "rule-005");
 * }</pre>
 */
public final class AgentOsMetrics {
  private static final double[] ACTION_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };
  private static final double[] POLICY_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25
  };
  private static final double[] DRIFT_BUCKETS = {
    0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0
  };

  private final Instruments instruments;
  private final Family<Counter> actions;
  private final Family<Counter> violations;
  private final Family<Counter> blocked;
  private final Family<Histogram> actionDuration;
  private final Family<Gauge> activeAgents;
  private final Family<Counter> policyEvaluations;
  private final Family<Histogram> policyDuration;
  private final Family<Counter> policyCacheHits;
  private final Family<Counter> episodes;
  private final Family<Gauge> memorySize;
  private final Family<Histogram> retrievalDuration;
  private final Family<Counter> verifications;
  private final Family<Counter> verificationFailures;
  private final Family<Histogram> driftScore;

  AgentOsMetrics(
      PrometheusRegistry registry,
      String namespace,
      int maxSeries,
      Map<String, String> customLabels) {
    Labels labels = ConstantLabels.of(customLabels, "agent", "action", "decision", "policy");
    this.instruments =
        new Instruments(registry, labels, new SeriesGuard(registry, maxSeries, labels), null);
    String ns = namespace + "_";
    actions =
        instruments.counter(
            ns + "actions", "Total actions processed", "agent", "action", "decision");
    violations =
        instruments.counter(
            ns + "violations", "Total policy violations", "agent", "action", "policy");
    blocked =
        instruments.counter(
            ns + "actions_blocked", "Actions blocked by policy", "agent", "action", "policy");
    actionDuration =
        instruments.histogram(
            ns + "action_duration_seconds", "Action execution time", ACTION_BUCKETS, "action");
    activeAgents = instruments.gauge(ns + "active_agents", "Currently running agents");
    policyEvaluations =
        instruments.counter(
            ns + "policy_evaluations", "Policy rule evaluations", "policy", "decision");
    policyDuration =
        instruments.histogram(
            ns + "policy_evaluation_duration_seconds",
            "Policy check latency",
            POLICY_BUCKETS,
            "policy");
    policyCacheHits = instruments.counter(ns + "policy_cache_hits", "Policy cache hits", "policy");
    episodes = instruments.counter(ns + "episodes", "Episodes stored", "agent");
    memorySize = instruments.gauge(ns + "memory_size_bytes", "Memory storage size");
    retrievalDuration =
        instruments.histogram(
            ns + "retrieval_duration_seconds", "Memory retrieval time", ACTION_BUCKETS);
    verifications = instruments.counter(ns + "verifications", "Verification requests", "agent");
    verificationFailures =
        instruments.counter(ns + "verification_failures", "Failed verifications", "agent");
    driftScore =
        instruments.histogram(ns + "drift_score", "Semantic drift scores", DRIFT_BUCKETS, "agent");
  }

  /** A builder: a new registry, namespace {@code agent_os}, 10,000 series per metric. */
  public static AgentOsMetricsBuilder builder() {
    return new AgentOsMetricsBuilder();
  }

  /** An action the kernel processed: {@code _actions_total} and its duration. */
  public void recordAction(String agent, String action, String decision, double durationSeconds) {
    instruments.inc(actions, 1, agent, action, decision);
    instruments.observe(actionDuration, durationSeconds, action);
  }

  /** A policy violation by {@code agent} doing {@code action}, caught by {@code policy}. */
  public void recordViolation(String agent, String action, String policy) {
    instruments.inc(violations, 1, agent, action, policy);
  }

  /** An action {@code policy} blocked. */
  public void recordBlocked(String agent, String action, String policy) {
    instruments.inc(blocked, 1, agent, action, policy);
  }

  /** The number of running agents. */
  public void setActiveAgents(int count) {
    instruments.set(activeAgents, count);
  }

  /** One policy evaluation: its decision, latency and whether the cache answered. */
  public void recordPolicyEvaluation(
      String policy, String decision, double durationSeconds, boolean cacheHit) {
    instruments.inc(policyEvaluations, 1, policy, decision);
    instruments.observe(policyDuration, durationSeconds, policy);
    if (cacheHit) {
      instruments.inc(policyCacheHits, 1, policy);
    }
  }

  /** An episode stored in an agent's memory. */
  public void recordEpisodeStored(String agent) {
    instruments.inc(episodes, 1, agent);
  }

  /** The memory store's size in bytes. */
  public void setMemorySize(long bytes) {
    instruments.set(memorySize, bytes);
  }

  /** One memory retrieval's duration. */
  public void recordRetrieval(double durationSeconds) {
    instruments.observe(retrievalDuration, durationSeconds);
  }

  /** One verification of {@code agent}'s output: passed or not, and its drift score (0..1). */
  public void recordVerification(String agent, boolean passed, double driftScore) {
    instruments.inc(verifications, 1, agent);
    if (!passed) {
      instruments.inc(verificationFailures, 1, agent);
    }
    instruments.observe(this.driftScore, driftScore, agent);
  }
}
