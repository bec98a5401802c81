package io.hyperlens.audit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.InMemoryAuditStore;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.event.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's figures at their edges, and every field the JSON and CSV forms carry. */
class ReportEdgesTest {
  private static final Instant DAY1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final AuditSigner signer = AuditSigner.generate();
  private final TestClock clock = new TestClock(DAY1);

  private static AuditEntry entry(String agent, Decision decision, String rule, Instant at) {
    return AuditEntry.builder()
        .agentId(agent)
        .action("act")
        .decision(decision)
        .ruleId(rule)
        .timestamp(at)
        .build();
  }

  private ComplianceReport report(AuditLog log, ReportFormat format) {
    return log.generateReport(
        ReportRequest.builder().format(format).timeRange("last_7_days").build());
  }

  @Test
  void busiestDayTiesGoToTheEarlierDayAndRatesAreExact() throws Exception {
    try (AuditLog log =
        AuditLog.builder().store(new InMemoryAuditStore(100)).signer(signer).clock(clock).build()) {
      // Day 1: 2 records (1 deny without a rule); day 2: 2 records (1 audit, 1 deny by rule-9).
      log.append(entry("a", Decision.ALLOW, null, DAY1));
      log.append(entry("b", Decision.DENY, null, DAY1.plusSeconds(60)));
      log.append(entry("a", Decision.AUDIT, null, DAY1.plus(Duration.ofDays(1))));
      log.append(entry("b", Decision.DENY, "rule-9", DAY1.plus(Duration.ofDays(1)).plusSeconds(5)));
      clock.advance(Duration.ofDays(2));
      ComplianceReport report = report(log, ReportFormat.JSON);
      ComplianceReport.Statistics s = report.statistics();
      assertThat(s.busiestDay()).isEqualTo(LocalDate.of(2026, 3, 1));
      assertThat(s.busiestDayRecords()).isEqualTo(2);
      assertThat(s.denyRate()).isEqualTo(0.5);
      assertThat(s.auditRate()).isEqualTo(0.25);
      assertThat(s.distinctAgents()).isEqualTo(2);
      assertThat(s.distinctActions()).isEqualTo(1);
      assertThat(s.firstRecord()).isEqualTo(DAY1);
      assertThat(s.lastRecord()).isEqualTo(DAY1.plus(Duration.ofDays(1)).plusSeconds(5));
      assertThat(s.recordsPerDay()).isEqualTo(4 / ((86_400_000.0 + 5_000) / 86_400_000.0));
      assertThat(s.topDenyingRules())
          .containsExactly(Map.entry("(no rule)", 1L), Map.entry("rule-9", 1L));
      assertThat(s.topDeniedAgents()).containsExactly(Map.entry("b", 2L));
      assertThat(report.from()).isEqualTo(clock.instant().minus(Duration.ofDays(7)));
      assertThat(report.to()).isEqualTo(clock.instant());
      assertThat(report.generatedAt()).isEqualTo(clock.instant());
      assertThat(report.format()).isEqualTo(ReportFormat.JSON);
      JsonNode json = JSON.readTree(report.bytes());
      assertThat(json.at("/statistics/busiest_day").asText()).isEqualTo("2026-03-01");
      assertThat(json.at("/statistics/first_record").asText())
          .isEqualTo("2026-03-01T10:00:00.000Z");
      assertThat(json.at("/statistics/last_record").asText()).isEqualTo("2026-03-02T10:00:05.000Z");
      assertThat(json.at("/period/from").asText()).isNotBlank();
      Map<String, String> fields = ReportFields.statistics(s);
      assertThat(fields)
          .containsEntry("deny_rate", "50.00%")
          .containsEntry("audit_rate", "25.00%")
          .containsEntry("busiest_day", "2026-03-01 (2 records)")
          .containsEntry("first_record", "2026-03-01T10:00:00.000Z")
          .containsEntry("distinct_agents", "2");
    }
  }

