package io.hyperlens.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in flags and configuration files: {@code 500ms}, {@code 10s},
 * {@code 2m}, {@code 1h}, {@code 7d}, ISO-8601 {@code PT10S}, or a bare number of seconds ({@code
 * 5} is five seconds).
 *
 * <pre>{@code
 * Durations.parse("2m");      // Optional[PT2M]
 * Durations.parse("banana");  // Optional.empty()
 * }</pre>
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(-?)(\\d+)(ms|s|m|h|d)?");

  /** What an error message lists as accepted. */
  public static final String EXAMPLES = "5 or 5s, 500ms, 2m, 1h, 7d, PT10S";

  private Durations() {}

  /**
   * {@code text} as a duration, or empty when it is none of the accepted forms.
   *
   * @throws ArithmeticException when it does not fit a {@link Duration}
   */
  public static Optional<Duration> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String trimmed = text.trim();
    Matcher m = SHORT.matcher(trimmed.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long amount = Long.parseLong(m.group(2));
      long sign = m.group(1).isEmpty() ? 1 : -1;
      switch (m.group(3) == null ? "s" : m.group(3)) {
        case "ms":
          return Optional.of(Duration.ofMillis(sign * amount));
        case "s":
          return Optional.of(Duration.ofSeconds(sign * amount));
        case "m":
          return Optional.of(Duration.ofMinutes(sign * amount));
        case "d":
          return Optional.of(Duration.ofDays(sign * amount));
        default:
          return Optional.of(Duration.ofHours(sign * amount));
      }
    }
    try {
      return Optional.of(Duration.parse(trimmed));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
