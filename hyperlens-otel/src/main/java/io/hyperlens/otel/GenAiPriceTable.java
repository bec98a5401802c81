package io.hyperlens.otel;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A versioned table of GenAI model prices in USD per million tokens, by {@code
 * gen_ai.provider.name} and model, each price in force from its {@code effective_from} date (00:00
 * UTC) until a later entry of the same provider and model; what turns token usage into cost.
 *
 * <p>{@link #bundled()} is the table shipped in this jar ({@value #BUNDLED_RESOURCE}: public list
 * prices, its {@code source} says from where and when). {@link #parse(Path)} reads a table of one's
 * own in the same JSON shape, and {@link #withOverrides} lays it over another:
 *
 * <pre>{@code
 * {
 *   "version": "acme-2025-08",
 *   "currency": "USD",
 *   "prices": [
 *     {"provider": "openai", "model": "gpt-4o", "effective_from": "2025-08-01",
 *      "input_per_million": 2.00, "output_per_million": 8.00, "cached_input_per_million": 1.00,
 *      "aliases": ["gpt-4o-2024-08-06"]}
 *   ]
 * }
 * }</pre>
 *
 * <p>Models match by exact name, or by an alias an entry lists explicitly (a dated snapshot name,
 * say): an unknown model has no price, never a guessed one. Prices and costs are {@link BigDecimal}
 * and a cost is exact ({@code tokens × price / 1,000,000} with no rounding), so costs summed over
 * many calls do not drift.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * GenAiPriceTable prices =
 *     GenAiPriceTable.bundled().withOverrides(GenAiPriceTable.parse(Path.of("prices.json")));
 * Optional<BigDecimal> usd =
 *     prices.cost("openai", "gpt-4o-2024-08-06", "gpt-4o", Instant.now(), 1_200, 300);
 * }</pre>
 */
public final class GenAiPriceTable {
  /** The only currency a table may be in. */
  public static final String CURRENCY = "USD";

  /** The classpath resource of {@link #bundled()}. */
  public static final String BUNDLED_RESOURCE = "/io/hyperlens/otel/genai-prices.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final Set<String> TABLE_FIELDS = Set.of("version", "currency", "source", "prices");

  private static final Set<String> ENTRY_FIELDS =
      Set.of(
          "provider",
          "model",
          "effective_from",
          "input_per_million",
          "output_per_million",
          "cached_input_per_million",
          "aliases",
          "note");

  private final String version;
  private final String source;
  private final List<ModelPrice> entries;

  /** provider → model → its entries, oldest first. */
  private final Map<String, Map<String, List<ModelPrice>>> byModel;

  /** provider → alias → the model it names. */
  private final Map<String, Map<String, String>> aliases;

  private GenAiPriceTable(String version, String source, List<ModelPrice> entries) {
    this.version = version;
    this.source = source;
    List<ModelPrice> sorted = new ArrayList<>(entries);
    sorted.sort(
        Comparator.comparing(ModelPrice::provider)
            .thenComparing(ModelPrice::model)
            .thenComparing(ModelPrice::effectiveFrom));
    this.entries = List.copyOf(sorted);
    Map<String, Map<String, List<ModelPrice>>> models = new HashMap<>();
    Map<String, Map<String, String>> names = new HashMap<>();
    for (ModelPrice entry : this.entries) {
      models
          .computeIfAbsent(entry.provider(), p -> new HashMap<>())
          .computeIfAbsent(entry.model(), m -> new ArrayList<>())
          .add(entry);
    }
    for (ModelPrice entry : this.entries) {
      Map<String, List<ModelPrice>> ofProvider = models.get(entry.provider());
      Map<String, String> aliasesOfProvider =
          names.computeIfAbsent(entry.provider(), p -> new HashMap<>());
      for (String alias : entry.aliases()) {
        if (ofProvider.containsKey(alias)) {
          throw new IllegalArgumentException(
              "alias "
                  + TracingConfig.quote(alias)
                  + " of "
                  + entry.provider()
                  + " "
                  + entry.model()
                  + " is itself a model of the table");
        }
        String before = aliasesOfProvider.putIfAbsent(alias, entry.model());
        if (before != null && !before.equals(entry.model())) {
          throw new IllegalArgumentException(
              "alias "
                  + TracingConfig.quote(alias)
                  + " of "
                  + entry.provider()
                  + " "
                  + entry.model()
                  + " already names "
                  + before);
        }
      }
    }
    models.replaceAll((p, m) -> Map.copyOf(m));
    names.replaceAll((p, m) -> Map.copyOf(m));
    this.byModel = Map.copyOf(models);
    this.aliases = Map.copyOf(names);
  }

  /**
   * The table shipped in this jar ({@value #BUNDLED_RESOURCE}): public list prices of well-known
   * OpenAI, Anthropic and Gemini models; its {@link #source()} says where they come from and when.
   */
  public static GenAiPriceTable bundled() {
    return Bundled.TABLE;
  }

  /** Loaded once, on first use. */
  private static final class Bundled {
    static final GenAiPriceTable TABLE = load();

    private static GenAiPriceTable load() {
      try (InputStream in = GenAiPriceTable.class.getResourceAsStream(BUNDLED_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "the bundled price table is missing: " + BUNDLED_RESOURCE);
        }
        return parse(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the bundled price table", e);
      }
    }
  }

  /**
   * A table from a JSON file; errors name the file, the field and the value.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when it is not a valid price table
   */
  public static GenAiPriceTable parse(Path file) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    String text = Files.readString(file);
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A table from a JSON stream (read to its end, not closed).
   *
   * @throws IOException when the stream cannot be read
   * @throws IllegalArgumentException when it is not a valid price table
   */
  public static GenAiPriceTable parse(InputStream json) throws IOException {
    if (json == null) {
      throw new IllegalArgumentException("json must not be null");
    }
    return parse(new String(json.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * A table from JSON text.
   *
   * @throws IllegalArgumentException naming the field and the value when it is not a valid price
   *     table: not JSON, a field missing, unknown or of the wrong type, a negative price, a date
   *     not {@code yyyy-MM-dd}, a currency other than USD, two entries of one provider, model and
   *     date, or an alias naming two models
   */
  public static GenAiPriceTable parse(String json) {
    if (json == null) {
      throw new IllegalArgumentException("json must not be null");
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "price table is not valid JSON: " + e.getOriginalMessage() + location(e), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          "price table must be a JSON object, got " + (root == null ? "nothing" : root.toString()));
    }
    knownFields(root, TABLE_FIELDS, "");
    String version = text(root, "version", "version", true);
    String currency = text(root, "currency", "currency", true);
    if (!currency.equals(CURRENCY)) {
      throw new IllegalArgumentException(
          "currency must be " + CURRENCY + ", got " + TracingConfig.quote(currency));
    }
    String source = text(root, "source", "source", false);
    JsonNode prices = root.get("prices");
    if (prices == null || !prices.isArray()) {
      throw new IllegalArgumentException(
          "prices must be an array of entries, got " + (prices == null ? "none" : prices));
    }
    List<ModelPrice> entries = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < prices.size(); i++) {
      ModelPrice entry = entry(prices.get(i), "prices[" + i + "]");
      String key = entry.provider() + " " + entry.model() + " " + entry.effectiveFrom();
      Integer first = seen.putIfAbsent(key, i);
      if (first != null) {
        throw new IllegalArgumentException(
            "prices["
                + i
                + "] duplicates prices["
                + first
                + "]: provider "
                + TracingConfig.quote(entry.provider())
                + ", model "
                + TracingConfig.quote(entry.model())
                + ", effective_from "
                + entry.effectiveFrom());
      }
      entries.add(entry);
    }
    return new GenAiPriceTable(version, source, entries);
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }

  private static ModelPrice entry(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be an object, got " + node);
    }
    knownFields(node, ENTRY_FIELDS, where + ".");
    String provider = text(node, "provider", where + ".provider", true);
    String model = text(node, "model", where + ".model", true);
    String date = text(node, "effective_from", where + ".effective_from", true);
    LocalDate effectiveFrom;
    try {
      effectiveFrom = LocalDate.parse(date);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          where + ".effective_from must be a date as yyyy-MM-dd, got " + TracingConfig.quote(date),
          e);
    }
    BigDecimal input = price(node, "input_per_million", where, true);
    BigDecimal output = price(node, "output_per_million", where, true);
    BigDecimal cached = price(node, "cached_input_per_million", where, false);
    List<String> aliases = new ArrayList<>();
    JsonNode list = node.get("aliases");
    if (list != null) {
      if (!list.isArray()) {
        throw new IllegalArgumentException(
            where + ".aliases must be an array of model names, got " + list);
      }
      for (int i = 0; i < list.size(); i++) {
        JsonNode alias = list.get(i);
        String field = where + ".aliases[" + i + "]";
        if (!alias.isTextual() || alias.asText().isBlank()) {
          throw new IllegalArgumentException(field + " must be a model name, got " + alias);
        }
        if (alias.asText().equals(model) || aliases.contains(alias.asText())) {
          throw new IllegalArgumentException(
              field + " repeats the name " + TracingConfig.quote(alias.asText()));
        }
        aliases.add(alias.asText());
      }
    }
    String note = text(node, "note", where + ".note", false);
    return new ModelPrice(provider, model, effectiveFrom, input, output, cached, aliases, note);
  }

  private static void knownFields(JsonNode node, Set<String> known, String prefix) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(
            prefix
                + TracingConfig.quote(name)
                + " is not a field of a price table"
                + (prefix.isEmpty() ? "" : " entry")
                + "; the fields are "
                + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  private static String text(JsonNode node, String name, String field, boolean required) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      if (required) {
        throw new IllegalArgumentException(field + " is required");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(field + " must be a non-blank string, got " + value);
    }
    return value.asText();
  }

  private static BigDecimal price(JsonNode node, String name, String where, boolean required) {
    String field = where + "." + name;
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      if (required) {
        throw new IllegalArgumentException(field + " is required (USD per million tokens)");
      }
      return null;
    }
    if (!value.isNumber()) {
      throw new IllegalArgumentException(
          field + " must be a number (USD per million tokens), got " + value);
    }
    BigDecimal price = value.decimalValue();
    if (price.signum() < 0) {
      throw new IllegalArgumentException(
          field + " must not be negative, got " + price.toPlainString());
    }
    return price;
  }

  /**
   * This table with {@code overrides} laid over it: for every provider and model {@code overrides}
   * prices, its entries (all their dates and aliases) replace this table's; its other models are
   * added. The version is {@code thisVersion+overridesVersion}.
   *
   * @throws IllegalArgumentException when an alias would then name two models, or a model of one
   *     table is an alias in the other
   */
  public GenAiPriceTable withOverrides(GenAiPriceTable overrides) {
    if (overrides == null) {
      throw new IllegalArgumentException("overrides must not be null");
    }
    List<ModelPrice> merged = new ArrayList<>(overrides.entries);
    for (ModelPrice entry : entries) {
      if (!overrides.byModel.getOrDefault(entry.provider(), Map.of()).containsKey(entry.model())) {
        merged.add(entry);
      }
    }
    try {
      return new GenAiPriceTable(
          version + "+" + overrides.version,
          overrides.source != null ? overrides.source : source,
          merged);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the overrides (version "
              + overrides.version
              + ") conflict with the table (version "
              + version
              + "): "
              + e.getMessage(),
          e);
    }
  }

  /** The table's {@code version}; a table with overrides has {@code base+overrides}. */
  public String version() {
    return version;
  }

  /** Where the prices come from, as the table says; empty when it does not. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** Every entry, by provider, model and date. */
  public List<ModelPrice> entries() {
    return entries;
  }

  /**
   * The price of {@code model} (a model of the table or an alias one of its entries lists) from
   * {@code provider} in force at {@code at}; empty for an unknown provider or model, a null one, or
   * a time before the model's first entry.
   *
   * @throws IllegalArgumentException when {@code at} is null
   */
  public Optional<ModelPrice> price(String provider, String model, Instant at) {
    if (at == null) {
      throw new IllegalArgumentException("at must not be null");
    }
    if (provider == null || model == null) {
      return Optional.empty();
    }
    Map<String, List<ModelPrice>> models = byModel.get(provider);
    if (models == null) {
      return Optional.empty();
    }
    List<ModelPrice> dated = models.get(model);
    if (dated == null) {
      String named = aliases.getOrDefault(provider, Map.of()).get(model);
      if (named == null) {
        return Optional.empty();
      }
      dated = models.get(named);
    }
    ModelPrice found = null;
    for (ModelPrice entry : dated) {
      if (entry.effectiveFrom().atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(at)) {
        break;
      }
      found = entry;
    }
    return Optional.ofNullable(found);
  }

  /**
   * The price of the model that answered ({@code responseModel}, nullable) or, when the table has
   * none for it, of the model asked for ({@code requestModel}, nullable), as {@link #price(String,
   * String, Instant)}.
   */
  public Optional<ModelPrice> price(
      String provider, String responseModel, String requestModel, Instant at) {
    Optional<ModelPrice> answered = price(provider, responseModel, at);
    return answered.isPresent() ? answered : price(provider, requestModel, at);
  }

  /**
   * The exact cost in USD of {@code inputTokens} and {@code outputTokens}, priced as {@link
   * #price(String, String, String, Instant)} finds; empty when unpriced.
   *
   * @throws IllegalArgumentException when a count is negative or {@code at} is null
   */
  public Optional<BigDecimal> cost(
      String provider,
      String responseModel,
      String requestModel,
      Instant at,
      long inputTokens,
      long outputTokens) {
    ModelPrice.requireCounts(inputTokens, outputTokens, 0);
    return price(provider, responseModel, requestModel, at)
        .map(p -> p.cost(inputTokens, outputTokens));
  }

  @Override
  public String toString() {
    return "GenAiPriceTable{version=" + version + ", entries=" + entries.size() + "}";
  }

  /**
   * One entry of a {@link GenAiPriceTable}: a model's prices in USD per million tokens from a date
   * on.
   *
   * @param provider the {@code gen_ai.provider.name}, e.g. {@code openai}
   * @param model the model name, e.g. {@code gpt-4o}
   * @param effectiveFrom in force from this day, 00:00 UTC, until the model's next entry
   * @param inputPerMillion USD per million input tokens
   * @param outputPerMillion USD per million output tokens
   * @param cachedInputPerMillion USD per million input tokens read from the provider's prompt
   *     cache; null when the table gives none, and cached tokens then cost {@code inputPerMillion}
   * @param aliases other names that mean this model, e.g. dated snapshots
   * @param note a remark of the table's, or null
   */
  public record ModelPrice(
      String provider,
      String model,
      LocalDate effectiveFrom,
      BigDecimal inputPerMillion,
      BigDecimal outputPerMillion,
      BigDecimal cachedInputPerMillion,
      List<String> aliases,
      String note) {

    /** Validates and copies. */
    public ModelPrice {
      GenAiOperation.requireNonBlank("provider", provider);
      GenAiOperation.requireNonBlank("model", model);
      if (effectiveFrom == null) {
        throw new IllegalArgumentException("effectiveFrom must not be null");
      }
      requirePrice("inputPerMillion", inputPerMillion);
      requirePrice("outputPerMillion", outputPerMillion);
      if (cachedInputPerMillion != null) {
        requirePrice("cachedInputPerMillion", cachedInputPerMillion);
      }
      aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    private static void requirePrice(String field, BigDecimal price) {
      if (price == null || price.signum() < 0) {
        throw new IllegalArgumentException(
            field
                + " must be a price of 0 or more, got "
                + (price == null ? "null" : price.toPlainString()));
      }
    }

    /**
     * The exact cost in USD of {@code inputTokens} and {@code outputTokens}.
     *
     * @throws IllegalArgumentException when a count is negative
     */
    public BigDecimal cost(long inputTokens, long outputTokens) {
      return cost(inputTokens, outputTokens, 0);
    }

    /**
     * The exact cost in USD of {@code inputTokens}, {@code cachedInputTokens} of them read from the
     * provider's cache (billed at {@link #cachedInputPerMillion} when the table gives it), and
     * {@code outputTokens}.
     *
     * @throws IllegalArgumentException when a count is negative, or more input tokens are cached
     *     than there are input tokens
     */
    public BigDecimal cost(long inputTokens, long outputTokens, long cachedInputTokens) {
      requireCounts(inputTokens, outputTokens, cachedInputTokens);
      if (cachedInputTokens > inputTokens) {
        throw new IllegalArgumentException(
            "cachedInputTokens ("
                + cachedInputTokens
                + ") must not exceed inputTokens ("
                + inputTokens
                + ")");
      }
      BigDecimal cachedRate =
          cachedInputPerMillion == null ? inputPerMillion : cachedInputPerMillion;
      BigDecimal perMillion =
          inputPerMillion
              .multiply(BigDecimal.valueOf(inputTokens - cachedInputTokens))
              .add(cachedRate.multiply(BigDecimal.valueOf(cachedInputTokens)))
              .add(outputPerMillion.multiply(BigDecimal.valueOf(outputTokens)));
      // exact: dividing by a million only moves the decimal point
      return perMillion.movePointLeft(6);
    }

    static void requireCounts(long inputTokens, long outputTokens, long cachedInputTokens) {
      if (inputTokens < 0) {
        throw new IllegalArgumentException("inputTokens must not be negative, got " + inputTokens);
      }
      if (outputTokens < 0) {
        throw new IllegalArgumentException(
            "outputTokens must not be negative, got " + outputTokens);
      }
      if (cachedInputTokens < 0) {
        throw new IllegalArgumentException(
            "cachedInputTokens must not be negative, got " + cachedInputTokens);
      }
    }
  }
}
