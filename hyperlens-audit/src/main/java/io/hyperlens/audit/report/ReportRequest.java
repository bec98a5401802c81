package io.hyperlens.audit.report;

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
 * @param organization the organisation or system the report is for, printed in its header, or null
 */
public record ReportRequest(
    ReportFormat format,
    Instant from,
    Instant to,
    Duration within,
    boolean includeSummary,
    boolean includeViolations,
    boolean includeStatistics,
    int maxViolations,
    String organization) {

  /** The longest organisation name, in characters. */
  public static final int MAX_ORGANIZATION_LENGTH = 200;

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
    if (organization != null) {
      if (organization.isBlank()
          || organization.length() > MAX_ORGANIZATION_LENGTH
          || organization.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException(
            "organization must be 1 to "
                + MAX_ORGANIZATION_LENGTH
                + " characters on one line, got \""
                + organization
                + '"');
      }
    }
  }

  /** A builder: PDF over the last 30 days with every section, up to 1000 violations listed. */
  public static ReportRequestBuilder builder() {
    return new ReportRequestBuilder();
  }
}
