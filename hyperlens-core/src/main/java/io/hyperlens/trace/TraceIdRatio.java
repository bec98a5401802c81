package io.hyperlens.trace;

/**
 * The sampling decision for a new trace: the OpenTelemetry {@code TraceIdRatioBased} algorithm, so
 * that Hyperlens and OpenTelemetry SDK spans of one trace, sampled at the same ratio, agree. The
 * low 64 bits of the trace id, as a signed number, are compared against {@code ratio *
 * Long.MAX_VALUE}; the decision depends on the trace id alone, so every process that sees the trace
 * decides alike.
 */
final class TraceIdRatio {
  private final long upperBound;

  TraceIdRatio(double ratio) {
    if (!(ratio >= 0.0 && ratio <= 1.0)) {
      throw new IllegalArgumentException("sampleRate must be between 0.0 and 1.0, got " + ratio);
    }
    if (ratio == 0.0) {
      upperBound = Long.MIN_VALUE;
    } else if (ratio == 1.0) {
      upperBound = Long.MAX_VALUE;
    } else {
      upperBound = (long) (ratio * Long.MAX_VALUE);
    }
  }

  /** Whether a new trace with this 32-hex id is sampled. */
  boolean sampled(String traceId) {
    return Math.abs(Long.parseUnsignedLong(traceId, 16, 32, 16)) < upperBound;
  }

  /** The W3C trace flags of a new trace with this id. */
  int flags(String traceId) {
    return sampled(traceId) ? TraceContext.FLAG_SAMPLED : 0;
  }
}
