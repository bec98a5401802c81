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
 * {@code Boolean}, or a list of one of those. Normalizing never throws: a value whose {@code
 * toString()} fails becomes {@code null}, which callers drop and count.
 */
final class SpanAttributes {
  /** No limit on string attribute values. */
  static final int UNLIMITED = Integer.MAX_VALUE;

  private SpanAttributes() {}

  /**
   * The OpenTelemetry-typed form of {@code value}: integral numbers become {@code Long}, other
   * numbers {@code Double}, collections and arrays lists of one element type (strings when mixed;
   * nested collections as their string form), anything else its {@code toString()}; strings longer
   * than {@code maxLength} are cut to it. {@code null}, and anything whose string form cannot be
   * taken, yields {@code null}.
   */
  static Object normalize(Object value, int maxLength) {
    if (value == null || value instanceof Long || value instanceof Double) {
      return value;
    }
    if (value instanceof Boolean) {
      return value;
    }
    if (value instanceof String) {
      return truncate((String) value, maxLength);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float) {
      return ((Float) value).doubleValue();
    }
    try {
      if (value instanceof Collection) {
        return normalizeList(new ArrayList<>((Collection<?>) value), maxLength);
      }
      if (value.getClass().isArray()) {
        int length = Array.getLength(value);
        List<Object> items = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
          items.add(Array.get(value, i));
        }
        return normalizeList(items, maxLength);
      }
    } catch (RuntimeException e) {
      return null; // a collection that fails to copy (concurrent modification, broken iterator)
    }
    return safeString(value, maxLength);
  }

  private static List<Object> normalizeList(List<Object> items, int maxLength) {
    Class<?> type = null;
    boolean mixed = false;
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item instanceof Collection || (item != null && item.getClass().isArray())) {
        item = safeString(item, maxLength); // OpenTelemetry has no nested arrays
      } else {
        item = normalize(item, maxLength);
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

  /** {@code value.toString()} cut to {@code maxLength}, or null when it throws or recurses. */
  private static String safeString(Object value, int maxLength) {
    try {
      return truncate(String.valueOf(value), maxLength);
    } catch (RuntimeException | StackOverflowError e) {
      return null;
    }
  }

  static String truncate(String value, int maxLength) {
    return value.length() <= maxLength ? value : value.substring(0, maxLength);
  }

  /** An unmodifiable, insertion-ordered, normalized copy; null keys and values are skipped. */
  static Map<String, Object> copyOf(Map<String, ?> attributes, int maxLength) {
    if (attributes == null || attributes.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, attributes.size() * 2));
    attributes.forEach(
        (key, value) -> {
          Object normalized = normalize(value, maxLength);
          if (key != null && normalized != null) {
            copy.put(key, normalized);
          }
        });
    return Collections.unmodifiableMap(copy);
  }
}
