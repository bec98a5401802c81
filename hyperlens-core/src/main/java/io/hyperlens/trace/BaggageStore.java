package io.hyperlens.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The baggage of one local trace, shared by its {@link TraceContext} views: insertion-ordered,
 * thread-safe, bounded by the W3C list-member limit.
 */
final class BaggageStore {
  /** The W3C baggage grammar allows at most 180 list-members. */
  static final int MAX_ENTRIES = 180;

  private final Object lock = new Object();
  private final LinkedHashMap<String, String> entries = new LinkedHashMap<>();

  boolean put(String key, String value) {
    requireKey(key);
    if (value == null) {
      throw new IllegalArgumentException("baggage value for \"" + key + "\" must not be null");
    }
    synchronized (lock) {
      if (entries.size() >= MAX_ENTRIES && !entries.containsKey(key)) {
        return false;
      }
      entries.put(key, value);
      return true;
    }
  }

  Optional<String> get(String key) {
    synchronized (lock) {
      return Optional.ofNullable(entries.get(key));
    }
  }

  boolean remove(String key) {
    synchronized (lock) {
      return entries.remove(key) != null;
    }
  }

  Map<String, String> snapshot() {
    synchronized (lock) {
      return entries.isEmpty()
          ? Map.of()
          : Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }
  }

  /** Throws unless {@code key} is an RFC 7230 token, the W3C baggage key grammar. */
  static void requireKey(String key) {
    if (key == null || key.isEmpty() || !isToken(key)) {
      throw new IllegalArgumentException(
          "baggage key must be an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~), got "
              + W3CIds.quote(key));
    }
  }

  static boolean isToken(CharSequence s) {
    if (s.length() == 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  static boolean isTokenChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
