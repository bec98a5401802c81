package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.trace.DistributedTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import org.junit.jupiter.api.Test;

/** The metric point attributes an operation records, built once per combination and reused. */
class GenAiPointAttributesTest {
  private final GenAiTelemetry genAi =
      new GenAiTelemetry(DistributedTracer.builder().build(), MeterProvider.noop());
  private final Attributes base =
      Attributes.of(
          AttributeKey.stringKey("gen_ai.operation.name"), "chat",
          AttributeKey.stringKey("gen_ai.provider.name"), "openai");

  @Test
  void eachPointCarriesTheResponseModelAndTheDurationItsErrorType() {
    GenAiTelemetry.PointAttributes points = genAi.points(base, "gpt-4o-mini", "timeout");

    assertThat(points.duration().asMap())
        .containsEntry(AttributeKey.stringKey("gen_ai.response.model"), "gpt-4o-mini")
        .containsEntry(AttributeKey.stringKey("error.type"), "timeout")
        .hasSize(4);
    assertThat(points.input().asMap())
        .containsEntry(AttributeKey.stringKey("gen_ai.token.type"), "input")
        .containsEntry(AttributeKey.stringKey("gen_ai.response.model"), "gpt-4o-mini")
        .doesNotContainKey(AttributeKey.stringKey("error.type"));
    assertThat(points.output().get(AttributeKey.stringKey("gen_ai.token.type")))
        .isEqualTo("output");
    assertThat(genAi.points(base, null, null).duration()).isEqualTo(base);
  }

  @Test
  void aCombinationSeenBeforeIsReusedAndTheCacheIsBounded() {
    GenAiTelemetry.PointAttributes first = genAi.points(base, "gpt-4o", null);

    assertThat(genAi.points(base.toBuilder().build(), "gpt-4o", null)).isSameAs(first);
    assertThat(genAi.points(base, "gpt-4o", "timeout")).isNotSameAs(first);
    for (int i = 0; i < GenAiTelemetry.MAX_CACHED_POINTS + 10; i++) {
      genAi.points(base, "model-" + i, null);
    }
    GenAiTelemetry.PointAttributes beyond = genAi.points(base, "model-beyond", null);
    assertThat(genAi.points(base, "model-beyond", null)).isNotSameAs(beyond).isEqualTo(beyond);
  }

  @Test
  void capturesContentSaysWhetherContentIsRecorded() {
    assertThat(genAi.capturesContent()).isFalse();
    assertThat(
            GenAiTelemetry.builder(DistributedTracer.builder().build(), MeterProvider.noop())
                .captureContent(true)
                .build()
                .capturesContent())
        .isTrue();
  }
}
