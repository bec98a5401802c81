package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditJsonTest {
  private static AuditRecord seedRecord(String hash) {
    return seedRecord(hash, seedContext());
  }

  private static Map<String, Object> seedContext() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("user", "system");
    context.put("session_id", "sess-123");
    context.put("attempt", 2);
    context.put("ratio", 0.5);
    context.put("ok", false);
    context.put("tags", List.of("prod", "é"));
    return context;
  }

  private static AuditRecord seedRecord(String hash, Map<String, Object> context) {
    return new AuditRecord(
        "audit-001",
        Instant.parse("2026-01-28T17:45:00.123Z"),
        "agent-001",
        "file_write",
        "/prod/config.yaml",
        Decision.DENY,
        "Production writes blocked",
        "rule-005",
        context,
        1,
        AuditRecord.GENESIS_HASH,
        hash);
  }

  @Test
  void theHashIsSha256OverTheSortedCompactUtf8JsonWithoutTheHashField() {
    // Computed independently: Python's json.dumps(sort_keys=True, separators=(',', ':'),
    // ensure_ascii=False), which is RFC 8785 for strings and small integers, then hashlib.sha256.
    AuditRecord record = seedRecord(AuditRecord.GENESIS_HASH);
    assertThat(new String(AuditJson.canonicalBytes(record), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"action\":\"file_write\",\"agent_id\":\"agent-001\",\"context\":{\"attempt\":2,"
                + "\"ok\":false,\"ratio\":0.5,\"session_id\":\"sess-123\",\"tags\":[\"prod\",\"é\"],"
                + "\"user\":\"system\"},\"decision\":\"deny\",\"id\":\"audit-001\",\"prev_hash\":\""
                + AuditRecord.GENESIS_HASH
                + "\",\"reason\":\"Production writes blocked\",\"resource\":\"/prod/config.yaml\","
                + "\"rule_id\":\"rule-005\",\"sequence\":1,"
                + "\"timestamp\":\"2026-01-28T17:45:00.123Z\"}");
    assertThat(AuditJson.hash(record))
        .isEqualTo("d687504dd94ed65a624fe687fc4abf0d0440e95e5b75d26cd37e54bbfebf0cf2");
  }

  @Test
  void numbersAreCanonicalizedAsRfc8785Says() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("whole", 1.0);
    context.put("big", 1e21);
    context.put("small", 1e-7);
    context.put("neg", -0.0);
    AuditRecord r = seedRecord(AuditRecord.GENESIS_HASH, context);
    assertThat(new String(AuditJson.canonicalBytes(r), StandardCharsets.UTF_8))
        .contains("\"context\":{\"big\":1e+21,\"neg\":0,\"small\":1e-7,\"whole\":1}");
  }

  @Test
  void aLineReadsBackAsTheSameRecord() {
    AuditRecord record = seedRecord(AuditJson.hash(seedRecord(AuditRecord.GENESIS_HASH)));
    String line = AuditJson.toLine(record);
    assertThat(line).startsWith("{\"id\":\"audit-001\",\"timestamp\":\"2026-01-28T17:45:00.123Z\"");
    assertThat(AuditJson.parseLine(line)).isEqualTo(record);
    assertThat(AuditJson.hash((AuditRecord) AuditJson.parseLine(line))).isEqualTo(record.hash());
  }

  @Test
  void fieldsTheHashDoesNotCoverAreRefused() {
    String line = AuditJson.toLine(seedRecord(AuditRecord.GENESIS_HASH));
    assertThatThrownBy(() -> AuditJson.parseLine(line.replace("{\"id\"", "{\"extra\":1,\"id\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown field \"extra\"");
    assertThatThrownBy(
            () -> AuditJson.parseLine(line.replace("{\"id\"", "{\"reason\":\"x\",\"id\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Duplicate field 'reason'");
    assertThatThrownBy(() -> AuditJson.parseLine(line.replace("\"rule_id\":\"rule-005\",", "")))
        .hasMessageContaining("missing field \"rule_id\"");
    assertThatThrownBy(
            () -> AuditJson.parseLine(line.replace("\"sequence\":1", "\"sequence\":\"1\"")))
        .hasMessageContaining("sequence must be an integer");
    assertThatThrownBy(
            () -> AuditJson.parseLine(line.replace("17:45:00.123Z", "17:45:00.123+00:00")))
        .hasMessageContaining("timestamp must look like 2026-01-28T17:45:00.123Z");
  }

  @Test
  void checkpointsRoundTripAndSignTheirCanonicalFields() {
    Checkpoint c =
        new Checkpoint(
            1000,
            "ab".repeat(32),
            2000,
            Instant.parse("2026-01-28T17:45:00.123Z"),
            "ed25519:0011",
            "AAEC");
    assertThat(AuditJson.parseLine(AuditJson.toLine(c))).isEqualTo(c);
    assertThat(new String(AuditJson.signedBytes(c), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"hash\":\""
                + "ab".repeat(32)
                + "\",\"key_id\":\"ed25519:0011\",\"next_by\":2000,\"sequence\":1000,"
                + "\"timestamp\":\"2026-01-28T17:45:00.123Z\",\"type\":\"checkpoint\"}");
  }
}
