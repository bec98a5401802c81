package io.hyperlens.audit.report;

import io.hyperlens.audit.AuditQuery;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditStore;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.StoredEntry;
import io.hyperlens.audit.VerificationReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A compliance report over a time range of an audit log, the seed's {@code generate_report}: a
 * summary (counts by decision, agent and action), the violations (denied actions), statistics, and
 * the verification result with the signed checkpoint it rests on; written as PDF, CSV or JSON.
 *
 * <pre>{@code
 * ComplianceReport report =
 *     log.generateReport(
 *         ReportRequest.builder().format(ReportFormat.PDF).timeRange("last_30_days").build());
 * report.save(Path.of("compliance-report-january.pdf"));
 * }</pre>
 *
 * <p>Counts by agent and action keep at most {@value #MAX_KEYS} distinct names each; the rest are
 * counted under {@value #OVERFLOW}. Immutable and thread-safe.
 */
public final class ComplianceReport {
  /** Distinct agents (or actions, rules) counted by name before the rest share one bucket. */
  public static final int MAX_KEYS = 10_000;

  /** The bucket for names beyond {@link #MAX_KEYS}. */
  public static final String OVERFLOW = "__overflow__";

  /**
   * Counts over the range.
   *
   * @param totalRecords records in the range
   * @param byDecision records per decision, every decision present
   * @param byAgent records per agent, most first
   * @param byAction records per action, most first
   */
  public record Summary(
      long totalRecords,
      Map<Decision, Long> byDecision,
      Map<String, Long> byAgent,
      Map<String, Long> byAction) {}

  /**
   * Figures over the range.
   *
   * @param distinctAgents agents seen
   * @param distinctActions actions seen
   * @param denyRate denied share of all records, 0 to 1
   * @param auditRate flagged-for-review share of all records, 0 to 1
   * @param recordsPerDay records per day over the span from the first to the last record (at least
   *     a day), on average
   * @param busiestDay the UTC day with the most records, or null without records
   * @param busiestDayRecords records on that day
   * @param firstRecord the earliest record's timestamp, or null
   * @param lastRecord the latest record's timestamp, or null
   * @param topDenyingRules the rules behind the most denials, most first (at most 10)
   * @param topDeniedAgents the agents denied most, most first (at most 10)
   */
  public record Statistics(
      long distinctAgents,
      long distinctActions,
      double denyRate,
      double auditRate,
      double recordsPerDay,
      LocalDate busiestDay,
      long busiestDayRecords,
      Instant firstRecord,
      Instant lastRecord,
      Map<String, Long> topDenyingRules,
      Map<String, Long> topDeniedAgents) {}

  private final ReportRequest request;
  private final Instant generatedAt;
  private final Instant from;
  private final Instant to;
  private final Summary summary;
  private final Statistics statistics;
  private final List<AuditRecord> violations;
  private final long violationCount;
  private final VerificationReport verification;

  private ComplianceReport(
      ReportRequest request,
      Instant generatedAt,
      Instant from,
      Instant to,
      Summary summary,
      Statistics statistics,
      List<AuditRecord> violations,
      long violationCount,
      VerificationReport verification) {
    this.request = request;
    this.generatedAt = generatedAt;
    this.from = from;
    this.to = to;
    this.summary = summary;
    this.statistics = statistics;
    this.violations = violations;
    this.violationCount = violationCount;
    this.verification = verification;
  }

  /**
   * Reads the records of {@code request}'s range from {@code store} (one pass) and puts the report
   * together with {@code verification}, the result of verifying that store. {@link
   * io.hyperlens.audit.AuditLog#generateReport} does both for a live log; this form serves a log
   * opened read-only.
   */
  public static ComplianceReport generate(
      AuditStore store, VerificationReport verification, ReportRequest request, Clock clock) {
    if (store == null || verification == null || request == null || clock == null) {
      throw new IllegalArgumentException("store, verification, request and clock are required");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant from = request.within() != null ? now.minus(request.within()) : request.from();
    Instant to = request.within() != null ? now : request.to();
    AuditQuery range = AuditQuery.builder().from(from).to(to).build();

    Tally byAgent = new Tally();
    Tally byAction = new Tally();
    Tally denyingRules = new Tally();
    Tally deniedAgents = new Tally();
    Map<LocalDate, Long> byDay = new HashMap<>();
    EnumMap<Decision, Long> byDecision = new EnumMap<>(Decision.class);
    for (Decision d : Decision.values()) {
      byDecision.put(d, 0L);
    }
    ArrayDeque<AuditRecord> violations = new ArrayDeque<>();
    long total = 0;
    long violationCount = 0;
    Instant first = null;
    Instant last = null;
    try (Stream<StoredEntry> entries = store.entries()) {
      for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext(); ) {
        StoredEntry entry = it.next();
        if (!(entry instanceof StoredEntry.StoredRecord)) {
          continue;
        }
        AuditRecord r = ((StoredEntry.StoredRecord) entry).record();
        if (!range.matches(r) || r.sequence() > verification.verifiedThrough()) {
          // A report holds only what was verified: not records appended since, nor anything
          // from the first failure on.
          continue;
        }
        total++;
        byDecision.merge(r.decision(), 1L, Long::sum);
        byAgent.add(r.agentId());
        byAction.add(r.action());
        byDay.merge(LocalDate.ofInstant(r.timestamp(), ZoneOffset.UTC), 1L, Long::sum);
        first = first == null || r.timestamp().isBefore(first) ? r.timestamp() : first;
        last = last == null || r.timestamp().isAfter(last) ? r.timestamp() : last;
        if (r.isViolation()) {
          violationCount++;
          deniedAgents.add(r.agentId());
          denyingRules.add(r.ruleId() == null ? "(no rule)" : r.ruleId());
          if (violations.size() == request.maxViolations()) {
            violations.removeFirst();
          }
          violations.addLast(r);
        }
      }
    }
    LocalDate busiest = null;
    long busiestCount = 0;
    for (Map.Entry<LocalDate, Long> day : byDay.entrySet()) {
      if (day.getValue() > busiestCount
          || (day.getValue() == busiestCount
              && busiest != null
              && day.getKey().isBefore(busiest))) {
        busiest = day.getKey();
        busiestCount = day.getValue();
      }
    }
    // Per day of the records' own span, so a short burst is not spread thin over the range.
    double days =
        first == null
            ? 1.0
            : Math.max(1.0, Duration.between(first, last).toMillis() / 86_400_000.0);
    Summary summary =
        new Summary(
            total,
            Collections.unmodifiableMap(byDecision),
            byAgent.sorted(Integer.MAX_VALUE),
            byAction.sorted(Integer.MAX_VALUE));
    Statistics statistics =
        new Statistics(
            byAgent.distinct(),
            byAction.distinct(),
            total == 0 ? 0 : byDecision.get(Decision.DENY) / (double) total,
            total == 0 ? 0 : byDecision.get(Decision.AUDIT) / (double) total,
            total / days,
            busiest,
            busiestCount,
            first,
            last,
            denyingRules.sorted(10),
            deniedAgents.sorted(10));
    return new ComplianceReport(
        request,
        now,
        from,
        to,
        summary,
        statistics,
        List.copyOf(violations),
        violationCount,
        verification);
  }

  /** What was asked for. */
  public ReportRequest request() {
    return request;
  }

  /** The output format. */
  public ReportFormat format() {
    return request.format();
  }

  /** When the report was made. */
  public Instant generatedAt() {
    return generatedAt;
  }

  /** The first instant covered (inclusive). */
  public Instant from() {
    return from;
  }

  /** The last instant covered (inclusive). */
  public Instant to() {
    return to;
  }

  /** Counts by decision, agent and action. */
  public Summary summary() {
    return summary;
  }

  /** Rates, busiest day, top rules and agents. */
  public Statistics statistics() {
    return statistics;
  }

  /** The denied actions listed, oldest first: the newest {@code maxViolations} of them. */
  public List<AuditRecord> violations() {
    return violations;
  }

  /** All denied actions in the range, listed or not. */
  public long violationCount() {
    return violationCount;
  }

  /** The verification of the log the report was read from. */
  public VerificationReport verification() {
    return verification;
  }

  /** The report in its format. */
  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    writeTo(out);
    return out.toByteArray();
  }

  /**
   * Writes the report in its format to {@code out} (left open).
   *
   * @throws UncheckedIOException if writing fails
   */
  public void writeTo(OutputStream out) {
    try {
      switch (request.format()) {
        case PDF:
          PdfReportWriter.write(this, out);
          break;
        case CSV:
          CsvReportWriter.write(this, out);
          break;
        default:
          JsonReportWriter.write(this, out);
          break;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the compliance report", e);
    }
  }

  /**
   * Writes the report to {@code file}, replacing it.
   *
   * @throws UncheckedIOException if writing fails
   */
  public void save(Path file) {
    try (OutputStream out = Files.newOutputStream(file)) {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the compliance report to " + file, e);
    }
  }

  /** Counts by name, at most {@link #MAX_KEYS} names. */
  private static final class Tally {
    private final Map<String, Long> counts = new HashMap<>();

    void add(String key) {
      String name = counts.containsKey(key) || counts.size() < MAX_KEYS ? key : OVERFLOW;
      counts.merge(name, 1L, Long::sum);
    }

    long distinct() {
      return counts.size();
    }

    Map<String, Long> sorted(int limit) {
      Map<String, Long> out = new LinkedHashMap<>();
      counts.entrySet().stream()
          .sorted(
              Map.Entry.<String, Long>comparingByValue()
                  .reversed()
                  .thenComparing(Map.Entry.comparingByKey()))
          .limit(limit)
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return Collections.unmodifiableMap(out);
    }
  }
}
