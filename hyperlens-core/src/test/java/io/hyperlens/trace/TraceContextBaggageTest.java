package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Baggage is bounded and keyed by RFC 7230 tokens; a context survives its map form. */
@SuppressWarnings("try")
class TraceContextBaggageTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";

  @Test
  void baggageIsBoundedTo180EntriesButExistingKeysCanStillChange() {
    TraceContext context = TraceContext.newTrace();
    for (int i = 0; i < 180; i++) {
      assertThat(context.setBaggage("k" + i, "v")).isTrue();
    }

    assertThat(context.setBaggage("one-too-many", "v")).isFalse();
    assertThat(context.getBaggage("one-too-many")).isEmpty();
    assertThat(context.setBaggage("k0", "changed")).isTrue();
    assertThat(context.getBaggage("k0")).contains("changed");
    assertThat(context.baggage()).hasSize(180);
    assertThat(context.removeBaggage("k1")).isTrue();
    assertThat(context.setBaggage("one-too-many", "v")).isTrue();
  }

  @Test
  void removingBaggageSaysWhetherThereWasAnEntry() {
    TraceContext context = TraceContext.newTrace();
    context.setBaggage("tenant", "acme");

    assertThat(context.removeBaggage("tenant")).isTrue();
    assertThat(context.removeBaggage("tenant")).isFalse();
    assertThat(context.baggage()).isEmpty();
  }

  @Test
  void baggageKeysAreTokensIncludingEverySpecialCharacterTheGrammarAllows() {
    TraceContext context = TraceContext.newTrace();

    assertThat(context.setBaggage("!", "first special")).isTrue();
    assertThat(context.setBaggage("a#$%&'*+-.^_`|~Z9", "all of them")).isTrue();
    assertThat(context.baggage()).containsOnlyKeys("!", "a#$%&'*+-.^_`|~Z9");
    String expected =
        "baggage key must be an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~), got ";
    assertThatThrownBy(() -> context.setBaggage("with space", "v"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(expected + "\"with space\"");
    assertThatThrownBy(() -> context.setBaggage("", "v"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(expected + "\"\"");
    assertThatThrownBy(() -> context.setBaggage(null, "v"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(expected + "null");
    assertThatThrownBy(() -> context.setBaggage("k", null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("baggage value for \"k\" must not be null");
    assertThat(context.baggage()).hasSize(2);
  }

  @Test
  void aContextRebuiltFromItsMapIsEqualToIt() {
    Map<String, String> baggage = new LinkedHashMap<>();
    baggage.put("user_id", "12345");
    baggage.put("request_id", "req-789");
    TraceContext context = TraceContext.of(TRACE_ID, SPAN_ID, baggage);

    TraceContext rebuilt = TraceContext.fromMap(context.toMap());

    assertThat(rebuilt).isEqualTo(context).hasSameHashCodeAs(context);
    assertThat(rebuilt.baggage())
        .containsExactly(Map.entry("user_id", "12345"), Map.entry("request_id", "req-789"));
    assertThat(TraceContext.fromMap(Map.of("trace_id", TRACE_ID)).parentSpanId()).isEmpty();
  }

  @Test
  void contextsDifferByParentFlagsStateAndBaggage() {
    TraceContext context = TraceContext.of(TRACE_ID, SPAN_ID, Map.of("k", "v"));

    assertThat(context).isEqualTo(context).isNotEqualTo("a string").isNotEqualTo(null);
    assertThat(context).isNotEqualTo(TraceContext.of(TRACE_ID, null, Map.of("k", "v")));
    assertThat(context)
        .isNotEqualTo(TraceContext.of(TRACE_ID, SPAN_ID, 0, Map.of(), Map.of("k", "v")));
    assertThat(context)
        .isNotEqualTo(
            TraceContext.of(TRACE_ID, SPAN_ID, 1, Map.of("vendor", "x"), Map.of("k", "v")));
    assertThat(context).isNotEqualTo(TraceContext.of(TRACE_ID, SPAN_ID, Map.of("k", "w")));
    assertThat(context)
        .isNotEqualTo(
            TraceContext.of("0af7651916cd43dd8448eb211c80319c", SPAN_ID, Map.of("k", "v")));
    assertThat(context)
        .hasToString(
            "TraceContext{trace_id="
                + TRACE_ID
                + ", parent_span_id="
                + SPAN_ID
                + ", flags=01, trace_state={}, baggage={k=v}}");
  }

  @Test
  void aMalformedMapIsRejectedNamingTheKey() {
    assertThatThrownBy(() -> TraceContext.fromMap(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("context map must not be null");
    assertThatThrownBy(() -> TraceContext.fromMap(Map.of("trace_id", 42)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("trace_id must be a string of 32 lowercase hex characters, got 42");
    assertThatThrownBy(
            () -> TraceContext.fromMap(Map.of("trace_id", TRACE_ID, "parent_span_id", 7)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("parent_span_id must be a string or null, got 7");
    assertThatThrownBy(() -> TraceContext.fromMap(Map.of("trace_id", TRACE_ID, "baggage", "k=v")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("baggage must be a map, got k=v");
    Map<String, Object> numberValue = new HashMap<>();
    numberValue.put("trace_id", TRACE_ID);
    numberValue.put("baggage", Map.of("k", 1));
    assertThatThrownBy(() -> TraceContext.fromMap(numberValue))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("baggage entries must map strings to strings, got k=1");
    numberValue.put("baggage", Map.of(1, "v"));
    assertThatThrownBy(() -> TraceContext.fromMap(numberValue))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("baggage entries must map strings to strings, got 1=v");
  }

  @Test
  void aCurrentTraceContextEndsWithItsScope() {
    TraceContext context = TraceContext.of(TRACE_ID, SPAN_ID, null);

    try (Scope scope = context.makeCurrent()) {
      assertThat(Context.current().traceContext()).contains(context);
    }

    assertThat(Context.current()).isSameAs(Context.root());
  }
}
