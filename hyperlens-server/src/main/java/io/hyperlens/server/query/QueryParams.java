package io.hyperlens.server.query;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters of one API request, checked strictly: an unknown parameter, a repeated one
 * or a value of the wrong form is an {@link IllegalArgumentException} naming the parameter and the
 * value (a 400), never silently ignored.
 */
public final class QueryParams {
  private final Map<String, List<String>> params;

  /**
   * The parameters of a request to a route that knows {@code allowed} (plus any {@code attr.*} when
   * {@code allowed} holds {@code "attr.*"}).
   *
   * @throws IllegalArgumentException naming an unknown or repeated parameter
   */
  public QueryParams(Map<String, List<String>> params, Set<String> allowed) {
    for (Map.Entry<String, List<String>> param : params.entrySet()) {
      String name = param.getKey();
      boolean known =
          allowed.contains(name) || (allowed.contains("attr.*") && name.startsWith("attr."));
      if (!known) {
        throw new IllegalArgumentException(
            "unknown parameter \"" + name + "\"; this route takes " + new TreeSet<>(allowed));
      }
      if (param.getValue().size() > 1) {
        throw new IllegalArgumentException("parameter \"" + name + "\" is given more than once");
      }
    }
    this.params = params;
  }

  /** The {@code attr.KEY=VALUE} parameters, by KEY. */
  public Map<String, String> attributes() {
    Map<String, String> out = new java.util.TreeMap<>();
    params.forEach(
        (name, values) -> {
          if (name.startsWith("attr.") && !values.isEmpty()) {
            out.put(name.substring("attr.".length()), values.get(0));
          }
        });
    return out;
  }

  /** The value of {@code name}, when given and not empty. */
  public Optional<String> text(String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(values.get(0));
  }

  /**
   * The integer {@code name}, within {@code min..max}, or {@code fallback}.
   *
   * @throws IllegalArgumentException naming the parameter and the value
   */
  public int integer(String name, int fallback, int min, int max) {
    Optional<String> text = text(name);
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.get());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " must be an integer within " + min + ".." + max + ", got \"" + text.get() + "\"");
  }

  /**
   * The number {@code name} (a duration in milliseconds, say), at least 0.
   *
   * @throws IllegalArgumentException naming the parameter and the value
   */
  public Optional<Double> number(String name) {
    Optional<String> text = text(name);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      double value = Double.parseDouble(text.get());
      if (value >= 0 && Double.isFinite(value)) {
        return Optional.of(value);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " must be a number at least 0, got \"" + text.get() + "\"");
  }

  /**
   * The time {@code name}: ISO-8601 ({@code 2026-12-06T10:00:00Z}) or an age before {@code now}
   * ({@code 15m}, {@code 2h}, {@code 7d}).
   *
   * @throws IllegalArgumentException naming the parameter and the value
   */
  public Optional<Instant> time(String name, Instant now) {
    Optional<String> text = text(name);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String value = text.get();
    try {
      return Optional.of(OffsetDateTime.parse(value).toInstant());
    } catch (DateTimeParseException notIso) {
      try {
        return Optional.of(now.minus(age(value)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            name
                + " must be an ISO-8601 time (2026-12-06T10:00:00Z) or an age such as 15m, 2h"
                + " or 7d, got \""
                + value
                + "\"");
      }
    }
  }

  /**
   * An age such as {@code 30s}, {@code 15m}, {@code 2h} or {@code 7d}.
   *
   * @throws IllegalArgumentException when {@code text} is not one
   */
  public static Duration age(String text) {
    if (text != null && text.matches("[0-9]{1,9}[smhd]")) {
      long amount = Long.parseLong(text.substring(0, text.length() - 1));
      switch (text.charAt(text.length() - 1)) {
        case 's':
          return Duration.ofSeconds(amount);
        case 'm':
          return Duration.ofMinutes(amount);
        case 'h':
          return Duration.ofHours(amount);
        default:
          return Duration.ofDays(amount);
      }
    }
    throw new IllegalArgumentException(
        "expected an age such as 30s, 15m, 2h or 7d, got " + (text == null ? "null" : text));
  }
}
