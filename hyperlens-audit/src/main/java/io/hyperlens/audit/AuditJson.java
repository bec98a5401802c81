package io.hyperlens.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hyperlens.audit.tlog.Rfc6962;
import io.hyperlens.audit.tlog.SignedNote;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The audit trail's JSON: one line per record or checkpoint (Jackson), the RFC 8785 canonical form
 * that is hashed ({@link CanonicalJson}, held byte-for-byte equal to the reference implementation
 * {@code io.github.erdtman:java-json-canonicalization} by tests), and the record hash, which is
 * both the hash chain's link and the record's RFC 6962 Merkle leaf. Stores that keep entries in
 * their own shape (the database stores) keep each as its {@link #toLine} line and read it back with
 * {@link #parseLine}. Thread-safe: each thread writes with its own reused generator.
 */
public final class AuditJson {
  /** The fields of a record line, in the seed's order. */
  static final Set<String> RECORD_FIELDS =
      Set.of(
          "id",
          "timestamp",
          "agent_id",
          "action",
          "resource",
          "decision",
          "reason",
          "rule_id",
          "context",
          "sequence",
          "prev_hash",
          "hash");

  static final Set<String> CHECKPOINT_FIELDS = Set.of("type", "note", "frontier");

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
          .withZone(ZoneOffset.UTC)
          .withResolverStyle(ResolverStyle.STRICT);

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  /**
   * Parses record lines for {@link #readExactRecord}: without duplicate detection, since a line
   * with a duplicated member is never the line the log writes, which the byte comparison catches.
   */
  private static final JsonFactory EXACT_READER = JsonFactory.builder().build();

  /** Reads a record's context in the middle of its line (so the rest is not trailing content). */
  private static final ObjectReader CONTEXT =
      MAPPER.readerFor(Map.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private AuditJson() {}

  /**
   * The record's {@code hash}, lowercase hex: its RFC 6962 leaf hash, {@code SHA-256(0x00 ||
   * canonicalBytes)}, so the hash chain and the Merkle tree rest on the same 32 bytes.
   */
  public static String hash(AuditRecord record) {
    return hex(
        leafHash(
            CANONICAL.get(),
            record.id(),
            formatTimestamp(record.timestamp()),
            record.agentId(),
            record.action(),
            record.resource(),
            record.decision(),
            record.reason(),
            record.ruleId(),
            record.context(),
            record.sequence(),
            record.prevHash()));
  }

  /**
   * The leaf hash of a record with these fields ({@code timestamp} as {@link #formatTimestamp}
   * writes it), its canonical bytes written into {@code buffer} (reused by the caller, so nothing
   * but the hash is allocated for them).
   */
  static byte[] leafHash(
      JsonBuffer buffer,
      String id,
      String timestamp,
      String agentId,
      String action,
      String resource,
      Decision decision,
      String reason,
      String ruleId,
      Map<String, Object> context,
      long sequence,
      String prevHash) {
    CanonicalJson.record(
        buffer,
        id,
        timestamp,
        agentId,
        action,
        resource,
        decision.value(),
        reason,
        ruleId,
        context,
        sequence,
        prevHash);
    return Rfc6962.leafHash(buffer.array(), 0, buffer.size());
  }

  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  /** Lowercase hex, as {@link HexFormat#formatHex} writes it. */
  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX_DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX_DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /** The RFC 8785 canonical JSON of the record without its {@code hash} field: what is hashed. */
  public static byte[] canonicalBytes(AuditRecord record) {
    return CanonicalJson.record(
        record.id(),
        formatTimestamp(record.timestamp()),
        record.agentId(),
        record.action(),
        record.resource(),
        record.decision().value(),
        record.reason(),
        record.ruleId(),
        record.context(),
        record.sequence(),
        record.prevHash());
  }

  /** The record as one JSON line (no newline), fields in the seed's order. */
  public static String toLine(AuditRecord record) {
    return write(record);
  }

  /**
   * The checkpoint as one JSON line (no newline): {@code "type":"checkpoint"}, its signed {@code
   * note} and the {@code frontier} of its tree (base64 hashes).
   *
   * @throws IllegalArgumentException if the checkpoint's frontier is not known
   */
  public static String toLine(Checkpoint checkpoint) {
    List<byte[]> frontier =
        checkpoint
            .frontier()
            .orElseThrow(
                () -> new IllegalArgumentException("a stored checkpoint needs its frontier"));
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", "checkpoint");
      g.writeStringField("note", checkpoint.note().format());
      g.writeArrayFieldStart("frontier");
      for (byte[] hash : frontier) {
        g.writeString(Rfc6962.base64(hash));
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Reads one line written by {@link #toLine}: an {@link AuditRecord} or a {@link Checkpoint}.
   * Strict: the line must be exactly what {@link #toLine} writes for what it holds, so unknown,
   * missing, duplicated or reordered fields, trailing content, a different spelling of the same
   * value ({@code "DENY"}, {@code \u0061}) and wrongly typed values are all refused: nothing the
   * hash does not cover may ride along unnoticed.
   *
   * @throws IllegalArgumentException saying what is wrong with the line
   */
  public static Object parseLine(String line) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (!(node instanceof ObjectNode)) {
      throw new IllegalArgumentException("not a JSON object");
    }
    ObjectNode object = (ObjectNode) node;
    JsonNode type = object.get("type");
    if (type != null) {
      if (!"checkpoint".equals(type.asText())) {
        throw new IllegalArgumentException("unknown entry type " + type);
      }
      requireFields(object, CHECKPOINT_FIELDS);
      JsonNode hashes = object.get("frontier");
      if (!hashes.isArray()) {
        throw new IllegalArgumentException("frontier must be an array, got " + hashes);
      }
      List<byte[]> frontier = new ArrayList<>(hashes.size());
      for (JsonNode hash : hashes) {
        if (!hash.isTextual()) {
          throw new IllegalArgumentException("frontier hashes must be strings, got " + hash);
        }
        frontier.add(Rfc6962.parseBase64("frontier hash", hash.textValue()));
      }
      return exact(line, Checkpoint.of(SignedNote.parse(text(object, "note", false)), frontier));
    }
    requireFields(object, RECORD_FIELDS);
    JsonNode context = object.get("context");
    if (!context.isObject()) {
      throw new IllegalArgumentException("context must be a JSON object, got " + context);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> contextMap = MAPPER.convertValue(context, Map.class);
    return exact(
        line,
        new AuditRecord(
            text(object, "id", false),
            parseTimestamp(text(object, "timestamp", false)),
            text(object, "agent_id", false),
            text(object, "action", false),
            text(object, "resource", true),
            Decision.of(text(object, "decision", false)),
            text(object, "reason", true),
            text(object, "rule_id", true),
            contextMap,
            integer(object, "sequence"),
            text(object, "prev_hash", false),
            text(object, "hash", false)));
  }

  /**
   * Reads one line written by {@link #toLine}, as the {@code length} bytes of {@code bytes} from
   * {@code offset}, which must be valid UTF-8: {@link #parseLine(String)} on the decoded text, with
   * the same verdicts, but a record line exactly as the log writes it is read without decoding it
   * to a string (nearly every line of a sound log).
   *
   * @throws IllegalArgumentException saying what is wrong with the line
   */
  public static Object parseLine(byte[] bytes, int offset, int length) {
    AuditRecord exact = readExactRecord(bytes, offset, length);
    if (exact != null) {
      return exact;
    }
    // A checkpoint, or a line that is not exactly a record: the strict reading and its verdict.
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(ByteBuffer.wrap(bytes, offset, length))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not valid UTF-8", e);
    }
    return parseLine(text);
  }

  /**
   * The record in {@code length} bytes of {@code bytes} from {@code offset} if they are exactly the
   * UTF-8 of what {@link #toLine(AuditRecord)} writes for it, else null: a checkpoint, or a line to
   * give to {@link #parseLine} for its verdict (and the reason). Read with Jackson's streaming
   * parser in the one field order a record line has, and held to the line by comparing bytes, so
   * neither a tree nor a second string is built; a line this accepts is one {@code parseLine}
   * accepts, as the same record.
   */
  static AuditRecord readExactRecord(byte[] bytes, int offset, int length) {
    AuditRecord record;
    try (JsonParser p = EXACT_READER.createParser(bytes, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String id = string(p, "id");
      String timestamp = string(p, "timestamp");
      String agentId = string(p, "agent_id");
      String action = string(p, "action");
      String resource = string(p, "resource");
      String decision = string(p, "decision");
      String reason = string(p, "reason");
      String ruleId = string(p, "rule_id");
      if (!"context".equals(p.nextFieldName()) || p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> context = CONTEXT.readValue(p);
      if (!"sequence".equals(p.nextFieldName())
          || p.nextToken() != JsonToken.VALUE_NUMBER_INT
          || !(p.getNumberType() == JsonParser.NumberType.INT
              || p.getNumberType() == JsonParser.NumberType.LONG)) {
        return null;
      }
      long sequence = p.getLongValue();
      String prevHash = string(p, "prev_hash");
      String hash = string(p, "hash");
      if (id == null
          || timestamp == null
          || agentId == null
          || action == null
          || decision == null
          || prevHash == null
          || hash == null
          || p.nextToken() != JsonToken.END_OBJECT) {
        return null;
      }
      record =
          new AuditRecord(
              id,
              parseTimestamp(timestamp),
              agentId,
              action,
              resource,
              Decision.of(decision),
              reason,
              ruleId,
              context,
              sequence,
              prevHash,
              hash);
    } catch (IOException | RuntimeException e) {
      return null; // not JSON, not UTF-8, not a record, or a field a record refuses
    }
    JsonBuffer written = LINES.get();
    writeLine(written, record);
    if (!Arrays.equals(written.array(), 0, written.size(), bytes, offset, offset + length)) {
      return null;
    }
    return record;
  }

  /** The string (or null) of the field {@code name}, next in line; else the line is not exact. */
  private static String string(JsonParser p, String name) throws IOException {
    if (!name.equals(p.nextFieldName())) {
      throw new NotExact();
    }
    JsonToken token = p.nextToken();
    if (token == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (token == JsonToken.VALUE_NULL) {
      return null;
    }
    throw new NotExact();
  }

  /** A line {@link #readExactRecord} leaves to {@link #parseLine}: thrown without a stack trace. */
  private static final class NotExact extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotExact() {
      super(null, null, false, false);
    }
  }

  private static Object exact(String line, Object entry) {
    String written =
        entry instanceof AuditRecord ? toLine((AuditRecord) entry) : toLine((Checkpoint) entry);
    if (!written.equals(line)) {
      throw new IllegalArgumentException(
          "the line is not as the log writes it (extra, reordered or re-spelled content)");
    }
    return entry;
  }

  /** {@code 2026-01-28T17:45:00.123Z}: ISO-8601 UTC with milliseconds, as in the seed. */
  public static String formatTimestamp(Instant timestamp) {
    long seconds = timestamp.getEpochSecond();
    if (seconds < YEAR_0 || seconds >= YEAR_10000) {
      return TIMESTAMP.format(timestamp); // a sign or a fifth digit: the formatter's own rules
    }
    // Years 0000 to 9999 written directly: the formatter costs more than the record's hash.
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, timestamp.getNano(), ZoneOffset.UTC);
    char[] out = new char[24];
    digits(out, 0, t.getYear(), 4);
    out[4] = '-';
    digits(out, 5, t.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, t.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, t.getHour(), 2);
    out[13] = ':';
    digits(out, 14, t.getMinute(), 2);
    out[16] = ':';
    digits(out, 17, t.getSecond(), 2);
    out[19] = '.';
    digits(out, 20, t.getNano() / 1_000_000, 3);
    out[23] = 'Z';
    return new String(out);
  }

  /** 0000-01-01T00:00:00Z, the first instant with a four-digit year. */
  static final long YEAR_0 = -62_167_219_200L;

  /** 10000-01-01T00:00:00Z, the first instant with a five-digit year. */
  static final long YEAR_10000 = 253_402_300_800L;

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * Parses {@link #formatTimestamp}'s form, and only that form.
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static Instant parseTimestamp(String text) {
    if (text != null && text.length() == 24 && hasTimestampShape(text)) {
      try {
        return LocalDateTime.of(
                number(text, 0, 4),
                number(text, 5, 2),
                number(text, 8, 2),
                number(text, 11, 2),
                number(text, 14, 2),
                number(text, 17, 2),
                number(text, 20, 3) * 1_000_000)
            .toInstant(ZoneOffset.UTC);
      } catch (DateTimeException e) {
        // not a date (February 30th, hour 24, ...): the formatter below says so
      }
    }
    try {
      return Instant.from(TIMESTAMP.parse(text));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "timestamp must look like 2026-01-28T17:45:00.123Z, got " + AuditRecord.quote(text), e);
    }
  }

  /** Whether {@code text} is {@code dddd-dd-ddTdd:dd:dd.dddZ} (ASCII digits), 24 characters. */
  private static boolean hasTimestampShape(String text) {
    for (int i = 0; i < 24; i++) {
      char c = text.charAt(i);
      char expected = TIMESTAMP_SHAPE.charAt(i);
      if (expected == 'd' ? c < '0' || c > '9' : c != expected) {
        return false;
      }
    }
    return true;
  }

  private static final String TIMESTAMP_SHAPE = "dddd-dd-ddTdd:dd:dd.dddZ";

  private static int number(String text, int at, int width) {
    int value = 0;
    for (int i = at; i < at + width; i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }

  private static String write(AuditRecord r) {
    JsonBuffer out = LINES.get();
    writeLine(out, r);
    return new String(out.array(), 0, out.size(), StandardCharsets.UTF_8);
  }

  /**
   * Writes record lines as the log has always written them: Jackson's default generator, whose text
   * the log stored as UTF-8. Writing UTF-8 itself, the generator is told to keep characters beyond
   * the BMP as 4-byte UTF-8 (as the text was encoded), not as escaped surrogate pairs.
   */
  private static final JsonFactory LINE_FACTORY =
      new JsonFactoryBuilder()
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .rootValueSeparator((String) null)
          .build();

  /** Each thread's record line writer (a generator is costly to create; this one is reused). */
  private static final ThreadLocal<JsonBuffer> LINES =
      ThreadLocal.withInitial(() -> new JsonBuffer(LINE_FACTORY, 1024));

  /** Each thread's canonical writer, for {@link #hash}. */
  private static final ThreadLocal<JsonBuffer> CANONICAL =
      ThreadLocal.withInitial(CanonicalJson::buffer);

  /**
   * The record's line as UTF-8, into {@code out} after emptying it: Jackson's generator with its
   * default settings, compact, in the seed's field order, the context in its own order as databind
   * writes a map (doubles as {@link Double#toString(double)}), which is what the log has always
   * written. The one writer of record lines, so the exact-line check compares against the very
   * bytes the log writes.
   */
  // A record line's member names, encoded once.
  private static final SerializedString LINE_ID = new SerializedString("id");

  private static final SerializedString LINE_TIMESTAMP = new SerializedString("timestamp");
  private static final SerializedString LINE_AGENT_ID = new SerializedString("agent_id");
  private static final SerializedString LINE_ACTION = new SerializedString("action");
  private static final SerializedString LINE_RESOURCE = new SerializedString("resource");
  private static final SerializedString LINE_DECISION = new SerializedString("decision");
  private static final SerializedString LINE_REASON = new SerializedString("reason");
  private static final SerializedString LINE_RULE_ID = new SerializedString("rule_id");
  private static final SerializedString LINE_CONTEXT = new SerializedString("context");
  private static final SerializedString LINE_SEQUENCE = new SerializedString("sequence");
  private static final SerializedString LINE_PREV_HASH = new SerializedString("prev_hash");
  private static final SerializedString LINE_HASH = new SerializedString("hash");

  static void writeLine(JsonBuffer out, AuditRecord r) {
    JsonGenerator g = out.start();
    try {
      g.writeStartObject();
      g.writeFieldName(LINE_ID);
      g.writeString(r.id());
      g.writeFieldName(LINE_TIMESTAMP);
      g.writeString(formatTimestamp(r.timestamp()));
      g.writeFieldName(LINE_AGENT_ID);
      g.writeString(r.agentId());
      g.writeFieldName(LINE_ACTION);
      g.writeString(r.action());
      g.writeFieldName(LINE_RESOURCE);
      g.writeString(r.resource());
      g.writeFieldName(LINE_DECISION);
      g.writeString(r.decision().value());
      g.writeFieldName(LINE_REASON);
      g.writeString(r.reason());
      g.writeFieldName(LINE_RULE_ID);
      g.writeString(r.ruleId());
      g.writeFieldName(LINE_CONTEXT);
      writeContextValue(g, r.context());
      g.writeFieldName(LINE_SEQUENCE);
      g.writeNumber(r.sequence());
      g.writeFieldName(LINE_PREV_HASH);
      g.writeString(r.prevHash());
      g.writeFieldName(LINE_HASH);
      g.writeString(r.hash());
      g.writeEndObject();
      out.end();
    } catch (IOException e) {
      out.discard();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      out.discard();
      throw e;
    }
  }

  /**
   * A context value as databind writes it: the types a context holds through the generator's own
   * calls (what databind's serializers for them make), anything else through databind itself.
   */
  private static void writeContextValue(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String) {
      g.writeString((String) value);
    } else if (value instanceof Long) {
      g.writeNumber((long) (Long) value);
    } else if (value instanceof Double) {
      g.writeNumber((double) (Double) value);
    } else if (value instanceof Boolean) {
      g.writeBoolean((Boolean) value);
    } else if (value instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeContextValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof List) {
      List<?> list = (List<?>) value;
      g.writeStartArray();
      for (int i = 0; i < list.size(); i++) {
        writeContextValue(g, list.get(i));
      }
      g.writeEndArray();
    } else {
      MAPPER.writeValue(g, value);
    }
  }

  private static void requireFields(ObjectNode object, Set<String> fields) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw new IllegalArgumentException("unknown field \"" + name + '"');
      }
    }
    for (String field : fields) {
      if (!object.has(field)) {
        throw new IllegalArgumentException("missing field \"" + field + '"');
      }
    }
  }

  private static String text(ObjectNode object, String field, boolean nullable) {
    JsonNode node = object.get(field);
    if (node.isNull() && nullable) {
      return null;
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string, got " + node);
    }
    return node.textValue();
  }

  private static long integer(ObjectNode object, String field) {
    JsonNode node = object.get(field);
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new IllegalArgumentException(field + " must be an integer, got " + node);
    }
    return node.longValue();
  }
}
