package io.hyperlens.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, validating copies of JSON-like payloads. A payload holds only String, Number (the immutable
 * JDK ones, finite), Boolean, null, List and Map with String keys; anything else would let a caller
 * mutate an event after it was emitted or could not be serialized by the exporters.
 */
final class Payloads {
  /** Deeper nesting than this is almost certainly a cycle or a mistake. */
  static final int MAX_DEPTH = 32;

  private Payloads() {}

  static Map<String, Object> copyOf(Map<?, ?> payload) {
    if (payload == null || payload.isEmpty()) {
      return Map.of();
    }
    return copyMap(payload, "payload", 0);
  }

  private static Map<String, Object> copyMap(Map<?, ?> map, String path, int depth) {
    Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object key = entry.getKey();
      if (!(key instanceof String)) {
        throw new IllegalArgumentException(
            path + ": map keys must be strings, got " + describe(key) + " " + key);
      }
      String childPath = path + "." + key;
      copy.put((String) key, copyValue(entry.getValue(), childPath, depth + 1));
    }
    return Collections.unmodifiableMap(copy);
  }

  private static Object copyValue(Object value, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          path + ": nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
    }
    if (value == null || value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException(path + ": numbers must be finite, got " + value);
      }
      return value;
    }
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger
        || value instanceof BigDecimal) {
      return value;
    }
    if (value instanceof Map) {
      return copyMap((Map<?, ?>) value, path, depth);
    }
    if (value instanceof List) {
      List<?> list = (List<?>) value;
      List<Object> copy = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        copy.add(copyValue(list.get(i), path + "[" + i + "]", depth + 1));
      }
      return Collections.unmodifiableList(copy);
    }
    throw new IllegalArgumentException(
        path
            + ": unsupported value type "
            + describe(value)
            + " (allowed: String, Integer, Long, Short, Byte, Double, Float, BigInteger,"
            + " BigDecimal, Boolean, null, List, Map with String keys)");
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
