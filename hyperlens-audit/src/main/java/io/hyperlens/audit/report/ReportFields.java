package io.hyperlens.audit.report;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.VerificationReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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

  /**
   * The verification in named rows: the verdict, what it rests on (the anchor and how it was
   * pinned, the witness, the tree size and root, the last checkpoint) and the failure, if any.
   */
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
    out.putAll(trust(v));
    v.lastCheckpoint()
        .ifPresent(
            c -> {
              out.put("checkpoint_sequence", Long.toString(c.sequence()));
              out.put("checkpoint_root", c.rootBase64());
              out.put("checkpoint_timestamp", time(c.timestamp()));
              out.put("checkpoint_note", c.note().format());
            });
    v.tornTail()
        .ifPresent(
            t ->
                out.put(
                    "torn_tail",
                    "entry " + t.position() + ", " + t.length() + " bytes (an unfinished write)"));
    return out;
  }

  /** What the verdict rests on: origin, keys, anchor, witness, tree size and root. */
  static Map<String, String> trust(VerificationReport v) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("log_origin", v.origin().orElse("-"));
    List<String> keys = v.fingerprints();
    out.put("signing_key", keys.isEmpty() ? "-" : keys.get(keys.size() - 1));
    if (keys.size() > 1) {
      out.put("key_chain", String.join(" -> ", keys));
    }
    out.put("anchor", v.anchor());
    out.put(
        "anchor_fingerprint",
        v.anchorCheck().fingerprint() == null ? "-" : v.anchorCheck().fingerprint());
    out.put("anchor_result", v.anchorCheck().detail());
    out.put(
        "witness",
        v.witness()
            .map(
                w ->
                    w
                        + (v.witnessedSize() > 0
                            ? ", vouches up to " + v.witnessedSize()
                            : ", holds nothing"))
            .orElse("none consulted"));
    out.put("tree_size", Long.toString(v.treeSize()));
    out.put("tree_root", v.rootBase64());
    return out;
  }

  static String status(VerificationReport v) {
    switch (v.verdict()) {
      case VERIFIED:
        return "verified";
      case UNANCHORED:
        return "UNANCHORED";
      case UNSIGNED:
        return "UNSIGNED";
      default:
        return "FAILED";
    }
  }

  static String time(Instant instant) {
    return instant == null ? "-" : AuditJson.formatTimestamp(instant);
  }

  static String percent(double rate) {
    return String.format(Locale.ROOT, "%.2f%%", rate * 100);
  }
}
