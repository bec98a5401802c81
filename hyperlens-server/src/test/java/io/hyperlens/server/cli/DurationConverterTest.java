package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsShortFormsAndIso() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(converter.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThat(converter.convert("5")).isEqualTo(Duration.ofSeconds(5)); // a bare number: seconds
  }

  @Test
  void rejectsDurationsTooLongToCountInNanoseconds() {
    assertThatThrownBy(() -> converter.convert("9999999999999s"))
        .isExactlyInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'9999999999999s' is too long (at most about 292 years)");
    assertThatThrownBy(() -> converter.convert("99999999999h"))
        .isExactlyInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'99999999999h' is too long (at most about 292 years)");
    assertThatThrownBy(() -> converter.convert("99999999999999999999999s"))
        .isExactlyInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'99999999999999999999999s' is too long (at most about 292 years)");
  }

  @Test
  void rejectsGarbageAndNonPositiveDurations() {
    assertThatThrownBy(() -> converter.convert("ten seconds"))
        .isExactlyInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage(
            "'ten seconds' is not a duration (examples: 5 or 5s, 500ms, 2m, 1h, 7d, PT10S)");
    assertThatThrownBy(() -> converter.convert("0s"))
        .isExactlyInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'0s' is not a positive duration");
    assertThatThrownBy(() -> converter.convert("-1s"))
        .isExactlyInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'-1s' is not a positive duration");
    assertThatThrownBy(() -> converter.convert("PT-1S"))
        .isExactlyInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'PT-1S' is not a positive duration");
  }
}
