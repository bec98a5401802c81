package io.hyperlens.otel;

import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues.CHAT;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues.CREATE_AGENT;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues.EXECUTE_TOOL;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues.INVOKE_AGENT;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanKind;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import java.util.List;

/**
 * Spans and metrics for agent work in the OpenTelemetry GenAI semantic conventions: {@code
 * invoke_agent}, {@code create_agent}, {@code execute_tool} and {@code chat} spans named and
 * attributed as the conventions say ({@code gen_ai.operation.name}, {@code gen_ai.agent.*}, {@code
 * gen_ai.tool.*}, {@code gen_ai.request.model}, {@code gen_ai.usage.*}, {@code
 * gen_ai.conversation.id}, {@code error.type}), recorded by a {@link DistributedTracer}, and the
 * {@value #TOKEN_USAGE} and {@value #OPERATION_DURATION} histograms with the conventions' bucket
 * boundaries. Attribute keys come from the semconv artifact's constants.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * GenAiTelemetry genAi = new GenAiTelemetry(tracing.tracer(), tracing.meterProvider());
 * try (GenAiOperation chat = genAi.chat("gpt-4o").providerName("openai").start()) {
 *   // ... call the model
 *   chat.usage(120, 42);
 * } // span finished, duration and token usage recorded
 * }</pre>
 */
public final class GenAiTelemetry {
  /** The instrumentation scope of the GenAI histograms. */
  public static final String METER_NAME = "io.hyperlens.genai";

  /** The token usage histogram, unit {@code {token}}. */
  public static final String TOKEN_USAGE = "gen_ai.client.token.usage";

  /** The operation duration histogram, unit {@code s}. */
  public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";

  /** The conventions' bucket boundaries for {@value #TOKEN_USAGE}. */
  public static final List<Long> TOKEN_USAGE_BUCKETS =
      List.of(
          1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L,
          16777216L, 67108864L);

  /** The conventions' bucket boundaries for {@value #OPERATION_DURATION}, in seconds. */
  public static final List<Double> OPERATION_DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

  private final DistributedTracer tracer;
  final LongHistogram tokenUsage;
  final DoubleHistogram operationDuration;

  /**
   * Spans on {@code tracer}, histograms on {@code meterProvider}.
   *
   * @throws IllegalArgumentException when either is null
   */
  public GenAiTelemetry(DistributedTracer tracer, MeterProvider meterProvider) {
    if (tracer == null) {
      throw new IllegalArgumentException("tracer must not be null");
    }
    if (meterProvider == null) {
      throw new IllegalArgumentException("meterProvider must not be null");
    }
    this.tracer = tracer;
    Meter meter =
        meterProvider
            .meterBuilder(METER_NAME)
            .setInstrumentationVersion(Versions.hyperlens())
            .build();
    this.tokenUsage =
        meter
            .histogramBuilder(TOKEN_USAGE)
            .ofLongs()
            .setUnit("{token}")
            .setDescription("Measures number of input and output tokens used")
            .setExplicitBucketBoundariesAdvice(TOKEN_USAGE_BUCKETS)
            .build();
    this.operationDuration =
        meter
            .histogramBuilder(OPERATION_DURATION)
            .setUnit("s")
            .setDescription("GenAI operation duration")
            .setExplicitBucketBoundariesAdvice(OPERATION_DURATION_BUCKETS)
            .build();
  }

  /** An {@code invoke_agent {agentName}} span (kind {@code CLIENT}); {@code agentName} optional. */
  public GenAiOperation.Builder invokeAgent(String agentName) {
    return new GenAiOperation.Builder(this, INVOKE_AGENT, SpanKind.CLIENT).agentName(agentName);
  }

  /** A {@code create_agent {agentName}} span (kind {@code CLIENT}); {@code agentName} optional. */
  public GenAiOperation.Builder createAgent(String agentName) {
    return new GenAiOperation.Builder(this, CREATE_AGENT, SpanKind.CLIENT).agentName(agentName);
  }

  /**
   * An {@code execute_tool {toolName}} span (kind {@code INTERNAL}).
   *
   * @throws IllegalArgumentException when {@code toolName} is blank
   */
  public GenAiOperation.Builder executeTool(String toolName) {
    return new GenAiOperation.Builder(this, EXECUTE_TOOL, SpanKind.INTERNAL)
        .toolName(GenAiOperation.requireNonBlank("toolName", toolName));
  }

  /**
   * A {@code chat {requestModel}} span (kind {@code CLIENT}).
   *
   * @throws IllegalArgumentException when {@code requestModel} is blank
   */
  public GenAiOperation.Builder chat(String requestModel) {
    return new GenAiOperation.Builder(this, CHAT, SpanKind.CLIENT)
        .requestModel(GenAiOperation.requireNonBlank("requestModel", requestModel));
  }

  DistributedTracer tracer() {
    return tracer;
  }
}
