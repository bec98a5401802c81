package io.hyperlens.server.cli;

import io.hyperlens.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}, ISO-8601 {@code PT10S}, or
 * a bare number of seconds ({@code 5} is five seconds).
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
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
    return Durations.parse(text).orElse(null);
  }
}
