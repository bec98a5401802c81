package io.hyperlens.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.erdtman.jcs.NumberToJSON;

/**
 * Writes RFC 8785 (JCS) canonical JSON straight from values, without printing JSON and parsing it
 * back: Jackson's generator, set up to emit exactly what RFC 8785 §3.2 asks for, and the reference
 * implementation's ES6 number formatting ({@link NumberToJSON}) for doubles. The generator writes
 * into a reusable {@link JsonBuffer}, whose bytes are what the chain hashes, as they are.
 *
 * <ul>
 *   <li>Object members sorted by their names' UTF-16 code units ({@link String#compareTo}).
 *   <li>No whitespace.
 *   <li>Strings as UTF-8 with only {@code "}, {@code \} and U+0000..U+001F escaped: {@code \b \t \n
 *       \f \r} in short form, the rest as <code>&#92;u00xx</code> with lowercase hex; characters
 *       beyond the BMP as 4-byte UTF-8.
 *   <li>Numbers as ECMAScript prints them: integers (kept within ±2^53 by {@link ContextValues}) in
 *       plain decimal, doubles through {@link NumberToJSON#serializeNumber(double)}.
 * </ul>
 *
 * <p>Tests hold the output byte-for-byte equal to {@code org.erdtman.jcs.JsonCanonicalizer} over
 * generated records. The static methods are thread-safe; a {@link JsonBuffer} is not.
 */
final class CanonicalJson {
  private static final JsonFactory FACTORY =
      new JsonFactoryBuilder()
          .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
          // Characters beyond the BMP as 4-byte UTF-8, not as escaped surrogate pairs.
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          // One record after another from the same generator, with nothing between them.
          .rootValueSeparator((String) null)
          .build();

  /** RFC 8785's member order: names compared by their UTF-16 code units. */
  private static final Comparator<Map.Entry<?, ?>> BY_KEY =
      (a, b) -> ((String) a.getKey()).compareTo((String) b.getKey());

  // The record's member names, encoded once.
  private static final SerializedString ACTION = new SerializedString("action");
  private static final SerializedString AGENT_ID = new SerializedString("agent_id");
  private static final SerializedString CONTEXT = new SerializedString("context");
  private static final SerializedString DECISION = new SerializedString("decision");
  private static final SerializedString ID = new SerializedString("id");
  private static final SerializedString PREV_HASH = new SerializedString("prev_hash");
  private static final SerializedString REASON = new SerializedString("reason");
  private static final SerializedString RESOURCE = new SerializedString("resource");
  private static final SerializedString RULE_ID = new SerializedString("rule_id");
  private static final SerializedString SEQUENCE = new SerializedString("sequence");
  private static final SerializedString TIMESTAMP = new SerializedString("timestamp");

  private CanonicalJson() {}

  /**
   * A buffer, with its generator, for {@link #record(JsonBuffer, String, String, String, String,
   * String, String, String, String, Map, long, String)}.
   */
  static JsonBuffer buffer() {
    return new JsonBuffer(FACTORY, 1024);
  }

  /** The canonical bytes of a record's hashed fields (every field but {@code hash}). */
  static byte[] record(
      String id,
      String timestamp,
      String agentId,
      String action,
      String resource,
      String decision,
      String reason,
      String ruleId,
      Map<String, Object> context,
      long sequence,
      String prevHash) {
    JsonBuffer out = new JsonBuffer(FACTORY, 512);
    record(
        out, id, timestamp, agentId, action, resource, decision, reason, ruleId, context, sequence,
        prevHash);
    return out.toByteArray();
  }

  /** Writes the canonical bytes of a record's hashed fields into {@code out}, after emptying it. */
  static void record(
      JsonBuffer out,
      String id,
      String timestamp,
      String agentId,
      String action,
      String resource,
      String decision,
      String reason,
      String ruleId,
      Map<String, Object> context,
      long sequence,
      String prevHash) {
    JsonGenerator g = out.start();
    try {
      // The members in RFC 8785 order, which for these names is plain alphabetical order.
      g.writeStartObject();
      g.writeFieldName(ACTION);
      g.writeString(action);
      g.writeFieldName(AGENT_ID);
      g.writeString(agentId);
      g.writeFieldName(CONTEXT);
      writeValue(g, context);
      g.writeFieldName(DECISION);
      g.writeString(decision);
      g.writeFieldName(ID);
      g.writeString(id);
      g.writeFieldName(PREV_HASH);
      g.writeString(prevHash);
      g.writeFieldName(REASON);
      g.writeString(reason);
      g.writeFieldName(RESOURCE);
      g.writeString(resource);
      g.writeFieldName(RULE_ID);
      g.writeString(ruleId);
      g.writeFieldName(SEQUENCE);
      g.writeNumber(sequence);
      g.writeFieldName(TIMESTAMP);
      g.writeString(timestamp);
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

  private static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String) {
      g.writeString((String) value);
    } else if (value instanceof Boolean) {
      g.writeBoolean((Boolean) value);
    } else if (value instanceof Long || value instanceof Integer) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof Number) {
      g.writeNumber(NumberToJSON.serializeNumber(((Number) value).doubleValue()));
    } else if (value instanceof Map) {
      Map.Entry<?, ?>[] entries = ((Map<?, ?>) value).entrySet().toArray(new Map.Entry<?, ?>[0]);
      Arrays.sort(entries, BY_KEY);
      g.writeStartObject();
      for (Map.Entry<?, ?> entry : entries) {
        g.writeFieldName((String) entry.getKey());
        writeValue(g, entry.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof List) {
      List<?> list = (List<?>) value;
      g.writeStartArray();
      for (int i = 0; i < list.size(); i++) {
        writeValue(g, list.get(i));
      }
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
  }
}
