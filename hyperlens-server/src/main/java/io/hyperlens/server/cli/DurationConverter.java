package io.hyperlens.server.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}, ISO-8601 {@code PT10S}, or
 * a bare number of seconds ({@code 5} is five seconds).
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SHORT = Pattern.compile("(-?)(\\d+)(ms|s|m|h|d)?");

  @Override
  public Duration convert(String value) {
    Duration duration;
    try {
      duration = parse(value.trim());
      if (duration != null) {
        duration.toNanos(); // the demo counts in nanoseconds: reject what does not fit
      }
    } catch (ArithmeticException | NumberFormatException tooBig) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is too long (at most about 292 years)");
    }
    if (duration == null) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (examples: 5 or 5s, 500ms, 2m, 1h, 7d, PT10S)");
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
    }
    return duration;
  }

  private static Duration parse(String text) {
    Matcher m = SHORT.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long amount = Long.parseLong(m.group(2));
      long sign = m.group(1).isEmpty() ? 1 : -1;
      switch (m.group(3) == null ? "s" : m.group(3)) {
        case "ms":
          return Duration.ofMillis(sign * amount);
        case "s":
          return Duration.ofSeconds(sign * amount);
        case "m":
          return Duration.ofMinutes(sign * amount);
        case "d":
          return Duration.ofDays(sign * amount);
        default:
          return Duration.ofHours(sign * amount);
      }
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