  @Test
  void anEmptyRangeHasNoBusiestDayAndPrintsDashes() throws Exception {
    try (AuditLog log =
        AuditLog.builder().store(new InMemoryAuditStore(10)).signer(signer).clock(clock).build()) {
      ComplianceReport report = report(log, ReportFormat.JSON);
      ComplianceReport.Statistics s = report.statistics();
      assertThat(s.busiestDay()).isNull();
      assertThat(s.denyRate()).isZero();
      assertThat(s.auditRate()).isZero();
      assertThat(s.recordsPerDay()).isZero();
      assertThat(ReportFields.statistics(s))
          .containsEntry("busiest_day", "-")
          .containsEntry("first_record", "-")
          .containsEntry("last_record", "-");
      JsonNode json = JSON.readTree(report.bytes());
      assertThat(json.at("/statistics/busiest_day").isNull()).isTrue();
      assertThat(json.at("/statistics/first_record").isNull()).isTrue();
      assertThat(json.at("/statistics/last_record").isNull()).isTrue();
      assertThat(json.at("/organization").isNull()).isTrue();
    }
  }

  @Test
  void onlyTheNewestViolationsAreListedButAllCounted() {
    try (AuditLog log =
        AuditLog.builder().store(new InMemoryAuditStore(100)).signer(signer).clock(clock).build()) {
      for (int i = 0; i < 5; i++) {
        log.append(entry("a" + i, Decision.DENY, "r", DAY1.plusSeconds(i)));
      }
      clock.advance(Duration.ofHours(1));
      ComplianceReport report =
          log.generateReport(
              ReportRequest.builder()
                  .format("json")
                  .timeRange("last_7_days")
                  .maxViolations(2)
                  .build());
      assertThat(report.violationCount()).isEqualTo(5);
      assertThat(report.violations()).extracting(r -> r.agentId()).containsExactly("a3", "a4");
    }
  }

  @Test
  void namesBeyondTheBudgetShareOneBucket() {
    try (AuditLog log =
        AuditLog.builder()
            .store(new InMemoryAuditStore(30_000))
            .signer(signer)
            .clock(clock)
            .build()) {
      for (int i = 0; i < ComplianceReport.MAX_KEYS + 2; i++) {
        log.append(entry("agent-" + i, Decision.ALLOW, null, DAY1));
      }
      log.append(entry("agent-0", Decision.ALLOW, null, DAY1));
      ComplianceReport report = report(log, ReportFormat.JSON);
      assertThat(report.summary().byAgent())
          .hasSize(ComplianceReport.MAX_KEYS + 1)
          .containsEntry(ComplianceReport.OVERFLOW, 2L)
          .containsEntry("agent-0", 2L)
          .containsEntry("agent-" + (ComplianceReport.MAX_KEYS - 1), 1L)
          .doesNotContainKey("agent-" + ComplianceReport.MAX_KEYS);
      assertThat(report.statistics().distinctAgents()).isEqualTo(ComplianceReport.MAX_KEYS + 1);
    }
  }

