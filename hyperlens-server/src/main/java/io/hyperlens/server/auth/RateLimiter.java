package io.hyperlens.server.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per API key: {@code perSecond} requests a second sustained, bursts of as many. The
 * buckets of at most {@value #MAX_KEYS} keys are kept (least recently used forgotten). Thread-safe.
 */
public final class RateLimiter {
  static final int MAX_KEYS = 10_000;

  private final double perSecond;
  private final Map<String, double[]> buckets =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
          return size() > MAX_KEYS;
        }
      };

  /** A limiter of {@code perSecond} requests per key; 0 lets everything through. */
  public RateLimiter(int perSecond) {
    if (perSecond < 0) {
      throw new IllegalArgumentException("perSecond must not be negative, got " + perSecond);
    }
    this.perSecond = perSecond;
  }

  /**
   * Takes one request for {@code key} at {@code nanoTime}: 0 when allowed, otherwise the whole
   * seconds to wait before retrying (for {@code Retry-After}).
   */
  public synchronized long acquire(String key, long nanoTime) {
    if (perSecond == 0) {
      return 0;
    }
    double[] bucket = buckets.computeIfAbsent(key, k -> new double[] {perSecond, nanoTime});
    double elapsed = (nanoTime - (long) bucket[1]) / 1e9;
    bucket[0] = Math.min(perSecond, bucket[0] + Math.max(0, elapsed) * perSecond);
    bucket[1] = nanoTime;
    if (bucket[0] >= 1) {
      bucket[0] -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - bucket[0]) / perSecond));
  }
}
