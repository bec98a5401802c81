package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallPayloadMapTest {

  private static Map<String, Object> copy(Map<String, ?> source) {
    return HypervisorEvent.builder(EventType.VFS_WRITE).payload(source).build().payload();
  }

  @Test
  void behavesLikeAnOrderedMapWithNullValues() {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("z", 1);
    source.put("a", null);
    source.put("m", "x");

    Map<String, Object> payload = copy(source);

    assertThat(payload).isInstanceOf(SmallPayloadMap.class);
    assertThat(payload.keySet()).containsExactly("z", "a", "m");
    assertThat(payload.get("z")).isEqualTo(1);
    assertThat(payload.get("a")).isNull();
    assertThat(payload.containsKey("a")).isTrue();
    assertThat(payload.containsKey("b")).isFalse();
    assertThat(payload.get("b")).isNull();
    assertThat(payload).hasSize(3).hasToString("{z=1, a=null, m=x}");
  }

  @Test
  void equalsAndHashCodeAgreeWithJdkMapsBothWays() {
    Map<String, Object> source = new HashMap<>();
    source.put("a", 1);
    source.put("b", null);
    Map<String, Object> payload = copy(source);

    assertThat(payload).isEqualTo(source).hasSameHashCodeAs(source);
    assertThat(source).isEqualTo(payload);
    Map<String, Object> other = new HashMap<>(source);
    other.put("b", 2);
    assertThat(payload).isNotEqualTo(other);
    other.remove("b");
    other.put("c", null);
    assertThat(payload).isNotEqualTo(other);
  }

  @Test
  void isUnmodifiable() {
    Map<String, Object> payload = copy(Map.of("a", 1));

    assertThatThrownBy(() -> payload.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> payload.remove("a")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> payload.entrySet().iterator().next().setValue(3))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void largePayloadsKeepOrderInAHashedMap() {
    Map<String, Object> source = new LinkedHashMap<>();
    for (int i = 20; i > 0; i--) {
      source.put("k" + i, i);
    }

    Map<String, Object> payload = copy(source);

    assertThat(payload).isNotInstanceOf(SmallPayloadMap.class).containsExactlyEntriesOf(source);
    assertThatThrownBy(() -> payload.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void errorPathNamesEveryLevel() {
    Map<String, Object> source = Map.of("a", List.of(Map.of("b", new Object())));

    assertThatThrownBy(() -> copy(source))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("payload.a[0].b: unsupported value type java.lang.Object");
  }
}
