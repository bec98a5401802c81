package io.hyperlens.server.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} ids seen, oldest forgotten first: a bounded memory of what was already
 * shown. Not thread-safe: one thread uses it.
 */
final class RecentIds {
  private final Map<String, Boolean> ids;

  RecentIds(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.ids =
        new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Remembers {@code id}; true when it was not among the recent ones. */
  boolean add(String id) {
    return ids.put(id, Boolean.TRUE) == null;
  }

  int size() {
    return ids.size();
  }
}
