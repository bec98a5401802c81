package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.otel.GenAiPriceTable.ModelPrice;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GenAiPriceTableTest {
  private static final Instant MID_2025 = Instant.parse("2025-06-01T12:00:00Z");

  @TempDir Path work;

  /** A table of {@code entries}, each a JSON object's fields. */
  private static String table(String version, String... entries) {
    StringBuilder json =
        new StringBuilder("{\"version\":\"" + version + "\",\"currency\":\"USD\",\"prices\":[");
    for (int i = 0; i < entries.length; i++) {
      json.append(i == 0 ? "" : ",").append('{').append(entries[i]).append('}');
    }
    return json.append("]}").toString();
  }

  private static String entry(String provider, String model, String from, String in, String out) {
    return "\"provider\":\""
        + provider
        + "\",\"model\":\""
        + model
        + "\",\"effective_from\":\""
        + from
        + "\",\"input_per_million\":"
        + in
        + ",\"output_per_million\":"
        + out;
  }

  @Test
  void theBundledTableHasWellKnownModelsAndSaysWhereItsPricesComeFrom() {
    GenAiPriceTable bundled = GenAiPriceTable.bundled();

    assertThat(bundled.version()).isEqualTo("2025-07-01");
    assertThat(bundled.source().orElseThrow())
        .contains("2025-07-01")
        .contains("https://openai.com/api/pricing/")
        .contains("https://docs.anthropic.com/en/docs/about-claude/pricing")
        .contains("https://ai.google.dev/gemini-api/docs/pricing");
    ModelPrice gpt4o = bundled.price("openai", "gpt-4o", MID_2025).orElseThrow();
    assertThat(gpt4o.inputPerMillion()).isEqualByComparingTo("2.50");
    assertThat(gpt4o.outputPerMillion()).isEqualByComparingTo("10.00");
    assertThat(gpt4o.cachedInputPerMillion()).isEqualByComparingTo("1.25");
    assertThat(bundled.price("openai", "gpt-4o-2024-08-06", MID_2025)).contains(gpt4o);
    assertThat(bundled.price("openai", "gpt-4o-mini", MID_2025).orElseThrow().inputPerMillion())
        .isEqualByComparingTo("0.15");
    assertThat(
            bundled.price("anthropic", "claude-3-5-sonnet-latest", MID_2025).orElseThrow().model())
        .isEqualTo("claude-3-5-sonnet-20241022");
    assertThat(
            bundled
                .price("gcp.gemini", "gemini-2.0-flash", MID_2025)
                .orElseThrow()
                .outputPerMillion())
        .isEqualByComparingTo("0.40");
    // gpt-4o cost more before the alias moved to the 2024-08-06 snapshot
    assertThat(
            bundled
                .price("openai", "gpt-4o", Instant.parse("2024-06-01T00:00:00Z"))
                .orElseThrow()
                .inputPerMillion())
        .isEqualByComparingTo("5.00");
    assertThat(bundled).isSameAs(GenAiPriceTable.bundled());
    assertThat(bundled.toString()).isEqualTo("GenAiPriceTable{version=2025-07-01, entries=14}");
  }

  @Test
  void aPriceChangeMidwayAppliesFromItsDateAtMidnightUtc() {
    GenAiPriceTable prices =
        GenAiPriceTable.parse(
            table(
                "v1",
                entry("openai", "gpt-x", "2025-03-01", "0.50", "1.00"),
                entry("openai", "gpt-x", "2025-01-01", "1.00", "2.00")));

    assertThat(prices.price("openai", "gpt-x", Instant.parse("2024-12-31T23:59:59Z"))).isEmpty();
    assertThat(
            prices
                .price("openai", "gpt-x", Instant.parse("2025-01-01T00:00:00Z"))
                .orElseThrow()
                .inputPerMillion())
        .isEqualByComparingTo("1.00");
    assertThat(
            prices
                .price("openai", "gpt-x", Instant.parse("2025-02-28T23:59:59.999Z"))
                .orElseThrow()
                .inputPerMillion())
        .isEqualByComparingTo("1.00");
    ModelPrice later =
        prices.price("openai", "gpt-x", Instant.parse("2025-03-01T00:00:00Z")).orElseThrow();
    assertThat(later.effectiveFrom()).isEqualTo(LocalDate.of(2025, 3, 1));
    assertThat(later.outputPerMillion()).isEqualByComparingTo("1.00");
    // a call on either side of the change
    assertThat(
            prices.cost(
                "openai", null, "gpt-x", Instant.parse("2025-02-01T00:00:00Z"), 1_000, 1_000))
        .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("0.003"));
    assertThat(
            prices.cost(
                "openai", null, "gpt-x", Instant.parse("2025-04-01T00:00:00Z"), 1_000, 1_000))
        .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("0.0015"));
    assertThat(prices.entries())
        .extracting(ModelPrice::effectiveFrom)
        .containsExactly(LocalDate.of(2025, 1, 1), LocalDate.of(2025, 3, 1));
  }

  @Test
  void costsAreExactSoSumsDoNotDrift() {
    ModelPrice mini =
        GenAiPriceTable.parse(table("v1", entry("openai", "mini", "2025-01-01", "0.15", "0.60")))
            .price("openai", "mini", MID_2025)
            .orElseThrow();

    assertThat(mini.cost(1, 0)).isEqualTo(new BigDecimal("0.00000015"));
    assertThat(mini.cost(1_000_000, 1_000_000)).isEqualByComparingTo("0.75");
    BigDecimal exact = BigDecimal.ZERO;
    double floating = 0;
    for (int i = 0; i < 100_000; i++) {
      BigDecimal one = mini.cost(7, 3); // 0.00000285
      exact = exact.add(one);
      floating += one.doubleValue();
    }
    assertThat(exact).isEqualByComparingTo("0.285");
    assertThat(floating).as("what a double sum would have said").isNotEqualTo(0.285);
  }

  @Test
  void cachedInputTokensCostTheCachedRateOrElseTheInputRate() {
    GenAiPriceTable prices =
        GenAiPriceTable.parse(
            table(
                "v1",
                entry("openai", "cached", "2025-01-01", "2.00", "8.00")
                    + ",\"cached_input_per_million\":0.50",
                entry("openai", "plain", "2025-01-01", "2.00", "8.00")));

    ModelPrice cached = prices.price("openai", "cached", MID_2025).orElseThrow();
    ModelPrice plain = prices.price("openai", "plain", MID_2025).orElseThrow();
    // 600k fresh input at 2.00, 400k cached at 0.50, 100k output at 8.00
    assertThat(cached.cost(1_000_000, 100_000, 400_000)).isEqualByComparingTo("2.2");
    assertThat(plain.cachedInputPerMillion()).isNull();
    assertThat(plain.cost(1_000_000, 100_000, 400_000)).isEqualByComparingTo("2.8");
    assertThatThrownBy(() -> cached.cost(10, 0, 11))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("cachedInputTokens (11) must not exceed inputTokens (10)");
    assertThatThrownBy(() -> cached.cost(-1, 0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputTokens must not be negative, got -1");
    assertThatThrownBy(() -> prices.cost("openai", "plain", null, MID_2025, 1, -2))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("outputTokens must not be negative, got -2");
  }

  @Test
  void anUnknownModelIsUnpricedNeverGuessedByPrefixOrCase() {
    GenAiPriceTable bundled = GenAiPriceTable.bundled();

    assertThat(bundled.price("openai", "gpt-4o-2099-01-01", MID_2025)).isEmpty();
    assertThat(bundled.price("openai", "GPT-4o", MID_2025)).isEmpty();
    assertThat(bundled.price("openai", "gpt-4", MID_2025)).isEmpty();
    assertThat(bundled.price("openai", "my-finetune", MID_2025)).isEmpty();
    assertThat(bundled.price("azure.ai.openai", "gpt-4o", MID_2025)).isEmpty();
    assertThat(bundled.price(null, "gpt-4o", MID_2025)).isEmpty();
    assertThat(bundled.price("openai", null, MID_2025)).isEmpty();
    assertThat(bundled.cost("openai", "my-finetune", null, MID_2025, 10, 10)).isEmpty();
    assertThatThrownBy(() -> bundled.price("openai", "gpt-4o", null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("at must not be null");
  }

  @Test
  void theResponseModelIsPricedFirstThenTheRequestModel() {
    GenAiPriceTable bundled = GenAiPriceTable.bundled();

    assertThat(
            bundled
                .price("openai", "gpt-4o-mini-2024-07-18", "gpt-4o", MID_2025)
                .orElseThrow()
                .model())
        .isEqualTo("gpt-4o-mini");
    assertThat(
            bundled.price("openai", "gpt-4o-2099-01-01", "gpt-4o", MID_2025).orElseThrow().model())
        .isEqualTo("gpt-4o");
    assertThat(bundled.price("openai", "unknown-a", "unknown-b", MID_2025)).isEmpty();
  }

  @Test
  void overridesReplaceAModelsEntriesAndAddOtherModels() throws Exception {
    Path file = work.resolve("prices.json");
    Files.writeString(
        file,
        table(
            "acme-2025-08",
            entry("openai", "gpt-4o", "2020-01-01", "1.00", "4.00")
                + ",\"aliases\":[\"gpt-4o-acme\"]",
            entry("acme", "acme-1", "2025-01-01", "0.01", "0.02")));

    GenAiPriceTable merged = GenAiPriceTable.bundled().withOverrides(GenAiPriceTable.parse(file));

    assertThat(merged.version()).isEqualTo("2025-07-01+acme-2025-08");
    // the user's gpt-4o replaces every bundled gpt-4o entry, dates and aliases
    assertThat(merged.price("openai", "gpt-4o", MID_2025).orElseThrow().inputPerMillion())
        .isEqualByComparingTo("1.00");
    assertThat(merged.price("openai", "gpt-4o-acme", MID_2025)).isPresent();
    assertThat(merged.price("openai", "gpt-4o-2024-08-06", MID_2025)).isEmpty();
    assertThat(merged.price("acme", "acme-1", MID_2025).orElseThrow().outputPerMillion())
        .isEqualByComparingTo("0.02");
    assertThat(merged.price("openai", "gpt-4o-mini", MID_2025).orElseThrow().inputPerMillion())
        .isEqualByComparingTo("0.15");
    assertThat(merged.entries()).hasSize(GenAiPriceTable.bundled().entries().size() - 2 + 2);
    assertThat(merged.source()).isEqualTo(GenAiPriceTable.bundled().source());
  }

  @Test
  void anOverrideWhoseAliasNamesABundledModelIsRefused() {
    GenAiPriceTable mine =
        GenAiPriceTable.parse(
            table(
                "mine",
                entry("openai", "gpt-4o-custom", "2025-01-01", "1", "1")
                    + ",\"aliases\":[\"gpt-4o-mini-2024-07-18\"]"));

    assertThatThrownBy(() -> GenAiPriceTable.bundled().withOverrides(mine))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the overrides (version mine) conflict with the table (version 2025-07-01): alias"
                + " \"gpt-4o-mini-2024-07-18\" of openai gpt-4o-mini already names gpt-4o-custom");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "not JSON | {\"version\": | price table is not valid JSON: Unexpected end-of-input"
            + " within/between Object entries (line 1, column 12)",
        "not an object | [] | price table must be a JSON object, got []",
        "missing version | {\"currency\":\"USD\",\"prices\":[]} | version is required",
        "other currency | {\"version\":\"v\",\"currency\":\"EUR\",\"prices\":[]} | currency must be"
            + " USD, got \"EUR\"",
        "no prices | {\"version\":\"v\",\"currency\":\"USD\"} | prices must be an array of entries,"
            + " got none",
        "unknown field | {\"version\":\"v\",\"currency\":\"USD\",\"prices\":[],\"extra\":1} |"
            + " \"extra\" is not a field of a price table; the fields are currency, prices, source,"
            + " version",
        "duplicate JSON key | {\"version\":\"v\",\"version\":\"w\"} | price table is not valid"
            + " JSON: Duplicate field 'version' (line 1, column 25)",
      })
  void aBadTableIsRefusedNamingTheFieldAndTheValue(String what, String json, String message) {
    assertThatThrownBy(() -> GenAiPriceTable.parse(json))
        .as(what)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "negative price | \"provider\":\"openai\",\"model\":\"m\",\"effective_from\":\"2025-01-01\","
            + "\"input_per_million\":-0.5,\"output_per_million\":1 |"
            + " prices[0].input_per_million must not be negative, got -0.5",
        "negative cached price | \"provider\":\"openai\",\"model\":\"m\","
            + "\"effective_from\":\"2025-01-01\",\"input_per_million\":1,\"output_per_million\":1,"
            + "\"cached_input_per_million\":-2 |"
            + " prices[0].cached_input_per_million must not be negative, got -2",
        "price as text | \"provider\":\"openai\",\"model\":\"m\",\"effective_from\":\"2025-01-01\","
            + "\"input_per_million\":\"2.5\",\"output_per_million\":1 |"
            + " prices[0].input_per_million must be a number (USD per million tokens), got \"2.5\"",
        "bad date | \"provider\":\"openai\",\"model\":\"m\",\"effective_from\":\"2025-13-01\","
            + "\"input_per_million\":1,\"output_per_million\":1 |"
            + " prices[0].effective_from must be a date as yyyy-MM-dd, got \"2025-13-01\"",
        "missing model | \"provider\":\"openai\",\"effective_from\":\"2025-01-01\","
            + "\"input_per_million\":1,\"output_per_million\":1 | prices[0].model is required",
        "missing output price | \"provider\":\"openai\",\"model\":\"m\","
            + "\"effective_from\":\"2025-01-01\",\"input_per_million\":1 |"
            + " prices[0].output_per_million is required (USD per million tokens)",
        "blank provider | \"provider\":\" \",\"model\":\"m\",\"effective_from\":\"2025-01-01\","
            + "\"input_per_million\":1,\"output_per_million\":1 |"
            + " prices[0].provider must be a non-blank string, got \" \"",
        "unknown entry field | \"provider\":\"openai\",\"model\":\"m\","
            + "\"effective_from\":\"2025-01-01\",\"input_per_milion\":1,\"output_per_million\":1 |"
            + " prices[0].\"input_per_milion\" is not a field of a price table entry; the fields"
            + " are aliases, cached_input_per_million, effective_from, input_per_million, model,"
            + " note, output_per_million, provider",
        "alias not a name | \"provider\":\"openai\",\"model\":\"m\","
            + "\"effective_from\":\"2025-01-01\",\"input_per_million\":1,\"output_per_million\":1,"
            + "\"aliases\":[\"m-1\",3] | prices[0].aliases[1] must be a model name, got 3",
      })
  void aBadEntryIsRefusedNamingTheFieldAndTheValue(String what, String entry, String message) {
    String json = table("v", entry);
    assertThatThrownBy(() -> GenAiPriceTable.parse(json))
        .as(what)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void twoEntriesOfOneModelAndDateAreADuplicate() {
    String json =
        table(
            "v",
            entry("openai", "a", "2025-01-01", "1", "1"),
            entry("openai", "b", "2025-01-01", "1", "1"),
            entry("openai", "a", "2025-01-01", "2", "2"));

    assertThatThrownBy(() -> GenAiPriceTable.parse(json))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "prices[2] duplicates prices[0]: provider \"openai\", model \"a\", effective_from"
                + " 2025-01-01");
  }

  @Test
  void anAliasMayNameOnlyOneModel() {
    String twoModels =
        table(
            "v",
            entry("openai", "a", "2025-01-01", "1", "1") + ",\"aliases\":[\"latest\"]",
            entry("openai", "b", "2025-01-01", "1", "1") + ",\"aliases\":[\"latest\"]");
    String aModel =
        table(
            "v",
            entry("openai", "a", "2025-01-01", "1", "1") + ",\"aliases\":[\"b\"]",
            entry("openai", "b", "2025-01-01", "1", "1"));

    assertThatThrownBy(() -> GenAiPriceTable.parse(twoModels))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("alias \"latest\" of openai b already names a");
    assertThatThrownBy(() -> GenAiPriceTable.parse(aModel))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("alias \"b\" of openai a is itself a model of the table");
    // the same alias under another provider is another name
    assertThat(
            GenAiPriceTable.parse(
                    table(
                        "v",
                        entry("openai", "a", "2025-01-01", "1", "1") + ",\"aliases\":[\"x\"]",
                        entry("aws.bedrock", "a", "2025-01-01", "2", "2") + ",\"aliases\":[\"x\"]"))
                .price("aws.bedrock", "x", MID_2025)
                .orElseThrow()
                .inputPerMillion())
        .isEqualByComparingTo("2");
  }

  @Test
  void aFileThatIsWrongIsNamedInTheErrorAndAMissingOneIsAnIoError() throws Exception {
    Path file = work.resolve("bad.json");
    Files.writeString(file, table("v", entry("openai", "m", "2025-1-1", "1", "1")));

    assertThatThrownBy(() -> GenAiPriceTable.parse(file))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            file + ": prices[0].effective_from must be a date as yyyy-MM-dd, got \"2025-1-1\"");
    assertThatThrownBy(() -> GenAiPriceTable.parse(work.resolve("missing.json")))
        .isInstanceOf(NoSuchFileException.class);
    GenAiPriceTable fromStream =
        GenAiPriceTable.parse(
            new ByteArrayInputStream(
                table("s", entry("openai", "m", "2025-01-01", "1", "1"))
                    .getBytes(StandardCharsets.UTF_8)));
    assertThat(fromStream.entries()).extracting(ModelPrice::model).isEqualTo(List.of("m"));
  }
}
