package io.hyperlens.server.query;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditQuery;
import io.hyperlens.audit.AuditQueryBuilder;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.report.ComplianceReport;
import io.hyperlens.audit.report.ReportRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/audit}, {@code /api/audit/verify} and {@code /api/audit/report}: the hub's own
 * audit trail, its verification and its compliance reports. Usable without HTTP.
 */
public final class AuditQueries {
  /** The parameters {@code GET /api/audit} takes. */
  public static final Set<String> PARAMETERS =
      Set.of("decision", "agent", "action", "time_range", "limit");

  /** The parameters {@code GET /api/audit/report} takes. */
  public static final Set<String> REPORT_PARAMETERS = Set.of("format", "time_range");

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final AuditLog log;

  /** Queries over {@code log}. */
  public AuditQueries(AuditLog log) {
    this.log = log;
  }

  /**
   * Records, newest first: {@code {"records": [...]}} in the trail's own line shape.
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public Map<String, Object> list(QueryParams params) {
    AuditQueryBuilder query = AuditQuery.builder();
    params.text("decision").ifPresent(query::decision);
    params.text("agent").ifPresent(query::agentId);
    params.text("action").ifPresent(query::action);
    params
        .text("time_range")
        .ifPresent(
            range -> {
              try {
                query.timeRange(range);
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                    "time_range must look like last_24h, last_7_days or last_30_days, got \""
                        + range
                        + "\"",
                    e);
              }
            });
    query.limit(params.integer("limit", 100, 1, 10_000));
    List<Object> records = new ArrayList<>();
    for (AuditRecord record : log.query(query.build())) {
      try {
        records.add(JSON.readValue(AuditJson.toLine(record), Map.class));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    Collections.reverse(records);
    return Map.of("records", records);
  }

  /**
   * The records, newest first, among the newest {@code scan}, whose {@code context} holds {@code
   * key} with one of {@code values}: the decisions of a session ({@code session_id}) or answering
   * the events of a trace ({@code event_id}).
   */
  public List<Map<String, Object>> withContext(String key, Set<String> values, int scan) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (values.isEmpty()) {
      return out;
    }
    Map<String, List<String>> query = new java.util.LinkedHashMap<>();
    query.put("limit", List.of(Integer.toString(scan)));
    for (Object record : (List<?>) list(new QueryParams(query, PARAMETERS)).get("records")) {
      Map<?, ?> map = (Map<?, ?>) record;
      Object context = map.get("context");
      if (context instanceof Map
          && values.contains(String.valueOf(((Map<?, ?>) context).get(key)))) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        out.add(copy);
      }
    }
    return out;
  }

  /** The verification of the whole trail, as the trail's own key holder sees it. */
  public Map<String, Object> verify() {
    VerificationReport report = log.verify();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("verdict", report.verdict().name());
    out.put("ok", report.ok());
    out.put("summary", report.summary());
    out.put("records_verified", report.recordsVerified());
    out.put("checkpoints_verified", report.checkpointsVerified());
    out.put("signed_through", report.signedThrough());
    out.put("tree_size", report.treeSize());
    out.put("root", HexFormat.of().formatHex(report.root()));
    out.put("fingerprints", report.fingerprints());
    out.put("anchor", log.fingerprint());
    // -1: no witness configured, or it has taken no checkpoint yet
    out.put("witnessed_size", log.witnessedSize());
    out.put("witness_failures", log.witnessFailures());
    report.failure().ifPresent(f -> out.put("failure", f.toString()));
    return out;
  }

  /**
   * A compliance report in {@code format} ({@code pdf}, {@code csv} or {@code json}) over {@code
   * time_range} ({@code last_24h} by default).
   *
   * @throws IllegalArgumentException naming the parameter at fault
   */
  public ComplianceReport report(QueryParams params) {
    return log.generateReport(
        ReportRequest.builder()
            .format(params.text("format").orElse("json"))
            .timeRange(params.text("time_range").orElse("last_24h"))
            .organization("Hyperlens hub")
            .build());
  }
}
