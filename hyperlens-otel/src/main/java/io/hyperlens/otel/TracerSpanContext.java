package io.hyperlens.otel;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/**
 * A valid OpenTelemetry {@link SpanContext} over ids the tracer has already checked, without
 * checking them again as {@code SpanContext.create} does. Every id in a Hyperlens span is a valid
 * W3C id (32 or 16 lowercase hex characters, not all zero: generated so, or validated where it came
 * in through {@code TraceContext}, {@code SpanDataBuilder}, a link or a {@code CausalTraceId}), so
 * {@code SpanContext.create} would keep them as they are and call the context valid; this returns
 * the same answer to every accessor.
 *
 * <p>Equality: equal to any valid {@link SpanContext} with the same ids, flags, state and
 * remoteness; the hash code and {@code toString()} are those of OpenTelemetry's own context for the
 * same values. OpenTelemetry's own implementation is only equal to its own class, so compare from
 * this side. No SDK exporter compares contexts.
 *
 * <p>Thread-safe: immutable.
 */
final class TracerSpanContext implements SpanContext {
  private final String traceId;
  private final String spanId;
  private final TraceFlags traceFlags;
  private final TraceState traceState;
  private final boolean remote;

  /** The ids must be valid W3C ids, as every id of a Hyperlens span is. */
  TracerSpanContext(
      String traceId, String spanId, TraceFlags traceFlags, TraceState traceState, boolean remote) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
    this.remote = remote;
  }

  @Override
  public String getTraceId() {
    return traceId;
  }

  @Override
  public String getSpanId() {
    return spanId;
  }

  @Override
  public TraceFlags getTraceFlags() {
    return traceFlags;
  }

  @Override
  public TraceState getTraceState() {
    return traceState;
  }

  @Override
  public boolean isRemote() {
    return remote;
  }

  /** Always true: the ids were checked where they entered the tracer. */
  @Override
  public boolean isValid() {
    return true;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SpanContext)) {
      return false;
    }
    SpanContext other = (SpanContext) o;
    return traceId.equals(other.getTraceId())
        && spanId.equals(other.getSpanId())
        && traceFlags.equals(other.getTraceFlags())
        && traceState.equals(other.getTraceState())
        && remote == other.isRemote()
        && other.isValid();
  }

  /** The hash code OpenTelemetry's own context has for the same values. */
  @Override
  public int hashCode() {
    int h = 1000003;
    h ^= traceId.hashCode();
    h *= 1000003;
    h ^= spanId.hashCode();
    h *= 1000003;
    h ^= traceFlags.hashCode();
    h *= 1000003;
    h ^= traceState.hashCode();
    h *= 1000003;
    h ^= remote ? 1231 : 1237;
    h *= 1000003;
    h ^= 1231; // valid
    return h;
  }

  /** As OpenTelemetry prints its own context. */
  @Override
  public String toString() {
    return "ImmutableSpanContext{traceId="
        + traceId
        + ", spanId="
        + spanId
        + ", traceFlags="
        + traceFlags
        + ", traceState="
        + traceState
        + ", remote="
        + remote
        + ", valid=true}";
  }
}
