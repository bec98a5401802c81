package io.hyperlens.server.ingest;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Times as agents write them: ISO-8601 with {@code Z} or an offset ({@code
 * 2025-01-15T10:30:00+00:00}, Python's {@code isoformat()}), any fraction of a second, or without
 * an offset, taken as UTC.
 */
final class Timestamps {
  private Timestamps() {}

  /**
   * The instant {@code text} names.
   *
   * @throws IllegalArgumentException with an example of the form when it is not ISO-8601
   */
  static Instant parse(String text) {
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
}
