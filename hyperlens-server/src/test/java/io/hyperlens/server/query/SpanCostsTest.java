package io.hyperlens.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.otel.GenAiPriceTable;
import io.hyperlens.trace.SpanData;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpanCostsTest {
  private static final long JUNE_2025 =
      SpanData.toEpochNanos(Instant.parse("2025-06-01T00:00:00Z"));
  private static final SpanCosts COSTS = new SpanCosts(GenAiPriceTable.bundled());

  private static SpanData span(String id, long start, Map<String, ?> attributes) {
    return SpanData.builder("0123456789abcdef0123456789abcdef", id, "chat")
        .times(start, start + 1_000_000)
        .attributes(attributes)
        .build();
  }

  @Test
  void tokensAsTextCountAndBadValuesAreIgnoredRatherThanGuessed() {
    SpanCosts.Cost cost =
        COSTS.of(
            List.of(
                // tokens sent as strings by a lax SDK still price
                span(
                    "0000000000000001",
                    JUNE_2025,
                    Map.of(
                        "gen_ai.provider.name", "openai",
                        "gen_ai.request.model", "gpt-4o-mini",
                        "gen_ai.usage.input_tokens", "1000000",
                        "gen_ai.usage.output_tokens", 0L)),
                // a negative count is no count: a call with output tokens only
                span(
                    "0000000000000002",
                    JUNE_2025,
                    Map.of(
                        "gen_ai.provider.name",
                        "openai",
                        "gen_ai.request.model",
                        "gpt-4o-mini",
                        "gen_ai.usage.input_tokens",
                        -5L,
                        "gen_ai.usage.output_tokens",
                        1_000_000L)),
                // a call before the model's first price is unpriced
                span(
                    "0000000000000003",
                    SpanData.toEpochNanos(Instant.parse("2020-01-01T00:00:00Z")),
                    Map.of(
                        "gen_ai.provider.name", "openai",
                        "gen_ai.request.model", "gpt-4o-mini",
                        "gen_ai.usage.input_tokens", 10L)),
                // a span without usage or cost is no call
                span("0000000000000004", JUNE_2025, Map.of("gen_ai.provider.name", "openai")),
                // a sender's unpriced mark without tokens is an unpriced call of no model
                span(
                    "0000000000000005",
                    JUNE_2025,
                    Map.of("hyperlens.genai.cost.status", "unpriced"))));

    assertThat(cost.usd()).isEqualByComparingTo("0.75"); // 0.15 + 0.60
    assertThat(cost.pricedCalls()).isEqualTo(2);
    assertThat(cost.unpricedCalls()).isEqualTo(2);
    assertThat(cost.inputTokens()).isEqualTo(1_000_010);
    assertThat(cost.outputTokens()).isEqualTo(1_000_000);
    assertThat(cost.byModel())
        .extracting(SpanCosts.ModelCost::provider, SpanCosts.ModelCost::model)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("openai", "gpt-4o-mini"),
            org.assertj.core.groups.Tuple.tuple(null, null));
    assertThat(cost.byModel().get(0).unpricedCalls()).isEqualTo(1);
    assertThat(cost.byModel().get(0).calls()).isEqualTo(3);
  }

  @Test
  void amountsAreWrittenWithoutTrailingZerosOrPositiveExponents() {
    assertThat(SpanCosts.json(new BigDecimal("60.000")).toString()).isEqualTo("60");
    assertThat(SpanCosts.json(new BigDecimal("0.00750000")).toString()).isEqualTo("0.0075");
    assertThat(SpanCosts.json(BigDecimal.ZERO.setScale(8)).toString()).isEqualTo("0");
    Map<String, Object> map =
        new SpanCosts.Cost(new BigDecimal("1.50"), 1, 0, 2, 3, List.of()).toMap();
    assertThat(map)
        .containsExactly(
            Map.entry("usd", new BigDecimal("1.5")),
            Map.entry("currency", "USD"),
            Map.entry("priced_calls", 1),
            Map.entry("unpriced_calls", 0),
            Map.entry("input_tokens", 2L),
            Map.entry("output_tokens", 3L),
            Map.entry("by_model", List.of()));
    assertThatThrownBy(() -> new SpanCosts(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("prices must not be null");
  }

  @Test
  void anAgentsOrToolsUsageRepeatsItsModelCallsAndIsNotCountedAgain() {
    Map<String, Object> usage =
        Map.of(
            "gen_ai.provider.name",
            "openai",
            "gen_ai.request.model",
            "gpt-4o-mini",
            "gen_ai.usage.input_tokens",
            1_000_000L,
            "gen_ai.usage.output_tokens",
            0L);
    java.util.List<SpanData> spans = new java.util.ArrayList<>();
    spans.add(span("0000000000000001", JUNE_2025, withOperation(usage, "chat")));
    for (String aggregate : List.of("invoke_agent", "create_agent", "execute_tool")) {
      spans.add(
          span("000000000000000" + (spans.size() + 1), JUNE_2025, withOperation(usage, aggregate)));
    }
    spans.add(span("0000000000000009", JUNE_2025, usage)); // no operation named: a call

    SpanCosts.Cost cost = COSTS.of(spans);

    assertThat(cost.pricedCalls()).isEqualTo(2);
    assertThat(cost.usd()).isEqualByComparingTo("0.30");
  }

  private static Map<String, Object> withOperation(Map<String, Object> attributes, String name) {
    Map<String, Object> with = new java.util.HashMap<>(attributes);
    with.put("gen_ai.operation.name", name);
    return with;
  }
}
