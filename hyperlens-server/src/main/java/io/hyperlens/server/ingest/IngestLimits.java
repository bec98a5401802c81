package io.hyperlens.server.ingest;

/**
 * The limits the hub's ingest enforces, each answered with a clear 4xx and counted.
 *
 * @param maxBodyBytes the largest request body, also after gzip decompression (20 MiB)
 * @param maxEventsPerBatch the most events one {@code POST /v1/events} carries (10,000)
 * @param maxValueChars the longest string value kept in an event payload or span attribute; longer
 *     ones are cut and the item marked {@code hyperlens.truncated=true} (16 KiB)
 * @param maxSpanAttributes the most attributes kept on a span; the rest are dropped and counted in
 *     the span's dropped attributes (128)
 * @param requestsPerSecondPerKey the sustained requests per second one key may make (0: no limit),
 *     with a burst of as many
 */
public record IngestLimits(
    int maxBodyBytes,
    int maxEventsPerBatch,
    int maxValueChars,
    int maxSpanAttributes,
    int requestsPerSecondPerKey) {

  /**
   * Validates every limit.
   *
   * @throws IllegalArgumentException naming the limit and the value
   */
  public IngestLimits {
    positive("maxBodyBytes", maxBodyBytes);
    positive("maxEventsPerBatch", maxEventsPerBatch);
    positive("maxValueChars", maxValueChars);
    positive("maxSpanAttributes", maxSpanAttributes);
    if (requestsPerSecondPerKey < 0) {
      throw new IllegalArgumentException(
          "requestsPerSecondPerKey must not be negative, got " + requestsPerSecondPerKey);
    }
  }

  /** 20 MiB bodies, 10,000 events, 16 KiB values, 128 attributes, 1,000 requests/s per key. */
  public static IngestLimits defaults() {
    return new IngestLimits(20 << 20, 10_000, 16 << 10, 128, 1_000);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }
}
