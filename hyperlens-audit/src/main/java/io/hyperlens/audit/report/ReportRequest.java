package io.hyperlens.audit.report;

import io.hyperlens.audit.AuditQuery;
import java.time.Duration;
import java.time.Instant;

/**
 * What a compliance report covers and holds: the seed's {@code generate_report(format, time_range,
 * include_summary, include_violations, include_statistics)}. The verification result is always
 * included: a report is only as good as the log it rests on.
 *
 * <pre>{@code
 * ReportRequest request =
 *     ReportRequest.builder().format(ReportFormat.PDF).timeRange("last_30_days").build();
 * log.generateReport(request).save(Path.of("compliance-report-january.pdf"));
 * }</pre>
 *
 * @param format the output format
 * @param from first instant covered (inclusive), or null with {@code within}
 * @param to last instant covered (inclusive), or null with {@code within}
 * @param within a range counted back from when the report is made, or null
 * @param includeSummary counts by decision, agent and action
 * @param includeViolations the table of denied actions
 * @param includeStatistics rates, busiest day, top rules and agents
 * @param maxViolations the most violations listed (the newest); the count is always complete
 */
public record ReportRequest(
    ReportFormat format,
    Instant from,
    Instant to,
    Duration within,
    boolean includeSummary,
    boolean includeViolations,
    boolean includeStatistics,
    int maxViolations) {

  /** Checks the fields. */
  public ReportRequest {
    if (format == null) {
      throw new IllegalArgumentException("format must not be null (pdf|csv|json)");
    }
    if ((within == null) == (from == null || to == null)) {
      throw new IllegalArgumentException(
          "give either timeRange/within or both from and to, got from="
              + from
              + ", to="
              + to
              + ", within="
              + within);
    }
    if (from != null && from.isAfter(to)) {
      throw new IllegalArgumentException("from must not be after to, got " + from + " > " + to);
    }
    if (maxViolations < 1) {
      throw new IllegalArgumentException("maxViolations must be at least 1, got " + maxViolations);
    }
  }

  /** A builder: PDF over the last 30 days with every section, up to 1000 violations listed. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ReportRequest}; setters check their value at once. Not thread-safe. */
  public static final class Builder {
    private ReportFormat format = ReportFormat.PDF;
    private Instant from;
    private Instant to;
    private Duration within = Duration.ofDays(30);
    private boolean includeSummary = true;
    private boolean includeViolations = true;
    private boolean includeStatistics = true;
    private int maxViolations = 1000;

    private Builder() {}

    /** The output format. */
    public Builder format(ReportFormat format) {
      if (format == null) {
        throw new IllegalArgumentException("format must not be null (pdf|csv|json)");
      }
      this.format = format;
      return this;
    }

    /** The output format by the seed's name: {@code pdf}, {@code csv} or {@code json}. */
    public Builder format(String format) {
      return format(ReportFormat.of(format));
    }

    /** The seed's {@code time_range}: {@code last_24h}, {@code last_30_days}, ... */
    public Builder timeRange(String timeRange) {
      this.within = AuditQuery.parseTimeRange(timeRange);
      this.from = null;
      this.to = null;
      return this;
    }

    /** An absolute range, both ends inclusive. */
    public Builder between(Instant from, Instant to) {
      if (from == null || to == null) {
        throw new IllegalArgumentException("from and to must not be null, got " + from + ", " + to);
      }
      this.from = from;
      this.to = to;
      this.within = null;
      return this;
    }

    /** Whether to include counts by decision, agent and action. */
    public Builder includeSummary(boolean include) {
      this.includeSummary = include;
      return this;
    }

    /** Whether to include the table of denied actions. */
    public Builder includeViolations(boolean include) {
      this.includeViolations = include;
      return this;
    }

    /** Whether to include rates, busiest day, top rules and agents. */
    public Builder includeStatistics(boolean include) {
      this.includeStatistics = include;
      return this;
    }

    /** The most violations listed, newest kept (default 1000). */
    public Builder maxViolations(int maxViolations) {
      if (maxViolations < 1) {
        throw new IllegalArgumentException(
            "maxViolations must be at least 1, got " + maxViolations);
      }
      this.maxViolations = maxViolations;
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
          maxViolations);
    }
  }
}
