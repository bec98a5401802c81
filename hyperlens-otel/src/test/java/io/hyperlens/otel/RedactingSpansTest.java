package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets never leave the process in a span, whichever tracer made it, unless asked to. */
class RedactingSpansTest {
  private static final String OPENAI = "sk-proj-abcdefghijklmnopqrstuvwx";
  private static final String CARD = "4111 1111 1111 1111";

  private final RecordingSdkExporter exporter = new RecordingSdkExporter();

  private static TracingConfig.Builder local() {
    return TracingConfig.builder().serviceName("agent").registerGlobal(false);
  }

  @Test
  void secretsAreRemovedFromAttributesEventsExceptionsAndStatusBeforeExport() {
    long redacted;
    try (Tracing tracing = Tracing.enable(local().build(), exporter)) {
      assertThat(tracing.config().redactSecrets()).isTrue();
      DistributedTracer tracer = tracing.tracer();
      Span span = tracer.startSpan("invoke_agent researcher");
      span.setAttribute("gen_ai.prompt", "use key " + OPENAI + " to call");
      span.setAttribute("api_key", "plain-looking-value");
      span.setAttribute("order", 4111111111111111L);
      span.setAttribute("gen_ai.request.model", "gpt-4o");
      span.setAttribute("tokens", 1532L);
      span.addEvent("tool.call", Map.of("args", "password=hunter2 retry=3"));
      span.recordException(new IllegalStateException("card " + CARD + " declined"));
      span.setStatus(SpanStatus.ERROR, "charge of card " + CARD + " failed");
      tracer.finishSpan(span);

      io.opentelemetry.api.trace.Span otel =
          tracing.openTelemetry().getTracer("native").spanBuilder("native.op").startSpan();
      otel.setAttribute(AttributeKey.stringArrayKey("messages"), List.of("hi", "token: " + OPENAI));
      otel.end();
      tracing.forceFlush(Duration.ofSeconds(10));
      redacted = tracing.redactedValues();
    }
    SpanData agent = exporter.named("invoke_agent researcher");
    Attributes attributes = agent.getAttributes();
    assertThat(attributes.get(AttributeKey.stringKey("gen_ai.prompt")))
        .isEqualTo("use key [REDACTED:openai_key] to call");
    assertThat(attributes.get(AttributeKey.stringKey("api_key")))
        .isEqualTo("[REDACTED:credential]");
    assertThat(attributes.get(AttributeKey.stringKey("order"))).isEqualTo("[REDACTED:credit_card]");
    assertThat(attributes.get(AttributeKey.longKey("order"))).isNull();
    assertThat(attributes.get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("gpt-4o");
    assertThat(attributes.get(AttributeKey.longKey("tokens"))).isEqualTo(1532L);
    EventData call = event(agent, "tool.call");
    assertThat(call.getAttributes().get(AttributeKey.stringKey("args")))
        .isEqualTo("password=[REDACTED:credential] retry=3");
    EventData exception = event(agent, "exception");
    assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.message")))
        .isEqualTo("card [REDACTED:credit_card] declined");
    assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.stacktrace")))
        .contains("card [REDACTED:credit_card] declined")
        .doesNotContain(CARD);
    assertThat(agent.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(agent.getStatus().getDescription())
        .isEqualTo("charge of card [REDACTED:credit_card] failed");
    assertThat(
            exporter
                .named("native.op")
                .getAttributes()
                .get(AttributeKey.stringArrayKey("messages")))
        .containsExactly("hi", "token: [REDACTED:openai_key]");
    // prompt, api_key, order, args, message, stack trace, status, one array element
    assertThat(redacted).isEqualTo(8);
    assertThat(exporter.spans.toString()).doesNotContain(OPENAI).doesNotContain(CARD);
  }

  @Test
  void aSpanWithNothingToRedactIsPassedOnAsItIs() {
    RecordingSdkExporter plain = new RecordingSdkExporter();
    RedactingSpanExporter redacting = new RedactingSpanExporter(plain, null);
    try (Tracing tracing = Tracing.enable(local().redactSecrets(false).build(), exporter)) {
      Span span = tracing.tracer().startSpan("clean");
      span.setAttribute("gen_ai.request.model", "gpt-4o");
      tracing.tracer().finishSpan(span);
      tracing.forceFlush(Duration.ofSeconds(10));
    }
    SpanData clean = exporter.named("clean");
    assertThat(redacting.redact(clean)).isSameAs(clean);
    redacting.export(List.of(clean));
    assertThat(plain.spans).containsExactly(clean);
    assertThat(redacting.redactedValues()).isZero();
    assertThat(redacting.flush().isSuccess()).isTrue();
    assertThat(redacting.shutdown().isSuccess()).isTrue();
    assertThat(plain.shutdown).isTrue();
    assertThatThrownBy(() -> new RedactingSpanExporter(null, null))
        .hasMessage("delegate must not be null");
  }

  @Test
  void turnedOffSecretsGoOutAsTheyWere() {
    try (Tracing tracing = Tracing.enable(local().redactSecrets(false).build(), exporter)) {
      Span span = tracing.tracer().startSpan("raw");
      span.setAttribute("gen_ai.prompt", OPENAI);
      tracing.tracer().finishSpan(span);
      tracing.forceFlush(Duration.ofSeconds(10));
      assertThat(tracing.redactedValues()).isZero();
    }
    assertThat(exporter.named("raw").getAttributes().get(AttributeKey.stringKey("gen_ai.prompt")))
        .isEqualTo(OPENAI);
  }

  private static EventData event(SpanData span, String name) {
    return span.getEvents().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
