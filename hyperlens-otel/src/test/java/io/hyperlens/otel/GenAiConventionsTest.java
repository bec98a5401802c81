package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The deviations from the GenAI conventions an outside check found (issue 22), one per test. */
class GenAiConventionsTest {
  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider provider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  private final GenAiTelemetry genAi = new GenAiTelemetry(tracer, provider);

  @AfterEach
  void close() {
    provider.close();
    tracer.close();
  }

  private SpanData only() {
    return tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0);
  }

  private List<HistogramPointData> points(String metric) {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals(metric))
        .map(MetricData::getHistogramData)
        .flatMap(h -> h.getPoints().stream())
        .toList();
  }

  private GenAiTelemetry capturing(int maxContentLength) {
    return GenAiTelemetry.builder(tracer, provider)
        .captureContent(true)
        .maxContentLength(maxContentLength)
        .build();
  }

  @Test
  void operationsWithoutAProviderNameOrADefaultAreRejectedAtStart() {
    String message =
        "providerName must not be blank, got null: gen_ai.provider.name is required; pass it to"
            + " the entry point (e.g. chat(providerName, requestModel)), call providerName(...)"
            + " before start(), or configure GenAiTelemetry.builder(...).defaultProviderName(...)";
    for (GenAiOperation.Builder builder :
        List.of(
            genAi.chat("gpt-4o"),
            genAi.invokeAgent("researcher"),
            genAi.createAgent("writer"),
            genAi.executeTool("web_search"))) {
      assertThatThrownBy(builder::start)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
    }
    assertThatThrownBy(() -> genAi.chat(null, "gpt-4o"))
        .hasMessage("providerName must not be blank, got null");
    assertThat(tracer.getMetrics().spansFinished()).isZero();
  }

  @Test
  void theProviderNameCanBeGivenOnTheBuilder() {
    genAi.chat("gpt-4o").providerName("openai").start().close();
    genAi.executeTool("web_search").providerName("openai").start().close();

    assertThat(only().attributes()).containsEntry("gen_ai.provider.name", "openai");
    assertThat(points(GenAiTelemetry.OPERATION_DURATION))
        .hasSize(2)
        .allSatisfy(
            p ->
                assertThat(p.getAttributes().get(GenAiAttributes.GEN_AI_PROVIDER_NAME))
                    .isEqualTo("openai"));
  }

  @Test
  void aBlankProviderNameIsRejectedWithItsValue() {
    assertThatThrownBy(() -> genAi.chat(" ", "gpt-4o"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("providerName must not be blank, got \" \"");
    assertThatThrownBy(() -> GenAiTelemetry.builder(tracer, provider).defaultProviderName(""))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("defaultProviderName must not be blank, got \"\"");
  }

  @Test
  void theDefaultProviderNameIsOnTheSpanAndTheMetrics() {
    GenAiTelemetry withDefault =
        GenAiTelemetry.builder(tracer, provider).defaultProviderName("anthropic").build();
    try (GenAiOperation chat = withDefault.chat("claude").start()) {
      chat.usage(3, 4);
    }

    assertThat(only().attributes()).containsEntry("gen_ai.provider.name", "anthropic");
    assertThat(points(GenAiTelemetry.OPERATION_DURATION))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")))
                    .isEqualTo("anthropic"));
    assertThat(points(GenAiTelemetry.TOKEN_USAGE))
        .hasSize(2)
        .allSatisfy(
            p ->
                assertThat(p.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")))
                    .isEqualTo("anthropic"));
  }

  @Test
  void executeToolDurationPointsCarryTheProviderName() {
    genAi.executeTool("openai", "web_search").start().close();

    assertThat(points(GenAiTelemetry.OPERATION_DURATION))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes())
                    .isEqualTo(
                        Attributes.builder()
                            .put("gen_ai.operation.name", "execute_tool")
                            .put("gen_ai.provider.name", "openai")
                            .build()));
  }

  @Test
  void requestSideSettersWriteTheConventionsKeysAndTypes() {
    genAi
        .chat("openai", "gpt-4o")
        .temperature(0.2)
        .topP(0.9)
        .maxTokens(512)
        .server("api.openai.com", 443)
        .start()
        .close();
    genAi
        .executeTool("openai", "web_search")
        .toolType("function")
        .toolDescription("Searches the web")
        .start()
        .close();
    genAi.invokeAgent("openai", "researcher").agentDescription("Finds sources").start().close();

    Map<String, SpanData> byName =
        tracer.recentTraces(10).stream()
            .flatMap(t -> tracer.getTraceSpans(t.traceId()).stream())
            .collect(java.util.stream.Collectors.toMap(SpanData::name, s -> s));
    assertThat(byName.get("chat gpt-4o").attributes())
        .containsEntry("gen_ai.request.temperature", 0.2)
        .containsEntry("gen_ai.request.top_p", 0.9)
        .containsEntry("gen_ai.request.max_tokens", 512L)
        .containsEntry("server.address", "api.openai.com")
        .containsEntry("server.port", 443L);
    assertThat(byName.get("execute_tool web_search").attributes())
        .containsEntry("gen_ai.tool.type", "function")
        .containsEntry("gen_ai.tool.description", "Searches the web");
    assertThat(byName.get("invoke_agent researcher").attributes())
        .containsEntry("gen_ai.agent.description", "Finds sources");
  }

  @Test
  void responseSideSettersWriteTheConventionsKeysAndTypes() {
    try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").start()) {
      chat.responseModel("gpt-4o-2024-08-06")
          .responseId("chatcmpl-1")
          .finishReasons("stop", "length");
    }

    assertThat(only().attributes())
        .containsEntry("gen_ai.response.model", "gpt-4o-2024-08-06")
        .containsEntry("gen_ai.response.id", "chatcmpl-1")
        .containsEntry("gen_ai.response.finish_reasons", List.of("stop", "length"));
  }

  @Test
  void badSetterValuesAreRejectedNamingTheFieldAndValue() {
    GenAiOperation.Builder chat = genAi.chat("openai", "gpt-4o");
    assertThatThrownBy(() -> chat.maxTokens(-1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTokens must not be negative, got -1");
    assertThatThrownBy(() -> chat.server("api.openai.com", 0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("serverPort must be in 1..65535, got 0");
    try (GenAiOperation op = chat.start()) {
      assertThatThrownBy(() -> op.responseModel(""))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("responseModel must not be blank, got \"\"");
      assertThatThrownBy(() -> op.finishReasons("stop", null))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("finishReason must not be blank, got null");
    }
  }

  @Test
  void bothMetricsCarryTheResponseModelAndServer() {
    try (GenAiOperation chat =
        genAi.chat("openai", "gpt-4o").server("api.openai.com", 443).start()) {
      chat.responseModel("gpt-4o-2024-08-06").usage(10, 2);
    }

    Attributes expected =
        Attributes.builder()
            .put("gen_ai.operation.name", "chat")
            .put("gen_ai.provider.name", "openai")
            .put("gen_ai.request.model", "gpt-4o")
            .put("gen_ai.response.model", "gpt-4o-2024-08-06")
            .put("server.address", "api.openai.com")
            .put("server.port", 443L)
            .build();
    assertThat(points(GenAiTelemetry.OPERATION_DURATION))
        .singleElement()
        .satisfies(p -> assertThat(p.getAttributes()).isEqualTo(expected));
    assertThat(points(GenAiTelemetry.TOKEN_USAGE))
        .extracting(HistogramPointData::getAttributes)
        .containsExactlyInAnyOrder(
            expected.toBuilder().put("gen_ai.token.type", "input").build(),
            expected.toBuilder().put("gen_ai.token.type", "output").build());
  }

  @Test
  void contentIsNotCapturedByDefault() {
    try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").start()) {
      chat.systemInstructions(List.of(GenAiMessage.Part.text("Be brief.")))
          .inputMessages(List.of(GenAiMessage.user("Hello")))
          .outputMessages(List.of(GenAiMessage.assistant("Hi", "stop")));
    }

    assertThat(only().attributes())
        .doesNotContainKeys(
            "gen_ai.system_instructions", "gen_ai.input.messages", "gen_ai.output.messages");
  }

  @Test
  void capturedContentIsTheConventionsJson() throws Exception {
    try (GenAiOperation chat = capturing(16_384).chat("openai", "gpt-4o").start()) {
      chat.systemInstructions(List.of(GenAiMessage.Part.text("Be brief.")))
          .inputMessages(
              List.of(
                  GenAiMessage.user("Weather in Paris?"),
                  new GenAiMessage(
                      "assistant",
                      List.of(
                          GenAiMessage.Part.toolCall(
                              "call_1", "get_weather", Map.of("location", "Paris"))),
                      null),
                  new GenAiMessage(
                      "tool",
                      List.of(GenAiMessage.Part.toolCallResponse("call_1", "rainy, 57F")),
                      null)))
          .outputMessages(List.of(GenAiMessage.assistant("Rainy, 57F.", "stop")));
    }

    Map<String, Object> attributes = only().attributes();
    assertThat(attributes)
        .containsEntry(
            "gen_ai.system_instructions", "[{\"type\":\"text\",\"content\":\"Be brief.\"}]")
        .containsEntry(
            "gen_ai.input.messages",
            "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Weather in Paris?\"}]},"
                + "{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"call_1\","
                + "\"name\":\"get_weather\",\"arguments\":{\"location\":\"Paris\"}}]},"
                + "{\"role\":\"tool\",\"parts\":[{\"type\":\"tool_call_response\",\"id\":\"call_1\","
                + "\"response\":\"rainy, 57F\"}]}]")
        .containsEntry(
            "gen_ai.output.messages",
            "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Rainy, 57F.\"}],"
                + "\"finish_reason\":\"stop\"}]")
        .doesNotContainKey("hyperlens.gen_ai.content.truncated");
  }

  @Test
  void aSecretInCapturedContentIsRedacted() {
    try (GenAiOperation chat = capturing(16_384).chat("openai", "gpt-4o").start()) {
      chat.inputMessages(
          List.of(
              GenAiMessage.user("connect with password=hunter2 please"),
              new GenAiMessage(
                  "assistant",
                  List.of(GenAiMessage.Part.toolCall("c", "login", Map.of("api_key", "abc123"))),
                  null)));
    }

    assertThat(only().attributes().get("gen_ai.input.messages"))
        .isEqualTo(
            "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":"
                + "\"connect with password=[REDACTED:credential] please\"}]},"
                + "{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"c\","
                + "\"name\":\"login\",\"arguments\":{\"api_key\":\"[REDACTED:credential]\"}}]}]");
  }

  @Test
  void contentOverTheCapIsCutToValidJsonAndMarked() throws Exception {
    String longText = "x".repeat(500);
    try (GenAiOperation chat = capturing(200).chat("openai", "gpt-4o").start()) {
      chat.inputMessages(List.of(GenAiMessage.user("short"), GenAiMessage.user(longText)));
    }

    Map<String, Object> attributes = only().attributes();
    String json = (String) attributes.get("gen_ai.input.messages");
    assertThat(json).hasSizeLessThanOrEqualTo(200);
    List<?> parsed = new ObjectMapper().readValue(json, List.class);
    assertThat(parsed).hasSize(2);
    assertThat(json)
        .startsWith("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"short\"}]},")
        .contains("xxx" + GenAiContent.TRUNCATED + "\"");
    assertThat(attributes).containsEntry("hyperlens.gen_ai.content.truncated", true);
  }

  @Test
  void numbersObjectsAndArraysUnderASecretKeyAndCardNumbersAreRedacted() {
    Map<String, Object> arguments = new java.util.LinkedHashMap<>();
    arguments.put("password", 123456);
    arguments.put("api_key", Map.of("primary", "abc123"));
    arguments.put("token", List.of("t1"));
    arguments.put("card", 4111111111111111L);
    arguments.put("amount", 12);
    try (GenAiOperation chat = capturing(16_384).chat("openai", "gpt-4o").start()) {
      chat.inputMessages(
          List.of(
              new GenAiMessage(
                  "assistant", List.of(GenAiMessage.Part.toolCall("c", "pay", arguments)), null)));
    }

    assertThat(only().attributes().get("gen_ai.input.messages"))
        .isEqualTo(
            "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"c\","
                + "\"name\":\"pay\",\"arguments\":{\"password\":\"[REDACTED:credential]\","
                + "\"api_key\":\"[REDACTED:credential]\",\"token\":\"[REDACTED:credential]\","
                + "\"card\":\"[REDACTED:credit_card]\",\"amount\":12}}]}]");
  }

  @Test
  void contentIsCappedAtTheTracersAttributeLimitAndStaysJson() throws Exception {
    DistributedTracer small = DistributedTracer.builder().maxAttributeLength(200).build();
    GenAiTelemetry genAi =
        GenAiTelemetry.builder(small, provider).captureContent(true).build(); // cap 16,384
    try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").start()) {
      chat.inputMessages(List.of(GenAiMessage.user("y".repeat(5_000))));
    }

    SpanData span = small.getTraceSpans(small.recentTraces(1).get(0).traceId()).get(0);
    String json = (String) span.attributes().get("gen_ai.input.messages");
    assertThat(json).hasSizeLessThanOrEqualTo(200).endsWith(GenAiContent.TRUNCATED + "\"}]}]");
    assertThat((List<?>) new ObjectMapper().readValue(json, List.class)).hasSize(1);
    small.close();
  }

  @Test
  void outputMessagesAndPartsMissingRequiredFieldsAreRejected() {
    try (GenAiOperation chat = capturing(16_384).chat("openai", "gpt-4o").start()) {
      assertThatThrownBy(() -> chat.outputMessages(List.of(GenAiMessage.user("x"))))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("messages[0].finishReason must not be blank on an output message, got null");
      chat.outputMessages(List.of(GenAiMessage.assistant("fine", "stop")));
    }
    assertThatThrownBy(() -> GenAiMessage.Part.text(null)).hasMessage("content must not be null");
    assertThatThrownBy(() -> GenAiMessage.Part.toolCall("id", " ", Map.of()))
        .hasMessage("name must not be blank, got \" \"");
  }

  @Test
  void aContentCapBelowTheMinimumIsRejected() {
    assertThatThrownBy(() -> GenAiTelemetry.builder(tracer, provider).maxContentLength(10))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxContentLength must be at least 64, got 10");
  }

  @Test
  void aSessionIdIsSetBesideTheConversationId() {
    genAi.invokeAgent("openai", "researcher").sessionId("sess-9").start().close();

    assertThat(only().attributes())
        .containsEntry("session.id", "sess-9")
        .containsEntry("gen_ai.conversation.id", "sess-9");
  }

  @Test
  void anExplicitConversationIdStaysBesideTheSessionId() {
    genAi
        .invokeAgent("openai", "researcher")
        .conversationId("thread-1")
        .sessionId("sess-9")
        .start()
        .close();

    assertThat(only().attributes())
        .containsEntry("session.id", "sess-9")
        .containsEntry("gen_ai.conversation.id", "thread-1");
  }
}
