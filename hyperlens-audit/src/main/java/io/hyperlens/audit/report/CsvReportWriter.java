package io.hyperlens.audit.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.Decision;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CSV form of a compliance report: one table (Jackson's CSV writer) whose {@code section}
 * column says what a row is. {@code period}, {@code summary}, {@code statistics} and {@code
 * verification} rows carry a {@code name} and a {@code value}; {@code violation} rows carry the
 * record's fields. Filter on {@code section} in a spreadsheet to get each table.
 *
 * <p>Agents choose resource names and reasons, so a text cell that a spreadsheet would run as a
 * formula (starting with {@code = + - @}, a tab or a carriage return) is written with a leading
 * {@code '}, as OWASP advises against CSV injection.
 */
final class CsvReportWriter {
  private static final String[] COLUMNS = {
    "section",
    "name",
    "value",
    "sequence",
    "timestamp",
    "agent_id",
    "action",
    "resource",
    "decision",
    "reason",
    "rule_id",
    "hash"
  };
  private static final CsvMapper MAPPER = new CsvMapper();

  private CsvReportWriter() {}

  static void write(ComplianceReport report, OutputStream out) throws IOException {
    CsvSchema.Builder schema = CsvSchema.builder();
    for (String column : COLUMNS) {
      schema.addColumn(column);
    }
    ReportRequest request = report.request();
    try (SequenceWriter rows =
        MAPPER
            .writer(schema.build().withHeader())
            .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .writeValues(out)) {
      rows.write(pair("period", "from", ReportFields.time(report.from())));
      rows.write(pair("period", "to", ReportFields.time(report.to())));
      rows.write(pair("period", "generated_at", ReportFields.time(report.generatedAt())));
      if (request.includeSummary()) {
        ComplianceReport.Summary s = report.summary();
        rows.write(pair("summary", "total_records", s.totalRecords()));
        for (Map.Entry<Decision, Long> e : s.byDecision().entrySet()) {
          rows.write(pair("summary", "decision:" + e.getKey().value(), e.getValue()));
        }
        for (Map.Entry<String, Long> e : s.byAgent().entrySet()) {
          rows.write(pair("summary", "agent:" + e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, Long> e : s.byAction().entrySet()) {
          rows.write(pair("summary", "action:" + e.getKey(), e.getValue()));
        }
      }
      if (request.includeStatistics()) {
        ComplianceReport.Statistics s = report.statistics();
        for (Map.Entry<String, String> e : ReportFields.statistics(s).entrySet()) {
          rows.write(pair("statistics", e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, Long> e : s.topDenyingRules().entrySet()) {
          rows.write(pair("statistics", "denials_by_rule:" + e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, Long> e : s.topDeniedAgents().entrySet()) {
          rows.write(pair("statistics", "denials_by_agent:" + e.getKey(), e.getValue()));
        }
      }
      if (request.includeViolations()) {
        rows.write(pair("summary", "violations_total", report.violationCount()));
        rows.write(pair("summary", "violations_listed", report.violations().size()));
        for (AuditRecord r : report.violations()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("section", "violation");
          row.put("sequence", r.sequence());
          row.put("timestamp", AuditJson.formatTimestamp(r.timestamp()));
          row.put("agent_id", cell(r.agentId()));
          row.put("action", cell(r.action()));
          row.put("resource", cell(r.resource()));
          row.put("decision", r.decision().value());
          row.put("reason", cell(r.reason()));
          row.put("rule_id", cell(r.ruleId()));
          row.put("hash", r.hash());
          rows.write(row);
        }
      }
      for (Map.Entry<String, String> e :
          ReportFields.verification(report.verification()).entrySet()) {
        rows.write(pair("verification", e.getKey(), e.getValue()));
      }
    }
  }

  static String cell(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    char c = text.charAt(0);
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'
        ? "'" + text
        : text;
  }

  private static Map<String, Object> pair(String section, String name, Object value) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("section", section);
    row.put("name", cell(name));
    row.put("value", value instanceof String ? cell((String) value) : value);
    return row;
  }
}
