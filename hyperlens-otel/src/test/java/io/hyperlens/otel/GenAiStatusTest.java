package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GenAiStatusTest {
  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final SdkMeterProvider provider = SdkMeterProvider.builder().build();
  private final GenAiTelemetry genAi = new GenAiTelemetry(tracer, provider);

  @AfterEach
  void close() {
    provider.close();
    tracer.close();
  }

  private SpanData only() {
    return tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0);
  }

  @Test
  void aSuccessfulOperationLeavesTheStatusUnset() {
    genAi.chat("openai", "gpt-4o").start().close();

    assertThat(only().status()).isEqualTo(SpanStatus.UNSET);
  }

  @Test
  void aFailureKeepsTheMessageAsStatusDescriptionAndTheClassAsErrorType() {
    try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").start()) {
      chat.fail(new IllegalStateException("rate limited"));
    }

    SpanData span = only();
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("rate limited");
    assertThat(span.attributes()).containsEntry("error.type", "java.lang.IllegalStateException");
  }
}
