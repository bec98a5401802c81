package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.Rfc6962;
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
  void theHashIsTheRfc6962LeafHashOfTheSortedCompactUtf8JsonWithoutTheHashField() {
    // Computed independently: Python's json.dumps(sort_keys=True, separators=(',', ':'),
    // ensure_ascii=False), which is RFC 8785 for strings and small integers, then
    // hashlib.sha256(b'\x00' + canonical): the RFC 6962 leaf hash.
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
        .isEqualTo("75b03f4275b010c0226dd3c430c19d6b45ecc0986f95ad9b2875d8ac9c750fa6");
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
  void checkpointsRoundTripAsTheirSignedNoteAndFrontier() {
    AuditSigner signer = AuditSigner.generate();
    CompactRange tree = new CompactRange();
    for (int i = 0; i < 5; i++) {
      tree.append(Rfc6962.leafHash(new byte[] {(byte) i}));
    }
    Checkpoint c =
        Fixtures.sign(
            "audit.example.com/payments",
            tree,
            1005,
            Instant.parse("2026-01-28T17:45:00.123Z"),
            null,
            signer);
    String line = AuditJson.toLine(c);
    assertThat(AuditJson.parseLine(line)).isEqualTo(c);
    assertThat(c.note().text())
        .isEqualTo(
            "audit.example.com/payments\n5\n"
                + Rfc6962.base64(tree.root())
                + "\nnext 1005\ntime 2026-01-28T17:45:00.123Z\n");
    assertThat(line)
        .startsWith("{\"type\":\"checkpoint\",\"note\":\"audit.example.com/payments\\n5\\n")
        .endsWith(
            "\"frontier\":[\""
                + Rfc6962.base64(tree.hashes().get(0))
                + "\",\""
                + Rfc6962.base64(tree.hashes().get(1))
                + "\"]}");
    assertThat(signer.noteKey("audit.example.com/payments").check(c.note()))
        .isEqualTo(NoteKey.Verdict.VERIFIED);
  }

  @Test
  void aCheckpointWhoseFrontierDoesNotLeadToItsRootIsRefused() {
    AuditSigner signer = AuditSigner.generate();
    CompactRange tree = new CompactRange();
    tree.append(Rfc6962.leafHash(new byte[] {1}));
    Checkpoint c = Fixtures.sign("o", tree, 2, Instant.EPOCH, null, signer);
    String line = AuditJson.toLine(c);
    String other = Rfc6962.base64(Rfc6962.leafHash(new byte[] {2}));
    assertThatThrownBy(
            () ->
                AuditJson.parseLine(
                    line.replace(Rfc6962.base64(tree.hashes().get(0)) + "\"]", other + "\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the checkpoint's frontier does not lead to its root");
    assertThatThrownBy(() -> AuditJson.parseLine(line.replace("next 2", "next 02")))
        .hasMessage("the first extension line is next and a decimal, got next 02");
    assertThatThrownBy(() -> AuditJson.parseLine(line.replace("next 2", "next 1")))
        .hasMessage("next must be after the size 1, got 1");
  }

  @Test
  void eachMalformedLineIsRefusedSayingWhatIsWrong() {
    String record = AuditJson.toLine(seedRecord(AuditRecord.GENESIS_HASH));
    assertThatThrownBy(() -> AuditJson.parseLine("[1]")).hasMessage("not a JSON object");
    assertThatThrownBy(() -> AuditJson.parseLine("{\"type\":\"record\"}"))
        .hasMessage("unknown entry type \"record\"");
    assertThatThrownBy(() -> AuditJson.parseLine("{\"type\":\"checkpoint\",\"note\":\"x\"}"))
        .hasMessage("missing field \"frontier\"");
    assertThatThrownBy(
            () -> AuditJson.parseLine("{\"type\":\"checkpoint\",\"note\":\"x\",\"frontier\":{}}"))
        .hasMessage("frontier must be an array, got {}");
    assertThatThrownBy(
            () -> AuditJson.parseLine("{\"type\":\"checkpoint\",\"note\":\"x\",\"frontier\":[1]}"))
        .hasMessage("frontier hashes must be strings, got 1");
    assertThatThrownBy(
            () -> AuditJson.parseLine("{\"type\":\"checkpoint\",\"note\":1,\"frontier\":[]}"))
        .hasMessage("note must be a string, got 1");
    assertThatThrownBy(
            () ->
                AuditJson.parseLine(
                    record
                        .replace("\"context\":{", "\"context\":[{")
                        .replace("},\"sequence", "}],\"sequence")))
        .hasMessageStartingWith("context must be a JSON object, got [");
    assertThatThrownBy(
            () ->
                AuditJson.parseLine(
                    record.replace("\"agent_id\":\"agent-001\"", "\"agent_id\":null")))
        .hasMessage("agent_id must be a string, got null");
    assertThatThrownBy(
            () -> AuditJson.parseLine(record.replace("\"sequence\":1", "\"sequence\":1.5")))
        .hasMessage("sequence must be an integer, got 1.5");
    assertThatThrownBy(
            () ->
                AuditJson.parseLine(
                    record.replace("\"sequence\":1", "\"sequence\":99999999999999999999")))
        .hasMessage("sequence must be an integer, got 99999999999999999999");
    assertThat(
            ((AuditRecord)
                    AuditJson.parseLine(
                        record.replace("\"resource\":\"/prod/config.yaml\"", "\"resource\":null")))
                .resource())
        .isNull();
  }

  @Test
  void aNullInTheContextIsHashedAsJsonNull() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("gone", null);
    AuditRecord r = seedRecord(AuditRecord.GENESIS_HASH, context);
    assertThat(new String(AuditJson.canonicalBytes(r), StandardCharsets.UTF_8))
        .contains("\"context\":{\"gone\":null}");
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("on", true);
    flags.put("n", 3);
    assertThat(
            new String(
                AuditJson.canonicalBytes(seedRecord(AuditRecord.GENESIS_HASH, flags)),
                StandardCharsets.UTF_8))
        .contains("\"context\":{\"n\":3,\"on\":true}");
  }
}
