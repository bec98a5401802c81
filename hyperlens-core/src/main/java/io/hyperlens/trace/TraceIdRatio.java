package io.hyperlens.trace;

/**
 * The sampling decision for a new trace, from its id alone, so that every process and every span of
 * the trace decides alike. For a random W3C trace id it is OpenTelemetry's {@code
 * TraceIdRatioBased} algorithm (the low 64 bits, as a signed number, against {@code ratio *
 * Long.MAX_VALUE}), so Hyperlens and OpenTelemetry SDK spans sampled at the same ratio agree. A
 * {@link CausalTraceId} padded to W3C ({@code 00000000000000000000} followed by 12 hex digits) has
 * only 48 random bits, which that algorithm would read as a tiny number and always sample; for
 * those ids the ratio is taken over the 48 bits instead.
 *
 * <p>Thread-safe: immutable.
 *
 * <pre>{@code
 * TraceIdRatio quarter = new TraceIdRatio(0.25);
 * boolean keep = quarter.sampled("4bf92f3577b34da6a3ce929d0e0e4736");
 * }</pre>
 */
public final class TraceIdRatio {
  private static final String CAUSAL_PADDING = "00000000000000000000";
  private static final long CAUSAL_RANGE = 1L << 48;

  private final double ratio;
  private final long upperBound;
  private final long causalUpperBound;

  /**
   * A decision that keeps {@code ratio} of all traces.
   *
   * @throws IllegalArgumentException when {@code ratio} is outside 0.0..1.0 or NaN
   */
  public TraceIdRatio(double ratio) {
    if (!(ratio >= 0.0 && ratio <= 1.0)) {
      throw new IllegalArgumentException("sampleRate must be between 0.0 and 1.0, got " + ratio);
    }
    this.ratio = ratio;
    if (ratio == 0.0) {
      upperBound = Long.MIN_VALUE;
    } else if (ratio == 1.0) {
      upperBound = Long.MAX_VALUE;
    } else {
      upperBound = (long) (ratio * Long.MAX_VALUE);
    }
    causalUpperBound = ratio == 1.0 ? Long.MAX_VALUE : (long) (ratio * CAUSAL_RANGE);
  }

  /** The share of traces kept. */
  public double ratio() {
    return ratio;
  }

  /**
   * Whether the trace with this 32-hex W3C id is sampled.
   *
   * @throws IllegalArgumentException when {@code traceId} is not 32 lowercase hex digits
   */
  public boolean sampled(String traceId) {
    if (!HexIds.isLowerHex(traceId, 32)) {
      throw new IllegalArgumentException(
          "traceId must be 32 lowercase hex digits, got " + W3CIds.quote(traceId));
    }
    if (traceId.startsWith(CAUSAL_PADDING)) {
      return Long.parseLong(traceId, CAUSAL_PADDING.length(), 32, 16) < causalUpperBound;
    }
    return Math.abs(Long.parseUnsignedLong(traceId, 16, 32, 16)) < upperBound;
  }

  /** Whether every trace is sampled (ratio 1), so that no id needs looking at. */
  boolean keepsAll() {
    return upperBound == Long.MAX_VALUE;
  }

  /** The W3C trace flags of a new trace with this id. */
  int flags(String traceId) {
    return sampled(traceId) ? TraceContext.FLAG_SAMPLED : 0;
  }

  @Override
  public String toString() {
    return "TraceIdRatio{" + ratio + '}';
  }
}
