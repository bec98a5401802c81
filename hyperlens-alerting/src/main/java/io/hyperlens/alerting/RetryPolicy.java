package io.hyperlens.alerting;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a failed send is tried again: after a 429, a 5xx or a connection error, waiting {@code
 * initial}, then twice as long each time up to {@code max}, each wait jittered to between half and
 * all of it. Any other 4xx is never retried. A first trigger or a resolve is tried until it is
 * delivered (nothing else would send it); a repeat or a resend gives up after {@code attempts}
 * attempts in all.
 *
 * @param initial the first wait
 * @param max the longest wait
 * @param attempts attempts in all, the first included (1: never retry)
 */
public record RetryPolicy(Duration initial, Duration max, int attempts) {
  /** 500 ms doubling to 30 s; a repeat gives up after 6 attempts (at most 15.5 s of waits). */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(30), 6);

  public RetryPolicy {
    if (initial == null || initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("retry initial must be positive; got " + initial);
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "retry max must be at least retry initial (" + initial + "); got " + max);
    }
    if (attempts < 1 || attempts > 100) {
      throw new IllegalArgumentException("retry attempts must be within 1..100; got " + attempts);
    }
  }

  /** The wait before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
  public Duration delay(int attempt) {
    long base = initial.toMillis();
    long cap = max.toMillis();
    long delay = base;
    for (int i = 1; i < attempt && delay < cap; i++) {
      delay = Math.min(cap, delay * 2);
    }
    delay = Math.min(cap, delay);
    long half = delay / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(delay - half + 1));
  }
}
