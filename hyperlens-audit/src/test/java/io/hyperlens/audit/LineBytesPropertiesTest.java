package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Reading a line from its bytes ({@link AuditJson#parseLine(byte[], int, int)}) gives what reading
 * its decoded text gives: the same record for a line as the log writes it, read on the fast path
 * (streaming, compared byte for byte), and the same refusal, with the same reason, for anything
 * else.
 */
class LineBytesPropertiesTest {
  private final CanonicalJsonPropertiesTest values = new CanonicalJsonPropertiesTest();

  private static AuditRecord record(
      String agentId, String reason, Map<String, Object> context, long sequence) {
    return new AuditRecord(
        "audit-1",
        Instant.parse("2026-01-28T17:45:00.123Z"),
        agentId,
        "act",
        null,
        Decision.DENY,
        reason,
        "rule-5",
        context,
        sequence,
        AuditRecord.GENESIS_HASH,
        "ab".repeat(32));
  }

  @Property(tries = 300)
  void aLineAsTheLogWritesItIsReadExactlyFromItsBytes(
      @ForAll("names") String agentId,
      @ForAll("texts") String reason,
      @ForAll("contexts") Map<String, Object> context,
      @ForAll @LongRange(min = 1) long sequence) {
    AuditRecord record = record(agentId, reason, context, sequence);
    String line = AuditJson.toLine(record);
    byte[] bytes = ("x" + line + "\n").getBytes(StandardCharsets.UTF_8);
    int length = bytes.length - 2;
    // the fast path takes it (the line writer's bytes are the line's), and agrees with the text
    // path
    assertThat(AuditJson.readExactRecord(bytes, 1, length)).isEqualTo(record);
    assertThat(AuditJson.parseLine(bytes, 1, length))
        .isEqualTo(record)
        .isEqualTo(AuditJson.parseLine(line));
  }

  @Property(tries = 500)
  void theLineIsWhatJacksonWritesForTheRecord(
      @ForAll("names") String name,
      @ForAll("texts") String text,
      @ForAll("contexts") Map<String, Object> context,
      @ForAll @LongRange(min = 1) long sequence,
      @ForAll boolean nulls)
      throws Exception {
    AuditRecord record =
        new AuditRecord(
            name,
            Instant.parse("2026-01-28T17:45:00.123Z"),
            name,
            name,
            nulls ? null : text,
            Decision.AUDIT,
            nulls ? null : text,
            nulls ? null : name,
            context,
            sequence,
            AuditRecord.GENESIS_HASH,
            "ab".repeat(32));
    // The reference: databind's own writing of the record's fields, in the line's order.
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", record.id());
    fields.put("timestamp", AuditJson.formatTimestamp(record.timestamp()));
    fields.put("agent_id", record.agentId());
    fields.put("action", record.action());
    fields.put("resource", record.resource());
    fields.put("decision", record.decision().value());
    fields.put("reason", record.reason());
    fields.put("rule_id", record.ruleId());
    fields.put("context", record.context());
    fields.put("sequence", record.sequence());
    fields.put("prev_hash", record.prevHash());
    fields.put("hash", record.hash());
    String jackson = new ObjectMapper().writeValueAsString(fields);
    assertThat(AuditJson.toLine(record)).isEqualTo(jackson);
    byte[] bytes = jackson.getBytes(StandardCharsets.UTF_8);
    assertThat(AuditJson.readExactRecord(bytes, 0, bytes.length)).isEqualTo(record);
  }

  @Property(tries = 300)
  void theContextIsWrittenAsJacksonDatabindWritesIt(@ForAll("contexts") Map<String, Object> context)
      throws Exception {
    AuditRecord record = record("agent-1", "why", context, 3);
    assertThat(AuditJson.toLine(record))
        .contains(
            ",\"context\":"
                + new ObjectMapper().writeValueAsString(record.context())
                + ",\"sequence\":3,");
  }

  @Property(tries = 300)
  void anEditedLineGetsTheVerdictOfItsText(
      @ForAll("names") String agentId,
      @ForAll("contexts") Map<String, Object> context,
      @ForAll("edits") Edit edit) {
    String line = AuditJson.toLine(record(agentId, "why", context, 7));
    String edited = edit.apply(line);
    byte[] bytes = edited.getBytes(StandardCharsets.UTF_8);
    Object fromText;
    try {
      fromText = AuditJson.parseLine(edited);
    } catch (IllegalArgumentException refused) {
      assertThat(AuditJson.readExactRecord(bytes, 0, bytes.length)).isNull();
      assertThatThrownBy(() -> AuditJson.parseLine(bytes, 0, bytes.length))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(refused.getMessage());
      return;
    }
    assertThat(AuditJson.parseLine(bytes, 0, bytes.length)).isEqualTo(fromText);
  }

  @Example
  void bytesThatAreNotUtf8AreRefusedAsSuch() {
    String line = AuditJson.toLine(record("agent-1", "why", Map.of("k", "v"), 1));
    byte[] valid = line.getBytes(StandardCharsets.UTF_8);
    int at = line.indexOf("agent-1") + 1;
    byte[][] broken = {
      splice(valid, at, new byte[] {(byte) 0xff}), // never in UTF-8
      splice(valid, at, new byte[] {(byte) 0xc1, (byte) 0xa1}), // overlong 'a'
      splice(valid, at, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}), // a lone surrogate
      // CESU-8: a surrogate pair as two 3-byte sequences instead of one 4-byte sequence
      splice(
          valid,
          at,
          new byte[] {
            (byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xb8, (byte) 0x80
          }),
    };
    for (byte[] bytes : broken) {
      assertThat(AuditJson.readExactRecord(bytes, 0, bytes.length)).isNull();
      assertThatThrownBy(() -> AuditJson.parseLine(bytes, 0, bytes.length))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("not valid UTF-8");
    }
  }

  @Example
  void aCheckpointLineIsReadOnTheStrictPath() {
    String line =
        "{\"type\":\"checkpoint\",\"note\":\"x\",\"frontier\":[]}"; // a damaged note: refused
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    assertThat(AuditJson.readExactRecord(bytes, 0, bytes.length)).isNull();
    assertThatThrownBy(() -> AuditJson.parseLine(bytes, 0, bytes.length))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(catchMessage(line));
  }

  private static String catchMessage(String line) {
    try {
      AuditJson.parseLine(line);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("the line was accepted: " + line);
  }

  private static byte[] splice(byte[] bytes, int at, byte[] insert) {
    byte[] out = new byte[bytes.length + insert.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(bytes, at, out, at + insert.length, bytes.length - at);
    return out;
  }

  /** One change to a line, named for the report. */
  record Edit(String name, java.util.function.UnaryOperator<String> change) {
    String apply(String line) {
      return change.apply(line);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @Provide
  Arbitrary<Edit> edits() {
    return Arbitraries.of(
        new Edit("unchanged", line -> line),
        new Edit("trailing value", line -> line + "{\"decision\":\"allow\"}"),
        new Edit("trailing space", line -> line + " "),
        new Edit("leading space", line -> " " + line),
        new Edit("space after a colon", line -> line.replaceFirst("\":", "\": ")),
        new Edit("upper case", line -> line.replace("\"deny\"", "\"DENY\"")),
        new Edit("escaped letter", line -> line.replace("\"act\"", "\"\\u0061ct\"")),
        new Edit("escaped slash", line -> line.replace("\"rule-5\"", "\"rule\\/5\"")),
        new Edit(
            "fields swapped",
            line ->
                line.replace(
                    "\"action\":\"act\",\"resource\":null",
                    "\"resource\":null,\"action\":\"act\"")),
        new Edit(
            "field duplicated",
            line -> line.replace("\"action\":\"act\"", "\"action\":\"act\",\"action\":\"act\"")),
        new Edit("field dropped", line -> line.replace("\"rule_id\":\"rule-5\",", "")),
        new Edit("unknown field", line -> line.replace("{\"id\"", "{\"x\":1,\"id\"")),
        new Edit(
            "sequence as a double", line -> line.replace("\"sequence\":7", "\"sequence\":7.0")),
        new Edit(
            "sequence as a string", line -> line.replace("\"sequence\":7", "\"sequence\":\"7\"")),
        new Edit(
            "sequence too large",
            line -> line.replace("\"sequence\":7", "\"sequence\":99999999999999999999")),
        new Edit("upper-case hash", line -> line.replace("abab", "ABAB")),
        new Edit("no timestamp millis", line -> line.replace(".123Z", "Z")),
        new Edit("February 30th", line -> line.replace("2026-01-28", "2026-02-30")),
        new Edit(
            "resource as a number", line -> line.replace("\"resource\":null", "\"resource\":1")),
        new Edit(
            "context as a list",
            line -> line.replaceFirst("\"context\":\\{[^}]*}", "\"context\":[]")),
        new Edit(
            "an integer context value spelled 2.0",
            line -> line.replace("\"context\":{", "\"context\":{\"n\":2.0,")),
        new Edit(
            "a huge context integer",
            line -> line.replace("\"context\":{", "\"context\":{\"n\":12345678901234567890,")),
        new Edit("not an object", line -> "[" + line + "]"),
        new Edit("cut short", line -> line.substring(0, line.length() / 2)));
  }

  @Provide
  Arbitrary<String> names() {
    return values.names();
  }

  @Provide
  Arbitrary<String> texts() {
    return values.texts();
  }

  @Provide
  Arbitrary<Map<String, Object>> contexts() {
    return values.contexts();
  }
}
