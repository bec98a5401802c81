package io.hyperlens.audit;

import java.time.Duration;
import java.time.Instant;

/** Builds an {@link AuditQuery}; setters check their value at once. Not thread-safe. */
public final class AuditQueryBuilder {
  private Decision decision;
  private String agentId;
  private String action;
  private Instant from;
  private Instant to;
  private Duration within;
  private int limit;

  AuditQueryBuilder() {}

  /** Only records with this decision. */
  public AuditQueryBuilder decision(Decision decision) {
    this.decision = decision;
    return this;
  }

  /** Only records with this decision: {@code allow}, {@code deny} or {@code audit}. */
  public AuditQueryBuilder decision(String decision) {
    this.decision = decision == null ? null : Decision.of(decision);
    return this;
  }

  /** Only records about this agent. */
  public AuditQueryBuilder agentId(String agentId) {
    this.agentId = agentId;
    return this;
  }

  /** Only records of this action. */
  public AuditQueryBuilder action(String action) {
    this.action = action;
    return this;
  }

  /** Only records stamped at or after {@code from}; clears a relative range. */
  public AuditQueryBuilder from(Instant from) {
    this.from = from;
    this.within = null;
    return this;
  }

  /** Only records stamped at or before {@code to}; clears a relative range. */
  public AuditQueryBuilder to(Instant to) {
    this.to = to;
    this.within = null;
    return this;
  }

  /** Only records of the last {@code within}, counted back from when the query runs. */
  public AuditQueryBuilder within(Duration within) {
    if (within == null || within.isZero() || within.isNegative()) {
      throw new IllegalArgumentException("within must be a positive duration, got " + within);
    }
    this.within = within;
    this.from = null;
    this.to = null;
    return this;
  }

  /** The seed's {@code time_range}: {@code last_24h}, {@code last_30_days}, ... */
  public AuditQueryBuilder timeRange(String timeRange) {
    return within(AuditQuery.parseTimeRange(timeRange));
  }

  /** Keeps only the newest {@code limit} matches. */
  public AuditQueryBuilder limit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    this.limit = limit;
    return this;
  }

  /**
   * The query.
   *
   * @throws IllegalArgumentException when {@code from} is after {@code to}
   */
  public AuditQuery build() {
    if (from != null && to != null && from.isAfter(to)) {
      throw new IllegalArgumentException("from must not be after to, got " + from + " > " + to);
    }
    return new AuditQuery(decision, agentId, action, from, to, within, limit);
  }
}
