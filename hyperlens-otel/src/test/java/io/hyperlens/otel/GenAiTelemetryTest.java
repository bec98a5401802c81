package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GenAiTelemetryTest {
  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider provider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  // gen_ai.provider.name is required: the single-argument entry points take this default.
  private final GenAiTelemetry genAi =
      GenAiTelemetry.builder(tracer, provider).defaultProviderName("openai").build();

  @AfterEach
  void close() {
    provider.close();
    tracer.close();
  }

  private SpanData finished(String name) {
    return tracer.getTraceSpans(tracer.recentTraces(100).get(0).traceId()).stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private Map<String, MetricData> metrics() {
    return reader.collectAllMetrics().stream()
        .collect(Collectors.toMap(MetricData::getName, m -> m));
  }

  @Test
  @SuppressWarnings("try")
  void anAgentInvocationWithAToolCallAndAChatHasTheConventionsNamesAndAttributes() {
    try (GenAiOperation agent =
            genAi
                .invokeAgent("researcher")
                .agentId("did:mesh:researcher")
                .conversationId("conv-7")
                .start();
        Scope ignored = agent.makeCurrent()) {
      try (GenAiOperation tool = genAi.executeTool("web_search").toolCallId("call_42").start()) {
        tool.fail("timeout");
      }
      try (GenAiOperation chat =
          genAi.chat("gpt-4o").providerName("openai").conversationId("conv-7").start()) {
        chat.usage(120, 42);
      }
    }

    SpanData agent = finished("invoke_agent researcher");
    SpanData tool = finished("execute_tool web_search");
    SpanData chat = finished("chat gpt-4o");
    assertThat(agent.kind()).isEqualTo(SpanKind.CLIENT);
    assertThat(agent.attributes())
        .containsEntry("gen_ai.operation.name", "invoke_agent")
        .containsEntry("gen_ai.agent.name", "researcher")
        .containsEntry("gen_ai.agent.id", "did:mesh:researcher")
        .containsEntry("gen_ai.conversation.id", "conv-7");
    assertThat(tool.parentSpanId()).contains(agent.spanId());
    assertThat(tool.kind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(tool.attributes())
        .containsEntry("gen_ai.operation.name", "execute_tool")
        .containsEntry("gen_ai.tool.name", "web_search")
        .containsEntry("gen_ai.tool.call.id", "call_42")
        .containsEntry("error.type", "timeout");
    assertThat(tool.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(chat.parentSpanId()).contains(agent.spanId());
    assertThat(chat.attributes())
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.request.model", "gpt-4o")
        .containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("gen_ai.usage.input_tokens", 120L)
        .containsEntry("gen_ai.usage.output_tokens", 42L);
    assertThat(genAi.createAgent(null).start().span().name()).isEqualTo("create_agent");
  }

  @Test
  void durationAndTokenUsageAreRecordedWithTheConventionsBuckets() {
    try (GenAiOperation chat = genAi.chat("claude").providerName("anthropic").start()) {
      chat.usage(300, 5);
    }
    try (GenAiOperation tool = genAi.executeTool("shell").start()) {
      tool.fail(new IllegalStateException("denied"));
    }

    Map<String, MetricData> all = metrics();
    MetricData tokens = all.get(GenAiTelemetry.TOKEN_USAGE);
    assertThat(tokens.getUnit()).isEqualTo("{token}");
    Map<String, HistogramPointData> byType =
        tokens.getHistogramData().getPoints().stream()
            .collect(
                Collectors.toMap(
                    p -> p.getAttributes().get(AttributeKey.stringKey("gen_ai.token.type")),
                    p -> p));
    assertThat(byType.get("input").getSum()).isEqualTo(300.0);
    assertThat(byType.get("output").getSum()).isEqualTo(5.0);
    assertThat(byType.get("input").getBoundaries())
        .containsExactlyElementsOf(
            GenAiTelemetry.TOKEN_USAGE_BUCKETS.stream().map(Long::doubleValue).toList());
    assertThat(
            byType.get("input").getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")))
        .isEqualTo("anthropic");

    MetricData duration = all.get(GenAiTelemetry.OPERATION_DURATION);
    assertThat(duration.getUnit()).isEqualTo("s");
    List<HistogramPointData> points = List.copyOf(duration.getHistogramData().getPoints());
    assertThat(points).hasSize(2);
    assertThat(points.get(0).getBoundaries()).isEqualTo(GenAiTelemetry.OPERATION_DURATION_BUCKETS);
    assertThat(points)
        .anySatisfy(
            p ->
                assertThat(p.getAttributes().get(AttributeKey.stringKey("error.type")))
                    .isEqualTo("java.lang.IllegalStateException"));
  }

  @Test
  void badValuesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> genAi.chat(" "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestModel must not be blank, got \" \"");
    assertThatThrownBy(() -> genAi.executeTool(null))
        .hasMessage("toolName must not be blank, got null");
    try (GenAiOperation op = genAi.chat("m").start()) {
      assertThatThrownBy(() -> op.usage(-1, 0))
          .hasMessage("inputTokens must not be negative, got -1");
      assertThatThrownBy(() -> op.usage(0, -2))
          .hasMessage("outputTokens must not be negative, got -2");
    }
    GenAiOperation closed = genAi.chat("m").start();
    closed.close();
    assertThatThrownBy(() -> closed.usage(1, 1))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("the chat operation is closed: its span and metrics are recorded");
    assertThatThrownBy(() -> new GenAiTelemetry(null, provider))
        .hasMessage("tracer must not be null");
  }
}
