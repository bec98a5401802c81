package io.hyperlens.otel;

import static io.hyperlens.otel.GenAiAttributes.CONTENT_TRUNCATED;
import static io.hyperlens.otel.GenAiAttributes.COST_AGENT;
import static io.hyperlens.otel.GenAiAttributes.COST_MODEL;
import static io.hyperlens.otel.GenAiAttributes.COST_PROVIDER;
import static io.hyperlens.otel.GenAiAttributes.COST_STATUS;
import static io.hyperlens.otel.GenAiAttributes.COST_STATUS_UNPRICED;
import static io.hyperlens.otel.GenAiAttributes.COST_USD;
import static io.hyperlens.otel.GenAiAttributes.ERROR_TYPE;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_AGENT_DESCRIPTION;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_AGENT_ID;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_AGENT_NAME;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_CONVERSATION_ID;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_INPUT_MESSAGES;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_OPERATION_NAME;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_OUTPUT_MESSAGES;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_PROVIDER_NAME;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_REQUEST_MAX_TOKENS;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_REQUEST_MODEL;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_REQUEST_TEMPERATURE;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_REQUEST_TOP_P;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_RESPONSE_FINISH_REASONS;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_RESPONSE_ID;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_RESPONSE_MODEL;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_SYSTEM_INSTRUCTIONS;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_TOOL_CALL_ID;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_TOOL_DESCRIPTION;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_TOOL_NAME;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_TOOL_TYPE;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_USAGE_INPUT_TOKENS;
import static io.hyperlens.otel.GenAiAttributes.GEN_AI_USAGE_OUTPUT_TOKENS;
import static io.hyperlens.otel.GenAiAttributes.SERVER_ADDRESS;
import static io.hyperlens.otel.GenAiAttributes.SERVER_PORT;
import static io.hyperlens.otel.GenAiAttributes.SESSION_ID;

