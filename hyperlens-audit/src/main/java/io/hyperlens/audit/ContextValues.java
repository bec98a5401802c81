package io.hyperlens.audit;

import io.hyperlens.redact.Redactor;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks and copies an audit record's {@code context}: non-empty string keys; values that are
 * strings, booleans, numbers, null, or lists and maps of those, at most {@value #MAX_DEPTH} levels
 * deep. Integers become {@code Long} and other numbers {@code Double}, which is what reading the
 * record back gives, so a record equals its stored copy. Integers beyond ±2^53 are refused: RFC
 * 8785 hashes numbers as IEEE doubles and could not hash them exactly. With a redactor, strings are
 * redacted on the way and a value under a secret key ({@code password}, {@code token}, ...) is
 * hidden whole. A context holds at most {@value #MAX_VALUES} values and {@value #MAX_CHARS}
 * characters of keys and strings, which keeps every record line well under the store's limit.
 */
final class ContextValues {
  static final int MAX_DEPTH = 8;
  static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  static final int MAX_VALUES = 1024;
  static final int MAX_CHARS = 64 * 1024;

  private ContextValues() {}

  /** A checked, unmodifiable copy; {@code redactor} may be null (no redaction). */
  static Map<String, Object> copy(Map<String, ?> context, Redactor redactor) {
    if (context == null) {
      return CheckedContext.EMPTY;
    }
    if (context instanceof CheckedContext) {
      // Checked already, and immutable: only redaction can change it (the checks count the
      // strings as given, so they would pass again), and most contexts hold no secret.
      if (redactor == null) {
        return (CheckedContext) context;
      }
      Object redacted = redactChecked(context, null, redactor);
      return redacted == context ? (CheckedContext) context : new CheckedContext(castMap(redacted));
    }
    return new CheckedContext(copyMap("context", context, redactor, 1, new Budget()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object map) {
    return (Map<String, Object>) map;
  }

  /**
   * A checked value with its strings redacted (a value under a secret key hidden whole): the value
   * itself when redaction changes nothing, else a copy shaped as {@link #copyMap} shapes one.
   */
  private static Object redactChecked(Object value, String key, Redactor redactor) {
    if (value instanceof String) {
      return redactor.redactUnder(key, (String) value);
    }
    if (value instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) value;
      Map<String, Object> out = null;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = (String) e.getKey();
        Object v = e.getValue();
        Object redacted = redactChecked(v, k, redactor);
        if (redacted != v && out == null) {
          out = new LinkedHashMap<>(Math.max(4, map.size() * 2));
          for (Map.Entry<?, ?> before : map.entrySet()) {
            if (before.getKey().equals(k)) {
              break;
            }
            out.put((String) before.getKey(), before.getValue());
          }
        }
        if (out != null) {
          out.put(k, redacted);
        }
      }
      return out == null ? value : Collections.unmodifiableMap(out);
    }
    if (value instanceof List) {
      List<?> list = (List<?>) value;
      List<Object> out = null;
      for (int i = 0; i < list.size(); i++) {
        Object v = list.get(i);
        Object redacted = redactChecked(v, null, redactor);
        if (redacted != v && out == null) {
          out = new ArrayList<>(list.size());
          out.addAll(list.subList(0, i));
        }
        if (out != null) {
          out.add(redacted);
        }
      }
      return out == null ? value : Collections.unmodifiableList(out);
    }
    return value; // null, booleans and numbers
  }

  private static Map<String, Object> copyMap(
      String path, Map<?, ?> map, Redactor redactor, int depth, Budget budget) {
    checkDepth(path, depth);
    Map<String, Object> out = new LinkedHashMap<>(Math.max(4, map.size() * 2));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String) || ((String) e.getKey()).isEmpty()) {
        throw new IllegalArgumentException(
            path + " keys must be non-empty strings, got " + describe(e.getKey()));
      }
      String key = (String) e.getKey();
      if (AuditEntry.hasLoneSurrogate(key)) {
        AuditEntry.checkUnicode(path + " key", key);
      }
      budget.spend(path, key.length());
      out.put(key, copyValue(path, key, -1, e.getValue(), redactor, depth, budget));
    }
    return Collections.unmodifiableMap(out);
  }

  /** The path of a member ({@code key}) or an item ({@code index}) of {@code parent}. */
  private static String path(String parent, String key, int index) {
    return key != null ? parent + "." + key : parent + "[" + index + "]";
  }

  /**
   * A checked copy of the value under {@code key} (or at {@code index} of a list) in {@code
   * parent}, whose path is only spelled out when a message or a nested value needs it.
   */
  private static Object copyValue(
      String parent,
      String key,
      int index,
      Object value,
      Redactor redactor,
      int depth,
      Budget budget) {
    if (budget.wouldOverspend(0)) {
      budget.spend(path(parent, key, index), 0); // throws, naming the path
    }
    budget.spend(null, 0);
    if (value == null || value instanceof Boolean) {
      return value;
    }
    if (value instanceof CharSequence) {
      String text = value.toString();
      if (AuditEntry.hasLoneSurrogate(text)) {
        AuditEntry.checkUnicode(path(parent, key, index), text);
      }
      if (budget.wouldOverspend(text.length())) {
        budget.spend(path(parent, key, index), text.length());
      }
      budget.spend(null, text.length());
      if (redactor == null) {
        return text;
      }
      return redactor.redactUnder(key, text);
    }
    if (value instanceof Byte
        || value instanceof Short
        || value instanceof Integer
        || value instanceof Long) {
      return safeInteger(parent, key, index, ((Number) value).longValue());
    }
    if (value instanceof BigInteger) {
      BigInteger big = (BigInteger) value;
      if (big.bitLength() > 53) {
        throw outOfRange(path(parent, key, index), big);
      }
      return safeInteger(parent, key, index, big.longValue());
    }
    if (value instanceof Float || value instanceof Double || value instanceof BigDecimal) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException(
            path(parent, key, index)
                + " must be a finite number (JSON has no NaN or infinity), got "
                + value);
      }
      return d;
    }
    if (value instanceof Map) {
      return copyMap(path(parent, key, index), (Map<?, ?>) value, redactor, depth + 1, budget);
    }
    if (value instanceof List) {
      String path = path(parent, key, index);
      checkDepth(path, depth + 1);
      List<?> list = (List<?>) value;
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(copyValue(path, null, i, list.get(i), redactor, depth + 1, budget));
      }
      return Collections.unmodifiableList(out);
    }
    throw new IllegalArgumentException(
        path(parent, key, index)
            + " must be a string, boolean, number, null, list or map, got "
            + value.getClass().getName());
  }

  private static void checkDepth(String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          path + " nests deeper than " + MAX_DEPTH + " levels, which an audit context may not");
    }
  }

  private static long safeInteger(String parent, String key, int index, long value) {
    if (value > MAX_SAFE_INTEGER || value < -MAX_SAFE_INTEGER) {
      throw outOfRange(path(parent, key, index), value);
    }
    return value;
  }

  private static IllegalArgumentException outOfRange(String path, Object value) {
    return new IllegalArgumentException(
        path
            + " is "
            + value
            + ", beyond ±2^53: RFC 8785 hashes numbers as IEEE doubles and could not hash it"
            + " exactly; pass it as a string");
  }

  private static String describe(Object key) {
    return key == null ? "null" : key.getClass().getSimpleName() + " \"" + key + '"';
  }

  /** What a context may still hold. */
  private static final class Budget {
    private int values;
    private long chars;

    /** Whether spending {@code length} (0: one more value) would go over a limit. */
    boolean wouldOverspend(int length) {
      return (length == 0 && values + 1 > MAX_VALUES) || chars + length > MAX_CHARS;
    }

    /** Spends; {@code path} names the place in the message when a limit is passed. */
    void spend(String path, int length) {
      chars += length;
      if (length == 0 && ++values > MAX_VALUES) {
        throw new IllegalArgumentException(
            "context holds more than " + MAX_VALUES + " values (at " + path + ")");
      }
      if (chars > MAX_CHARS) {
        throw new IllegalArgumentException(
            "context holds more than "
                + MAX_CHARS
                + " characters of keys and strings (at "
                + path
                + ")");
      }
    }
  }

  /** A context that has been through {@link #copy}: immutable, so it need not be copied again. */
  static final class CheckedContext extends AbstractMap<String, Object> {
    static final CheckedContext EMPTY = new CheckedContext(Map.of());

    private final Map<String, Object> entries;

    private CheckedContext(Map<String, Object> entries) {
      this.entries = entries;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return entries.entrySet();
    }

    @Override
    public Object get(Object key) {
      return entries.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return entries.containsKey(key);
    }

    @Override
    public int size() {
      return entries.size();
    }
  }
}
