package io.hyperlens.otel;

import static io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_AGENT_ID;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_AGENT_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_TOOL_CALL_ID;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_TOOL_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS;

import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiTokenTypeIncubatingValues;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One GenAI operation in progress: a span in the conventions' shape that {@link #close()} finishes,
 * recording its duration and token usage in the GenAI histograms. Make it current with {@link
 * #makeCurrent()} so that nested operations (a tool call inside an agent invocation) become its
 * children.
 *
 * <p>Thread-safe; close once (later closes are ignored).
 *
 * <pre>{@code
 * try (GenAiOperation agent = genAi.invokeAgent("researcher").agentId("did:mesh:r1").start();
 *     Scope scope = agent.makeCurrent()) {
 *   try (GenAiOperation tool = genAi.executeTool("web_search").toolCallId("call_1").start()) {
 *     // ... run the tool; on failure: tool.fail(e)
 *   }
 * }
 * }</pre>
 */
public final class GenAiOperation implements AutoCloseable {
  /** Operations named for their model rather than an agent or tool. */
  private static final Set<String> MODEL_OPERATIONS =
      Set.of("chat", "text_completion", "generate_content", "embeddings");

  private final GenAiTelemetry telemetry;
  private final Span span;
  private final String operationName;
  private final String providerName;
  private final String requestModel;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile long inputTokens = -1;
  private volatile long outputTokens = -1;
  private volatile String errorType;

  private GenAiOperation(Builder builder, Span span) {
    this.telemetry = builder.telemetry;
    this.span = span;
    this.operationName = builder.operationName;
    this.providerName = builder.providerName;
    this.requestModel = builder.requestModel;
  }

  /** The span, for attributes and events beyond the conventions. */
  public Span span() {
    return span;
  }

  /** Makes the span current on this thread until the scope closes. */
  public Scope makeCurrent() {
    return span.makeCurrent();
  }

  /**
   * Records token usage (before {@link #close()}): {@code gen_ai.usage.input_tokens} and {@code
   * gen_ai.usage.output_tokens} on the span, and both in {@value GenAiTelemetry#TOKEN_USAGE} when
   * the operation closes.
   *
   * @throws IllegalArgumentException naming the field when a count is negative
   */
  public GenAiOperation usage(long inputTokens, long outputTokens) {
    requireOpen();
    if (inputTokens < 0) {
      throw new IllegalArgumentException("inputTokens must not be negative, got " + inputTokens);
    }
    if (outputTokens < 0) {
      throw new IllegalArgumentException("outputTokens must not be negative, got " + outputTokens);
    }
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS.getKey(), inputTokens);
    span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS.getKey(), outputTokens);
    return this;
  }

  /**
   * Marks the operation failed by {@code error}: recorded as an {@code exception} event, the span
   * in error, and {@code error.type} its class name, on the span and the duration measurement.
   */
  public GenAiOperation fail(Throwable error) {
    requireOpen();
    if (error == null) {
      throw new IllegalArgumentException("error must not be null");
    }
    span.recordException(error);
    return fail(error.getClass().getName());
  }

  /**
   * Marks the operation failed with {@code errorType}, a low-cardinality description such as {@code
   * timeout} or an HTTP status code.
   */
  public GenAiOperation fail(String errorType) {
    requireOpen();
    this.errorType = requireNonBlank("errorType", errorType);
    span.setAttribute(ERROR_TYPE.getKey(), errorType);
    span.setStatus(SpanStatus.ERROR, errorType);
    return this;
  }

  /** Finishes the span and records the duration and token usage; later calls do nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    telemetry.tracer().finishSpan(span);
    AttributesBuilder common = Attributes.builder().put(GEN_AI_OPERATION_NAME, operationName);
    putIfPresent(common, GEN_AI_PROVIDER_NAME, providerName);
    putIfPresent(common, GEN_AI_REQUEST_MODEL, requestModel);
    String error = errorType;
    Attributes usageBase = common.build();
    putIfPresent(common, ERROR_TYPE, error);
    telemetry.operationDuration.record(span.durationMs() / 1000.0, common.build());
    if (inputTokens >= 0) {
      telemetry.tokenUsage.record(
          inputTokens,
          usageBase.toBuilder()
              .put(GEN_AI_TOKEN_TYPE, GenAiTokenTypeIncubatingValues.INPUT)
              .build());
      telemetry.tokenUsage.record(
          outputTokens,
          usageBase.toBuilder()
              .put(GEN_AI_TOKEN_TYPE, GenAiTokenTypeIncubatingValues.OUTPUT)
              .build());
    }
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(
          "the " + operationName + " operation is closed: its span and metrics are recorded");
    }
  }

  private static void putIfPresent(
      AttributesBuilder builder, AttributeKey<String> key, String value) {
    if (value != null) {
      builder.put(key, value);
    }
  }

  static String requireNonBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          field + " must not be blank, got " + TracingConfig.quote(value));
    }
    return value;
  }

  /**
   * The attributes of a GenAI operation before it starts; from {@link GenAiTelemetry}.
   *
   * <p>Not thread-safe; build on one thread.
   */
  public static final class Builder {
    private final GenAiTelemetry telemetry;
    private final String operationName;
    private SpanKind kind;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private String agentName;
    private String toolName;
    private String providerName;
    private String requestModel;

    Builder(GenAiTelemetry telemetry, String operationName, SpanKind kind) {
      this.telemetry = telemetry;
      this.operationName = operationName;
      this.kind = kind;
      attributes.put(GEN_AI_OPERATION_NAME.getKey(), operationName);
    }

    /** {@code gen_ai.agent.name}; part of the span name of agent operations. */
    public Builder agentName(String agentName) {
      this.agentName = agentName;
      return put(GEN_AI_AGENT_NAME, agentName);
    }

    /** {@code gen_ai.agent.id}, e.g. the agent's DID. */
    public Builder agentId(String agentId) {
      return put(GEN_AI_AGENT_ID, agentId);
    }

    Builder toolName(String toolName) {
      this.toolName = toolName;
      return put(GEN_AI_TOOL_NAME, toolName);
    }

    /** {@code gen_ai.tool.call.id}, the model's id for this tool call. */
    public Builder toolCallId(String toolCallId) {
      return put(GEN_AI_TOOL_CALL_ID, toolCallId);
    }

    /** {@code gen_ai.request.model}; part of the span name of {@code chat}. */
    public Builder requestModel(String requestModel) {
      this.requestModel = requestModel;
      return put(GEN_AI_REQUEST_MODEL, requestModel);
    }

    /**
     * {@code gen_ai.provider.name}, e.g. {@code openai}, {@code anthropic}, {@code aws.bedrock}.
     */
    public Builder providerName(String providerName) {
      this.providerName = providerName;
      return put(GEN_AI_PROVIDER_NAME, providerName);
    }

    /** {@code gen_ai.conversation.id}, the session or thread the operation belongs to. */
    public Builder conversationId(String conversationId) {
      return put(GEN_AI_CONVERSATION_ID, conversationId);
    }

    /** Any other attribute. */
    public Builder attribute(String key, Object value) {
      attributes.put(requireNonBlank("key", key), value);
      return this;
    }

    /** Overrides the span kind, e.g. {@code INTERNAL} for an agent invoked in-process. */
    public Builder kind(SpanKind kind) {
      if (kind == null) {
        throw new IllegalArgumentException("kind must not be null");
      }
      this.kind = kind;
      return this;
    }

    private Builder put(AttributeKey<String> key, String value) {
      if (value == null) {
        attributes.remove(key.getKey());
      } else {
        attributes.put(key.getKey(), value);
      }
      return this;
    }

    /** Starts the span in the current context; close the operation to finish it. */
    public GenAiOperation start() {
      String subject =
          MODEL_OPERATIONS.contains(operationName)
              ? requestModel
              : operationName.equals("execute_tool") ? toolName : agentName;
      String name = subject == null ? operationName : operationName + " " + subject;
      Span span = telemetry.tracer().startSpan(name, kind, attributes);
      return new GenAiOperation(this, span);
    }
  }
}
