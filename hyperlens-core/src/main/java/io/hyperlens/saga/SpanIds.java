package io.hyperlens.saga;

import io.hyperlens.trace.HexIds;

/**
 * The W3C ids of one saga span: its trace, its own id, and its parent's (null for none).
 *
 * @param traceId 32 hex
 * @param spanId 16 hex
 * @param parentSpanId 16 hex, or null
 */
record SpanIds(String traceId, String spanId, String parentSpanId) {
  /** A new span id in {@code traceId} (a new trace when null) under {@code parentSpanId}. */
  static SpanIds newSpan(String traceId, String parentSpanId) {
    return new SpanIds(
        traceId != null ? traceId : HexIds.randomTraceId(), HexIds.randomSpanId(), parentSpanId);
  }

  /** A new span whose parent is this one. */
  SpanIds child() {
    return newSpan(traceId, spanId);
  }
}
