package io.hyperlens.server.ingest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Times as agents write them: ISO-8601 with {@code Z} or an offset ({@code
 * 2025-01-15T10:30:00+00:00}, Python's {@code isoformat()}), any fraction of a second, or without
 * an offset, taken as UTC.
 *
 * <p>The shape nearly every agent sends, {@code yyyy-MM-ddTHH:mm:ss[.fraction][Z|±HH:mm]}, is read
 * by a direct scan of its digits (a tenth of what {@code DateTimeFormatter} costs per event); any
 * other text, and any out-of-range field, goes to {@link OffsetDateTime#parse} and {@link
 * LocalDateTime#parse}, which decide what it means or why it is refused. A property test holds the
 * two to the same answers.
 */
final class Timestamps {
  private Timestamps() {}

  /**
   * The instant {@code text} names.
   *
   * @throws IllegalArgumentException with an example of the form when it is not ISO-8601
   */
  static Instant parse(String text) {
    Instant fast = scan(text);
    return fast != null ? fast : parseWithFormatter(text);
  }

  /** What {@code java.time}'s ISO formatters make of {@code text}. */
  static Instant parseWithFormatter(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException withOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not an ISO-8601 time such as 2025-01-15T10:30:00+00:00", e);
      }
    }
  }

  /** The instant of the common shape, or null when {@code text} is anything else. */
  static Instant scan(String text) {
    int n = text.length();
    if (n < 19
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if ((year | month | day | hour | minute | second) < 0
        || hour > 23
        || minute > 59
        || second > 59) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (i < n && text.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && isDigit(text.charAt(i))) {
        nanos = nanos * 10 + (text.charAt(i) - '0');
        i++;
      }
      int length = i - start;
      if (length == 0) {
        return null;
      }
      for (int k = length; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == n) {
      offsetSeconds = 0;
    } else if (i == n - 1 && text.charAt(i) == 'Z') {
      offsetSeconds = 0;
    } else if (i == n - 6
        && (text.charAt(i) == '+' || text.charAt(i) == '-')
        && text.charAt(i + 3) == ':') {
      int hours = digits(text, i + 1, 2);
      int minutes = digits(text, i + 4, 2);
      if ((hours | minutes) < 0 || hours > 17 || minutes > 59) {
        return null;
      }
      offsetSeconds = (hours * 3600 + minutes * 60) * (text.charAt(i) == '-' ? -1 : 1);
    } else {
      return null;
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return null;
    }
    long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** The {@code count} decimal digits at {@code from}, or -1 when one is not a digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
