package io.hyperlens.langchain4j;

import dev.langchain4j.agentic.scope.AgenticScope;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.otel.GenAiTelemetry;
import java.time.Duration;
import java.util.function.Function;

/**
 * Configures {@link HyperlensLangChain4j}; from {@link HyperlensLangChain4j#builder}. Everything
 * but the {@link GenAiTelemetry} is optional.
 *
 * <p>Not thread-safe; build on one thread. {@link #build()} does no I/O.
 *
 * <pre>{@code
 * HyperlensLangChain4j hyperlens =
 *     HyperlensLangChain4j.builder(genAi)
 *         .bus(bus) // session, join, step and saga events
 *         .decisions(auditLog) // tool policy decisions in the audit trail
 *         .toolPolicy("no-shell", call -> PolicyDecision.allow("default"))
 *         .build();
 * }</pre>
 */
public final class HyperlensLangChain4jBuilder {
  /** Runs traced at once by default. */
  public static final int DEFAULT_MAX_RUNS = 10_000;

  /** How long a run may go before it may be closed as abandoned, by default. */
  public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofHours(1);

  /** The DID prefix of agents by default: {@code did:langchain4j:{agent name}}. */
  public static final String DEFAULT_DID_PREFIX = "did:langchain4j:";

  final GenAiTelemetry genAi;
  String providerName = HyperlensChatModelListener.DEFAULT_FALLBACK_PROVIDER_NAME;
  HypervisorEventBus bus;
  DecisionRecorder decisions;
  String policyId;
  ToolPolicy toolPolicy;
  Function<AgenticScope, String> sessionIds = scope -> String.valueOf(scope.memoryId());
  Function<String, String> agentDids = name -> DEFAULT_DID_PREFIX + name;
  int maxRuns = DEFAULT_MAX_RUNS;
  Duration runTimeout = DEFAULT_RUN_TIMEOUT;

  HyperlensLangChain4jBuilder(GenAiTelemetry genAi) {
    if (genAi == null) {
      throw new IllegalArgumentException("genAi must not be null");
    }
    this.genAi = genAi;
  }

  /**
   * The {@code gen_ai.provider.name} of agent, tool and unnamed model operations ({@value
   * HyperlensChatModelListener#DEFAULT_FALLBACK_PROVIDER_NAME} by default): in-process agents have
   * no model provider of their own.
   *
   * @throws IllegalArgumentException when blank
   */
  public HyperlensLangChain4jBuilder providerName(String providerName) {
    this.providerName = requireNonBlank("providerName", providerName);
    return this;
  }

  /** Where the runs' session, join, step and saga events go; none by default. */
  public HyperlensLangChain4jBuilder bus(HypervisorEventBus bus) {
    this.bus = bus;
    return this;
  }

  /** Where tool policy decisions are recorded, typically an {@code AuditLog}; none by default. */
  public HyperlensLangChain4jBuilder decisions(DecisionRecorder decisions) {
    this.decisions = decisions;
    return this;
  }

  /**
   * The policy the tools of {@link HyperlensLangChain4j#guardedTools} run under, recorded under
   * {@code policyId}; every call is allowed when none is set.
   *
   * @throws IllegalArgumentException when {@code policyId} is blank or {@code policy} null
   */
  public HyperlensLangChain4jBuilder toolPolicy(String policyId, ToolPolicy policy) {
    this.policyId = requireNonBlank("policyId", policyId);
    if (policy == null) {
      throw new IllegalArgumentException("policy must not be null");
    }
    this.toolPolicy = policy;
    return this;
  }

  /**
   * The session id of a run from its agentic scope; its memory id by default (one per top-level
   * invocation).
   */
  public HyperlensLangChain4jBuilder sessionIds(Function<AgenticScope, String> sessionIds) {
    if (sessionIds == null) {
      throw new IllegalArgumentException("sessionIds must not be null");
    }
    this.sessionIds = sessionIds;
    return this;
  }

  /** The DID of an agent from its name; {@value #DEFAULT_DID_PREFIX}{@code {name}} by default. */
  public HyperlensLangChain4jBuilder agentDids(Function<String, String> agentDids) {
    if (agentDids == null) {
      throw new IllegalArgumentException("agentDids must not be null");
    }
    this.agentDids = agentDids;
    return this;
  }

  /**
   * How many runs are traced at once ({@value #DEFAULT_MAX_RUNS} by default); one beyond is left
   * untraced and counted ({@link HyperlensAgentListener#untracedRuns()}).
   *
   * @throws IllegalArgumentException when below 1
   */
  public HyperlensLangChain4jBuilder maxRuns(int maxRuns) {
    if (maxRuns < 1) {
      throw new IllegalArgumentException("maxRuns must be at least 1, got " + maxRuns);
    }
    this.maxRuns = maxRuns;
    return this;
  }

  /**
   * How long a run may go unfinished ({@link #DEFAULT_RUN_TIMEOUT} by default) before, when {@link
   * #maxRuns} are tracked, it is closed as abandoned ({@link
   * HyperlensAgentListener#abandonedRuns()}) to make room: a run whose end LangChain4j never
   * reported would otherwise hold its place for good.
   *
   * @throws IllegalArgumentException when null, zero or negative
   */
  public HyperlensLangChain4jBuilder runTimeout(Duration runTimeout) {
    if (runTimeout == null || runTimeout.isZero() || runTimeout.isNegative()) {
      throw new IllegalArgumentException("runTimeout must be positive, got " + runTimeout);
    }
    this.runTimeout = runTimeout;
    return this;
  }

  /** The instrumentation. */
  public HyperlensLangChain4j build() {
    return new HyperlensLangChain4j(this);
  }

  static String requireNonBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + " must not be blank, got " + (value == null ? "null" : "\"" + value + "\""));
    }
    return value;
  }
}