import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * One GenAI operation in progress: a span in the conventions' shape that {@link #close()} finishes,
 * recording its duration and token usage in the GenAI histograms. Make it current with {@link
 * #makeCurrent()} so that nested operations (a tool call inside an agent invocation) become its
 * children. What is known only after the call (the response model, id and finish reasons, token
 * usage, output messages) is set here; what is known before, on its {@link Builder}.
 *
 * <p>A successful operation leaves the span's status unset, as the conventions require; {@link
 * #fail(Throwable)} sets it to error with the exception's message.
 *
 * <p>Thread-safe; close once (later closes are ignored).
 *
 * <pre>{@code
 * try (GenAiOperation agent = genAi.invokeAgent("openai", "researcher").start();
 *     Scope scope = agent.makeCurrent()) {
 *   try (GenAiOperation tool = genAi.executeTool("openai", "web_search").start()) {
 *     // ... run the tool; on failure: tool.fail(e)
 *   }
 * }
 * }</pre>
 */
public final class GenAiOperation implements AutoCloseable {
  /** Operations named for their model rather than an agent or tool. */
  private static final Set<String> MODEL_OPERATIONS =
      Set.of("chat", "text_completion", "generate_content", "embeddings");

  private static final System.Logger LOG = System.getLogger(GenAiOperation.class.getName());
  private static final AtomicBoolean CONTENT_FAILURE_LOGGED = new AtomicBoolean();
  private static final AtomicBoolean PRICING_FAILURE_LOGGED = new AtomicBoolean();

  private final GenAiTelemetry telemetry;
  private final Span span;
  private final String operationName;
  private final Attributes metricBase;
  private final String providerName;
  private final String requestModel;
  private final String agentName;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** {input, output} token counts, set together; null until {@link #usage} is called. */
  private volatile long[] tokens;

  private volatile String errorType;
  private volatile String responseModel;

  private GenAiOperation(Builder builder, Span span) {
    this.telemetry = builder.telemetry;
    this.span = span;
    this.operationName = builder.operationName;
    this.metricBase = builder.metricAttributes.build();
    this.providerName = builder.providerName;
    this.requestModel = builder.requestModel;
    this.agentName = builder.agentName;
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
   * the operation closes, when it is also priced: see {@link #close()}.
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
    this.tokens = new long[] {inputTokens, outputTokens};
    span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS.getKey(), inputTokens);
    span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS.getKey(), outputTokens);
    return this;
  }

  /**
   * {@code gen_ai.response.model}, the model that answered; also on both metrics.
   *
   * @throws IllegalArgumentException when blank
   */
  public GenAiOperation responseModel(String responseModel) {
    requireOpen();
    this.responseModel = requireNonBlank("responseModel", responseModel);
    span.setAttribute(GEN_AI_RESPONSE_MODEL.getKey(), responseModel);
    return this;
  }

  /**
   * {@code gen_ai.response.id}, the provider's id for the completion.
   *
   * @throws IllegalArgumentException when blank
   */
  public GenAiOperation responseId(String responseId) {
    requireOpen();
    span.setAttribute(GEN_AI_RESPONSE_ID.getKey(), requireNonBlank("responseId", responseId));
    return this;
  }

  /**
   * {@code gen_ai.response.finish_reasons}, one per choice, e.g. {@code stop}, {@code length}.
   *
   * @throws IllegalArgumentException when {@code finishReasons} is null or holds a blank reason
   */
  public GenAiOperation finishReasons(String... finishReasons) {
    requireOpen();
    if (finishReasons == null) {
      throw new IllegalArgumentException("finishReasons must not be null");
    }
    for (String reason : finishReasons) {
      requireNonBlank("finishReason", reason);
    }
    span.setAttribute(GEN_AI_RESPONSE_FINISH_REASONS.getKey(), List.of(finishReasons));
    return this;
  }

  /**
   * {@code gen_ai.input.messages}, the chat history sent to the model, as the conventions' JSON;
   * recorded only when content capture is on, redacted and capped. Content that cannot be written
   * as JSON is left out (logged once), never thrown into the caller.
   */
  public GenAiOperation inputMessages(List<GenAiMessage> messages) {
    return content(GEN_AI_INPUT_MESSAGES, messages, GenAiContent::messages);
  }

  /**
   * {@code gen_ai.output.messages}, the model's answer, as the conventions' JSON; recorded only
   * when content capture is on, redacted and capped.
   *
   * @throws IllegalArgumentException naming the message when one has no {@code finishReason}: the
   *     conventions require it on output messages
   */
  public GenAiOperation outputMessages(List<GenAiMessage> messages) {
    if (messages != null) {
      for (int i = 0; i < messages.size(); i++) {
        GenAiMessage message = messages.get(i);
        if (message != null
            && (message.finishReason() == null || message.finishReason().isBlank())) {
          throw new IllegalArgumentException(
              "messages["
                  + i
                  + "].finishReason must not be blank on an output message, got "
                  + TracingConfig.quote(message.finishReason()));
        }
      }
    }
    return content(GEN_AI_OUTPUT_MESSAGES, messages, GenAiContent::messages);
  }

  /**
   * {@code gen_ai.system_instructions}, given apart from the chat history, as the conventions' JSON
   * array of parts; recorded only when content capture is on, redacted and capped.
   */
  public GenAiOperation systemInstructions(List<GenAiMessage.Part> parts) {
    return content(GEN_AI_SYSTEM_INSTRUCTIONS, parts, GenAiContent::parts);
  }

  private <T> GenAiOperation content(
      AttributeKey<String> key,
      List<T> values,
      BiFunction<GenAiContent, List<T>, GenAiContent.Json> write) {
    requireOpen();
    if (values == null) {
      throw new IllegalArgumentException(key.getKey() + " must not be null");
    }
    GenAiContent content = telemetry.content();
    if (content == null) {
      return this;
    }
    GenAiContent.Json json;
    try {
      json = write.apply(content, List.copyOf(values));
    } catch (RuntimeException e) {
      // A tool argument Jackson cannot write must not break the agent: leave the content out.
      if (CONTENT_FAILURE_LOGGED.compareAndSet(false, true)) {
        LOG.log(System.Logger.Level.WARNING, "GenAI content left out: not writable as JSON", e);
      }
      return this;
    }
    span.setAttribute(key.getKey(), json.text());
    if (json.truncated()) {
      span.setAttribute(CONTENT_TRUNCATED.getKey(), true);
    }
    return this;
  }

  /**
   * Marks the operation failed by {@code error}: recorded as an {@code exception} event, the span
   * in error with the exception's message as its description, and {@code error.type} its class
   * name, on the span and the duration measurement.
   */
  public GenAiOperation fail(Throwable error) {
    requireOpen();
    if (error == null) {
      throw new IllegalArgumentException("error must not be null");
    }
    span.recordException(error);
    return fail(error.getClass().getName(), error.getMessage());
  }

  /**
   * Marks the operation failed with {@code errorType}, a low-cardinality description such as {@code
   * timeout} or an HTTP status code, with no status description.
   */
  public GenAiOperation fail(String errorType) {
    return fail(errorType, null);
  }

  /**
   * Marks the operation failed with {@code errorType} in {@code error.type} and {@code description}
   * (nullable) as the span status description.
   */
  public GenAiOperation fail(String errorType, String description) {
    requireOpen();
    this.errorType = requireNonBlank("errorType", errorType);
    span.setAttribute(ERROR_TYPE.getKey(), errorType);
    span.setStatus(SpanStatus.ERROR, description);
    return this;
  }

  /**
   * Finishes the span, leaving its status unset unless the operation failed, and records the
   * duration and token usage; later calls do nothing.
   *
   * <p>An operation with {@link #usage token usage} is priced first, by the telemetry's {@link
   * GenAiPriceTable} at the span's start time, for the response model or else the request model:
   * its cost goes on the span as {@code hyperlens.genai.cost.usd} and into {@value
   * GenAiTelemetry#COST}; an unknown model sets {@code hyperlens.genai.cost.status=unpriced} and
   * counts in {@value GenAiTelemetry#UNPRICED_CALLS}. Both counters are labelled {@code provider},
   * {@code model} (the response model, else the request model) and, when the operation has a {@code
   * gen_ai.agent.name}, {@code agent}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long[] counts = tokens; // one read: a usage() racing close() is recorded whole or not at all
    String model = responseModel;
    if (counts != null) {
      try {
        price(counts, model);
      } catch (RuntimeException e) {
        // pricing must never break the agent or leave its span unfinished
        if (PRICING_FAILURE_LOGGED.compareAndSet(false, true)) {
          LOG.log(System.Logger.Level.WARNING, "GenAI cost left out: pricing failed", e);
        }
      }
    }
    telemetry.tracer().finishSpan(span, SpanStatus.UNSET, null);
    GenAiTelemetry.PointAttributes points = telemetry.points(metricBase, model, errorType);
    telemetry.operationDuration.record(span.durationMs() / 1000.0, points.duration());
    if (counts != null) {
      telemetry.tokenUsage.record(counts[0], points.input());
      telemetry.tokenUsage.record(counts[1], points.output());
    }
  }

  /** Sets the cost attributes (the span still open) and counts the cost or the unpriced call. */
  private void price(long[] counts, String model) {
    AttributesBuilder labels = Attributes.builder().put(COST_PROVIDER, providerName);
    String labelModel = model != null ? model : requestModel;
    if (labelModel != null) {
      labels.put(COST_MODEL, labelModel);
    }
    if (agentName != null) {
      labels.put(COST_AGENT, agentName);
    }
    Optional<BigDecimal> usd =
        telemetry.prices.cost(
            providerName, model, requestModel, span.startTime(), counts[0], counts[1]);
    if (usd.isPresent()) {
      double value = usd.get().doubleValue();
      span.setAttribute(COST_USD.getKey(), value);
      telemetry.cost.add(value, labels.build());
    } else {
      span.setAttribute(COST_STATUS.getKey(), COST_STATUS_UNPRICED);
      telemetry.unpricedCalls.add(1, labels.build());
    }
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(
          "the " + operationName + " operation is closed: its span and metrics are recorded");
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
    private final AttributesBuilder metricAttributes = Attributes.builder();
    private String agentName;
    private String toolName;
    private String requestModel;
    private String providerName;
    private boolean conversationIdSet;
    private CausalTraceId causalTraceId;

    /** {@code providerName} null: the caller still sets it, before {@link #start()}. */
    Builder(GenAiTelemetry telemetry, String operationName, SpanKind kind, String providerName) {
      this.telemetry = telemetry;
      this.operationName = operationName;
      this.kind = kind;
      attributes.put(GEN_AI_OPERATION_NAME.getKey(), operationName);
      metricAttributes.put(GEN_AI_OPERATION_NAME, operationName);
      if (providerName != null) {
        providerName(providerName);
      }
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

    /** {@code gen_ai.agent.description}, the agent's purpose in a sentence. */
    public Builder agentDescription(String agentDescription) {
      return put(GEN_AI_AGENT_DESCRIPTION, agentDescription);
    }

    Builder toolName(String toolName) {
      this.toolName = toolName;
      return put(GEN_AI_TOOL_NAME, toolName);
    }

    /** {@code gen_ai.tool.call.id}, the model's id for this tool call. */
    public Builder toolCallId(String toolCallId) {
      return put(GEN_AI_TOOL_CALL_ID, toolCallId);
    }

    /** {@code gen_ai.tool.type}: {@code function}, {@code extension} or {@code datastore}. */
    public Builder toolType(String toolType) {
      return put(GEN_AI_TOOL_TYPE, toolType);
    }

    /** {@code gen_ai.tool.description}. */
    public Builder toolDescription(String toolDescription) {
      return put(GEN_AI_TOOL_DESCRIPTION, toolDescription);
    }

    /** {@code gen_ai.request.model}; part of the span name of {@code chat}; also on the metrics. */
    public Builder requestModel(String requestModel) {
      this.requestModel = requestModel;
      metric(GEN_AI_REQUEST_MODEL, requestModel);
      return put(GEN_AI_REQUEST_MODEL, requestModel);
    }

    /**
     * {@code gen_ai.provider.name}, e.g. {@code openai}, {@code anthropic}, {@code aws.bedrock};
     * overrides the one the entry point was given. Also on the metrics.
     *
     * @throws IllegalArgumentException when blank: the conventions require it
     */
    public Builder providerName(String providerName) {
      this.providerName = requireNonBlank("providerName", providerName);
      metric(GEN_AI_PROVIDER_NAME, providerName);
      return put(GEN_AI_PROVIDER_NAME, providerName);
    }

    /** {@code gen_ai.request.temperature}. */
    public Builder temperature(double temperature) {
      attributes.put(GEN_AI_REQUEST_TEMPERATURE.getKey(), temperature);
      return this;
    }

    /** {@code gen_ai.request.top_p}. */
    public Builder topP(double topP) {
      attributes.put(GEN_AI_REQUEST_TOP_P.getKey(), topP);
      return this;
    }

    /**
     * {@code gen_ai.request.max_tokens}.
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder maxTokens(long maxTokens) {
      if (maxTokens < 0) {
        throw new IllegalArgumentException("maxTokens must not be negative, got " + maxTokens);
      }
      attributes.put(GEN_AI_REQUEST_MAX_TOKENS.getKey(), maxTokens);
      return this;
    }

    /**
     * {@code server.address} and {@code server.port} of the model's endpoint; also on the metrics.
     *
     * @throws IllegalArgumentException when {@code address} is blank or {@code port} is outside
     *     1..65535
     */
    public Builder server(String address, int port) {
      requireNonBlank("serverAddress", address);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("serverPort must be in 1..65535, got " + port);
      }
      metric(SERVER_ADDRESS, address);
      metricAttributes.put(SERVER_PORT, (long) port);
      attributes.put(SERVER_PORT.getKey(), (long) port);
      return put(SERVER_ADDRESS, address);
    }

    /**
     * {@code gen_ai.conversation.id}, the conversation or thread the operation belongs to.
     * Overrides the one {@link #sessionId} implies.
     */
    public Builder conversationId(String conversationId) {
      conversationIdSet = conversationId != null;
      return put(GEN_AI_CONVERSATION_ID, conversationId);
    }

    /**
     * {@code session.id}, the Hyperlens session the operation belongs to, which GenAI backends read
     * to group a session's work; also {@code gen_ai.conversation.id} unless {@link #conversationId}
     * gave another.
     */
    public Builder sessionId(String sessionId) {
      if (!conversationIdSet) {
        put(GEN_AI_CONVERSATION_ID, sessionId);
      }
      return put(SESSION_ID, sessionId);
    }

    /** Any other attribute. */
    public Builder attribute(String key, Object value) {
      attributes.put(requireNonBlank("key", key), value);
      return this;
    }

    /**
     * Makes the span the span of the agent with causal id {@code agent} ({@link
     * io.hyperlens.trace.SpanBuilder#setCausalTraceId}): its ids are the causal ids and its parent
     * the causal parent's span, whatever is current, so agents started on other threads still nest
     * under the agent that invoked them.
     */
    public Builder causalTraceId(CausalTraceId agent) {
      if (agent == null) {
        throw new IllegalArgumentException("causalTraceId must not be null");
      }
      this.causalTraceId = agent;
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

    private void metric(AttributeKey<String> key, String value) {
      if (value != null) {
        metricAttributes.put(key, value);
      } else {
        metricAttributes.removeIf(key::equals);
      }
    }

    private Builder put(AttributeKey<String> key, String value) {
      if (value == null) {
        attributes.remove(key.getKey());
      } else {
        attributes.put(key.getKey(), value);
      }
      return this;
    }

    /**
     * Starts the span in the current context, or as the span of its {@link #causalTraceId} when one
     * is given; close the operation to finish it.
     *
     * @throws IllegalArgumentException when no provider name was given, by the entry point, {@link
     *     #providerName} or the telemetry's default: the conventions require it
     */
    public GenAiOperation start() {
      if (providerName == null) {
        throw new IllegalArgumentException(
            "providerName must not be blank, got null: gen_ai.provider.name is required; pass it"
                + " to the entry point (e.g. chat(providerName, requestModel)), call"
                + " providerName(...) before start(), or configure"
                + " GenAiTelemetry.builder(...).defaultProviderName(...)");
      }
      String subject =
          MODEL_OPERATIONS.contains(operationName)
              ? requestModel
              : operationName.equals("execute_tool") ? toolName : agentName;
      String name = subject == null ? operationName : operationName + " " + subject;
      Span span =
          causalTraceId == null
              ? telemetry.tracer().startSpan(name, kind, attributes)
              : telemetry
                  .tracer()
                  .spanBuilder(name)
                  .setKind(kind)
                  .setAttributes(attributes)
                  .setCausalTraceId(causalTraceId)
                  .startSpan();
      return new GenAiOperation(this, span);
    }
  }
}
