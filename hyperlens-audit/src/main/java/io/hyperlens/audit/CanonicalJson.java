package io.hyperlens.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.erdtman.jcs.NumberToJSON;

/**
 * Writes RFC 8785 (JCS) canonical JSON straight from values, without printing JSON and parsing it
 * back: Jackson's generator, set up to emit exactly what RFC 8785 §3.2 asks for, and the reference
 * implementation's ES6 number formatting ({@link NumberToJSON}) for doubles.
 *
 * <ul>
 *   <li>Object members sorted by their names' UTF-16 code units ({@link String#compareTo}).
 *   <li>No whitespace.
 *   <li>Strings as UTF-8 with only {@code "}, {@code \} and U+0000..U+001F escaped: {@code \b \t \n
 *       \f \r} in short form, the rest as <code>&#92;u00xx</code> with lowercase hex.
 *   <li>Numbers as ECMAScript prints them: integers (kept within ±2^53 by {@link ContextValues}) in
 *       plain decimal, doubles through {@link NumberToJSON#serializeNumber(double)}.
 * </ul>
 *
 * <p>Tests hold the output byte-for-byte equal to {@code org.erdtman.jcs.JsonCanonicalizer} over
 * generated records. Thread-safe: stateless.
 */
final class CanonicalJson {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
          // Characters beyond the BMP as 4-byte UTF-8, not as escaped surrogate pairs.
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .build();

  private CanonicalJson() {}

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
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      // The members in RFC 8785 order, which for these names is plain alphabetical order.
      g.writeStartObject();
      g.writeStringField("action", action);
      g.writeStringField("agent_id", agentId);
      g.writeFieldName("context");
      writeValue(g, context);
      g.writeStringField("decision", decision);
      g.writeStringField("id", id);
      g.writeStringField("prev_hash", prevHash);
      g.writeStringField("reason", reason);
      g.writeStringField("resource", resource);
      g.writeStringField("rule_id", ruleId);
      g.writeNumberField("sequence", sequence);
      g.writeStringField("timestamp", timestamp);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
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
      Map<?, ?> map = (Map<?, ?>) value;
      List<String> keys = new ArrayList<>(map.size());
      for (Object key : map.keySet()) {
        keys.add((String) key);
      }
      Collections.sort(keys);
      g.writeStartObject();
      for (String key : keys) {
        g.writeFieldName(key);
        writeValue(g, map.get(key));
      }
      g.writeEndObject();
    } else if (value instanceof List) {
      g.writeStartArray();
      for (Object item : (List<?>) value) {
        writeValue(g, item);
      }
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
  }
}
