package io.hyperlens.audit.report;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.VerificationReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The named figures every format prints the same way: statistics and verification as ordered
 * name-value pairs, with values already formatted.
 */
final class ReportFields {
  private ReportFields() {}

  static Map<String, String> statistics(ComplianceReport.Statistics s) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("distinct_agents", Long.toString(s.distinctAgents()));
    out.put("distinct_actions", Long.toString(s.distinctActions()));
    out.put("deny_rate", percent(s.denyRate()));
    out.put("audit_rate", percent(s.auditRate()));
    out.put("records_per_day", String.format(Locale.ROOT, "%.1f", s.recordsPerDay()));
    out.put(
        "busiest_day",
        s.busiestDay() == null ? "-" : s.busiestDay() + " (" + s.busiestDayRecords() + " records)");
    out.put("first_record", time(s.firstRecord()));
    out.put("last_record", time(s.lastRecord()));
    return out;
  }

  static Map<String, String> verification(VerificationReport v) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("status", status(v));
    out.put("records_verified", Long.toString(v.recordsVerified()));
    out.put("checkpoints_verified", Long.toString(v.checkpointsVerified()));
    out.put("last_sequence", Long.toString(v.lastSequence()));
    out.put("unsealed_records", Long.toString(v.unsealedRecords()));
    v.failure()
        .ifPresent(
            f -> {
              out.put("failure_kind", f.kind().name().toLowerCase(Locale.ROOT));
              out.put("failure_sequence", Long.toString(f.sequence()));
              out.put("failure_detail", f.detail());
            });
    v.lastCheckpoint()
        .ifPresent(
            c -> {
              out.put("checkpoint_sequence", Long.toString(c.sequence()));
              out.put("checkpoint_hash", c.hash());
              out.put("checkpoint_timestamp", time(c.timestamp()));
              out.put("checkpoint_key_id", c.keyId());
              out.put("checkpoint_signature", c.signature());
            });
    v.tornTail()
        .ifPresent(
            t ->
                out.put(
                    "torn_tail",
                    "entry " + t.position() + ", " + t.length() + " bytes (an unfinished write)"));
    return out;
  }

  static String status(VerificationReport v) {
    return v.ok() ? "verified" : "FAILED";
  }

  static String time(Instant instant) {
    return instant == null ? "-" : AuditJson.formatTimestamp(instant);
  }

  static String percent(double rate) {
    return String.format(Locale.ROOT, "%.2f%%", rate * 100);
  }
}
