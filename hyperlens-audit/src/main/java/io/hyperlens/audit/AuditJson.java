package io.hyperlens.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hyperlens.audit.tlog.Rfc6962;
import io.hyperlens.audit.tlog.SignedNote;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
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
 * {@link #parseLine}. Thread-safe: stateless.
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

  private AuditJson() {}

  /**
   * The record's {@code hash}, lowercase hex: its RFC 6962 leaf hash, {@code SHA-256(0x00 ||
   * canonicalBytes)}, so the hash chain and the Merkle tree rest on the same 32 bytes.
   */
  public static String hash(AuditRecord record) {
    return HexFormat.of().formatHex(Rfc6962.leafHash(canonicalBytes(record)));
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
    return TIMESTAMP.format(timestamp);
  }

  /**
   * Parses {@link #formatTimestamp}'s form, and only that form.
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static Instant parseTimestamp(String text) {
    try {
      return Instant.from(TIMESTAMP.parse(text));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "timestamp must look like 2026-01-28T17:45:00.123Z, got " + AuditRecord.quote(text), e);
    }
  }

  private static String write(AuditRecord r) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("id", r.id());
      g.writeStringField("timestamp", formatTimestamp(r.timestamp()));
      g.writeStringField("agent_id", r.agentId());
      g.writeStringField("action", r.action());
      g.writeStringField("resource", r.resource());
      g.writeStringField("decision", r.decision().value());
      g.writeStringField("reason", r.reason());
      g.writeStringField("rule_id", r.ruleId());
      g.writeFieldName("context");
      MAPPER.writeValue(g, r.context());
      g.writeNumberField("sequence", r.sequence());
      g.writeStringField("prev_hash", r.prevHash());
      g.writeStringField("hash", r.hash());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
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
