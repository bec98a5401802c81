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
 *
 * <p>The path of an offending value ({@code payload.steps[1]}) is assembled only when one is found,
 * so valid payloads pay nothing for it.
 */
final class Payloads {
  /** Deeper nesting than this is almost certainly a cycle or a mistake. */
  static final int MAX_DEPTH = 32;

  private Payloads() {}

  static Map<String, Object> copyOf(Map<?, ?> payload) {
    if (payload == null || payload.isEmpty()) {
      return Map.of();
    }
    try {
      return copyMap(payload, 0);
    } catch (Invalid invalid) {
      throw new IllegalArgumentException("payload" + invalid.path + ": " + invalid.getMessage());
    }
  }

  private static Map<String, Object> copyMap(Map<?, ?> map, int depth) {
    if (map.size() <= SmallPayloadMap.MAX_ENTRIES) {
      Object[] keysAndValues = new Object[map.size() * 2];
      int i = 0;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = requireStringKey(entry.getKey());
        keysAndValues[i++] = key;
        keysAndValues[i++] = copyEntryValue(key, entry.getValue(), depth);
      }
      return new SmallPayloadMap(keysAndValues);
    }
    Map<String, Object> copy = new LinkedHashMap<>(map.size() * 2);
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = requireStringKey(entry.getKey());
      copy.put(key, copyEntryValue(key, entry.getValue(), depth));
    }
    return Collections.unmodifiableMap(copy);
  }

  private static String requireStringKey(Object key) {
    if (!(key instanceof String)) {
      throw new Invalid("map keys must be strings, got " + describe(key) + " " + key);
    }
    return (String) key;
  }

  private static Object copyEntryValue(String key, Object value, int depth) {
    try {
      return copyValue(value, depth + 1);
    } catch (Invalid invalid) {
      throw invalid.under("." + key);
    }
  }

  private static Object copyValue(Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new Invalid("nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
    }
    if (value == null || value instanceof String || value instanceof Boolean) {
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
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new Invalid("numbers must be finite, got " + value);
      }
      return value;
    }
    if (value instanceof Map) {
      return copyMap((Map<?, ?>) value, depth);
    }
    if (value instanceof List) {
      List<?> list = (List<?>) value;
      List<Object> copy = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        try {
          copy.add(copyValue(list.get(i), depth + 1));
        } catch (Invalid invalid) {
          throw invalid.under("[" + i + "]");
        }
      }
      return Collections.unmodifiableList(copy);
    }
    throw new Invalid(
        "unsupported value type "
            + describe(value)
            + " (allowed: String, Integer, Long, Short, Byte, Double, Float, BigInteger,"
            + " BigDecimal, Boolean, null, List, Map with String keys)");
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }

  /** Carries the reason up the nesting, collecting the path on the way. */
  private static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private String path = "";

    Invalid(String reason) {
      super(reason, null, false, false);
    }

    Invalid under(String segment) {
      path = segment + path;
      return this;
    }
  }
}
