package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HexIdsTest {

  @Test
  void producesRequestedLengthOfLowercaseHex() {
    for (int length = 1; length <= 32; length++) {
      assertThat(HexIds.random(length)).matches("[0-9a-f]{" + length + "}");
    }
  }

  @Test
  void usesEveryDigit() {
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      all.append(HexIds.random(32));
    }
    assertThat(all.chars().distinct().count()).isEqualTo(16);
  }

  @Test
  void rejectsLengthsOutsideOneToThirtyTwo() {
    assertThatThrownBy(() -> HexIds.random(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("length must be between 1 and 32, got 0");
    assertThatThrownBy(() -> HexIds.random(33))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("length must be between 1 and 32, got 33");
  }

  @Test
  void checksLowerHexOfExactLength() {
    assertThat(HexIds.isLowerHex("0a9f", 4)).isTrue();
    assertThat(HexIds.isLowerHex("0A9f", 4)).isFalse();
    assertThat(HexIds.isLowerHex("0a9", 4)).isFalse();
    assertThat(HexIds.isLowerHex("0a9g", 4)).isFalse();
    assertThat(HexIds.isLowerHex(null, 4)).isFalse();
  }
}
