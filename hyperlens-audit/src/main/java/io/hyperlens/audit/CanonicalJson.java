package io.hyperlens.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.erdtman.jcs.NumberToJSON;

/**
 * Writes RFC 8785 (JCS) canonical JSON straight from values into a reusable byte buffer, without
 * printing JSON and parsing it back, and without an intermediate string: what the chain hashes is
 * the buffer's bytes, handed to the digest as they are. Doubles use the reference implementation's
 * ES6 number formatting ({@link NumberToJSON}).
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
 * generated records. The static methods are thread-safe; a {@link Buffer} is not.
 */
final class CanonicalJson {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

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
    Buffer out = new Buffer(512);
    record(
        out, id, timestamp, agentId, action, resource, decision, reason, ruleId, context, sequence,
        prevHash);
    return out.toByteArray();
  }

  /** Writes the canonical bytes of a record's hashed fields into {@code out}, after a reset. */
  static void record(
      Buffer out,
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
    out.reset();
    // The members in RFC 8785 order, which for these names is plain alphabetical order.
    out.ascii("{\"action\":");
    out.string(action);
    out.ascii(",\"agent_id\":");
    out.string(agentId);
    out.ascii(",\"context\":");
    out.value(context);
    out.ascii(",\"decision\":");
    out.string(decision);
    out.ascii(",\"id\":");
    out.string(id);
    out.ascii(",\"prev_hash\":");
    out.string(prevHash);
    out.ascii(",\"reason\":");
    out.string(reason);
    out.ascii(",\"resource\":");
    out.string(resource);
    out.ascii(",\"rule_id\":");
    out.string(ruleId);
    out.ascii(",\"sequence\":");
    out.number(sequence);
    out.ascii(",\"timestamp\":");
    out.string(timestamp);
    out.put((byte) '}');
  }

  /** A growable byte buffer that canonical JSON is written into; reused from record to record. */
  static final class Buffer {
    private byte[] bytes;
    private int size;

    Buffer(int capacity) {
      bytes = new byte[capacity];
    }

    void reset() {
      size = 0;
    }

    /** The bytes written since the last reset (the array itself: valid up to {@link #size()}). */
    byte[] array() {
      return bytes;
    }

    int size() {
      return size;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    void put(byte b) {
      ensure(1);
      bytes[size++] = b;
    }

    /** Plain ASCII text that needs no escaping (member names and punctuation). */
    void ascii(String text) {
      int n = text.length();
      ensure(n);
      for (int i = 0; i < n; i++) {
        bytes[size++] = (byte) text.charAt(i);
      }
    }

    void value(Object value) {
      if (value == null) {
        ascii("null");
      } else if (value instanceof String) {
        string((String) value);
      } else if (value instanceof Boolean) {
        ascii((Boolean) value ? "true" : "false");
      } else if (value instanceof Long || value instanceof Integer) {
        number(((Number) value).longValue());
      } else if (value instanceof Number) {
        try {
          ascii(NumberToJSON.serializeNumber(((Number) value).doubleValue()));
        } catch (IOException e) {
          throw new UncheckedIOException(e); // NaN or infinity, which contexts refuse
        }
      } else if (value instanceof Map) {
        Map<?, ?> map = (Map<?, ?>) value;
        List<String> keys = new ArrayList<>(map.size());
        for (Object key : map.keySet()) {
          keys.add((String) key);
        }
        Collections.sort(keys);
        put((byte) '{');
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) {
            put((byte) ',');
          }
          String key = keys.get(i);
          string(key);
          put((byte) ':');
          value(map.get(key));
        }
        put((byte) '}');
      } else if (value instanceof List) {
        List<?> list = (List<?>) value;
        put((byte) '[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            put((byte) ',');
          }
          value(list.get(i));
        }
        put((byte) ']');
      } else {
        throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
      }
    }

    /** A decimal integer, as ECMAScript prints one within ±2^53. */
    void number(long value) {
      if (value == 0) {
        put((byte) '0');
        return;
      }
      ensure(20);
      if (value < 0) {
        bytes[size++] = '-';
      } else {
        value = -value; // work on the negative side, which also holds Long.MIN_VALUE
      }
      int digits = 0;
      for (long v = value; v != 0; v /= 10) {
        digits++;
      }
      int at = size + digits;
      size = at;
      for (long v = value; v != 0; v /= 10) {
        bytes[--at] = (byte) ('0' - (v % 10));
      }
    }

    /** A JSON string (or {@code null}): UTF-8, with RFC 8785's escapes. */
    void string(String text) {
      if (text == null) {
        ascii("null");
        return;
      }
      int n = text.length();
      ensure(n * 6 + 2); // no char takes more than 6 bytes (an escape; a surrogate pair: 4 for 2)
      byte[] b = bytes;
      int at = size;
      b[at++] = '"';
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        if (c < 0x80) {
          if (c >= 0x20 && c != '"' && c != '\\') {
            b[at++] = (byte) c;
          } else {
            size = at;
            escape(c);
            at = size;
          }
        } else if (c < 0x800) {
          b[at++] = (byte) (0xc0 | (c >> 6));
          b[at++] = (byte) (0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, text.charAt(++i));
          b[at++] = (byte) (0xf0 | (cp >> 18));
          b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          b[at++] = (byte) (0x80 | (cp & 0x3f));
        } else if (Character.isSurrogate(c)) {
          // No record holds one (AuditRecord refuses them); '?' as String.getBytes writes it, so
          // hashing fields before the record is built leaves the refusal to the record.
          b[at++] = '?';
        } else {
          b[at++] = (byte) (0xe0 | (c >> 12));
          b[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
          b[at++] = (byte) (0x80 | (c & 0x3f));
        }
      }
      b[at++] = '"';
      size = at;
    }

    /** Writes an escape; {@link #string} has reserved the room. */
    private void escape(char c) {
      bytes[size++] = '\\';
      switch (c) {
        case '"':
          bytes[size++] = '"';
          break;
        case '\\':
          bytes[size++] = '\\';
          break;
        case '\b':
          bytes[size++] = 'b';
          break;
        case '\t':
          bytes[size++] = 't';
          break;
        case '\n':
          bytes[size++] = 'n';
          break;
        case '\f':
          bytes[size++] = 'f';
          break;
        case '\r':
          bytes[size++] = 'r';
          break;
        default:
          bytes[size++] = 'u';
          bytes[size++] = '0';
          bytes[size++] = '0';
          bytes[size++] = HEX[c >> 4];
          bytes[size++] = HEX[c & 0xf];
      }
    }
  }
}
