package io.hyperlens.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The W3C Trace Context {@code tracestate} header (Level 1): vendor entries as an ordered map,
 * leftmost (most recent) first.
 *
 * <p>Keys are a simple key ({@code lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")}) or a
 * multi-tenant key ({@code tenant-id "@" system-id}); values are 1 to 256 printable ASCII
 * characters other than {@code ,} and {@code =}, not ending in a space. A list holds at most 32
 * entries.
 *
 * <p>Thread-safe: stateless; every method returns a new or immutable map.
 */
final class TraceState {
  /** The W3C limit on tracestate list-members. */
  static final int MAX_MEMBERS = 32;

  private static final int MAX_SIMPLE_KEY = 256;
  private static final int MAX_TENANT_ID = 241;
  private static final int MAX_SYSTEM_ID = 14;
  private static final int MAX_VALUE = 256;

  private TraceState() {}

  /**
   * An unmodifiable, insertion-ordered copy of {@code entries} after checking every key and value.
   *
   * @param entries the entries, leftmost first; {@code null} for none
   * @throws IllegalArgumentException naming {@code traceState} and the offending key or value, or
   *     when there are more than 32 entries
   */
  static Map<String, String> copyValid(Map<String, String> entries) {
    if (entries == null || entries.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (!isValidKey(key)) {
        throw new IllegalArgumentException(
            "traceState key must be a W3C tracestate key (lcalpha then lcalpha, digits, _-*/, at"
                + " most 256 characters, or tenant@system), got "
                + W3CIds.quote(key));
      }
      if (!isValidValue(value)) {
        throw new IllegalArgumentException(
            "traceState value for "
                + W3CIds.quote(key)
                + " must be 1 to 256 printable ASCII characters other than ',' and '=', not"
                + " ending in a space, got "
                + W3CIds.quote(value));
      }
      copy.put(key, value);
      if (copy.size() > MAX_MEMBERS) {
        throw new IllegalArgumentException(
            "traceState must have at most "
                + MAX_MEMBERS
                + " entries, got "
                + entries.size()
                + " (too many from key "
                + W3CIds.quote(key)
                + ")");
      }
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Parses a {@code tracestate} header value.
   *
   * <p>Members are separated by {@code ,}; spaces and tabs around a member are ignored and empty or
   * whitespace-only members are skipped, so an empty header yields an empty map.
   *
   * @return the entries, leftmost first, unmodifiable; {@code null} when the header is {@code null}
   *     or invalid: a malformed member, a duplicate key or more than 32 members
   */
  static Map<String, String> parse(String header) {
    if (header == null) {
      return null;
    }
    LinkedHashMap<String, String> entries = new LinkedHashMap<>();
    int length = header.length();
    int start = 0;
    while (start <= length) {
      int comma = header.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      int from = skipOws(header, start, end);
      int to = trimOws(header, from, end);
      if (from < to) {
        if (entries.size() == MAX_MEMBERS) {
          return null;
        }
        int equals = header.indexOf('=', from);
        if (equals < 0 || equals >= to) {
          return null;
        }
        String key = header.substring(from, equals);
        String value = header.substring(equals + 1, to);
        if (!isValidKey(key) || !isValidValue(value) || entries.put(key, value) != null) {
          return null;
        }
      }
      start = end + 1;
    }
    return entries.isEmpty() ? Map.of() : Collections.unmodifiableMap(entries);
  }

  /** The header value for {@code entries}: {@code k1=v1,k2=v2}, in map order. */
  static String format(Map<String, String> entries) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(e.getKey()).append('=').append(e.getValue());
    }
    return out.toString();
  }

  /** Whether {@code key} is a W3C simple key or multi-tenant key. */
  static boolean isValidKey(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    int at = key.indexOf('@');
    if (at < 0) {
      return key.length() <= MAX_SIMPLE_KEY
          && isLcAlpha(key.charAt(0))
          && allKeyChars(key, 1, key.length());
    }
    int tenantLength = at;
    int systemLength = key.length() - at - 1;
    if (tenantLength < 1 || tenantLength > MAX_TENANT_ID) {
      return false;
    }
    if (systemLength < 1 || systemLength > MAX_SYSTEM_ID) {
      return false;
    }
    char tenantFirst = key.charAt(0);
    return (isLcAlpha(tenantFirst) || isDigit(tenantFirst))
        && allKeyChars(key, 1, at)
        && isLcAlpha(key.charAt(at + 1))
        && allKeyChars(key, at + 2, key.length());
  }

  /** Whether {@code value} is 1 to 256 of {@code %x20-2B / %x2D-3C / %x3E-7E}, not ending in SP. */
  static boolean isValidValue(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_VALUE) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7E || c == ',' || c == '=') {
        return false;
      }
    }
    return value.charAt(value.length() - 1) != ' ';
  }

  private static boolean allKeyChars(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLcAlpha(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /** The first index of {@code c} in {@code s[from, to)}, or {@code to}. */
  static int indexOf(String s, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return to;
  }

  /** The first index in {@code s[from, to)} that is not OWS, or {@code to}. */
  static int skipOws(String s, int from, int to) {
    while (from < to && isOws(s.charAt(from))) {
      from++;
    }
    return from;
  }

  /** The end of {@code s[from, to)} without trailing OWS. */
  static int trimOws(String s, int from, int to) {
    while (to > from && isOws(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }
}
