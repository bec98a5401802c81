package io.hyperlens.audit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.event.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports over a log with known figures: 60 days, one record an hour, so the last 30 days hold 720
 * records. Every 10th is a denial (72), every 7th that is not a denial is an audit.
 */
class ComplianceReportTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private final AuditSigner signer = AuditSigner.generate();
  private final TestClock clock = new TestClock(START);
  private AuditLog log;

  @BeforeEach
  void fill() {
    log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
            .signer(signer)
            .checkpointEvery(500)
            .clock(clock)
            .build();
    for (int i = 1; i <= 60 * 24; i++) {
      Decision d = i % 10 == 0 ? Decision.DENY : i % 7 == 0 ? Decision.AUDIT : Decision.ALLOW;
      log.append(
          AuditEntry.builder()
              .agentId(i % 10 == 0 ? "agent-rogue" : "agent-" + (i % 4))
              .action(i % 2 == 0 ? "file_write" : "tool_call")
              .resource("/prod/config-" + i + ".yaml")
              .decision(d)
              .reason(d == Decision.DENY ? "Production writes blocked" : "within policy")
              .ruleId(d == Decision.DENY ? (i % 20 == 0 ? "rule-005" : "rule-009") : null)
              .context(Map.of("session_id", "sess-" + (i % 3)))
              .build());
      clock.advance(Duration.ofHours(1));
    }
    clock.advance(Duration.ofMinutes(-30)); // the last record is 30 minutes old
  }

  private ComplianceReport report(ReportFormat format) {
    return log.generateReport(
        ReportRequest.builder().format(format).timeRange("last_30_days").build());
  }

  @Test
  void theFiguresCoverExactlyTheRange() {
    ComplianceReport report = report(ReportFormat.JSON);
    ComplianceReport.Summary s = report.summary();
    assertThat(s.totalRecords()).isEqualTo(720);
    assertThat(s.byDecision()).containsEntry(Decision.DENY, 72L);
    assertThat(s.byDecision().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(720);
    assertThat(s.byAgent()).containsEntry("agent-rogue", 72L);
    assertThat(s.byAction()).containsEntry("file_write", 360L).containsEntry("tool_call", 360L);
    assertThat(report.violationCount()).isEqualTo(72);
    assertThat(report.violations()).hasSize(72);
    assertThat(report.statistics().denyRate()).isEqualTo(0.1);
    // 720 records an hour apart span 719 hours.
    assertThat(report.statistics().recordsPerDay()).isEqualTo(720 / (719 / 24.0));
    assertThat(report.statistics().topDenyingRules())
        .containsExactly(Map.entry("rule-005", 36L), Map.entry("rule-009", 36L));
    assertThat(report.verification().ok()).isTrue();
    assertThat(report.verification().recordsVerified()).isEqualTo(1440);
  }

  @Test
  void jsonHoldsEverySectionAndTheCheckpoint() throws Exception {
    JsonNode json = new ObjectMapper().readTree(report(ReportFormat.JSON).bytes());
    assertThat(json.at("/summary/total_records").asLong()).isEqualTo(720);
    assertThat(json.at("/summary/by_decision/deny").asLong()).isEqualTo(72);
    assertThat(json.at("/violations/total").asLong()).isEqualTo(72);
    assertThat(json.at("/violations/records/0/reason").asText())
        .isEqualTo("Production writes blocked");
    assertThat(json.at("/statistics/deny_rate").asDouble()).isEqualTo(0.1);
    assertThat(json.at("/verification/status").asText()).isEqualTo("verified");
    assertThat(json.at("/verification/trust/signing_key").asText()).isEqualTo(signer.fingerprint());
    assertThat(json.at("/verification/trust/anchor_fingerprint").asText())
        .isEqualTo(signer.fingerprint());
    assertThat(json.at("/verification/trust/anchor_result").asText())
        .isEqualTo("the log's own signing key");
    assertThat(json.at("/verification/trust/tree_size").asText()).isEqualTo("1440");
    assertThat(json.at("/verification/trust/tree_root").asText())
        .isEqualTo(json.at("/verification/checkpoint/root").asText());
    assertThat(json.at("/verification/trust/witness").asText())
        .isEqualTo("the live log, vouches up to 1440");
    // generateReport seals the log first: the checkpoint covers every record.
    assertThat(json.at("/verification/checkpoint/sequence").asLong()).isEqualTo(1440);
  }

  @Test
  void sectionsCanBeLeftOut() throws Exception {
    ComplianceReport report =
        log.generateReport(
            ReportRequest.builder()
                .format("json")
                .timeRange("last_24h")
                .includeViolations(false)
                .includeStatistics(false)
                .build());
    JsonNode json = new ObjectMapper().readTree(report.bytes());
    assertThat(json.has("summary")).isTrue();
    assertThat(json.has("violations")).isFalse();
    assertThat(json.has("statistics")).isFalse();
    assertThat(json.has("verification")).isTrue();
    assertThat(json.at("/summary/total_records").asLong()).isEqualTo(24);
  }

  @Test
  void csvIsOneTableASpreadsheetFilters() throws Exception {
    byte[] csv = report(ReportFormat.CSV).bytes();
    List<Map<String, String>> rows = new ArrayList<>();
    try (MappingIterator<Map<String, String>> it =
        new CsvMapper()
            .readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(csv)) {
      it.forEachRemaining(rows::add);
    }
    assertThat(rows)
        .anyMatch(
            r ->
                r.get("section").equals("summary")
                    && r.get("name").equals("total_records")
                    && r.get("value").equals("720"));
    assertThat(rows)
        .filteredOn(r -> r.get("section").equals("violation"))
        .hasSize(72)
        .allMatch(r -> r.get("decision").equals("deny") && !r.get("hash").isEmpty());
    assertThat(rows)
        .anyMatch(
            r ->
                r.get("section").equals("verification")
                    && r.get("name").equals("status")
                    && r.get("value").equals("verified"));
    assertThat(rows)
        .anyMatch(
            r ->
                r.get("name").equals("signing_key") && r.get("value").equals(signer.fingerprint()));
  }

  @Test
  void aCellASpreadsheetWouldRunIsDefused() {
    assertThat(CsvReportWriter.cell("=HYPERLINK(\"http://evil\")")).startsWith("'=");
    assertThat(CsvReportWriter.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
    assertThat(CsvReportWriter.cell("/prod/config.yaml")).isEqualTo("/prod/config.yaml");
  }

  @Test
  void thePdfReadsAsAReport() throws Exception {
    Path pdf = dir.resolve("compliance-report.pdf");
    report(ReportFormat.PDF).save(pdf);
    try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
      assertThat(doc.getNumberOfPages()).isGreaterThan(1);
      String text = new PDFTextStripper().getText(doc);
      assertThat(text)
          .contains("Compliance report")
          .contains("VERIFIED")
          .contains("720 records in the period")
          .contains("72 denied actions")
          .contains("Production writes blocked")
          .contains("agent-rogue")
          .contains("rule-005")
          .contains("What the verdict rests on")
          .contains(signer.fingerprint().substring(0, 40))
          .contains("page 1 of " + doc.getNumberOfPages());
    }
  }

  @Test
  void anAgentChosenEightKilobyteResourceIsCutToWhatItsCellShows() throws Exception {
    log.append(
        AuditEntry.builder()
            .agentId("agent-long")
            .action("file_write")
            .resource("x".repeat(8000))
            .decision(Decision.DENY)
            .reason("y".repeat(8000))
            .build());
    try (PDDocument doc = Loader.loadPDF(report(ReportFormat.PDF).bytes())) {
      String text = new PDFTextStripper().getText(doc);
      assertThat(text).contains("agent-long").contains("xxx...").doesNotContain("x".repeat(200));
    }
  }

  @Test
  void aReportOnATamperedLogSaysSo() throws Exception {
    log.close();
    Path file = dir.resolve("audit.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    int at = 1010; // after the checkpoint for 1000 (one every 500)
    while (!lines.get(at).contains("within policy")) {
      at++;
    }
    lines.set(at, lines.get(at).replace("within policy", "within budget"));
    Files.write(file, lines);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      VerificationReport verification =
          AuditVerifier.verify(store, TrustAnchor.key(signer.publicKey()));
      long failed = verification.failure().orElseThrow().sequence();
      ComplianceReport report =
          ComplianceReport.generate(
              store,
              verification,
              ReportRequest.builder().format(ReportFormat.PDF).timeRange("last_30_days").build(),
              clock);
      assertThat(report.verification().ok()).isFalse();
      // A report rests on what a sound checkpoint signed before the failure: records 1 to 1000.
      assertThat(failed).isGreaterThan(1000);
      assertThat(verification.verifiedThrough()).isEqualTo(1000);
      // The 30 days start at record 721 (an hour each): 721..1000.
      assertThat(report.summary().totalRecords()).isEqualTo(280);
      try (PDDocument doc = Loader.loadPDF(report.bytes())) {
        assertThat(new PDFTextStripper().getText(doc))
            .contains("FAILED")
            .contains("MODIFIED")
            .contains("cover only records 1 to 1000");
      }
      ComplianceReport all =
          ComplianceReport.generate(
              store,
              verification,
              ReportRequest.builder().format(ReportFormat.JSON).timeRange("last_90_days").build(),
              clock);
      assertThat(all.summary().totalRecords()).isEqualTo(1000);
      assertThat(all.statistics().lastRecord()).isEqualTo(START.plus(Duration.ofHours(999)));
    }
  }

  @Test
  void theReportNamesTheOrganisationAndWhatItRestsOn() throws Exception {
    log.close();
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(dir.resolve("audit.jsonl"))) {
      VerificationReport verification = AuditVerifier.verify(store, TrustAnchor.none());
      ComplianceReport report =
          ComplianceReport.generate(
              store,
              verification,
              ReportRequest.builder()
                  .format(ReportFormat.PDF)
                  .timeRange("last_30_days")
                  .organization("Acme Payments, agent fleet eu-1")
                  .build(),
              clock);
      assertThat(report.summary().totalRecords()).isEqualTo(720); // intact: all records count
      try (PDDocument doc = Loader.loadPDF(report.bytes())) {
        assertThat(new PDFTextStripper().getText(doc))
            .contains("Acme Payments, agent fleet eu-1")
            .contains("UNANCHORED")
            .contains("no anchor")
            .contains(verification.rootBase64().substring(0, 20));
      }
    }
  }

  @Test
  void aSignedReportVerifiesWithItsKeyAndFailsOnceEdited() throws Exception {
    Path pdf = dir.resolve("report.pdf");
    report(ReportFormat.PDF).save(pdf);
    Path sig = ReportSignature.sign(pdf, signer);
    assertThat(sig).isEqualTo(dir.resolve("report.pdf.sig"));
    assertThat(Files.size(sig)).isEqualTo(64);
    AuditSigner other = AuditSigner.generate();
    assertThat(ReportSignature.verify(pdf, List.of(other.publicKey(), signer.publicKey())))
        .contains(signer.publicKey());
    assertThat(ReportSignature.verify(pdf, List.of(other.publicKey()))).isEmpty();
    byte[] bytes = Files.readAllBytes(pdf);
    bytes[bytes.length / 2] ^= 1;
    Files.write(pdf, bytes);
    assertThat(ReportSignature.verify(pdf, List.of(signer.publicKey()))).isEmpty();
  }

  @Test
  void recordsPerDayCountOverTheRecordsOwnSpan() {
    TestClock burst = new TestClock(START);
    try (AuditLog small =
        AuditLog.builder()
            .store(new io.hyperlens.audit.store.InMemoryAuditStore(1000))
            .signer(signer)
            .clock(burst)
            .build()) {
      for (int i = 0; i < 100; i++) {
        small.append(
            AuditEntry.builder().agentId("a").action("x").decision(Decision.ALLOW).build());
        burst.advance(Duration.ofSeconds(30));
      }
      ComplianceReport report =
          small.generateReport(ReportRequest.builder().timeRange("last_30_days").build());
      // 100 records within an hour: 100 in their one day, not 100 spread over 30 days.
      assertThat(report.statistics().recordsPerDay()).isEqualTo(100.0);
    }
  }

  @Test
  void badRequestsNameTheField() {
    assertThatThrownBy(() -> ReportRequest.builder().format("docx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format must be one of pdf|csv|json, got \"docx\"");
    assertThatThrownBy(() -> ReportRequest.builder().timeRange("forever"))
        .hasMessageContaining("got \"forever\"");
    assertThatThrownBy(() -> ReportRequest.builder().maxViolations(0))
        .hasMessageContaining("maxViolations must be at least 1, got 0");
    assertThatThrownBy(() -> ReportRequest.builder().organization("two\nlines").build())
        .hasMessage("organization must be 1 to 200 characters on one line, got \"two\nlines\"");
  }
}
