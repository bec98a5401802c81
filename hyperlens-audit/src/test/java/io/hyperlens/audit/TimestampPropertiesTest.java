package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The timestamps written directly (years 0000 to 9999) are what the strict formatter writes and
 * reads, at every edge: the formatter stays the judge of everything else.
 */
class TimestampPropertiesTest {
  private static final DateTimeFormatter FORMATTER =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
          .withZone(ZoneOffset.UTC)
          .withResolverStyle(ResolverStyle.STRICT);

  @Property(tries = 2000)
  void formatAndParseAgreeWithTheStrictFormatter(@ForAll("instants") Instant instant) {
    String text = AuditJson.formatTimestamp(instant);
    assertThat(text).isEqualTo(FORMATTER.format(instant));
    Instant millis =
        Instant.ofEpochSecond(instant.getEpochSecond(), instant.getNano() / 1_000_000 * 1_000_000);
    assertThat(AuditJson.parseTimestamp(text)).isEqualTo(millis);
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> edges =
        Arbitraries.of(
            AuditJson.YEAR_0 - 1,
            AuditJson.YEAR_0,
            AuditJson.YEAR_10000 - 1,
            AuditJson.YEAR_10000,
            -1L,
            0L,
            951_782_400L, // 2000-02-29
            4_107_542_399L); // 2100-02-28T23:59:59
    Arbitrary<Long> seconds =
        Arbitraries.oneOf(
            edges,
            Arbitraries.longs()
                .between(AuditJson.YEAR_0 - 86_400L * 366, AuditJson.YEAR_10000 + 86_400L * 366),
            Arbitraries.longs().between(-100_000_000_000L, 400_000_000_000L));
    return seconds.flatMap(
        s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
  }

  @Example
  void theFirstAndLastFourDigitYearsAreWrittenAsTheFormatterWritesThem() {
    assertThat(AuditJson.formatTimestamp(Instant.ofEpochSecond(AuditJson.YEAR_0)))
        .isEqualTo("0000-01-01T00:00:00.000Z");
    assertThat(
            AuditJson.formatTimestamp(
                Instant.ofEpochSecond(AuditJson.YEAR_10000, 999_999_999).minusSeconds(1)))
        .isEqualTo("9999-12-31T23:59:59.999Z");
    assertThat(AuditJson.formatTimestamp(Instant.ofEpochSecond(AuditJson.YEAR_10000)))
        .isEqualTo("+10000-01-01T00:00:00.000Z");
  }

  @Example
  void impossibleTimesOfTheRightShapeAreRefusedByName() {
    for (String text :
        new String[] {
          "2026-02-29T00:00:00.000Z",
          "2026-13-01T00:00:00.000Z",
          "2026-01-00T00:00:00.000Z",
          "2026-01-28T24:00:00.000Z",
          "2026-01-28T23:60:00.000Z",
          "2026-01-28T23:59:60.000Z",
          "2026-01-28T17:45:00.12Z",
          "2026-01-28t17:45:00.123Z",
          "2026-01-28T17:45:00.123+",
          "２026-01-28T17:45:00.123Z",
        }) {
      assertThatThrownBy(() -> AuditJson.parseTimestamp(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timestamp must look like 2026-01-28T17:45:00.123Z, got \"" + text + '"');
    }
  }
}
