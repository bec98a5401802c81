package io.hyperlens.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Hyperlens attributes as OpenTelemetry {@link Attributes}, built straight from the tracer's map:
 * the keys are sorted once (a map has no duplicate keys, so there is nothing to de-duplicate) and
 * each value is typed as {@code Attributes.builder()} would type it. Exporters see exactly what
 * they see for the SDK's own attributes of the same values: the same keys in the same order (sorted
 * by key, as OTLP, Zipkin and the logging exporter iterate them), the same typed values, the same
 * {@code toString()} and {@code hashCode()}.
 *
 * <p>Equality: equal to any {@link Attributes} holding the same keys (name and type) with equal
 * values, whatever its class. OpenTelemetry's own implementation is only equal to its own class, so
 * {@code sdkAttributes.equals(sorted)} is {@code false} while {@code sorted.equals(sdkAttributes)}
 * is {@code true}; compare from this side, or compare {@link #asMap()}s. No SDK exporter compares
 * attributes.
 *
 * <p>Thread-safe: immutable (the hash code is cached with the racy single-check idiom).
 */
final class SortedAttributes implements Attributes {
  /** Slots of the key cache, a power of two. */
  private static final int KEY_SLOTS = 1024;

  /** Up to this many attributes are sorted by insertion as the map is walked. */
  static final int INSERTION_SORT_MAX = 16;

  /** Recently made keys, by name and type: attribute names repeat from span to span. */
  private static final CachedKey[] KEYS = new CachedKey[KEY_SLOTS];

  /** Key, value, key, value, ...: keys sorted by name, as OpenTelemetry's own attributes. */
  private final Object[] data;

  private int hashCode;

  private SortedAttributes(Object[] data) {
    this.data = data;
  }

  /**
   * {@code values} as OpenTelemetry types them: String, Long, Double and Boolean values as such,
   * lists of one of those as arrays of that type without their null items, anything else as its
   * string form. Null and empty keys and null values are left out, as {@code Attributes.builder()}
   * leaves them out.
   */
  static Attributes of(Map<String, ?> values) {
    int count = values.size();
    if (count == 0) {
      return Attributes.empty();
    }
    Object[] data = new Object[2 * count];
    int size;
    if (count <= INSERTION_SORT_MAX) {
      InsertionSort sort = new InsertionSort(data);
      values.forEach(sort);
      size = sort.size;
    } else {
      size = sortedByKeys(values, data);
    }
    if (size == 0) {
      return Attributes.empty();
    }
    return new SortedAttributes(size == data.length ? data : Arrays.copyOf(data, size));
  }

  /**
   * Puts each attribute into place as the map hands it over: no key array, no lookups, and for the
   * few attributes a span usually has, fewer comparisons than any other sort.
   */
  private static final class InsertionSort implements BiConsumer<String, Object> {
    final Object[] data;
    int size;

    InsertionSort(Object[] data) {
      this.data = data;
    }

    @Override
    public void accept(String key, Object value) {
      if (key == null || key.isEmpty() || value == null) {
        return;
      }
      int at = size;
      while (at > 0 && ((AttributeKey<?>) data[at - 2]).getKey().compareTo(key) > 0) {
        data[at] = data[at - 2];
        data[at + 1] = data[at - 1];
        at -= 2;
      }
      put(data, at, key, value);
      size += 2;
    }
  }

  /** Many attributes: the keys sorted on their own (n log n), then their values looked up. */
  private static int sortedByKeys(Map<String, ?> values, Object[] data) {
    String[] keys = values.keySet().toArray(new String[values.size()]);
    int count = 0;
    for (String key : keys) {
      if (key != null && !key.isEmpty()) {
        keys[count++] = key;
      }
    }
    Arrays.sort(keys, 0, count);
    int size = 0;
    for (int i = 0; i < count; i++) {
      String key = keys[i];
      Object value = values.get(key);
      if (value != null) {
        size = put(data, size, key, value);
      }
    }
    return size;
  }

  private static int put(Object[] data, int at, String key, Object value) {
    AttributeType type;
    Object typedValue = value;
    if (value instanceof String) {
      type = AttributeType.STRING;
    } else if (value instanceof Long) {
      type = AttributeType.LONG;
    } else if (value instanceof Double) {
      type = AttributeType.DOUBLE;
    } else if (value instanceof Boolean) {
      type = AttributeType.BOOLEAN;
    } else if (value instanceof List) {
      List<?> list = (List<?>) value;
      Class<?> itemType = itemType(list);
      if (itemType == Long.class) {
        type = AttributeType.LONG_ARRAY;
      } else if (itemType == Double.class) {
        type = AttributeType.DOUBLE_ARRAY;
      } else if (itemType == Boolean.class) {
        type = AttributeType.BOOLEAN_ARRAY;
      } else {
        type = AttributeType.STRING_ARRAY;
        itemType = String.class;
      }
      typedValue = itemsOf(list, itemType);
    } else {
      type = AttributeType.STRING;
      typedValue = String.valueOf(value);
    }
    data[at] = key(key, type);
    data[at + 1] = typedValue;
    return at + 2;
  }

  /**
   * The key {@code name} of {@code type}, the same instance from span to span while no other name
   * takes its slot: a key caches its UTF-8 form, which OTLP marshaling writes for every attribute
   * it exports. A direct-mapped cache: no lookup structure, no growth, and a colliding name only
   * costs a new key.
   */
  static AttributeKey<?> key(String name, AttributeType type) {
    int slot = (name.hashCode() * 31 + type.ordinal()) & (KEY_SLOTS - 1);
    CachedKey cached = KEYS[slot];
    if (cached != null && cached.type == type && cached.name.equals(name)) {
      return cached.key;
    }
    AttributeKey<?> key = newKey(name, type);
    // An immutable holder, so a racing reader sees a whole one or none.
    KEYS[slot] = new CachedKey(name, type, key);
    return key;
  }

  private static final class CachedKey {
    final String name;
    final AttributeType type;
    final AttributeKey<?> key;

    CachedKey(String name, AttributeType type, AttributeKey<?> key) {
      this.name = name;
      this.type = type;
      this.key = key;
    }
  }

  private static AttributeKey<?> newKey(String name, AttributeType type) {
    switch (type) {
      case LONG:
        return AttributeKey.longKey(name);
      case DOUBLE:
        return AttributeKey.doubleKey(name);
      case BOOLEAN:
        return AttributeKey.booleanKey(name);
      case STRING_ARRAY:
        return AttributeKey.stringArrayKey(name);
      case LONG_ARRAY:
        return AttributeKey.longArrayKey(name);
      case DOUBLE_ARRAY:
        return AttributeKey.doubleArrayKey(name);
      case BOOLEAN_ARRAY:
        return AttributeKey.booleanArrayKey(name);
      default:
        return AttributeKey.stringKey(name);
    }
  }

  /** The class of the first non-null item; String when there is none. */
  private static Class<?> itemType(List<?> list) {
    for (Object item : list) {
      if (item != null) {
        return item.getClass();
      }
    }
    return String.class;
  }

  /**
   * The items of {@code type} (strings: every non-null item's string form), unmodifiable; the list
   * itself when it already is just that, as the tracer's normalized lists are.
   */
  private static List<?> itemsOf(List<?> list, Class<?> type) {
    boolean exact = true;
    for (Object item : list) {
      if (item == null || item.getClass() != type) {
        exact = false;
        break;
      }
    }
    if (exact) {
      return list;
    }
    List<Object> items = new ArrayList<>(list.size());
    for (Object item : list) {
      if (type == String.class && item != null) {
        items.add(String.valueOf(item));
      } else if (type.isInstance(item)) {
        items.add(item);
      }
    }
    return Collections.unmodifiableList(items);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(AttributeKey<T> key) {
    if (key == null) {
      return null;
    }
    for (int i = 0; i < data.length; i += 2) {
      if (key.equals(data[i])) {
        return (T) data[i + 1];
      }
    }
    return null;
  }

  @Override
  public void forEach(BiConsumer<? super AttributeKey<?>, ? super Object> consumer) {
    for (int i = 0; i < data.length; i += 2) {
      consumer.accept((AttributeKey<?>) data[i], data[i + 1]);
    }
  }

  @Override
  public int size() {
    return data.length / 2;
  }

  @Override
  public boolean isEmpty() {
    return data.length == 0;
  }

  /** The attributes in key order, unmodifiable; a new map on each call. */
  @Override
  public Map<AttributeKey<?>, Object> asMap() {
    Map<AttributeKey<?>, Object> map = new LinkedHashMap<>(Math.max(4, data.length));
    forEach(map::put);
    return Collections.unmodifiableMap(map);
  }

  @Override
  public AttributesBuilder toBuilder() {
    return Attributes.builder().putAll(this);
  }

  /** Whether {@code o} is {@link Attributes} with the same keys and equal values, in any class. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Attributes)) {
      return false;
    }
    Attributes other = (Attributes) o;
    if (other.size() != size()) {
      return false;
    }
    for (int i = 0; i < data.length; i += 2) {
      if (!Objects.equals(data[i + 1], other.get((AttributeKey<?>) data[i]))) {
        return false;
      }
    }
    return true;
  }

  /** The hash code OpenTelemetry's own attributes have for the same keys and values. */
  @Override
  public int hashCode() {
    int result = hashCode;
    if (result == 0) {
      result = 1000003 ^ Arrays.hashCode(data);
      hashCode = result;
    }
    return result;
  }

  /** As OpenTelemetry prints its own: {@code {key="string", key=7}}, in key order. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < data.length; i += 2) {
      if (i > 0) {
        out.append(", ");
      }
      Object value = data[i + 1];
      out.append(data[i]).append('=');
      if (value instanceof String) {
        out.append('"').append((String) value).append('"');
      } else {
        out.append(value);
      }
    }
    return out.append('}').toString();
  }
}
