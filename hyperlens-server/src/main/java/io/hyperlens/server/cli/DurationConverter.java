package io.hyperlens.server.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601 {@code PT10S}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SHORT = Pattern.compile("(-?)(\\d+)(ms|s|m|h)");

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
          "'" + value + "' is not a duration (examples: 500ms, 10s, 2m, 1h, PT10S)");
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
      switch (m.group(3)) {
        case "ms":
          return Duration.ofMillis(sign * amount);
        case "s":
          return Duration.ofSeconds(sign * amount);
        case "m":
          return Duration.ofMinutes(sign * amount);
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
