package io.hyperlens.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import io.hyperlens.otel.GenAiTelemetry;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener on a ChatModel driven by a real AiServices interface, tool round trip included. */
class AiServicesTest {
  interface Assistant {
    @SystemMessage("You are terse.")
    String chat(String question);
  }

  static final class Weather {
    @Tool("The weather in a city")
    String weather(String city) {
      return "rainy in " + city;
    }
  }

  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider meterProvider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();

  @AfterEach
  void close() {
    meterProvider.close();
    tracer.close();
  }

  private List<SpanData> spans() {
    return tracer.recentTraces(10).stream()
        .flatMap(t -> tracer.getTraceSpans(t.traceId()).stream())
        .sorted(Comparator.comparing(SpanData::startTime))
        .toList();
  }

  private static ChatResponse response(AiMessage message, FinishReason reason, int in, int out) {
    return ChatResponse.builder()
        .aiMessage(message)
        .id("resp-" + in)
        .modelName("gpt-4o-2024-08-06")
        .tokenUsage(new TokenUsage(in, out))
        .finishReason(reason)
        .build();
  }

  @Test
  void aToolRoundTripIsTwoChatSpansWithTheirOwnUsage() {
    HyperlensChatModelListener listener =
        HyperlensChatModelListener.create(new GenAiTelemetry(tracer, meterProvider));
    ToolExecutionRequest call =
        ToolExecutionRequest.builder()
            .id("call_1")
            .name("weather")
            .arguments("{\"arg0\":\"Paris\"}")
            .build();
    ScriptedChatModel model =
        new ScriptedChatModel(
                ModelProvider.OPEN_AI,
                ChatRequestParameters.builder().modelName("gpt-4o").build(),
                listener)
            .answer(response(AiMessage.from(call), FinishReason.TOOL_EXECUTION, 50, 10))
            .answer(response(AiMessage.from("Rainy."), FinishReason.STOP, 80, 4));
    Assistant assistant =
        AiServices.builder(Assistant.class).chatModel(model).tools(new Weather()).build();

    assertThat(assistant.chat("Weather in Paris?")).isEqualTo("Rainy.");

    assertThat(model.requests.get(1).messages().get(3).toString()).contains("rainy in Paris");
    assertThat(spans())
        .extracting(
            SpanData::name,
            SpanData::status,
            s -> s.attributes().get("gen_ai.provider.name"),
            s -> s.attributes().get("gen_ai.response.finish_reasons"),
            s -> s.attributes().get("gen_ai.usage.input_tokens"),
            s -> s.attributes().get("gen_ai.usage.output_tokens"))
        .containsExactly(
            tuple("chat gpt-4o", SpanStatus.UNSET, "openai", List.of("tool_call"), 50L, 10L),
            tuple("chat gpt-4o", SpanStatus.UNSET, "openai", List.of("stop"), 80L, 4L));
    List<HistogramPointData> tokens =
        reader.collectAllMetrics().stream()
            .filter(m -> m.getName().equals(GenAiTelemetry.TOKEN_USAGE))
            .map(MetricData::getHistogramData)
            .flatMap(h -> h.getPoints().stream())
            .toList();
    assertThat(tokens)
        .extracting(HistogramPointData::getCount, HistogramPointData::getSum)
        .containsExactlyInAnyOrder(tuple(2L, 130.0), tuple(2L, 14.0));
    assertThat(listener.failures()).isZero();
  }

  @Test
  void aFailingModelFailsTheServiceCallAndItsSpan() {
    HyperlensChatModelListener listener =
        HyperlensChatModelListener.create(new GenAiTelemetry(tracer, meterProvider));
    ScriptedChatModel model =
        new ScriptedChatModel(
                ModelProvider.ANTHROPIC,
                ChatRequestParameters.builder().modelName("claude-sonnet-4").build(),
                listener)
            .fail(new IllegalStateException("overloaded"));
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).build();

    assertThatThrownBy(() -> assistant.chat("Hi"))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("overloaded");

    SpanData span = spans().get(0);
    assertThat(span.name()).isEqualTo("chat claude-sonnet-4");
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.attributes())
        .containsEntry("gen_ai.provider.name", "anthropic")
        .containsEntry("error.type", "java.lang.IllegalStateException");
  }

  @Test
  void aRedactedPromptThroughAiServicesWhenCaptureIsOn() {
    HyperlensChatModelListener listener =
        HyperlensChatModelListener.create(
            GenAiTelemetry.builder(tracer, meterProvider).captureContent(true).build());
    ScriptedChatModel model =
        new ScriptedChatModel(
                ModelProvider.OPEN_AI,
                ChatRequestParameters.builder().modelName("gpt-4o").build(),
                listener)
            .answer(response(AiMessage.from("Done."), FinishReason.STOP, 9, 1));
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).build();

    assertThat(assistant.chat("Use " + HyperlensChatModelListenerTest.SECRET)).isEqualTo("Done.");

    Object input = spans().get(0).attributes().get("gen_ai.input.messages");
    assertThat(input)
        .isEqualTo(
            "[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"You are terse.\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Use"
                + " [REDACTED:openai_key]\"}]}]");
  }
}
