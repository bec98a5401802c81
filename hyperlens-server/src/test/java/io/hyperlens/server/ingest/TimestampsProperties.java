package io.hyperlens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The direct scan of the common shape answers exactly what {@code java.time} answers. */
class TimestampsProperties {
  @Property(tries = 2000)
  void theScanReadsWhatTheFormattersRead(
      @ForAll @IntRange(min = 1000, max = 9999) int year,
      @ForAll @IntRange(min = 1, max = 12) int month,
      @ForAll @IntRange(min = 1, max = 31) int day,
      @ForAll @IntRange(min = 0, max = 23) int hour,
      @ForAll @IntRange(min = 0, max = 59) int minute,
      @ForAll @IntRange(min = 0, max = 59) int second,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
      @ForAll @IntRange(min = -1, max = 9) int fractionDigits,
      @ForAll @IntRange(min = -1079, max = 1079) int offsetMinutes,
      @ForAll @IntRange(min = 0, max = 2) int offsetForm) {
    StringBuilder text =
        new StringBuilder(
            String.format("%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second));
    if (fractionDigits > 0) {
      text.append('.').append(String.format("%09d", nanos), 0, fractionDigits);
    }
    if (offsetForm == 1) {
      text.append('Z');
    } else if (offsetForm == 2) {
      int abs = Math.abs(offsetMinutes);
      text.append(offsetMinutes < 0 ? '-' : '+')
          .append(String.format("%02d:%02d", abs / 60, abs % 60));
    }
    sameAnswer(text.toString());
    // and the common shape is read by the scan itself, not handed on: that is its point
    Instant expected = null;
    try {
      expected = Timestamps.parseWithFormatter(text.toString());
    } catch (IllegalArgumentException notADate) {
      // the 31st of a short month: the formatters refuse it, and so does the scan
    }
    assertThat(Timestamps.scan(text.toString())).as(text.toString()).isEqualTo(expected);
  }

  @Example
  void everyEdgeOfTheShapeGetsTheFormattersAnswer() {
    for (String text :
        List.of(
            "2024-02-29T23:59:59Z",
            "2023-02-29T00:00:00Z",
            "2026-12-06T24:00:00Z",
            "2026-12-06T23:60:00Z",
            "2026-12-06T10:00:60Z",
            "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z",
            "2026-12-00T00:00:00Z",
            "2026-12-06T10:00:00+18:00",
            "2026-12-06T10:00:00-18:00",
            "2026-12-06T10:00:00+17:59",
            "2026-12-06T10:00:00+17:60",
            "2026-12-06T10:00:00.Z",
            "2026-12-06T10:00:00.1234567891Z",
            "2026-12-06T10:00:00.123456789Z",
            "2026-12-06T10:00:00.5-05:30",
            "2026-12-06T10:00:00+0100",
            "2026-12-06T10:00:00+01:0a",
            "2026-12-06T10:0a:00Z",
            "2026-12-06t10:00:00z",
            "+2026-12-06T10:00:00Z",
            "2026-12-06T10:00:00ZZ",
            "2026-12-06T10:00:00")) {
      sameAnswer(text);
    }
    assertThat(Timestamps.scan("2026-12-06T10:00:00.5-05:30"))
        .isEqualTo(Instant.parse("2026-12-06T15:30:00.500Z"));
    assertThat(Timestamps.scan("2026-12-06T10:00:00.123456789Z"))
        .isEqualTo(Instant.parse("2026-12-06T10:00:00.123456789Z"));
    assertThat(Timestamps.scan("2026-12-06T23:59:59+17:59"))
        .isEqualTo(Instant.parse("2026-12-06T06:00:59Z"));
    for (String refused :
        List.of(
            "2026-12-06T24:00:00Z",
            "2026-12-06T23:60:00Z",
            "2026-12-06T10:00:60Z",
            "2026-13-01T00:00:00Z",
            "2026-12-06T10:00:00+18:00",
            "2026-12-06T10:00:00+17:60",
            "2026-12-06T10:00:00.Z",
            "2026-12-06T10:00:00ZZ",
            "2026-12-06T10:0a:00Z",
            "2026-12-06T10:00:00+01:0a")) {
      assertThat(Timestamps.scan(refused)).as(refused).isNull();
    }
  }

  @Property(tries = 3000)
  void anyTextNearTheShapeGetsTheFormattersAnswer(@ForAll("nearlyTimes") String text) {
    sameAnswer(text);
  }

  @Provide
  Arbitrary<String> nearlyTimes() {
    return Arbitraries.strings()
        .withChars("0123456789-T:.+Zz ")
        .ofMinLength(17)
        .ofMaxLength(36)
        .injectDuplicates(0.1)
        .edgeCases(
            c ->
                c.add(
                    "2024-02-29T23:59:59Z",
                    "2023-02-29T00:00:00Z",
                    "2026-12-06T24:00:00Z",
                    "2026-12-06T10:00:60Z",
                    "2026-12-06T10:00:00+18:00",
                    "2026-12-06T10:00:00-18:00",
                    "2026-12-06T10:00:00+17:59",
                    "2026-12-06T10:00:00.Z",
                    "2026-12-06T10:00:00.1234567891Z",
                    "2026-12-06t10:00:00z",
                    "2026-12-06T10:00:00+0100",
                    "+2026-12-06T10:00:00Z"));
  }

  private static void sameAnswer(String text) {
    Instant expected;
    try {
      expected = Timestamps.parseWithFormatter(text);
    } catch (IllegalArgumentException refused) {
      assertThat(Timestamps.scan(text)).as(text).isNull();
      assertThatThrownBy(() -> Timestamps.parse(text)).hasMessageContaining(text);
      return;
    }
    Instant scanned = Timestamps.scan(text);
    if (scanned != null) {
      assertThat(scanned).as(text).isEqualTo(expected);
    }
    assertThat(Timestamps.parse(text)).as(text).isEqualTo(expected);
  }

  @Example
  void pythonsIsoformatIsScannedNotHandedOn() {
    assertThat(Timestamps.scan("2025-01-15T10:30:00.123456+00:00"))
        .isEqualTo(Instant.parse("2025-01-15T10:30:00.123456Z"));
    assertThat(Timestamps.scan("2025-01-15T10:30:00-05:30"))
        .isEqualTo(Instant.parse("2025-01-15T16:00:00Z"));
    assertThat(Timestamps.scan("2025-01-15T10:30:00"))
        .isEqualTo(Instant.parse("2025-01-15T10:30:00Z"));
  }
}
