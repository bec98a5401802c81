package io.hyperlens.alerting;

import java.time.Duration;
import java.time.Instant;

/**
 * Counts over a sliding window in 60 buckets: what was added in the last {@code window} is summed
 * to within one bucket (a 60th of the window). Fixed size whatever the rate. Not thread-safe.
 */
final class WindowCounts {
  static final int BUCKETS = 60;

  private final long bucketMillis;
  private final long[] bucket = new long[BUCKETS];
  private final double[] count = new double[BUCKETS];

  WindowCounts(Duration window) {
    this.bucketMillis = Math.max(1, window.toMillis() / BUCKETS);
    java.util.Arrays.fill(bucket, Long.MIN_VALUE);
  }

  /** Adds {@code n} at {@code at}; something older than the window is ignored. */
  void add(Instant at, double n) {
    long b = Math.floorDiv(at.toEpochMilli(), bucketMillis);
    int slot = (int) Math.floorMod(b, (long) BUCKETS);
    if (bucket[slot] != b) {
      if (bucket[slot] > b) {
        return; // older than what the slot holds: outside the window
      }
      bucket[slot] = b;
      count[slot] = 0;
    }
    count[slot] += n;
  }

  /** The sum over the window that ends at {@code now}. */
  double sum(Instant now) {
    long current = Math.floorDiv(now.toEpochMilli(), bucketMillis);
    double sum = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucket[i] > current - BUCKETS && bucket[i] <= current) {
        sum += count[i];
      }
    }
    return sum;
  }
}
