package io.hyperlens.audit.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.Checkpoint;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.VerificationReport;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON form of a compliance report: one pretty-printed object. */
final class JsonReportWriter {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).build();

  private JsonReportWriter() {}

  static void write(ComplianceReport report, OutputStream out) throws IOException {
    ReportRequest request = report.request();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("report", "compliance");
    root.put("organization", request.organization());
    root.put("generated_at", ReportFields.time(report.generatedAt()));
    Map<String, Object> period = new LinkedHashMap<>();
    period.put("from", ReportFields.time(report.from()));
    period.put("to", ReportFields.time(report.to()));
    root.put("period", period);
    if (request.includeSummary()) {
      ComplianceReport.Summary s = report.summary();
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("total_records", s.totalRecords());
      Map<String, Long> byDecision = new LinkedHashMap<>();
      for (Map.Entry<Decision, Long> e : s.byDecision().entrySet()) {
        byDecision.put(e.getKey().value(), e.getValue());
      }
      summary.put("by_decision", byDecision);
      summary.put("by_agent", s.byAgent());
      summary.put("by_action", s.byAction());
      root.put("summary", summary);
    }
    if (request.includeViolations()) {
      Map<String, Object> violations = new LinkedHashMap<>();
      violations.put("total", report.violationCount());
      violations.put("listed", report.violations().size());
      List<Object> records = new ArrayList<>(report.violations().size());
      for (AuditRecord r : report.violations()) {
        records.add(MAPPER.readTree(AuditJson.toLine(r)));
      }
      violations.put("records", records);
      root.put("violations", violations);
    }
    if (request.includeStatistics()) {
      ComplianceReport.Statistics s = report.statistics();
      Map<String, Object> statistics = new LinkedHashMap<>();
      statistics.put("distinct_agents", s.distinctAgents());
      statistics.put("distinct_actions", s.distinctActions());
      statistics.put("deny_rate", s.denyRate());
      statistics.put("audit_rate", s.auditRate());
      statistics.put("records_per_day", s.recordsPerDay());
      statistics.put("busiest_day", s.busiestDay() == null ? null : s.busiestDay().toString());
      statistics.put("busiest_day_records", s.busiestDayRecords());
      statistics.put(
          "first_record", s.firstRecord() == null ? null : ReportFields.time(s.firstRecord()));
      statistics.put(
          "last_record", s.lastRecord() == null ? null : ReportFields.time(s.lastRecord()));
      statistics.put("top_denying_rules", s.topDenyingRules());
      statistics.put("top_denied_agents", s.topDeniedAgents());
      root.put("statistics", statistics);
    }
    root.put("verification", verification(report.verification()));
    MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, root);
  }

  private static Map<String, Object> verification(VerificationReport v) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", v.verdict().name().toLowerCase(Locale.ROOT));
    out.put("summary", v.summary());
    out.put("verified_through", v.verifiedThrough());
    out.put("records_verified", v.recordsVerified());
    out.put("checkpoints_verified", v.checkpointsVerified());
    out.put("last_sequence", v.lastSequence());
    out.put("unsealed_records", v.unsealedRecords());
    out.put(
        "failure",
        v.failure()
            .map(
                f -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("kind", f.kind().name().toLowerCase(Locale.ROOT));
                  m.put("sequence", f.sequence());
                  m.put("position", f.position());
                  m.put("detail", f.detail());
                  return m;
                })
            .orElse(null));
    out.put("trust", ReportFields.trust(v));
    out.put("checkpoint", v.lastCheckpoint().map(Checkpoint::toMap).orElse(null));
    out.put(
        "torn_tail",
        v.tornTail()
            .map(
                t -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("position", t.position());
                  m.put("bytes", t.length());
                  return m;
                })
            .orElse(null));
    return out;
  }
}
