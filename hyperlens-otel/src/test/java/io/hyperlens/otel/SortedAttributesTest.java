package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@link SortedAttributes} does where a tracer span never takes it (see also the bytes test).
 */
class SortedAttributesTest {

  @Test
  void aKeyOfAnotherTypeFindsNothing() {
    Attributes attributes = SortedAttributes.of(Map.of("tokens", 7L));

    assertThat(attributes.get(AttributeKey.longKey("tokens"))).isEqualTo(7L);
    assertThat(attributes.get(AttributeKey.stringKey("tokens"))).isNull();
    assertThat(attributes.get(AttributeKey.longKey("other"))).isNull();
    AttributeKey<String> none = null;
    assertThat(attributes.get(none)).isNull();
  }

  @Test
  void nullAndEmptyKeysAndNullValuesAreLeftOutAsTheBuilderLeavesThemOut() {
    Map<String, Object> few = new HashMap<>();
    few.put(null, "no key");
    few.put("", "empty key");
    few.put("none", null);
    few.put("kept", "yes");
    Map<String, Object> many = new HashMap<>(few);
    for (int i = 0; i < SortedAttributes.INSERTION_SORT_MAX + 4; i++) {
      many.put("k" + i, (long) i);
    }

    assertThat(SortedAttributes.of(few))
        .isEqualTo(Attributes.of(AttributeKey.stringKey("kept"), "yes"));
    assertThat(SortedAttributes.of(many).size()).isEqualTo(SortedAttributes.INSERTION_SORT_MAX + 5);
    assertThat(SortedAttributes.of(many).get(AttributeKey.stringKey("kept"))).isEqualTo("yes");
    few.remove("kept");
    assertThat(SortedAttributes.of(few)).isSameAs(Attributes.empty());
    assertThat(SortedAttributes.of(Map.of())).isSameAs(Attributes.empty());
  }

  @Test
  void aValueOfAnotherTypeIsItsStringFormAndListsKeepOnlyItemsOfTheFirstItemsType() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("timeout", Duration.ofSeconds(3));
    values.put("longs", List.of(1L, 2, 3L));
    values.put("objects", List.of(Duration.ZERO, 4L));

    assertThat(SortedAttributes.of(values))
        .isEqualTo(
            Attributes.builder()
                .put("timeout", "PT3S")
                .put(AttributeKey.longArrayKey("longs"), List.of(1L, 3L))
                .put(AttributeKey.stringArrayKey("objects"), List.of("PT0S", "4"))
                .build());
  }

  @Test
  void equalityNeedsTheSameKeysTypesAndValues() {
    Attributes attributes = SortedAttributes.of(Map.of("a", "x", "b", 1L));

    assertThat(attributes)
        .isEqualTo(SortedAttributes.of(Map.of("b", 1L, "a", "x")))
        .isNotEqualTo(SortedAttributes.of(Map.of("a", "x", "b", 2L)))
        .isNotEqualTo(SortedAttributes.of(Map.of("a", "x", "b", "1")))
        .isNotEqualTo(SortedAttributes.of(Map.of("a", "x")))
        .isNotEqualTo(Map.of("a", "x", "b", 1L));
    // OpenTelemetry's own attributes are equal only to their own class.
    assertThat(Attributes.builder().put("a", "x").put("b", 1L).build()).isNotEqualTo(attributes);
  }

  @Test
  void keysAreSharedFromSpanToSpanSoTheirUtf8FormIsEncodedOnce() {
    Attributes first = SortedAttributes.of(Map.of("gen_ai.request.model", "m"));
    Attributes second = SortedAttributes.of(Map.of("gen_ai.request.model", "n"));

    AttributeKey<?>[] keys = new AttributeKey<?>[2];
    first.forEach((key, value) -> keys[0] = key);
    second.forEach((key, value) -> keys[1] = key);
    assertThat(keys[1]).isSameAs(keys[0]);
    assertThat(SortedAttributes.key("gen_ai.request.model", AttributeType.LONG))
        .isEqualTo(AttributeKey.longKey("gen_ai.request.model"))
        .isNotEqualTo(keys[0]);
  }
}
