package io.hyperlens.audit.report;

import io.hyperlens.audit.AuditQuery;
import java.time.Duration;
import java.time.Instant;

/** Builds a {@link ReportRequest}; setters check their value at once. Not thread-safe. */
public final class ReportRequestBuilder {
  private ReportFormat format = ReportFormat.PDF;
  private Instant from;
  private Instant to;
  private Duration within = Duration.ofDays(30);
  private boolean includeSummary = true;
  private boolean includeViolations = true;
  private boolean includeStatistics = true;
  private int maxViolations = 1000;
  private String organization;

  ReportRequestBuilder() {}

  /** The output format. */
  public ReportRequestBuilder format(ReportFormat format) {
    if (format == null) {
      throw new IllegalArgumentException("format must not be null (pdf|csv|json)");
    }
    this.format = format;
    return this;
  }

  /** The output format by the seed's name: {@code pdf}, {@code csv} or {@code json}. */
  public ReportRequestBuilder format(String format) {
    return format(ReportFormat.of(format));
  }

  /** The seed's {@code time_range}: {@code last_24h}, {@code last_30_days}, ... */
  public ReportRequestBuilder timeRange(String timeRange) {
    this.within = AuditQuery.parseTimeRange(timeRange);
    this.from = null;
    this.to = null;
    return this;
  }

  /** An absolute range, both ends inclusive. */
  public ReportRequestBuilder between(Instant from, Instant to) {
    if (from == null || to == null) {
      throw new IllegalArgumentException("from and to must not be null, got " + from + ", " + to);
    }
    this.from = from;
    this.to = to;
    this.within = null;
    return this;
  }

  /** Whether to include counts by decision, agent and action. */
  public ReportRequestBuilder includeSummary(boolean include) {
    this.includeSummary = include;
    return this;
  }

  /** Whether to include the table of denied actions. */
  public ReportRequestBuilder includeViolations(boolean include) {
    this.includeViolations = include;
    return this;
  }

  /** Whether to include rates, busiest day, top rules and agents. */
  public ReportRequestBuilder includeStatistics(boolean include) {
    this.includeStatistics = include;
    return this;
  }

  /** The most violations listed, newest kept (default 1000). */
  public ReportRequestBuilder maxViolations(int maxViolations) {
    if (maxViolations < 1) {
      throw new IllegalArgumentException("maxViolations must be at least 1, got " + maxViolations);
    }
    this.maxViolations = maxViolations;
    return this;
  }

  /** The organisation or system the report is for, printed in its header (null for none). */
  public ReportRequestBuilder organization(String organization) {
    this.organization = organization;
    return this;
  }

  /** The request. */
  public ReportRequest build() {
    return new ReportRequest(
        format,
        from,
        to,
        within,
        includeSummary,
        includeViolations,
        includeStatistics,
        maxViolations,
        organization);
  }
}
