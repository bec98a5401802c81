package io.hyperlens.otel;

import java.util.function.UnaryOperator;

/**
 * Which high-cardinality fields {@link GovernanceMetrics} puts on its per-decision measurements:
 * the seed's {@code GovernanceMetricsOptions}. By default only {@code decision}: every distinct
 * {@code agent_id} or {@code tool_name} would be a new time series in Prometheus and the like, and
 * a fleet of thousands of agents makes tens of thousands per counter. Opt in per field, and prefer
 * a bucketing function that maps raw values to a small bounded set (a tenant prefix, a hash modulo
 * N).
 *
 * <pre>{@code
 * GovernanceMetricsOptions options =
 *     GovernanceMetricsOptions.builder()
 *         .includeAgentIdTag(true)
 *         .agentIdBucket(id -> id.startsWith("did:mesh:") ? "mesh" : "other")
 *         .build();
 * }</pre>
 *
 * @param includeAgentIdTag put {@code agent_id} on decisions (default false)
 * @param includeToolNameTag put {@code tool_name} on decisions (default false)
 * @param agentIdBucket maps an agent id to its tag value when included; null keeps it raw
 * @param toolNameBucket maps a tool name to its tag value when included; null keeps it raw
 */
public record GovernanceMetricsOptions(
    boolean includeAgentIdTag,
    boolean includeToolNameTag,
    UnaryOperator<String> agentIdBucket,
    UnaryOperator<String> toolNameBucket) {

  /** The safe defaults: only {@code decision}. */
  public static GovernanceMetricsOptions defaults() {
    return new GovernanceMetricsOptions(false, false, null, null);
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds {@link GovernanceMetricsOptions}.
   *
   * <p>Not thread-safe; build on one thread.
   */
  public static final class Builder {
    private boolean includeAgentIdTag;
    private boolean includeToolNameTag;
    private UnaryOperator<String> agentIdBucket;
    private UnaryOperator<String> toolNameBucket;

    private Builder() {}

    /** Whether to tag decisions with {@code agent_id}. */
    public Builder includeAgentIdTag(boolean include) {
      this.includeAgentIdTag = include;
      return this;
    }

    /** Whether to tag decisions with {@code tool_name}. */
    public Builder includeToolNameTag(boolean include) {
      this.includeToolNameTag = include;
      return this;
    }

    /** Maps agent ids to a bounded set before they become a tag. */
    public Builder agentIdBucket(UnaryOperator<String> bucket) {
      this.agentIdBucket = bucket;
      return this;
    }

    /** Maps tool names to a bounded set before they become a tag. */
    public Builder toolNameBucket(UnaryOperator<String> bucket) {
      this.toolNameBucket = bucket;
      return this;
    }

    /** The options. */
    public GovernanceMetricsOptions build() {
      return new GovernanceMetricsOptions(
          includeAgentIdTag, includeToolNameTag, agentIdBucket, toolNameBucket);
    }
  }
}
