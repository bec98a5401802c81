package io.hyperlens.trace;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A timestamped annotation within a span: OpenTelemetry's span event.
 *
 * @param name the event name, e.g. {@code "cache_miss"} or {@code "exception"}
 * @param epochNanos when it happened, nanoseconds since the epoch
 * @param attributes its attributes, unmodifiable, in insertion order
 */
public record SpanEvent(String name, long epochNanos, Map<String, Object> attributes) {
  /** Validates the name and copies the attributes. */
  public SpanEvent {
    if (name == null) {
      throw new IllegalArgumentException("event name must not be null");
    }
    attributes = SpanAttributes.copyOf(attributes, SpanAttributes.UNLIMITED);
  }

  /** The seed's shape: {@code name}, {@code timestamp} (epoch seconds), {@code attributes}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", name);
    map.put("timestamp", SpanData.epochSeconds(epochNanos));
    map.put("attributes", attributes);
    return map;
  }
}
