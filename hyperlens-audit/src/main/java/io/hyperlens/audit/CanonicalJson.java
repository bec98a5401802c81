package io.hyperlens.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
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
  private static final byte[] HEX = ascii("0123456789abcdef");
  private static final byte[] UPPER_HEX = ascii("0123456789ABCDEF");

  // The record's member names with their punctuation, in RFC 8785 order.
  private static final byte[] ACTION = ascii("{\"action\":");
  private static final byte[] AGENT_ID = ascii(",\"agent_id\":");
  private static final byte[] CONTEXT = ascii(",\"context\":");
  private static final byte[] DECISION = ascii(",\"decision\":");
  private static final byte[] ID = ascii(",\"id\":");
  private static final byte[] PREV_HASH = ascii(",\"prev_hash\":");
  private static final byte[] REASON = ascii(",\"reason\":");
  private static final byte[] RESOURCE = ascii(",\"resource\":");
  private static final byte[] RULE_ID = ascii(",\"rule_id\":");
  private static final byte[] SEQUENCE = ascii(",\"sequence\":");
  private static final byte[] TIMESTAMP = ascii(",\"timestamp\":");

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** RFC 8785's member order: names compared by their UTF-16 code units. */
  private static final Comparator<Map.Entry<?, ?>> BY_KEY =
      (a, b) -> ((String) a.getKey()).compareTo((String) b.getKey());

  private CanonicalJson() {}

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
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
    out.raw(ACTION);
    out.string(action);
    out.raw(AGENT_ID);
    out.string(agentId);
    out.raw(CONTEXT);
    out.value(context);
    out.raw(DECISION);
    out.string(decision);
    out.raw(ID);
    out.string(id);
    out.raw(PREV_HASH);
    out.string(prevHash);
    out.raw(REASON);
    out.string(reason);
    out.raw(RESOURCE);
    out.string(resource);
    out.raw(RULE_ID);
    out.string(ruleId);
    out.raw(SEQUENCE);
    out.number(sequence);
    out.raw(TIMESTAMP);
    out.string(timestamp);
    out.put((byte) '}');
  }

  /** A growable byte buffer that canonical JSON is written into; reused from record to record. */
  static final class Buffer {
    private final boolean canonical;
    private byte[] bytes;
    private int size;

    /** A buffer for RFC 8785 canonical JSON. */
    Buffer(int capacity) {
      this(capacity, true);
    }

    /**
     * A buffer for RFC 8785 canonical JSON, or, when not {@code canonical}, for JSON as Jackson's
     * generator writes it by default: maps in their own order, <code>&#92;u00XX</code> in upper
     * case, doubles as {@link Double#toString(double)} prints them (the record line's form).
     */
    Buffer(int capacity, boolean canonical) {
      this.canonical = canonical;
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

    /** Bytes as they are. */
    void raw(byte[] text) {
      ensure(text.length);
      System.arraycopy(text, 0, bytes, size, text.length);
      size += text.length;
    }

    /** Plain ASCII text that needs no escaping (literals and numbers). */
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
        double d = ((Number) value).doubleValue();
        if (!canonical) {
          ascii(Double.toString(d));
          return;
        }
        try {
          ascii(NumberToJSON.serializeNumber(d));
        } catch (IOException e) {
          throw new UncheckedIOException(e); // NaN or infinity, which contexts refuse
        }
      } else if (value instanceof Map && !canonical) {
        put((byte) '{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          if (!first) {
            put((byte) ',');
          }
          first = false;
          string((String) e.getKey());
          put((byte) ':');
          value(e.getValue());
        }
        put((byte) '}');
      } else if (value instanceof Map) {
        Map.Entry<?, ?>[] entries = ((Map<?, ?>) value).entrySet().toArray(new Map.Entry<?, ?>[0]);
        Arrays.sort(entries, BY_KEY);
        put((byte) '{');
        for (int i = 0; i < entries.length; i++) {
          if (i > 0) {
            put((byte) ',');
          }
          string((String) entries[i].getKey());
          put((byte) ':');
          value(entries[i].getValue());
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
      // The JDK's encoder is intrinsic for the common (ASCII or Latin-1) strings; it writes a
      // lone surrogate as '?', which no record holds (AuditRecord refuses them), so hashing
      // fields before the record is built leaves that refusal to the record.
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      int n = utf8.length;
      ensure(n + 2); // the room for escapes is made when one is met
      byte[] b = bytes;
      int at = size;
      b[at++] = '"';
      int from = 0;
      int i = 0;
      // Eight bytes at a time while none of them may need an escape (most strings, whole).
      while (i + 8 <= n && !mayNeedEscape((long) LONGS.get(utf8, i))) {
        i += 8;
      }
      for (; i < n; i++) {
        byte c = utf8[i];
        // Bytes of multi-byte characters are all >= 0x80 (negative), so never escaped.
        if (c >= 0 && (c < 0x20 || c == '"' || c == '\\')) {
          System.arraycopy(utf8, from, b, at, i - from);
          at += i - from;
          size = at;
          ensure((n - i) * 6 + 1); // an escape is the longest a byte gets: 6
          b = bytes;
          at = escape(b, at, c, canonical ? HEX : UPPER_HEX);
          from = i + 1;
        }
      }
      System.arraycopy(utf8, from, b, at, n - from);
      at += n - from;
      b[at++] = '"';
      size = at;
    }

    /**
     * Whether any of the eight bytes in {@code word} may be a control character, {@code "} or
     * {@code \\}: never false when one is (a borrow only ever adds flags above a byte that is one).
     */
    private static boolean mayNeedEscape(long word) {
      return (((word - 0x2020202020202020L) & ~word & 0x8080808080808080L) // a byte below 0x20
              | hasZeroByte(word ^ 0x2222222222222222L) // a '"'
              | hasZeroByte(word ^ 0x5c5c5c5c5c5c5c5cL)) // a backslash
          != 0;
    }

    private static long hasZeroByte(long word) {
      return (word - 0x0101010101010101L) & ~word & 0x8080808080808080L;
    }

    /** Writes the escape of {@code c} at {@code at}; {@link #string} has reserved the room. */
    private static int escape(byte[] b, int at, byte c, byte[] hex) {
      b[at++] = '\\';
      switch (c) {
        case '"':
          b[at++] = '"';
          break;
        case '\\':
          b[at++] = '\\';
          break;
        case '\b':
          b[at++] = 'b';
          break;
        case '\t':
          b[at++] = 't';
          break;
        case '\n':
          b[at++] = 'n';
          break;
        case '\f':
          b[at++] = 'f';
          break;
        case '\r':
          b[at++] = 'r';
          break;
        default:
          b[at++] = 'u';
          b[at++] = '0';
          b[at++] = '0';
          b[at++] = hex[c >> 4];
          b[at++] = hex[c & 0xf];
      }
      return at;
    }
  }
}
