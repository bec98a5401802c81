package io.hyperlens.otel;

import static io.hyperlens.otel.GenAiAttributes.OPERATION_CHAT;
import static io.hyperlens.otel.GenAiAttributes.OPERATION_CREATE_AGENT;
import static io.hyperlens.otel.GenAiAttributes.OPERATION_EXECUTE_TOOL;
import static io.hyperlens.otel.GenAiAttributes.OPERATION_INVOKE_AGENT;

import io.hyperlens.redact.Redactor;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanKind;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spans and metrics for agent work in the OpenTelemetry GenAI semantic conventions: {@code
 * invoke_agent}, {@code create_agent}, {@code execute_tool} and {@code chat} spans named and
 * attributed as the conventions say ({@code gen_ai.operation.name}, {@code gen_ai.agent.*}, {@code
 * gen_ai.tool.*}, {@code gen_ai.request.model}, {@code gen_ai.usage.*}, {@code
 * gen_ai.conversation.id}, {@code error.type}), recorded by a {@link DistributedTracer}, and the
 * {@value #TOKEN_USAGE} and {@value #OPERATION_DURATION} histograms with the conventions' bucket
 * boundaries. Attribute keys are {@link GenAiAttributes}'. A successful operation leaves its span's
 * status unset, as the conventions require.
 *
 * <p>Token usage becomes cost through the {@link GenAiPriceTable} of {@link
 * GenAiTelemetryBuilder#prices} (the bundled one by default): an operation with usage adds its cost
 * to the {@value #COST} counter ({@value #COST_PROMETHEUS} on Prometheus) and sets {@code
 * hyperlens.genai.cost.usd} on its span; a model the table lacks is never guessed, but counted in
 * {@value #UNPRICED_CALLS} and marked {@code hyperlens.genai.cost.status=unpriced}.
 *
 * <p>{@code gen_ai.provider.name} is Required: pass it to an entry point ({@code chat("openai",
 * "gpt-4o")}) or configure {@link GenAiTelemetryBuilder#defaultProviderName}. Message content is
 * recorded only when {@link GenAiTelemetryBuilder#captureContent} is on, redacted and capped.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * GenAiTelemetry genAi = new GenAiTelemetry(tracing.tracer(), tracing.meterProvider());
 * try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").temperature(0.2).start()) {
 *   // ... call the model
 *   chat.responseModel("gpt-4o-2024-08-06").finishReasons("stop").usage(120, 42);
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

  /**
   * The cost counter, in USD, labelled {@code provider}, {@code model} and {@code agent}; exposed
   * on Prometheus as {@value #COST_PROMETHEUS}.
   */
  public static final String COST = "hyperlens.genai.cost.usd";

  /** {@value #COST}'s Prometheus name. */
  public static final String COST_PROMETHEUS = "hyperlens_genai_cost_usd_total";

  /**
   * The counter of operations with token usage the price table could not price, labelled as {@value
   * #COST}; exposed on Prometheus as {@value #UNPRICED_CALLS_PROMETHEUS}.
   */
  public static final String UNPRICED_CALLS = "hyperlens.genai.unpriced.calls";

  /** {@value #UNPRICED_CALLS}'s Prometheus name. */
  public static final String UNPRICED_CALLS_PROMETHEUS = "hyperlens_genai_unpriced_calls_total";

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
  private final String defaultProviderName;
  private final GenAiContent content;
  final LongHistogram tokenUsage;
  final DoubleHistogram operationDuration;
  final GenAiPriceTable prices;
  final DoubleCounter cost;
  final LongCounter unpricedCalls;

  /**
   * Spans on {@code tracer}, histograms on {@code meterProvider}; no default provider name, no
   * content capture ({@link #builder} for those).
   *
   * @throws IllegalArgumentException when either is null
   */
  public GenAiTelemetry(DistributedTracer tracer, MeterProvider meterProvider) {
    this(new GenAiTelemetryBuilder(tracer, meterProvider));
  }

  /**
   * A builder of telemetry with spans on {@code tracer} and histograms on {@code meterProvider}.
   *
   * @throws IllegalArgumentException when either is null
   */
  public static GenAiTelemetryBuilder builder(
      DistributedTracer tracer, MeterProvider meterProvider) {
    return new GenAiTelemetryBuilder(tracer, meterProvider);
  }

  GenAiTelemetry(GenAiTelemetryBuilder builder) {
    this.tracer = builder.tracer;
    this.defaultProviderName = builder.defaultProviderName;
    this.content =
        builder.captureContent
            // Never longer than the tracer keeps: a value it cut would no longer be JSON.
            ? new GenAiContent(
                Redactor.standard(),
                Math.min(builder.maxContentLength, builder.tracer.maxAttributeLength()))
            : null;
    Meter meter =
        builder
            .meterProvider
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
    this.prices = builder.prices;
    // "{USD}" is an annotation, which the Prometheus translation drops: the name already ends in
    // _usd, and a counter gets _total.
    this.cost =
        meter
            .counterBuilder(COST)
            .ofDoubles()
            .setUnit("{USD}")
            .setDescription("What GenAI token usage cost, in USD, at the price table's prices")
            .build();
    this.unpricedCalls =
        meter
            .counterBuilder(UNPRICED_CALLS)
            .setUnit("{call}")
            .setDescription("GenAI operations with token usage of a model the price table lacks")
            .build();
  }

  /**
   * An {@code invoke_agent {agentName}} span (kind {@code CLIENT}) of the default provider; {@code
   * agentName} optional.
   *
   * @throws IllegalArgumentException from {@link GenAiOperation.Builder#start()} when no provider
   *     name is given there or configured as the default
   */
  public GenAiOperation.Builder invokeAgent(String agentName) {
    return new GenAiOperation.Builder(
            this, OPERATION_INVOKE_AGENT, SpanKind.CLIENT, defaultProviderName)
        .agentName(agentName);
  }

  /**
   * An {@code invoke_agent {agentName}} span (kind {@code CLIENT}); {@code agentName} optional.
   *
   * @throws IllegalArgumentException when {@code providerName} is blank
   */
  public GenAiOperation.Builder invokeAgent(String providerName, String agentName) {
    // The entry point's own checks first, then the provider (its default overridden).
    return invokeAgent(agentName).providerName(providerName);
  }

  /**
   * A {@code create_agent {agentName}} span (kind {@code CLIENT}) of the default provider; {@code
   * agentName} optional.
   *
   * @throws IllegalArgumentException from {@link GenAiOperation.Builder#start()} when no provider
   *     name is given there or configured as the default
   */
  public GenAiOperation.Builder createAgent(String agentName) {
    return new GenAiOperation.Builder(
            this, OPERATION_CREATE_AGENT, SpanKind.CLIENT, defaultProviderName)
        .agentName(agentName);
  }

  /**
   * A {@code create_agent {agentName}} span (kind {@code CLIENT}); {@code agentName} optional.
   *
   * @throws IllegalArgumentException when {@code providerName} is blank
   */
  public GenAiOperation.Builder createAgent(String providerName, String agentName) {
    // The entry point's own checks first, then the provider (its default overridden).
    return createAgent(agentName).providerName(providerName);
  }

  /**
   * An {@code execute_tool {toolName}} span (kind {@code INTERNAL}) of the default provider.
   *
   * @throws IllegalArgumentException when {@code toolName} is blank; from {@link
   *     GenAiOperation.Builder#start()} when no provider name is given there or configured
   */
  public GenAiOperation.Builder executeTool(String toolName) {
    GenAiOperation.requireNonBlank("toolName", toolName);
    return new GenAiOperation.Builder(
            this, OPERATION_EXECUTE_TOOL, SpanKind.INTERNAL, defaultProviderName)
        .toolName(toolName);
  }

  /**
   * An {@code execute_tool {toolName}} span (kind {@code INTERNAL}).
   *
   * @throws IllegalArgumentException when {@code providerName} or {@code toolName} is blank
   */
  public GenAiOperation.Builder executeTool(String providerName, String toolName) {
    // The entry point's own checks first, then the provider (its default overridden).
    return executeTool(toolName).providerName(providerName);
  }

  /**
   * A {@code chat {requestModel}} span (kind {@code CLIENT}) of the default provider.
   *
   * @throws IllegalArgumentException when {@code requestModel} is blank; from {@link
   *     GenAiOperation.Builder#start()} when no provider name is given there or configured
   */
  public GenAiOperation.Builder chat(String requestModel) {
    GenAiOperation.requireNonBlank("requestModel", requestModel);
    return new GenAiOperation.Builder(this, OPERATION_CHAT, SpanKind.CLIENT, defaultProviderName)
        .requestModel(requestModel);
  }

  /**
   * A {@code chat {requestModel}} span (kind {@code CLIENT}).
   *
   * @throws IllegalArgumentException when {@code providerName} or {@code requestModel} is blank
   */
  public GenAiOperation.Builder chat(String providerName, String requestModel) {
    // The entry point's own checks first, then the provider (its default overridden).
    return chat(requestModel).providerName(providerName);
  }

  /** The content writer, or null when content capture is off. */
  /** Whether message content is recorded ({@link GenAiTelemetryBuilder#captureContent}). */
  public boolean capturesContent() {
    return content != null;
  }

  /**
   * The attributes of an operation's three metric points: the duration's ({@code error.type} when
   * it failed) and the input and output token counts'. Built once per distinct combination and
   * reused (each build sorts); at most {@value #MAX_CACHED_POINTS} combinations are kept, more are
   * built each time (metric attributes must be low-cardinality anyway).
   */
  PointAttributes points(Attributes base, String responseModel, String errorType) {
    PointKey key = new PointKey(base, responseModel, errorType);
    PointAttributes cached = points.get(key);
    if (cached != null) {
      return cached;
    }
    AttributesBuilder common = base.toBuilder();
    if (responseModel != null) {
      common.put(GenAiAttributes.GEN_AI_RESPONSE_MODEL, responseModel);
    }
    Attributes usage = common.build();
    if (errorType != null) {
      common.put(GenAiAttributes.ERROR_TYPE, errorType);
    }
    PointAttributes built =
        new PointAttributes(
            common.build(),
            usage.toBuilder()
                .put(GenAiAttributes.GEN_AI_TOKEN_TYPE, GenAiAttributes.TOKEN_TYPE_INPUT)
                .build(),
            usage.toBuilder()
                .put(GenAiAttributes.GEN_AI_TOKEN_TYPE, GenAiAttributes.TOKEN_TYPE_OUTPUT)
                .build());
    if (points.size() < MAX_CACHED_POINTS) {
      points.putIfAbsent(key, built);
    }
    return built;
  }

  /** Most metric attribute combinations {@link #points} keeps. */
  static final int MAX_CACHED_POINTS = 1024;

  private final Map<PointKey, PointAttributes> points = new ConcurrentHashMap<>();

  private record PointKey(Attributes base, String responseModel, String errorType) {}

  /** The attributes of an operation's duration point and its two token-usage points. */
  record PointAttributes(Attributes duration, Attributes input, Attributes output) {}

  GenAiContent content() {
    return content;
  }

  DistributedTracer tracer() {
    return tracer;
  }
}
