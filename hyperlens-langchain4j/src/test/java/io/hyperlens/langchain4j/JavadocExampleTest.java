package io.hyperlens.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.hyperlens.otel.GenAiTelemetry;
import io.hyperlens.trace.DistributedTracer;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of the module's Javadoc, as written there. */
class JavadocExampleTest {
  @Test
  void theListenerExampleRecordsAChatSpan() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (DistributedTracer tracer = DistributedTracer.builder().build();
        SdkMeterProvider meterProvider =
            SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      // From HyperlensChatModelListener's Javadoc:
      HyperlensChatModelListener listener =
          HyperlensChatModelListener.create(new GenAiTelemetry(tracer, meterProvider));
      ChatModel model =
          new ChatModel() {
            public ChatResponse doChat(ChatRequest request) {
              return ChatResponse.builder().aiMessage(AiMessage.from("Hi!")).build();
            }

            public List<ChatModelListener> listeners() {
              return List.of(listener);
            }
          };
      model.chat("Hello"); // a "chat" span, its duration in gen_ai.client.operation.duration

      // From HyperlensChatModelListenerBuilder's Javadoc:
      GenAiTelemetry genAi = new GenAiTelemetry(tracer, meterProvider);
      HyperlensChatModelListener gateway =
          HyperlensChatModelListener.builder(genAi).fallbackProviderName("my-gateway").build();

      assertThat(gateway.fallbackProviderName()).isEqualTo("my-gateway");
      assertThat(tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0).attributes())
          .containsEntry("gen_ai.operation.name", "chat")
          .containsEntry("gen_ai.provider.name", "langchain4j");
      assertThat(reader.collectAllMetrics())
          .extracting(m -> m.getName())
          .containsExactly(GenAiTelemetry.OPERATION_DURATION);
    }
  }
}
