package io.hyperlens.spi;

import java.time.Duration;

/**
 * Durations as saturated nanoseconds, so a generous timeout never overflows deadline arithmetic.
 *
 * <pre>{@code
 * long deadline = System.nanoTime() + Timeouts.nanos(Duration.ofDays(365_000)); // no overflow
 * }</pre>
 */
public final class Timeouts {
  /** About 146 years: far enough, and {@code System.nanoTime() + FOREVER} cannot overflow. */
  public static final long FOREVER = Long.MAX_VALUE / 4;

  private Timeouts() {}

  /** {@code duration} in nanoseconds, at least 0 and at most {@link #FOREVER}. */
  public static long nanos(Duration duration) {
    if (duration.isNegative()) {
      return 0;
    }
    if (duration.compareTo(Duration.ofNanos(FOREVER)) >= 0) {
      return FOREVER;
    }
    return duration.toNanos();
  }
}
