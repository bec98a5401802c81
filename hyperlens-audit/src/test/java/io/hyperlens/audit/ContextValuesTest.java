package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.redact.Redactor;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits of an audit context, each at its exact edge. */
class ContextValuesTest {
  private static Map<String, Object> nested(int depth) {
    Map<String, Object> map = Map.of("leaf", 1);
    for (int i = 1; i < depth; i++) {
      map = Map.of("level", map);
    }
    return map;
  }

  @Test
  void eightLevelsNestAndNineAreRefused() {
    assertThat(ContextValues.copy(nested(8), null)).containsKey("level");
    assertThatThrownBy(() -> ContextValues.copy(nested(9), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "context.level.level.level.level.level.level.level.level nests deeper than 8 levels,"
                + " which an audit context may not");
    // The map is the first level: seven lists inside it make eight.
    List<Object> list = List.of(1);
    for (int i = 1; i < 7; i++) {
      list = List.of(list);
    }
    assertThat(ContextValues.copy(Map.of("l", list), null)).containsKey("l");
    List<Object> deeper = List.of(list);
    assertThatThrownBy(() -> ContextValues.copy(Map.of("l", deeper), null))
        .hasMessageContaining("nests deeper than 8 levels");
  }

  @Test
  void a1024ValueContextIsTheLimit() {
    Map<String, Object> full = new HashMap<>();
    for (int i = 0; i < 1024; i++) {
      full.put("k" + i, i);
    }
    assertThat(ContextValues.copy(full, null)).hasSize(1024);
    full.put("one-more", 1);
    assertThatThrownBy(() -> ContextValues.copy(full, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("context holds more than 1024 values (at context.");
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      items.add(i);
    }
    assertThatThrownBy(() -> ContextValues.copy(Map.of("items", items), null))
        .hasMessage("context holds more than 1024 values (at context.items[1023])");
  }

  @Test
  void sixtyFourKibiCharactersIsTheLimit() {
    assertThat(ContextValues.copy(Map.of("k", "x".repeat(64 * 1024 - 1)), null)).hasSize(1);
    assertThatThrownBy(() -> ContextValues.copy(Map.of("k", "x".repeat(64 * 1024)), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("context holds more than 65536 characters of keys and strings (at context.k)");
    assertThatThrownBy(() -> ContextValues.copy(Map.of("k".repeat(64 * 1024 + 1), 1), null))
        .hasMessageStartingWith("context holds more than 65536 characters");
  }

  @Test
  void integersStopAtTwoToTheFiftyThirdEitherWay() {
    long max = (1L << 53) - 1;
    assertThat(ContextValues.copy(Map.of("n", max, "m", -max), null))
        .containsEntry("n", max)
        .containsEntry("m", -max);
    assertThatThrownBy(() -> ContextValues.copy(Map.of("n", max + 1), null))
        .hasMessageStartingWith("context.n is 9007199254740992, beyond ±2^53");
    assertThatThrownBy(() -> ContextValues.copy(Map.of("n", -max - 1), null))
        .hasMessageStartingWith("context.n is -9007199254740992, beyond ±2^53");
    assertThat(ContextValues.copy(Map.of("b", BigInteger.valueOf(max)), null))
        .containsEntry("b", max);
    assertThatThrownBy(() -> ContextValues.copy(Map.of("b", BigInteger.ONE.shiftLeft(53)), null))
        .hasMessageContaining("beyond ±2^53");
    assertThat(
            ContextValues.copy(
                Map.of(
                    "i", 7, "s", (short) 2, "y", (byte) 1, "f", 1.5f, "d", new BigDecimal("2.25")),
                null))
        .containsEntry("i", 7L)
        .containsEntry("s", 2L)
        .containsEntry("y", 1L)
        .containsEntry("f", 1.5)
        .containsEntry("d", 2.25);
    assertThatThrownBy(() -> ContextValues.copy(Map.of("x", Double.NaN), null))
        .hasMessage("context.x must be a finite number (JSON has no NaN or infinity), got NaN");
  }

  @Test
  void keysMustBeNonEmptyStringsAndValuesJsonShaped() {
    Map<Object, Object> badKey = new HashMap<>();
    badKey.put(3, "x");
    @SuppressWarnings("unchecked")
    Map<String, Object> cast = (Map<String, Object>) (Map<?, ?>) badKey;
    assertThatThrownBy(() -> ContextValues.copy(cast, null))
        .hasMessage("context keys must be non-empty strings, got Integer \"3\"");
    assertThatThrownBy(() -> ContextValues.copy(Map.of("", 1), null))
        .hasMessage("context keys must be non-empty strings, got String \"\"");
    assertThatThrownBy(() -> ContextValues.copy(Map.of("o", new Object()), null))
        .hasMessage(
            "context.o must be a string, boolean, number, null, list or map, got java.lang.Object");
  }

  @Test
  void withARedactorSecretsAreMaskedAndSecretKeysHiddenWhole() {
    Map<String, Object> copy =
        ContextValues.copy(
            Map.of("password", "hunter2", "note", "key AKIAIOSFODNN7EXAMPLE here"),
            Redactor.standard());
    assertThat(copy).containsEntry("password", "[REDACTED:credential]");
    assertThat((String) copy.get("note"))
        .doesNotContain("AKIAIOSFODNN7EXAMPLE")
        .contains("[REDACTED:");
    Map<String, Object> checked = ContextValues.copy(Map.of("a", 1), null);
    assertThat(ContextValues.copy(checked, null)).isSameAs(checked);
    assertThat(ContextValues.copy(null, null)).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aCheckedContextIsRedactedInPlaceKeepingItsOrderAndShape() {
    Map<String, Object> nested = new java.util.LinkedHashMap<>();
    nested.put("first", "plain");
    nested.put("token", "abc"); // a secret key: hidden whole
    nested.put("last", 3);
    Map<String, Object> context = new java.util.LinkedHashMap<>();
    context.put("a", "plain");
    context.put("b", List.of("x", "key AKIAIOSFODNN7EXAMPLE", 2.5));
    context.put("c", nested);
    context.put("d", true);
    Map<String, Object> checked = ContextValues.copy(context, null);
    Map<String, Object> redacted = ContextValues.copy(checked, Redactor.standard());
    assertThat(redacted)
        .isEqualTo(
            Map.of(
                "a",
                "plain",
                "b",
                List.of("x", "key [REDACTED:aws_access_key]", 2.5),
                "c",
                Map.of("first", "plain", "token", "[REDACTED:credential]", "last", 3L),
                "d",
                true));
    assertThat(redacted.keySet()).containsExactly("a", "b", "c", "d");
    assertThat(((Map<String, Object>) redacted.get("c")).keySet())
        .containsExactly("first", "token", "last");
    // the same as redacting on the first copy, which checks as it goes
    assertThat(redacted).isEqualTo(ContextValues.copy(context, Redactor.standard()));
    assertThatThrownBy(() -> redacted.put("e", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((List<Object>) redacted.get("b")).add(1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((Map<String, Object>) redacted.get("c")).put("e", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aCheckedContextWithoutSecretsIsKeptAsItIs() {
    Map<String, Object> checked =
        ContextValues.copy(Map.of("a", "plain", "b", List.of("x", Map.of("c", "y"))), null);
    assertThat(ContextValues.copy(checked, Redactor.standard())).isSameAs(checked);
  }
}
