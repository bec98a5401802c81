package io.hyperlens.trace;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random lowercase-hex identifiers: the trace, span and event ids used across Hyperlens.
 *
 * <p>Ids come from {@link ThreadLocalRandom}: unpredictability is not a goal (these are correlation
 * ids, not secrets), speed and freedom from contention are. {@code UUID.randomUUID()} draws from
 * {@code SecureRandom} and costs several times more per id; the figures are in {@code
 * hyperlens-bench/README.md}.
 *
 * <p>Thread-safe: every method may be called from any thread without coordination.
 *
 * <pre>{@code
 * String eventId = HexIds.random(16); // e.g. "3f9a0c1d2b4e5f60"
 * boolean ok = HexIds.isLowerHex(eventId, 16); // true
 * }</pre>
 */
public final class HexIds {
  private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  private HexIds() {}

  /**
   * Returns {@code length} random lowercase hex characters.
   *
   * @param length between 1 and 32
   * @throws IllegalArgumentException if {@code length} is outside 1..32
   */
  public static String random(int length) {
    if (length < 1 || length > 32) {
      throw new IllegalArgumentException("length must be between 1 and 32, got " + length);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] out = new byte[length];
    int filled = 0;
    while (filled < length) {
      long bits = random.nextLong();
      int chunk = Math.min(16, length - filled);
      for (int i = 0; i < chunk; i++) {
        out[filled++] = DIGITS[(int) (bits & 0xF)];
        bits >>>= 4;
      }
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** A random W3C trace id: 32 lowercase hex characters, never all zero. */
  public static String randomTraceId() {
    return W3CIds.randomTraceId();
  }

  /** A random W3C span id: 16 lowercase hex characters, never all zero. */
  public static String randomSpanId() {
    return W3CIds.randomSpanId();
  }

  /** Whether {@code s} is exactly {@code length} characters of {@code [0-9a-f]}. */
  public static boolean isLowerHex(String s, int length) {
    return s != null && s.length() == length && isLowerHex(s, 0, length);
  }

  /** Whether {@code s[from, to)} is all {@code [0-9a-f]}. */
  static boolean isLowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
