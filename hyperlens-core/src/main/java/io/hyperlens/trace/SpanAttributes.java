package io.hyperlens.trace;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Attribute values as OpenTelemetry types them: {@code String}, {@code Long}, {@code Double},
 * {@code Boolean}, or a list of one of those.
 */
final class SpanAttributes {
  private SpanAttributes() {}

  /**
   * The OpenTelemetry-typed form of {@code value}: integral numbers become {@code Long}, other
   * numbers {@code Double}, collections and arrays lists of one element type (strings when mixed),
   * anything else its {@code toString()}. {@code null} stays {@code null}.
   */
  static Object normalize(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Long
        || value instanceof Double
        || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float) {
      return ((Float) value).doubleValue();
    }
    if (value instanceof Collection) {
      return normalizeList(new ArrayList<>((Collection<?>) value));
    }
    if (value.getClass().isArray()) {
      int length = Array.getLength(value);
      List<Object> items = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        items.add(Array.get(value, i));
      }
      return normalizeList(items);
    }
    return value.toString();
  }

  private static List<Object> normalizeList(List<Object> items) {
    Class<?> type = null;
    boolean mixed = false;
    for (int i = 0; i < items.size(); i++) {
      Object item = normalize(items.get(i));
      if (item instanceof List) {
        item = item.toString();
      }
      items.set(i, item);
      if (item != null) {
        if (type == null) {
          type = item.getClass();
        } else if (type != item.getClass()) {
          mixed = true;
        }
      }
    }
    if (mixed) {
      items.replaceAll(item -> item == null ? null : item.toString());
    }
    return Collections.unmodifiableList(items);
  }

  /** An unmodifiable, insertion-ordered, normalized copy; null keys and values are skipped. */
  static Map<String, Object> copyOf(Map<String, ?> attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, attributes.size() * 2));
    attributes.forEach(
        (key, value) -> {
          Object normalized = normalize(value);
          if (key != null && normalized != null) {
            copy.put(key, normalized);
          }
        });
    return Collections.unmodifiableMap(copy);
  }
}
