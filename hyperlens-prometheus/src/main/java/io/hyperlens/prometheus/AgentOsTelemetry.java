package io.hyperlens.prometheus;

import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One call per Agent OS operation, and each call gives its span, its {@code agent_os_*} metrics
 * and, for a policy decision, an audit record, consistent with each other: what the Agent OS spec
 * promises as automatic spans ({@code agent.execute}, {@code policy.evaluate}, {@code
 * memory.store}, {@code memory.retrieve}, {@code verification.check}, {@code signal.dispatch}).
 *
 * <pre>{@code
 * AgentOsTelemetry os =
 *     AgentOsTelemetry.builder().tracer(tracer).metrics(agentOsMetrics).decisions(auditLog).build();
 * PolicyDecision decision =
 *     os.evaluatePolicy("agent-001", "file_write", "/prod/config.yaml", "rule-005",
 *         () -> PolicyDecision.deny("Production writes blocked"));
 * }</pre>
 *
 * <p>Spans carry {@code agent.id} and the operation's own attributes ({@code agent.action}, {@code
 * policy.id}, {@code policy.decision}, {@code verification.passed}, {@code signal.name}); work that
 * throws ends its span with ERROR and is rethrown. The metrics are {@link AgentOsMetrics}'s. A
 * decision recorder that fails is counted ({@link #recordFailures()}) and logged, never thrown into
 * the agent. Thread-safe.
 */
public final class AgentOsTelemetry {
  private static final System.Logger LOG = System.getLogger(AgentOsTelemetry.class.getName());

  /** The outcome of a verification: passed or not, and its semantic drift score (0..1). */
  public record Verification(boolean passed, double driftScore) {}

  private final DistributedTracer tracer;
  private final AgentOsMetrics metrics;
  private final DecisionRecorder decisions;
  private final LongAdder recordFailures = new LongAdder();

  private AgentOsTelemetry(Builder builder) {
    this.tracer = builder.tracer;
    this.metrics = builder.metrics;
    this.decisions = builder.decisions;
  }

  /** A builder; tracer and metrics are required, the decision recorder is optional. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs {@code work}, an agent executing {@code action}: span {@code agent.execute}, {@code
   * _actions_total{decision="allow"}} and the action's duration.
   */
  public <T> T executeAgent(String agent, String action, Supplier<T> work) {
    long start = System.nanoTime();
    try {
      return traced("agent.execute", attributes(agent, "agent.action", action), work);
    } finally {
      metrics.recordAction(agent, action, "allow", seconds(start));
    }
  }

  /**
   * Evaluates {@code policy} on {@code agent} doing {@code action} (on {@code resource}, which may
   * be null): span {@code policy.evaluate} with the decision, {@code _policy_evaluations_total},
   * the evaluation's latency and cache hit, and for a denial {@code _violations_total} and {@code
   * _actions_blocked_total}; then the decision goes to the decision recorder, if there is one.
   *
   * @return what {@code evaluation} decided
   */
  public PolicyDecision evaluatePolicy(
      String agent,
      String action,
      String resource,
      String policy,
      Supplier<PolicyDecision> evaluation) {
    return evaluatePolicy(agent, action, resource, policy, Map.of(), evaluation);
  }

  /**
   * As {@link #evaluatePolicy(String, String, String, String, Supplier)}, recording {@code context}
   * (a session id, the event answered) with the decision.
   */
  public PolicyDecision evaluatePolicy(
      String agent,
      String action,
      String resource,
      String policy,
      Map<String, ?> context,
      Supplier<PolicyDecision> evaluation) {
    long start = System.nanoTime();
    Map<String, Object> attributes = attributes(agent, "agent.action", action);
    attributes.put("policy.id", policy);
    Span span = tracer.startSpan("policy.evaluate", SpanKind.INTERNAL, attributes);
    PolicyDecision decision;
    try {
      decision = evaluation.get();
      if (decision == null) {
        throw new IllegalStateException("policy " + policy + " returned no decision");
      }
    } catch (RuntimeException | Error e) {
      tracer.recordException(span, e);
      tracer.finishSpan(span, SpanStatus.ERROR, e.getMessage());
      throw e;
    }
    span.setAttribute("policy.decision", decision.decision());
    span.setAttribute("policy.cache_hit", decision.cacheHit());
    tracer.finishSpan(span, SpanStatus.OK, null);
    metrics.recordPolicyEvaluation(
        policy, decision.decision(), seconds(start), decision.cacheHit());
    if (decision.denied()) {
      metrics.recordViolation(agent, action, policy);
      metrics.recordBlocked(agent, action, policy);
    }
    if (decisions != null) {
      try {
        decisions.record(agent, action, resource, policy, decision, context);
      } catch (RuntimeException e) {
        recordFailures.increment();
        if (recordFailures.sum() == 1) {
          LOG.log(
              Level.WARNING,
              "decisions cannot be recorded in " + decisions + "; further failures are counted",
              e);
        }
      }
    }
    return decision;
  }

  /**
   * Stores an episode in {@code agent}'s memory: span {@code memory.store}, {@code
   * _episodes_total}, and {@code _memory_size_bytes} from what {@code store} returns (the memory's
   * size after it, in bytes; null or negative when unknown).
   */
  public void storeMemory(String agent, Supplier<Long> store) {
    Long size = traced("memory.store", attributes(agent, null, null), store);
    metrics.recordEpisodeStored(agent);
    if (size != null && size >= 0) {
      metrics.setMemorySize(size);
    }
  }

  /**
   * Retrieves from memory: span {@code memory.retrieve} and {@code _retrieval_duration_seconds}.
   */
  public <T> T retrieveMemory(String agent, Supplier<T> retrieval) {
    long start = System.nanoTime();
    try {
      return traced("memory.retrieve", attributes(agent, null, null), retrieval);
    } finally {
      metrics.recordRetrieval(seconds(start));
    }
  }

  /**
   * Verifies {@code agent}'s output: span {@code verification.check} with the result, {@code
   * _verifications_total}, {@code _verification_failures_total} when it failed, and the drift
   * score.
   */
  public Verification verify(String agent, Supplier<Verification> check) {
    Map<String, Object> attributes = attributes(agent, null, null);
    Span span = tracer.startSpan("verification.check", SpanKind.INTERNAL, attributes);
    Verification result;
    try {
      result = check.get();
      if (result == null) {
        throw new IllegalStateException("the verification of " + agent + " returned no result");
      }
    } catch (RuntimeException | Error e) {
      tracer.recordException(span, e);
      tracer.finishSpan(span, SpanStatus.ERROR, e.getMessage());
      throw e;
    }
    span.setAttribute("verification.passed", result.passed());
    span.setAttribute("verification.drift_score", result.driftScore());
    tracer.finishSpan(span, SpanStatus.OK, null);
    metrics.recordVerification(agent, result.passed(), result.driftScore());
    return result;
  }

  /** Dispatches {@code signal} to {@code agent}: span {@code signal.dispatch}. */
  public void dispatchSignal(String agent, String signal, Runnable dispatch) {
    traced(
        "signal.dispatch",
        attributes(agent, "signal.name", signal),
        () -> {
          dispatch.run();
          return null;
        });
  }

  /** Decisions the recorder failed to take (each counted, the first logged). */
  public long recordFailures() {
    return recordFailures.sum();
  }

  private <T> T traced(String name, Map<String, Object> attributes, Supplier<T> work) {
    return tracer.traced(name, SpanKind.INTERNAL, attributes, work);
  }

  private static Map<String, Object> attributes(String agent, String key, String value) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (agent != null) {
      out.put("agent.id", agent);
    }
    if (key != null && value != null) {
      out.put(key, value);
    }
    return out;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Builds an {@link AgentOsTelemetry}. Not thread-safe. */
  public static final class Builder {
    private DistributedTracer tracer;
    private AgentOsMetrics metrics;
    private DecisionRecorder decisions;

    private Builder() {}

    /** Where the spans go (required). */
    public Builder tracer(DistributedTracer tracer) {
      if (tracer == null) {
        throw new IllegalArgumentException("tracer must not be null");
      }
      this.tracer = tracer;
      return this;
    }

    /** Where the metrics go (required). */
    public Builder metrics(AgentOsMetrics metrics) {
      if (metrics == null) {
        throw new IllegalArgumentException("metrics must not be null");
      }
      this.metrics = metrics;
      return this;
    }

    /** Where policy decisions are recorded: an {@code AuditLog}, typically. */
    public Builder decisions(DecisionRecorder decisions) {
      if (decisions == null) {
        throw new IllegalArgumentException("decisions must not be null");
      }
      this.decisions = decisions;
      return this;
    }

    /**
     * The telemetry.
     *
     * @throws IllegalStateException without a tracer or metrics
     */
    public AgentOsTelemetry build() {
      if (tracer == null || metrics == null) {
        throw new IllegalStateException("tracer and metrics are required");
      }
      return new AgentOsTelemetry(this);
    }
  }
}
