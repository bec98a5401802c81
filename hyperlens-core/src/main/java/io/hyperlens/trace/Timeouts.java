package io.hyperlens.trace;

import java.time.Duration;

/**
 * Durations as saturated nanoseconds, so a generous timeout never overflows deadline arithmetic.
 */
final class Timeouts {
  /** About 146 years: far enough, and {@code System.nanoTime() + FOREVER} cannot overflow. */
  static final long FOREVER = Long.MAX_VALUE / 4;

  private Timeouts() {}

  /** {@code duration} in nanoseconds, at least 0 and at most {@link #FOREVER}. */
  static long nanos(Duration duration) {
    if (duration.isNegative()) {
      return 0;
    }
    if (duration.compareTo(Duration.ofNanos(FOREVER)) >= 0) {
      return FOREVER;
    }
    return duration.toNanos();
  }
}
