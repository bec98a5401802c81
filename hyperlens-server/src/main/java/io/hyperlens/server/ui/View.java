package io.hyperlens.server.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the templates read from the query services' JSON-shaped answers ({@code Map}s of plain
 * values) and how they format it. Static helpers only; the templates import them.
 */
public final class View {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private View() {}

  /** {@code map.get(key)} as text, "" when absent or null. */
  public static String s(Object map, String key) {
    Object value = ((Map<?, ?>) map).get(key);
    return value == null ? "" : String.valueOf(value);
  }

  /** {@code map.get(key)} as a number, 0 when absent or not a number. */
  public static double n(Object map, String key) {
    Object value = ((Map<?, ?>) map).get(key);
    return value instanceof Number ? ((Number) value).doubleValue() : 0;
  }

  /** {@code map.get(key)} as a list of maps, empty when absent. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> list(Object map, String key) {
    Object value = ((Map<?, ?>) map).get(key);
    return value instanceof List ? (List<Map<String, Object>>) value : List.of();
  }

  /** {@code map.get(key)} as a list of texts, empty when absent. */
  @SuppressWarnings("unchecked")
  public static List<Object> values(Object map, String key) {
    Object value = ((Map<?, ?>) map).get(key);
    return value instanceof List ? (List<Object>) value : List.of();
  }

  /** {@code map.get(key)} as a list of events, empty when absent. */
  @SuppressWarnings("unchecked")
  public static List<io.hyperlens.event.HypervisorEvent> events(Object map, String key) {
    Object value = ((Map<?, ?>) map).get(key);
    return value instanceof List ? (List<io.hyperlens.event.HypervisorEvent>) value : List.of();
  }

  /** {@code map.get(key)} as a map of counts, empty when absent. */
  @SuppressWarnings("unchecked")
  public static Map<String, Integer> counts(Object map, String key) {
    Object value = ((Map<?, ?>) map).get(key);
    return value instanceof Map ? (Map<String, Integer>) value : Map.of();
  }

  /** {@code map.get(key)} as a map, empty when absent. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object map, String key) {
    Object value = ((Map<?, ?>) map).get(key);
    return value instanceof Map ? (Map<String, Object>) value : Map.of();
  }

  /** Whether {@code map.get(key)} is present and not null. */
  public static boolean has(Object map, String key) {
    return ((Map<?, ?>) map).get(key) != null;
  }

  /**
   * A value URL-encoded for a query string or a path segment: a space is {@code %20} (a {@code +}
   * would stay a plus in a path).
   */
  public static String enc(String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  /** {@code value} as compact JSON, the way the API shows it. */
  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  /** Milliseconds as a short duration: 850 µs, 12.5 ms, 3.20 s. */
  public static String duration(double ms) {
    if (ms < 1) {
      return String.format(Locale.ROOT, "%.0f µs", ms * 1000);
    }
    if (ms < 1000) {
      return String.format(Locale.ROOT, "%.1f ms", ms);
    }
    return String.format(Locale.ROOT, "%.2f s", ms / 1000);
  }

  /** An instant as UTC date and time with milliseconds. */
  public static String time(Instant instant) {
    return TIME.format(instant);
  }

  /** Nanoseconds since the epoch as UTC date and time. */
  public static String nanos(long epochNanos) {
    return time(Instant.ofEpochSecond(0, epochNanos));
  }

  /** A number with thousands separators. */
  public static String count(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  /**
   * An amount of USD exactly as the API gives it, never in exponent notation: {@code $0.00144},
   * {@code $12}; "" when it is not a number.
   */
  public static String usd(Object value) {
    if (!(value instanceof Number)) {
      return "";
    }
    java.math.BigDecimal amount =
        value instanceof java.math.BigDecimal
            ? (java.math.BigDecimal) value
            : new java.math.BigDecimal(value.toString());
    return "$" + amount.stripTrailingZeros().toPlainString();
  }

  /** A ratio as a percentage with one decimal. */
  public static String percent(double ratio) {
    return String.format(Locale.ROOT, "%.1f %%", ratio * 100);
  }

  /** A rate per second with one decimal. */
  public static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.1f/s", perSecond);
  }

  /** The words of an event type for a timeline: its kind, which CSS colours and names. */
  public static String kind(String eventType) {
    if (eventType.equals("ring.breach_detected") || eventType.startsWith("security.")) {
      return "alert";
    }
    if (eventType.startsWith("ring.")) {
      return "ring";
    }
    if (eventType.equals("saga.step_failed")
        || eventType.equals("saga.escalated")
        || eventType.equals("saga.compensating")) {
      return "fail";
    }
    if (eventType.startsWith("saga.")) {
      return "saga";
    }
    return "info";
  }
}