  @Test
  void aFailedVerificationWithATornTailIsInEveryForm() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(signer)
            .clock(clock)
            .build()) {
      log.append(entry("a", Decision.ALLOW, null, DAY1));
    }
    Files.write(file, "{\"id\":".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      VerificationReport torn = AuditVerifier.verify(store, TrustAnchor.key(signer.publicKey()));
      assertThat(torn.tornTail()).isPresent();
      Map<String, String> rows = ReportFields.verification(torn);
      assertThat(rows.get("torn_tail")).isEqualTo("entry 4, 6 bytes (an unfinished write)");
      assertThat(rows).containsEntry("status", "verified").containsKey("checkpoint_note");
      ComplianceReport json =
          ComplianceReport.generate(
              store, torn, ReportRequest.builder().format("json").build(), clock);
      assertThat(JSON.readTree(json.bytes()).at("/verification/torn_tail/bytes").asLong())
          .isEqualTo(6);
      VerificationReport failed =
          AuditVerifier.verify(store, TrustAnchor.key(AuditSigner.generate().publicKey()));
      Map<String, String> failedRows = ReportFields.verification(failed);
      assertThat(failedRows)
          .containsEntry("status", "FAILED")
          .containsEntry("failure_kind", "untrusted_key")
          .containsEntry("failure_sequence", "1");
      JsonNode node =
          JSON.readTree(
              ComplianceReport.generate(
                      store, failed, ReportRequest.builder().format("json").build(), clock)
                  .bytes());
      assertThat(node.at("/verification/failure/kind").asText()).isEqualTo("untrusted_key");
      assertThat(node.at("/verification/status").asText()).isEqualTo("tampered");
      VerificationReport unanchored = AuditVerifier.verify(store, TrustAnchor.none());
      assertThat(ReportFields.status(unanchored)).isEqualTo("UNANCHORED");
      assertThat(ReportFields.trust(unanchored))
          .containsEntry("anchor", "no anchor")
          .containsEntry("anchor_fingerprint", "-")
          .containsEntry("witness", "none consulted")
          .containsEntry("tree_size", "1")
          .doesNotContainKey("key_chain");
      byte[] csv =
          ComplianceReport.generate(
                  store, failed, ReportRequest.builder().format("csv").build(), clock)
              .bytes();
      assertThat(new String(csv, StandardCharsets.UTF_8))
          .contains("verification,failure_kind,untrusted_key")
          .doesNotContain("statistics,denials_by_rule");
    }
  }

  @Test
  void aReportOverAnUnsignedTailSaysSoAndCoversOnlyTheSignedRecords() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(signer)
            .clock(clock)
            .build();
    log.append(entry("a", Decision.ALLOW, null, DAY1));
    log.checkpoint();
    log.append(entry("b", Decision.DENY, "r", DAY1));
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      VerificationReport unsigned =
          AuditVerifier.verify(store, TrustAnchor.key(signer.publicKey()));
      assertThat(ReportFields.status(unsigned)).isEqualTo("UNSIGNED");
      ComplianceReport pdf =
          ComplianceReport.generate(
              store, unsigned, ReportRequest.builder().format("pdf").build(), clock);
      assertThat(pdf.summary().totalRecords()).isEqualTo(1);
      try (org.apache.pdfbox.pdmodel.PDDocument doc =
          org.apache.pdfbox.Loader.loadPDF(pdf.bytes())) {
        assertThat(
                new org.apache.pdfbox.text.PDFTextStripper().getText(doc).replaceAll("\\s+", " "))
            .contains("UNSIGNED")
            .contains(
                "The figures below cover only records 1 to 1, those a checkpoint signs; the 1"
                    + " after them are signed by nothing yet.");
      }
    } finally {
      log.close();
    }
  }

  @Test
  void aRotatedLogsReportShowsItsKeyChain() {
    try (AuditLog log =
        AuditLog.builder().store(new InMemoryAuditStore(100)).signer(signer).clock(clock).build()) {
      log.append(entry("a", Decision.ALLOW, null, DAY1));
      AuditSigner next = AuditSigner.generate();
      log.rotateKey(next);
      Map<String, String> trust = ReportFields.trust(log.verify());
      assertThat(trust.get("key_chain"))
          .isEqualTo(signer.fingerprint() + " -> " + next.fingerprint());
      assertThat(trust.get("signing_key")).isEqualTo(next.fingerprint());
      assertThat(trust.get("witness")).isEqualTo("the live log, vouches up to 1");
    }
  }

  @Test
  void csvCellsAreDefusedOnlyWhereASpreadsheetWouldRunThem() {
    for (String dangerous : List.of("=1", "+1", "-1", "@x", "\tx", "\rx")) {
      assertThat(CsvReportWriter.cell(dangerous)).isEqualTo("'" + dangerous);
    }
    for (String plain : List.of("1", "a=b", "x-1", "/tmp", "'quoted")) {
      assertThat(CsvReportWriter.cell(plain)).isEqualTo(plain);
    }
    assertThat(CsvReportWriter.cell("")).isEmpty();
    assertThat(CsvReportWriter.cell(null)).isNull();
    assertThat(ReportFields.percent(0.1234)).isEqualTo("12.34%");
    assertThat(ReportFields.time(null)).isEqualTo("-");
    assertThat(ReportFields.time(DAY1)).isEqualTo("2026-03-01T10:00:00.000Z");
  }

  @Test
  void aReportNeedsItsInputsAndSignaturesTheirFiles() throws Exception {
    InMemoryAuditStore store = new InMemoryAuditStore(1);
    VerificationReport v = AuditVerifier.verify(store, TrustAnchor.none());
    ReportRequest request = ReportRequest.builder().build();
    assertThatThrownBy(() -> ComplianceReport.generate(null, v, request, clock))
        .hasMessage("store, verification, request and clock are required");
    assertThatThrownBy(() -> ComplianceReport.generate(store, null, request, clock))
        .hasMessage("store, verification, request and clock are required");
    assertThatThrownBy(() -> ComplianceReport.generate(store, v, null, clock))
        .hasMessage("store, verification, request and clock are required");
    assertThatThrownBy(() -> ComplianceReport.generate(store, v, request, null))
        .hasMessage("store, verification, request and clock are required");
    assertThat(
            ComplianceReport.generate(
                    store, v, ReportRequest.builder().between(DAY1, DAY1).build(), clock)
                .from())
        .isEqualTo(DAY1);
    Path file = dir.resolve("r.pdf");
    Files.writeString(file, "report");
    assertThatThrownBy(() -> ReportSignature.sign(null, signer))
        .hasMessage("report and signer must not be null");
    assertThatThrownBy(() -> ReportSignature.sign(file, null))
        .hasMessage("report and signer must not be null");
    assertThatThrownBy(() -> ReportSignature.verify(file, null, List.of()))
        .hasMessage("report, signatureFile and keys must not be null");
    assertThatThrownBy(() -> ReportSignature.verify(file, file, null))
        .hasMessage("report, signatureFile and keys must not be null");
    assertThatThrownBy(() -> ReportSignature.verify(null, file, List.of()))
        .hasMessage("report, signatureFile and keys must not be null");
    Path sig = ReportSignature.sign(file, signer);
    assertThat(ReportSignature.verify(file, List.of(signer.publicKey())))
        .contains(signer.publicKey());
    // what is signed starts with a fixed line, so the file's bytes alone do not verify
    java.security.Signature plain = java.security.Signature.getInstance("Ed25519");
    plain.initVerify(signer.publicKey());
    plain.update(Files.readAllBytes(file));
    assertThat(plain.verify(Files.readAllBytes(sig))).isFalse();
    java.security.Signature withContext = java.security.Signature.getInstance("Ed25519");
    withContext.initVerify(signer.publicKey());
    withContext.update(
        ReportSignature.CONTEXT_TEXT.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    withContext.update(Files.readAllBytes(file));
    assertThat(withContext.verify(Files.readAllBytes(sig))).isTrue();
    byte[] flipped = Files.readAllBytes(sig);
    flipped[3] ^= 1;
    Files.write(sig, flipped);
    assertThat(ReportSignature.verify(file, List.of(signer.publicKey()))).isEmpty();
    Files.write(sig, new byte[10]);
    assertThatThrownBy(() -> ReportSignature.verify(file, List.of(signer.publicKey())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(sig + " is not an Ed25519 signature (64 bytes), it holds 10 bytes");
    assertThatThrownBy(() -> ReportSignature.sign(dir.resolve("missing.pdf"), signer))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("cannot sign " + dir.resolve("missing.pdf"));
    assertThatThrownBy(() -> ReportSignature.verify(dir.resolve("missing.pdf"), List.of()))
        .isInstanceOf(java.io.UncheckedIOException.class);
  }

  @Test
  void tableCellsWrapAfterColonsSlashesAndDashesNotInsideWords() throws Exception {
    String agent = "did:mesh:tool-agent-0000000001";
    try (AuditLog log =
        AuditLog.builder().store(new InMemoryAuditStore(100)).signer(signer).clock(clock).build()) {
      for (int i = 0; i < 3; i++) {
        log.append(
            AuditEntry.builder()
                .agentId(agent)
                .action("file_write")
                .resource("/prod/services/payments-gateway/config/settings.yaml")
                .decision(Decision.DENY)
                .ruleId("rule-005")
                .reason("Production writes blocked")
                .timestamp(DAY1)
                .build());
      }
      clock.advance(Duration.ofHours(1));
      String text;
      try (org.apache.pdfbox.pdmodel.PDDocument doc =
          org.apache.pdfbox.Loader.loadPDF(report(log, ReportFormat.PDF).bytes())) {
        text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
      }
      // Wherever the agent's id is split over lines (the violations table's narrow column), the
      // split follows a ':' or a '-', never the middle of "tool" or "agent".
      int splits = 0;
      for (int at = text.indexOf("did:"); at >= 0; at = text.indexOf("did:", at + 1)) {
        int seen = 0;
        for (int i = at; i < text.length() && seen < agent.length(); i++) {
          char c = text.charAt(i);
          if (c == '\n' || c == '\r') {
            if (c == '\n') {
              splits++;
            }
            assertThat(text.charAt(i - 1))
                .as(text.substring(at, Math.min(text.length(), i + 20)))
                .isIn(':', '-', '/', '\r');
          } else {
            assertThat(c).isEqualTo(agent.charAt(seen));
            seen++;
          }
        }
        assertThat(seen).isEqualTo(agent.length());
      }
      assertThat(splits).as("the id is wrapped somewhere").isPositive();
    }
  }
}
