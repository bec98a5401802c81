package io.hyperlens.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.hyperlens.otel.GenAiTelemetry;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HyperlensChatModelListenerTest {
  static final String SECRET = "sk-proj-abcdefghijklmnopqrstuvwx";

  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider meterProvider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  private final GenAiTelemetry genAi = new GenAiTelemetry(tracer, meterProvider);
  private final HyperlensChatModelListener listener = HyperlensChatModelListener.create(genAi);

  @AfterEach
  void close() {
    meterProvider.close();
    tracer.close();
  }

  static ChatRequestParameters gpt4o() {
    return ChatRequestParameters.builder()
        .modelName("gpt-4o")
        .temperature(0.2)
        .topP(0.9)
        .maxOutputTokens(256)
        .build();
  }

  static ChatResponse answer(String text) {
    return answer(text, new TokenUsage(120, 42));
  }

  static ChatResponse answer(String text, TokenUsage usage) {
    return ChatResponse.builder()
        .aiMessage(AiMessage.from(text))
        .id("chatcmpl-123")
        .modelName("gpt-4o-2024-08-06")
        .tokenUsage(usage)
        .finishReason(FinishReason.STOP)
        .build();
  }

  private SpanData only() {
    List<SpanData> spans = spans();
    assertThat(spans).hasSize(1);
    return spans.get(0);
  }

  private List<SpanData> spans() {
    return tracer.recentTraces(10).stream()
        .flatMap(t -> tracer.getTraceSpans(t.traceId()).stream())
        .toList();
  }

  private List<HistogramPointData> points(String metric) {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals(metric))
        .map(MetricData::getHistogramData)
        .flatMap(h -> h.getPoints().stream())
        .toList();
  }

  @Test
  void aSuccessfulCallIsAChatSpanInTheConventionsShape() {
    ScriptedChatModel model =
        new ScriptedChatModel(ModelProvider.OPEN_AI, gpt4o(), listener).answer(answer("Rainy."));

    assertThat(model.chat("What is the weather in Paris?")).isEqualTo("Rainy.");

    SpanData span = only();
    assertThat(span.name()).isEqualTo("chat gpt-4o");
    assertThat(span.kind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.status()).isEqualTo(SpanStatus.UNSET);
    assertThat(span.attributes())
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("gen_ai.request.model", "gpt-4o")
        .containsEntry("gen_ai.request.temperature", 0.2)
        .containsEntry("gen_ai.request.top_p", 0.9)
        .containsEntry("gen_ai.request.max_tokens", 256L)
        .containsEntry("gen_ai.response.model", "gpt-4o-2024-08-06")
        .containsEntry("gen_ai.response.id", "chatcmpl-123")
        .containsEntry("gen_ai.response.finish_reasons", List.of("stop"))
        .containsEntry("gen_ai.usage.input_tokens", 120L)
        .containsEntry("gen_ai.usage.output_tokens", 42L)
        .doesNotContainKey("error.type");
    assertThat(listener.failures()).isZero();
  }

  @Test
  void theTwoHistogramsGetTheCallsPoints() {
    new ScriptedChatModel(ModelProvider.OPEN_AI, gpt4o(), listener)
        .answer(answer("Rainy."))
        .chat("What is the weather in Paris?");

    Attributes base =
        Attributes.builder()
            .put("gen_ai.operation.name", "chat")
            .put("gen_ai.provider.name", "openai")
            .put("gen_ai.request.model", "gpt-4o")
            .put("gen_ai.response.model", "gpt-4o-2024-08-06")
            .build();
    List<HistogramPointData> tokens = points(GenAiTelemetry.TOKEN_USAGE);
    assertThat(tokens)
        .extracting(HistogramPointData::getAttributes, HistogramPointData::getSum)
        .containsExactlyInAnyOrder(
            tuple(base.toBuilder().put("gen_ai.token.type", "input").build(), 120.0),
            tuple(base.toBuilder().put("gen_ai.token.type", "output").build(), 42.0));
    List<HistogramPointData> durations = points(GenAiTelemetry.OPERATION_DURATION);
    assertThat(durations).hasSize(1);
    assertThat(durations.get(0).getAttributes()).isEqualTo(base);
    assertThat(durations.get(0).getCount()).isEqualTo(1);
  }

  @Test
  void aFailedCallIsAnErrorSpanWithErrorTypeAndTheErrorReachesTheCaller() {
    ScriptedChatModel model =
        new ScriptedChatModel(ModelProvider.ANTHROPIC, gpt4o(), listener)
            .fail(new IllegalStateException("rate limited"));

    assertThatThrownBy(() -> model.chat("Hello"))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("rate limited");

    SpanData span = only();
    assertThat(span.name()).isEqualTo("chat gpt-4o");
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("rate limited");
    assertThat(span.attributes())
        .containsEntry("gen_ai.provider.name", "anthropic")
        .containsEntry("error.type", "java.lang.IllegalStateException")
        .doesNotContainKey("gen_ai.response.model");
    List<HistogramPointData> durations = points(GenAiTelemetry.OPERATION_DURATION);
    assertThat(durations).hasSize(1);
    assertThat(durations.get(0).getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(points(GenAiTelemetry.TOKEN_USAGE)).isEmpty();
    assertThat(listener.failures()).isZero();
  }

  @Test
  void providersMapToTheConventionsWellKnownValues() {
    Map<ModelProvider, String> expected = new HashMap<>();
    expected.put(ModelProvider.OPEN_AI, "openai");
    expected.put(ModelProvider.ANTHROPIC, "anthropic");
    // Deprecated in 1.19.0 for MICROSOFT_FOUNDRY, still sent by langchain4j-azure-open-ai.
    expected.put(ModelProvider.valueOf("AZURE_OPEN_AI"), "azure.ai.openai");
    expected.put(ModelProvider.MICROSOFT_FOUNDRY, "azure.ai.inference");
    expected.put(ModelProvider.AMAZON_BEDROCK, "aws.bedrock");
    expected.put(ModelProvider.GOOGLE_AI_GEMINI, "gcp.gemini");
    expected.put(ModelProvider.GOOGLE_VERTEX_AI_GEMINI, "gcp.vertex_ai");
    expected.put(ModelProvider.GOOGLE_VERTEX_AI_ANTHROPIC, "gcp.vertex_ai");
    expected.put(ModelProvider.GOOGLE_GENAI, "gcp.gen_ai");
    expected.put(ModelProvider.MISTRAL_AI, "mistral_ai");
    expected.put(ModelProvider.WATSONX, "ibm.watsonx.ai");
    expected.put(ModelProvider.COHERE, "cohere");
    expected.put(ModelProvider.OLLAMA, "ollama");
    expected.put(ModelProvider.GITHUB_MODELS, "github_models");
    expected.put(ModelProvider.VOYAGE_AI, "voyage_ai");
    expected.put(ModelProvider.JINA, "jina");
    for (ModelProvider provider : ModelProvider.values()) {
      assertThat(HyperlensChatModelListener.providerName(provider))
          .as(provider.name())
          .isEqualTo(expected.get(provider));
    }
    assertThat(HyperlensChatModelListener.providerName(null)).isNull();
  }

  @Test
  void anUnnamedProviderTakesTheFallback() {
    HyperlensChatModelListener gateway =
        HyperlensChatModelListener.builder(genAi).fallbackProviderName("my-gateway").build();
    new ScriptedChatModel(ModelProvider.OTHER, gpt4o(), gateway).answer(answer("a")).chat("q");
    new ScriptedChatModel(null, gpt4o(), listener).answer(answer("b")).chat("q");

    assertThat(spans())
        .extracting(s -> s.attributes().get("gen_ai.provider.name"))
        .containsExactlyInAnyOrder("my-gateway", "langchain4j");
  }

  @Test
  void aBlankFallbackIsRejected() {
    assertThatThrownBy(() -> HyperlensChatModelListener.builder(genAi).fallbackProviderName(" "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("fallbackProviderName must not be blank, got \" \"");
    assertThatThrownBy(() -> HyperlensChatModelListener.builder(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("genAi must not be null");
  }

  @Test
  void aCallWithoutAModelNameIsJustChat() {
    new ScriptedChatModel(ModelProvider.OLLAMA, ChatRequestParameters.builder().build(), listener)
        .answer(answer("a"))
        .chat("q");

    SpanData span = only();
    assertThat(span.name()).isEqualTo("chat");
    assertThat(span.attributes())
        .containsEntry("gen_ai.provider.name", "ollama")
        .doesNotContainKey("gen_ai.request.model")
        .doesNotContainKey("gen_ai.request.temperature");
  }

  @Test
  void finishReasonsMapToTheConventions() {
    assertThat(HyperlensChatModelListener.finishReason(FinishReason.STOP)).isEqualTo("stop");
    assertThat(HyperlensChatModelListener.finishReason(FinishReason.LENGTH)).isEqualTo("length");
    assertThat(HyperlensChatModelListener.finishReason(FinishReason.TOOL_EXECUTION))
        .isEqualTo("tool_call");
    assertThat(HyperlensChatModelListener.finishReason(FinishReason.CONTENT_FILTER))
        .isEqualTo("content_filter");
    assertThat(HyperlensChatModelListener.finishReason(FinishReason.OTHER)).isEqualTo("other");
    assertThat(HyperlensChatModelListener.finishReason(null)).isNull();
  }

  @Test
  void contentIsAbsentByDefault() {
    new ScriptedChatModel(ModelProvider.OPEN_AI, gpt4o(), listener)
        .answer(answer("Rainy."))
        .chat("My key is " + SECRET);

    assertThat(only().attributes())
        .doesNotContainKey("gen_ai.input.messages")
        .doesNotContainKey("gen_ai.output.messages");
  }

  @Test
  void capturedContentFollowsTheConventionsAndIsRedacted() {
    GenAiTelemetry capturing =
        GenAiTelemetry.builder(tracer, meterProvider).captureContent(true).build();
    HyperlensChatModelListener capturingListener = HyperlensChatModelListener.create(capturing);
    ToolExecutionRequest call =
        ToolExecutionRequest.builder()
            .id("call_1")
            .name("weather")
            .arguments("{\"city\":\"Paris\"}")
            .build();
    ChatRequest request =
        ChatRequest.builder()
            .messages(
                SystemMessage.from("You are terse."),
                UserMessage.from("My key is " + SECRET + ", weather?"),
                AiMessage.from(call),
                ToolExecutionResultMessage.from(call, "rainy"))
            .build();

    new ScriptedChatModel(ModelProvider.OPEN_AI, gpt4o(), capturingListener)
        .answer(answer("Rainy."))
        .chat(request);

    Map<String, Object> attributes = only().attributes();
    assertThat(attributes.get("gen_ai.input.messages"))
        .isEqualTo(
            "[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"You are terse.\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"My key is"
                + " [REDACTED:openai_key], weather?\"}]},"
                + "{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"call_1\","
                + "\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}]},"
                + "{\"role\":\"tool\",\"parts\":[{\"type\":\"tool_call_response\",\"id\":\"call_1\","
                + "\"response\":\"rainy\"}]}]");
    assertThat(attributes.get("gen_ai.output.messages"))
        .isEqualTo(
            "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Rainy.\"}],"
                + "\"finish_reason\":\"stop\"}]");
    assertThat(attributes.toString()).doesNotContain(SECRET);
  }

  @Test
  void aFailingRecordingIsCountedAndNeverBreaksTheCall() {
    // A provider that reports a negative count: GenAiOperation.usage rejects it.
    ChatResponse broken = answer("Rainy.", new TokenUsage(-1, 5));
    ScriptedChatModel model =
        new ScriptedChatModel(ModelProvider.OPEN_AI, gpt4o(), listener).answer(broken);

    assertThat(model.chat("q")).isEqualTo("Rainy.");

    assertThat(listener.failures()).isEqualTo(1);
    SpanData span = only();
    assertThat(span.attributes())
        .containsEntry("gen_ai.response.model", "gpt-4o-2024-08-06")
        .doesNotContainKey("gen_ai.usage.input_tokens");
    assertThat(points(GenAiTelemetry.OPERATION_DURATION)).hasSize(1);
  }

  @Test
  void theListenerCatchesWhatItThrowsWithoutLangChain4jsHelp() {
    Map<Object, Object> attributes = new ConcurrentHashMap<>();
    ChatRequest request = ChatRequest.builder().messages(UserMessage.from("q")).build();

    // A map that refuses the operation: counted, and the span finished rather than left open.
    listener.onRequest(new ChatModelRequestContext(request, ModelProvider.OPEN_AI, Map.of()));
    assertThat(listener.failures()).isEqualTo(1);
    assertThat(tracer.getMetrics().spansFinished()).isEqualTo(1);

    listener.onRequest(new ChatModelRequestContext(request, ModelProvider.OPEN_AI, attributes));
    ChatResponse broken = answer("a", new TokenUsage(5, -1));
    listener.onResponse(
        new ChatModelResponseContext(broken, request, ModelProvider.OPEN_AI, attributes));

    assertThat(listener.failures()).isEqualTo(2);
    assertThat(attributes).isEmpty();
    assertThat(tracer.getMetrics().spansFinished()).isEqualTo(2);
    assertThat(spans()).extracting(SpanData::name).containsExactly("chat", "chat");
  }

  @Test
  void concurrentCallsKeepTheirOwnOperations() throws Exception {
    ScriptedChatModel first =
        new ScriptedChatModel(ModelProvider.OPEN_AI, gpt4o(), listener).answer(answer("1"));
    ScriptedChatModel second =
        new ScriptedChatModel(
                ModelProvider.ANTHROPIC,
                ChatRequestParameters.builder().modelName("claude").build(),
                listener)
            .answer(
                ChatResponse.builder()
                    .aiMessage(AiMessage.from("2"))
                    .modelName("claude-3")
                    .tokenUsage(new TokenUsage(7, 3))
                    .finishReason(FinishReason.LENGTH)
                    .build());
    Thread t1 = new Thread(() -> first.chat("a"));
    Thread t2 = new Thread(() -> second.chat("b"));
    t1.start();
    t2.start();
    t1.join();
    t2.join();

    assertThat(spans())
        .extracting(
            SpanData::name,
            s -> s.attributes().get("gen_ai.response.model"),
            s -> s.attributes().get("gen_ai.response.finish_reasons"))
        .containsExactlyInAnyOrder(
            tuple("chat gpt-4o", "gpt-4o-2024-08-06", List.of("stop")),
            tuple("chat claude", "claude-3", List.of("length")));
  }
}
