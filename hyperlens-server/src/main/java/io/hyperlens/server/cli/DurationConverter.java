package io.hyperlens.server.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601 {@code PT10S}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    Matcher m = SHORT.matcher(value.trim().toLowerCase(Locale.ROOT));
    Duration duration;
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          duration = Duration.ofMillis(amount);
          break;
        case "s":
          duration = Duration.ofSeconds(amount);
          break;
        case "m":
          duration = Duration.ofMinutes(amount);
          break;
        default:
          duration = Duration.ofHours(amount);
          break;
      }
    } else {
      try {
        duration = Duration.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration (examples: 500ms, 10s, 2m, 1h, PT10S)");
      }
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
    }
    return duration;
  }
}
