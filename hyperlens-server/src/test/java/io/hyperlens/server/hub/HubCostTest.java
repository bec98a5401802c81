package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.otel.GenAiPriceTable;
import io.hyperlens.server.cli.HyperlensCommand;
import io.hyperlens.store.SqliteStore;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The cost of GenAI calls per trace and per session, over OTLP and HTTP as an agent and a reader
 * see it: spans priced by their sender, priced by the hub, and unpriced.
 */
class HubCostTest {
  private static final Instant JUNE_2025 = Instant.parse("2025-06-01T12:00:00Z");

  /** The hub's own prices laid over the bundled table, as {@code serve --prices} does. */
  private static final String ACME_PRICES =
      "{\"version\":\"acme-1\",\"currency\":\"USD\",\"prices\":[{\"provider\":\"acme\","
          + "\"model\":\"acme-1\",\"effective_from\":\"2025-01-01\",\"input_per_million\":0.01,"
          + "\"output_per_million\":0.02}]}";

  @TempDir Path data;
  private final HttpClient http = HttpClient.newHttpClient();
  private Hub hub;
  private String key;
  private HubClient client;

  @BeforeEach
  void start() {
    hub =
        Hub.start(
            HubConfig.defaults(data)
                .withPort(0)
                .withPrices(
                    GenAiPriceTable.bundled().withOverrides(GenAiPriceTable.parse(ACME_PRICES))),
            SqliteStore.open(data));
    key = hub.initialAdminKey().orElseThrow();
    client = new HubClient(hub.uri(), key);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** Sends spans made by {@code work} over OTLP/HTTP with the SDK's own exporter. */
  private void otlp(Consumer<Tracer> work) {
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(hub.uri() + "/v1/traces")
            .addHeader("Authorization", "Bearer " + key)
            .build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "agents")))
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    work.accept(provider.get("cost-test"));
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  /** A finished child of {@code parent} with {@code attributes}, started in June 2025. */
  private static void child(Tracer tracer, Span parent, String name, Map<String, Object> attrs) {
    Span span =
        tracer
            .spanBuilder(name)
            .setParent(Context.root().with(parent))
            .setStartTimestamp(JUNE_2025)
            .startSpan();
    attrs.forEach(
        (k, v) -> {
          if (v instanceof Long) {
            span.setAttribute(k, (Long) v);
          } else if (v instanceof Double) {
            span.setAttribute(k, (Double) v);
          } else {
            span.setAttribute(k, (String) v);
          }
        });
    span.end(JUNE_2025.plusSeconds(1));
  }

  private static Map<String, Object> chat(
      String provider, String model, long in, long out, String session) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("gen_ai.operation.name", "chat");
    attrs.put("gen_ai.provider.name", provider);
    attrs.put("gen_ai.request.model", model);
    attrs.put("gen_ai.usage.input_tokens", in);
    attrs.put("gen_ai.usage.output_tokens", out);
    if (session != null) {
      attrs.put("session.id", session);
    }
    return attrs;
  }

  /** Two traces of session s-cost, the first also with a call of no session; their trace ids. */
  private String[] ingest() {
    assertThat(
            client
                .post(
                    "/v1/events",
                    "application/json",
                    "[" + HubClient.event("e-cost", "session.created", "s-cost") + "]")
                .status())
        .isEqualTo(200);
    String[] ids = new String[2];
    otlp(
        tracer -> {
          Span root =
              tracer
                  .spanBuilder("invoke_agent researcher")
                  .setStartTimestamp(JUNE_2025)
                  .startSpan();
          root.setAttribute("session.id", "s-cost"); // no usage: not a call
          Map<String, Object> answered = chat("openai", "gpt-4o", 1_000, 500, "s-cost");
          answered.put("gen_ai.response.model", "gpt-4o-2024-08-06"); // 0.0025 + 0.005
          child(tracer, root, "chat gpt-4o", answered);
          child(
              tracer, root, "chat acme-1", chat("acme", "acme-1", 1_000_000, 1_000_000, "s-cost"));
          child(tracer, root, "chat my-finetune", chat("openai", "my-finetune", 10, 10, "s-cost"));
          Map<String, Object> pricedBySender = chat("openai", "gpt-4o-mini", 5, 5, "s-cost");
          pricedBySender.put("hyperlens.genai.cost.usd", 0.125); // its own price wins
          child(tracer, root, "chat gpt-4o-mini", pricedBySender);
          Map<String, Object> olderConventions = chat(null, "gpt-4o-mini", 1_000_000, 0, null);
          olderConventions.remove("gen_ai.provider.name");
          olderConventions.put("gen_ai.system", "openai"); // 0.15, and in no session
          child(tracer, root, "chat gpt-4o-mini (semconv 1.36)", olderConventions);
          child(tracer, root, "execute_tool search", Map.of("gen_ai.tool.name", "search"));
          root.end(JUNE_2025.plusSeconds(5));
          ids[0] = root.getSpanContext().getTraceId();
        });
    otlp(
        tracer -> {
          Span root = tracer.spanBuilder("follow-up").setStartTimestamp(JUNE_2025).startSpan();
          child(
              tracer,
              root,
              "chat gpt-4o-mini",
              chat("openai", "gpt-4o-mini", 2_000, 1_000, "s-cost"));
          root.end(JUNE_2025.plusSeconds(2));
          ids[1] = root.getSpanContext().getTraceId();
        });
    return ids;
  }

  private static JsonNode model(JsonNode cost, String model) {
    for (JsonNode entry : cost.get("by_model")) {
      if (entry.get("model").asText().equals(model)) {
        return entry;
      }
    }
    throw new AssertionError("no " + model + " in " + cost);
  }

  @Test
  void aTracesCostCountsSenderPricedHubPricedAndUnpricedCalls() {
    String[] ids = ingest();

    HubClient.Answer answer = client.get("/api/traces/" + ids[0]);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode cost = answer.json().get("cost");
    // 0.0075 (hub, bundled) + 0.03 (hub, --prices) + 0.125 (sender) + 0.15 (hub, gen_ai.system)
    assertThat(new BigDecimal(cost.get("usd").asText())).isEqualByComparingTo("0.3125");
    assertThat(answer.body()).contains("\"usd\":0.3125,\"currency\":\"USD\"");
    assertThat(cost.get("currency").asText()).isEqualTo("USD");
    assertThat(cost.get("priced_calls").asInt()).isEqualTo(4);
    assertThat(cost.get("unpriced_calls").asInt()).isEqualTo(1);
    assertThat(cost.get("input_tokens").asLong()).isEqualTo(2_001_015);
    assertThat(cost.get("output_tokens").asLong()).isEqualTo(1_000_515);
    assertThat(cost.get("by_model")).hasSize(4);
    JsonNode gpt4o = model(cost, "gpt-4o-2024-08-06");
    assertThat(gpt4o.get("provider").asText()).isEqualTo("openai");
    assertThat(gpt4o.get("usd").asText()).isEqualTo("0.0075");
    assertThat(gpt4o.get("calls").asInt()).isEqualTo(1);
    assertThat(gpt4o.get("input_tokens").asLong()).isEqualTo(1_000);
    assertThat(gpt4o.get("output_tokens").asLong()).isEqualTo(500);
    assertThat(model(cost, "acme-1").get("usd").asText()).isEqualTo("0.03");
    JsonNode unpriced = model(cost, "my-finetune");
    assertThat(unpriced.get("usd").asText()).isEqualTo("0");
    assertThat(unpriced.get("unpriced_calls").asInt()).isEqualTo(1);
    assertThat(unpriced.get("calls").asInt()).isEqualTo(1);
    // a page of spans still gives the whole trace's cost
    assertThat(
            client
                .get("/api/traces/" + ids[0] + "?span_limit=1")
                .json()
                .get("cost")
                .get("usd")
                .asText())
        .isEqualTo("0.3125");

    HubClient.Answer traces = client.get("/api/traces?session=s-cost");
    Map<String, BigDecimal> costs = new HashMap<>();
    traces
        .json()
        .get("traces")
        .forEach(t -> costs.put(t.get("trace_id").asText(), t.get("cost_usd").decimalValue()));
    assertThat(costs.get(ids[0])).isEqualByComparingTo("0.3125");
    assertThat(costs.get(ids[1])).isEqualByComparingTo("0.0009");
    assertThat(traces.body()).contains("\"cost_usd\":0.0009}");
  }

  @Test
  void aSessionsCostCountsTheSpansThatCarryItsSessionIdAcrossItsTraces() {
    ingest();

    HubClient.Answer answer = client.get("/api/sessions/s-cost");
    assertThat(answer.status()).isEqualTo(200);
    JsonNode cost = answer.json().get("cost");
    // 0.0075 + 0.03 + 0.125 in the first trace (not the call without session.id), 0.0009 in the
    // second
    assertThat(cost.get("usd").asText()).isEqualTo("0.1634");
    assertThat(cost.get("priced_calls").asInt()).isEqualTo(4);
    assertThat(cost.get("unpriced_calls").asInt()).isEqualTo(1);
    assertThat(cost.get("input_tokens").asLong()).isEqualTo(1_003_015);
    assertThat(cost.get("traces").asInt()).isEqualTo(2);
    assertThat(cost.get("truncated").asBoolean()).isFalse();
    assertThat(model(cost, "gpt-4o-mini").get("calls").asInt()).isEqualTo(2);
    assertThat(model(cost, "gpt-4o-mini").get("usd").asText()).isEqualTo("0.1259");

    client.post(
        "/v1/events",
        "application/json",
        "[" + HubClient.event("e-idle", "session.created", "s-idle") + "]");
    JsonNode idle = client.get("/api/sessions/s-idle").json().get("cost");
    assertThat(idle.get("usd").asText()).isEqualTo("0");
    assertThat(idle.get("priced_calls").asInt()).isZero();
    assertThat(idle.get("by_model")).isEmpty();
  }

  @Test
  void theTraceAndSessionPagesShowTheCost() throws Exception {
    String[] ids = ingest();
    HttpResponse<String> login =
        http.send(
            HttpRequest.newBuilder(URI.create(hub.uri() + "/ui/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

    String trace = page("/ui/traces/" + ids[0], cookie);
    assertThat(trace)
        .contains("GenAI cost <span id=\"cost-usd\">$0.3125</span>")
        .contains("<strong>$0.3125</strong> for 4 priced GenAI call(s)")
        .contains("<span class=\"kind alert\" id=\"cost-unpriced\">1 unpriced")
        .contains("2,001,015 input and 1,000,515 output tokens")
        .contains("<td>acme</td><td>acme-1</td><td class=\"num\">1</td>")
        .contains("<td>openai</td><td>my-finetune</td><td class=\"num\">1</td>")
        .contains("<span class=\"kind alert\">unpriced</span>");

    String session = page("/ui/sessions/s-cost", cookie);
    assertThat(session)
        .contains("<section id=\"session-cost\"><h2>Cost</h2>")
        .contains("<strong>$0.1634</strong> for 4 priced GenAI call(s)")
        .contains("<td>openai</td><td>gpt-4o-mini</td><td class=\"num\">2</td>");

    String traces = page("/ui/traces", cookie);
    assertThat(traces)
        .contains("<th scope=\"col\">Cost</th>")
        .contains("<td class=\"num\">$0.3125</td>");
  }

  /** The body of the UI page at {@code path}, signed in with {@code cookie}. */
  private String page(String path, String cookie) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(hub.uri() + path)).header("Cookie", cookie).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void serveRefusesABadPriceFileNamingTheFieldAndTheValue() throws Exception {
    Path file = data.resolve("prices.json");
    Files.writeString(
        file,
        "{\"version\":\"mine\",\"currency\":\"USD\",\"prices\":[{\"provider\":\"openai\","
            + "\"model\":\"gpt-4o\",\"effective_from\":\"2025-01-01\","
            + "\"input_per_million\":-1,\"output_per_million\":10}]}");
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new HyperlensCommand())
            .setOut(new PrintWriter(new StringWriter(), true))
            .setErr(new PrintWriter(err, true))
            .execute("serve", "--data", data.resolve("d").toString(), "--prices", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains(file + ": prices[0].input_per_million must not be negative, got -1");
    assertThat(
            new CommandLine(new HyperlensCommand())
                .setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true))
                .execute("serve", "--prices", data.resolve("missing.json").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no such file: " + data.resolve("missing.json"));
  }
}
