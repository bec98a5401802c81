package io.hyperlens.server.query;

import io.hyperlens.otel.GenAiAttributes;
import io.hyperlens.otel.GenAiPriceTable;
import io.hyperlens.trace.SpanData;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the GenAI calls among stored spans cost, as {@code GET /api/traces/{traceId}} and {@code GET
 * /api/sessions/{id}} show it. A span is a call when it carries token usage ({@code
 * gen_ai.usage.input_tokens} or {@code .output_tokens}) or a cost attribute:
 *
 * <ul>
 *   <li>with {@code hyperlens.genai.cost.usd} (priced by the Hyperlens SDK that sent it), it counts
 *       at that cost;
 *   <li>else, with token usage (sent over OTLP by another SDK, or one that could not price it), it
 *       is priced by the hub's {@link GenAiPriceTable} at the span's start, for its {@code
 *       gen_ai.response.model} or else its {@code gen_ai.request.model}, of its {@code
 *       gen_ai.provider.name} (or the older {@code gen_ai.system});
 *   <li>else it is unpriced: counted, never guessed.
 * </ul>
 *
 * <p>Sums are exact ({@link BigDecimal}); a span's own cost attribute counts as the decimal its
 * double prints as. Thread-safe: immutable.
 */
public final class SpanCosts {
  /**
   * The older name of {@code gen_ai.provider.name}, which OTLP senders on semconv before 1.37 use.
   */
  static final String GEN_AI_SYSTEM = "gen_ai.system";

  private final GenAiPriceTable prices;

  /** Prices spans without a cost of their own with {@code prices}. */
  public SpanCosts(GenAiPriceTable prices) {
    if (prices == null) {
      throw new IllegalArgumentException("prices must not be null");
    }
    this.prices = prices;
  }

  /** The hub's price table. */
  public GenAiPriceTable prices() {
    return prices;
  }

  /**
   * Operations whose token usage, when an SDK records any, is the sum of the model calls under
   * them: counting it too would count those calls twice.
   */
  private static final java.util.Set<String> AGGREGATING =
      java.util.Set.of(
          GenAiAttributes.OPERATION_INVOKE_AGENT,
          GenAiAttributes.OPERATION_CREATE_AGENT,
          GenAiAttributes.OPERATION_EXECUTE_TOOL);

  /**
   * The cost of the model calls among {@code spans}; the usage of agent and tool operations ({@code
   * invoke_agent}, {@code create_agent}, {@code execute_tool}) is left out, as it repeats their
   * model calls'.
   */
  public Cost of(Collection<SpanData> spans) {
    Tally total = new Tally(null, null);
    Map<List<String>, Tally> byModel = new LinkedHashMap<>();
    for (SpanData span : spans) {
      Map<String, Object> attributes = span.attributes();
      Object operation = attributes.get(GenAiAttributes.GEN_AI_OPERATION_NAME.getKey());
      if (operation != null && AGGREGATING.contains(operation)) {
        continue; // an agent's or tool's usage sums its model calls, which count themselves
      }
      Long input = count(attributes.get(GenAiAttributes.GEN_AI_USAGE_INPUT_TOKENS.getKey()));
      Long output = count(attributes.get(GenAiAttributes.GEN_AI_USAGE_OUTPUT_TOKENS.getKey()));
      Object own = attributes.get(GenAiAttributes.COST_USD.getKey());
      boolean unpricedMark =
          GenAiAttributes.COST_STATUS_UNPRICED.equals(
              attributes.get(GenAiAttributes.COST_STATUS.getKey()));
      if (input == null && output == null && !(own instanceof Number) && !unpricedMark) {
        continue; // not a model call
      }
      String provider = text(attributes.get(GenAiAttributes.GEN_AI_PROVIDER_NAME.getKey()));
      if (provider == null) {
        provider = text(attributes.get(GEN_AI_SYSTEM));
      }
      String responseModel = text(attributes.get(GenAiAttributes.GEN_AI_RESPONSE_MODEL.getKey()));
      String requestModel = text(attributes.get(GenAiAttributes.GEN_AI_REQUEST_MODEL.getKey()));
      long in = input == null ? 0 : input;
      long out = output == null ? 0 : output;
      BigDecimal usd = null;
      if (own instanceof Number && Double.isFinite(((Number) own).doubleValue())) {
        usd = BigDecimal.valueOf(((Number) own).doubleValue());
      } else if (input != null || output != null) {
        Optional<BigDecimal> priced =
            prices.cost(provider, responseModel, requestModel, span.startTime(), in, out);
        usd = priced.orElse(null);
      }
      String model = responseModel != null ? responseModel : requestModel;
      total.add(usd, in, out);
      byModel
          .computeIfAbsent(
              java.util.Arrays.asList(provider, model), k -> new Tally(k.get(0), k.get(1)))
          .add(usd, in, out);
    }
    List<ModelCost> models = new ArrayList<>();
    for (Tally tally : byModel.values()) {
      models.add(
          new ModelCost(
              tally.provider,
              tally.model,
              tally.usd,
              tally.priced + tally.unpriced,
              tally.unpriced,
              tally.input,
              tally.output));
    }
    return new Cost(total.usd, total.priced, total.unpriced, total.input, total.output, models);
  }

