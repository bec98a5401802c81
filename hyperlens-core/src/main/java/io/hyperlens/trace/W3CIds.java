package io.hyperlens.trace;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context ids: 32-hex trace ids and 16-hex span ids, lowercase, never all zero; and the
 * lossless mapping from the shorter {@link CausalTraceId} ids (left-padded with zeros).
 */
final class W3CIds {
  static final int TRACE_ID_LENGTH = 32;
  static final int SPAN_ID_LENGTH = 16;
  private static final String TRACE_PAD =
      "0".repeat(TRACE_ID_LENGTH - CausalTraceId.TRACE_ID_LENGTH);
  private static final String SPAN_PAD = "0".repeat(SPAN_ID_LENGTH - CausalTraceId.SPAN_ID_LENGTH);
  private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  private W3CIds() {}

  static String randomTraceId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    byte[] out = new byte[TRACE_ID_LENGTH];
    encode(high, out, 0);
    encode(low, out, 16);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  static String randomSpanId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long bits;
    do {
      bits = random.nextLong();
    } while (bits == 0);
    byte[] out = new byte[SPAN_ID_LENGTH];
    encode(bits, out, 0);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static void encode(long bits, byte[] out, int offset) {
    for (int i = 15; i >= 0; i--) {
      out[offset + i] = DIGITS[(int) (bits & 0xF)];
      bits >>>= 4;
    }
  }

  /** Whether {@code s} is a valid W3C trace id: 32 lowercase hex characters, not all zero. */
  static boolean isValidTraceId(String s) {
    return HexIds.isLowerHex(s, TRACE_ID_LENGTH) && !isAllZero(s);
  }

  /** Whether {@code s} is a valid W3C span id: 16 lowercase hex characters, not all zero. */
  static boolean isValidSpanId(String s) {
    return HexIds.isLowerHex(s, SPAN_ID_LENGTH) && !isAllZero(s);
  }

  static boolean isAllZero(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  static String padTraceId(String causalTraceId) {
    return TRACE_PAD + causalTraceId;
  }

  static String padSpanId(String causalSpanId) {
    return SPAN_PAD + causalSpanId;
  }

  /**
   * A W3C trace id from {@code value}: a 32-hex W3C id as it is, or a 12-hex {@link CausalTraceId}
   * trace id left-padded to 32.
   *
   * @throws IllegalArgumentException naming {@code field} and the value otherwise
   */
  static String requireTraceId(String field, String value) {
    if (isValidTraceId(value)) {
      return value;
    }
    if (HexIds.isLowerHex(value, CausalTraceId.TRACE_ID_LENGTH) && !isAllZero(value)) {
      return padTraceId(value);
    }
    throw new IllegalArgumentException(
        field
            + " must be 32 lowercase hex characters (or a 12-hex CausalTraceId trace id), not all"
            + " zero, got "
            + quote(value));
  }

  /**
   * A W3C span id from {@code value}: a 16-hex W3C id as it is, or an 8-hex {@link CausalTraceId}
   * span id left-padded to 16.
   *
   * @throws IllegalArgumentException naming {@code field} and the value otherwise
   */
  static String requireSpanId(String field, String value) {
    if (isValidSpanId(value)) {
      return value;
    }
    if (HexIds.isLowerHex(value, CausalTraceId.SPAN_ID_LENGTH) && !isAllZero(value)) {
      return padSpanId(value);
    }
    throw new IllegalArgumentException(
        field
            + " must be 16 lowercase hex characters (or an 8-hex CausalTraceId span id), not all"
            + " zero, got "
            + quote(value));
  }

  static String quote(String value) {
    return value == null ? "null" : '"' + value + '"';
  }
}
