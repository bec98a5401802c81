package io.hyperlens.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecentIdsTest {
  @Test
  void rememberesTheLastIdsAndForgetsTheOldestFirst() {
    RecentIds ids = new RecentIds(2);
    assertThat(ids.add("a")).isTrue();
    assertThat(ids.add("a")).isFalse();
    assertThat(ids.add("b")).isTrue();
    assertThat(ids.add("c")).isTrue(); // "a" forgotten
    assertThat(ids.size()).isEqualTo(2);
    assertThat(ids.add("b")).isFalse();
    assertThat(ids.add("a")).isTrue();
    assertThatThrownBy(() -> new RecentIds(0)).hasMessage("capacity must be at least 1, got 0");
  }
}
