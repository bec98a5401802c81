package io.hyperlens.saga;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Spans that have started and not yet finished, oldest first, bounded in number and age so that a
 * saga that never completes cannot leak. Not thread-safe: the exporter guards it.
 */
final class OpenSpans<K> {
  /**
   * What is known about an open span from the event that opened it; a saga-level span also has its
   * W3C ids, chosen when it opens so that its steps can name it as their parent before it ends.
   */
  record Open(
      Instant start,
      Instant seenAt,
      String agentDid,
      String sessionId,
      String action,
      SpanIds ids) {
    Open(Instant start, Instant seenAt, String agentDid, String sessionId, String action) {
      this(start, seenAt, agentDid, sessionId, action, null);
    }

    /** This span with ids. */
    Open withIds(SpanIds ids) {
      return new Open(start, seenAt, agentDid, sessionId, action, ids);
    }
  }

  private final LinkedHashMap<K, Open> open = new LinkedHashMap<>();
  private final int max;

  OpenSpans(int max) {
    this.max = max;
  }

  /** Opens {@code key}, replacing an earlier open span of the same key; returns evictions. */
  int put(K key, Open span) {
    open.remove(key);
    open.put(key, span);
    int evicted = 0;
    Iterator<K> oldest = open.keySet().iterator();
    while (open.size() > max) {
      oldest.next();
      oldest.remove();
      evicted++;
    }
    return evicted;
  }

  /** Opens {@code key} unless it is open already. */
  int putIfAbsent(K key, Open span) {
    return open.containsKey(key) ? 0 : put(key, span);
  }

  Open get(K key) {
    return open.get(key);
  }

  Open remove(K key) {
    return open.remove(key);
  }

  /** Removes and returns the oldest open span matching {@code match}, or null. */
  Open removeFirst(BiPredicate<K, Open> match) {
    Iterator<Map.Entry<K, Open>> it = open.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<K, Open> entry = it.next();
      if (match.test(entry.getKey(), entry.getValue())) {
        it.remove();
        return entry.getValue();
      }
    }
    return null;
  }

  /** Drops spans first seen before {@code cutoff}; returns how many. */
  int expire(Instant cutoff) {
    int expired = 0;
    Iterator<Map.Entry<K, Open>> it = open.entrySet().iterator();
    while (it.hasNext() && it.next().getValue().seenAt().isBefore(cutoff)) {
      it.remove();
      expired++;
    }
    return expired;
  }

  int size() {
    return open.size();
  }

  void clear() {
    open.clear();
  }
}
