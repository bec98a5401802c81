package io.hyperlens.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to find in the audit log: every criterion that is set must hold (AND); {@code limit} keeps
 * only the newest matches, returned oldest first, as the event bus does. The time range is either
 * absolute ({@code from}/{@code to}, both inclusive) or relative to the log's clock when the query
 * runs ({@code timeRange("last_24h")}, the seed's shorthand).
 *
 * <pre>{@code
 * List<AuditRecord> violations =
 *     log.query(
 *         AuditQuery.builder().decision(Decision.DENY).timeRange("last_24h").limit(100).build());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class AuditQuery {
  private static final Pattern SHORTHAND =
      Pattern.compile("last_(\\d{1,6})_?(m|minutes?|h|hours?|d|days?|w|weeks?)");
  private static final AuditQuery ALL = new AuditQuery(null, null, null, null, null, null, 0);

  private final Decision decision;
  private final String agentId;
  private final String action;
  private final Instant from;
  private final Instant to;
  private final Duration within;
  private final int limit;

  AuditQuery(
      Decision decision,
      String agentId,
      String action,
      Instant from,
      Instant to,
      Duration within,
      int limit) {
    this.decision = decision;
    this.agentId = agentId;
    this.action = action;
    this.from = from;
    this.to = to;
    this.within = within;
    this.limit = limit;
  }

  /** Every record. */
  public static AuditQuery all() {
    return ALL;
  }

  /** A builder with nothing set (everything matches). */
  public static AuditQueryBuilder builder() {
    return new AuditQueryBuilder();
  }

  /**
   * The length of a seed time-range shorthand: {@code last_<n>} followed by {@code m}, {@code h},
   * {@code d} or {@code w}, or by {@code _minutes}, {@code _hours}, {@code _days} or {@code
   * _weeks}: {@code last_24h}, {@code last_7_days}, {@code last_30_days}.
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static Duration parseTimeRange(String timeRange) {
    Matcher m = timeRange == null ? null : SHORTHAND.matcher(timeRange.toLowerCase(Locale.ROOT));
    if (m == null || !m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(
          "timeRange must look like last_24h, last_7_days or last_30_days, got "
              + AuditRecord.quote(timeRange));
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2).charAt(0)) {
      case 'm':
        return Duration.ofMinutes(n);
      case 'h':
        return Duration.ofHours(n);
      case 'd':
        return Duration.ofDays(n);
      default:
        return Duration.ofDays(7 * n);
    }
  }

  /** The decision to match. */
  public Optional<Decision> decision() {
    return Optional.ofNullable(decision);
  }

  /** The agent to match. */
  public Optional<String> agentId() {
    return Optional.ofNullable(agentId);
  }

  /** The action to match. */
  public Optional<String> action() {
    return Optional.ofNullable(action);
  }

  /** Inclusive lower bound on the timestamp (absolute queries). */
  public Optional<Instant> from() {
    return Optional.ofNullable(from);
  }

  /** Inclusive upper bound on the timestamp (absolute queries). */
  public Optional<Instant> to() {
    return Optional.ofNullable(to);
  }

  /** The relative range ({@code last_24h} is 24 hours), resolved against a clock at query time. */
  public Optional<Duration> within() {
    return Optional.ofNullable(within);
  }

  /** The most matches returned (the newest ones); 0 means no limit. */
  public int limit() {
    return limit;
  }

  /**
   * This query with a relative range made absolute: {@code [now - within, now]} by {@code clock}.
   * Absolute queries are returned as they are.
   */
  public AuditQuery resolve(Clock clock) {
    if (within == null) {
      return this;
    }
    Instant now = clock.instant();
    return new AuditQuery(decision, agentId, action, now.minus(within), now, null, limit);
  }

  /**
   * Whether {@code record} meets every criterion; a relative range must be resolved first.
   *
   * @throws IllegalStateException for an unresolved relative range
   */
  public boolean matches(AuditRecord record) {
    if (within != null) {
      throw new IllegalStateException("resolve(clock) the relative time range first: " + this);
    }
    return (decision == null || decision == record.decision())
        && (agentId == null || agentId.equals(record.agentId()))
        && (action == null || action.equals(record.action()))
        && (from == null || !record.timestamp().isBefore(from))
        && (to == null || !record.timestamp().isAfter(to));
  }

  @Override
  public String toString() {
    return "AuditQuery{decision="
        + decision
        + ", agentId="
        + agentId
        + ", action="
        + action
        + ", from="
        + from
        + ", to="
        + to
        + ", within="
        + within
        + ", limit="
        + limit
        + '}';
  }
}
