package io.hyperlens.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, insertion-ordered map for small payloads: keys and values in one array, looked up
 * by linear scan. Most payloads hold a handful of keys, where this is faster to build and read than
 * a {@code LinkedHashMap} and a fraction of its size. Allows null values. Thread-safe.
 */
final class SmallPayloadMap extends AbstractMap<String, Object> {
  /** Larger payloads use a hashed map: linear scans stop paying off. */
  static final int MAX_ENTRIES = 8;

  private final Object[] keysAndValues;

  /** Takes ownership of {@code keysAndValues}: {@code [k0, v0, k1, v1, ...]}, keys distinct. */
  SmallPayloadMap(Object[] keysAndValues) {
    this.keysAndValues = keysAndValues;
  }

  @Override
  public int size() {
    return keysAndValues.length >> 1;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public Object get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : keysAndValues[i + 1];
  }

  private int indexOf(Object key) {
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (keysAndValues[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return SmallPayloadMap.this.size();
      }

      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < keysAndValues.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (next >= keysAndValues.length) {
              throw new NoSuchElementException();
            }
            Entry<String, Object> entry =
                new SimpleImmutableEntry<>((String) keysAndValues[next], keysAndValues[next + 1]);
            next += 2;
            return entry;
          }
        };
      }
    };
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < keysAndValues.length; i += 2) {
      h += keysAndValues[i].hashCode() ^ Objects.hashCode(keysAndValues[i + 1]);
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Map) || ((Map<?, ?>) o).size() != size()) {
      return false;
    }
    Map<?, ?> other = (Map<?, ?>) o;
    for (int i = 0; i < keysAndValues.length; i += 2) {
      Object value = keysAndValues[i + 1];
      Object theirs = other.get(keysAndValues[i]);
      if (value == null
          ? theirs != null || !other.containsKey(keysAndValues[i])
          : !value.equals(theirs)) {
        return false;
      }
    }
    return true;
  }
}