  private static Long count(Object value) {
    if (value instanceof Number) {
      long n = ((Number) value).longValue();
      return n < 0 ? null : n;
    }
    if (value instanceof String) {
      try {
        long n = Long.parseLong(((String) value).trim());
        return n < 0 ? null : n;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String text(Object value) {
    return value instanceof String && !((String) value).isBlank() ? (String) value : null;
  }

  /** Sums of one provider and model, or of all. */
  private static final class Tally {
    final String provider;
    final String model;
    BigDecimal usd = BigDecimal.ZERO;
    int priced;
    int unpriced;
    long input;
    long output;

    Tally(String provider, String model) {
      this.provider = provider;
      this.model = model;
    }

    void add(BigDecimal cost, long inputTokens, long outputTokens) {
      if (cost == null) {
        unpriced++;
      } else {
        priced++;
        usd = usd.add(cost);
      }
      input += inputTokens;
      output += outputTokens;
    }
  }

  /**
   * The cost of some spans' GenAI calls.
   *
   * @param usd what the priced calls cost, in USD, exactly
   * @param pricedCalls calls with a cost
   * @param unpricedCalls calls of a model no price is known for
   * @param inputTokens input tokens of all calls, priced or not
   * @param outputTokens output tokens of all calls, priced or not
   * @param byModel the same by provider and model (the response model, else the request model), in
   *     the order first seen
   */
  public record Cost(
      BigDecimal usd,
      int pricedCalls,
      int unpricedCalls,
      long inputTokens,
      long outputTokens,
      List<ModelCost> byModel) {

    /** Copies the list. */
    public Cost {
      byModel = List.copyOf(byModel);
    }

    /**
     * The API's shape: {@code {"usd", "currency": "USD", "priced_calls", "unpriced_calls",
     * "input_tokens", "output_tokens", "by_model": [{provider, model, usd, calls, unpriced_calls,
     * input_tokens, output_tokens}]}}.
     */
    public Map<String, Object> toMap() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("usd", json(usd));
      out.put("currency", GenAiPriceTable.CURRENCY);
      out.put("priced_calls", pricedCalls);
      out.put("unpriced_calls", unpricedCalls);
      out.put("input_tokens", inputTokens);
      out.put("output_tokens", outputTokens);
      List<Map<String, Object>> models = new ArrayList<>();
      for (ModelCost model : byModel) {
        models.add(model.toMap());
      }
      out.put("by_model", models);
      return out;
    }
  }

  /**
   * The calls of one provider and model.
   *
   * @param provider the {@code gen_ai.provider.name}, null when the spans do not say
   * @param model the response model, else the request model; null when the spans do not say
   * @param usd what its priced calls cost
   * @param calls its calls, priced or not
   * @param unpricedCalls those of them without a price
   * @param inputTokens their input tokens
   * @param outputTokens their output tokens
   */
  public record ModelCost(
      String provider,
      String model,
      BigDecimal usd,
      int calls,
      int unpricedCalls,
      long inputTokens,
      long outputTokens) {

    /** The API's shape. */
    public Map<String, Object> toMap() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("provider", provider);
      out.put("model", model);
      out.put("usd", json(usd));
      out.put("calls", calls);
      out.put("unpriced_calls", unpricedCalls);
      out.put("input_tokens", inputTokens);
      out.put("output_tokens", outputTokens);
      return out;
    }
  }

  /** No trailing zeros and never an exponent above zero ({@code 6E+1}), so JSON shows 60. */
  static BigDecimal json(BigDecimal usd) {
    BigDecimal stripped = usd.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }
}
