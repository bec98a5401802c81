package io.hyperlens.trace;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reference from one span to another, usually in another trace (fan-in, batch consumers,
 * follow-ups): OpenTelemetry's span link.
 *
 * @param traceId the linked span's 32-hex W3C trace id
 * @param spanId the linked span's 16-hex W3C span id
 * @param attributes the link's attributes, unmodifiable, in insertion order
 */
public record SpanLink(String traceId, String spanId, Map<String, Object> attributes) {
  /**
   * Validates the ids (W3C, or {@link CausalTraceId} ids left-padded) and copies the attributes.
   *
   * @throws IllegalArgumentException naming the field when an id is malformed
   */
  public SpanLink {
    traceId = W3CIds.requireTraceId("link trace_id", traceId);
    spanId = W3CIds.requireSpanId("link span_id", spanId);
    attributes = SpanAttributes.copyOf(attributes, SpanAttributes.UNLIMITED);
  }

  /** The seed's shape: {@code trace_id}, {@code span_id}, {@code attributes}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("trace_id", traceId);
    map.put("span_id", spanId);
    map.put("attributes", attributes);
    return map;
  }
}
