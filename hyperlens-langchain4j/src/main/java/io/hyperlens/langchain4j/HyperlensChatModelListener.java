package io.hyperlens.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.hyperlens.otel.GenAiOperation;
import io.hyperlens.otel.GenAiTelemetry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A LangChain4j {@link ChatModelListener} that makes every call of a {@code ChatModel} a GenAI
 * {@code chat {model}} span, with the {@code gen_ai.client.token.usage} and {@code
 * gen_ai.client.operation.duration} histograms, through a {@link GenAiTelemetry}: the provider
 * ({@link #providerName(ModelProvider)}), the request's model, temperature, top-p and max tokens;
 * the response's model, id, finish reason and token usage; on failure {@code error.type} and an
 * error status. Message content is recorded only when the telemetry captures content, redacted and
 * capped there.
 *
 * <p>The listener never breaks the model call: whatever it throws is caught, counted in {@link
 * #failures()} and logged once through {@link System.Logger}.
 *
 * <p>Thread-safe: one instance serves any number of models and concurrent calls. The operation of a
 * call travels from {@code onRequest} to {@code onResponse} or {@code onError} in the call's
 * listener attributes, never in the listener.
 *
 * <p>Register it where LangChain4j takes listeners: a provider's builder ({@code
 * OpenAiChatModel.builder().listeners(List.of(listener))}), or {@link ChatModel#listeners()} of a
 * model of your own:
 *
 * <pre>{@code
 * HyperlensChatModelListener listener =
 *     HyperlensChatModelListener.create(new GenAiTelemetry(tracer, meterProvider));
 * ChatModel model =
 *     new ChatModel() {
 *       public ChatResponse doChat(ChatRequest request) {
 *         return ChatResponse.builder().aiMessage(AiMessage.from("Hi!")).build();
 *       }
 *       public List<ChatModelListener> listeners() {
 *         return List.of(listener);
 *       }
 *     };
 * model.chat("Hello"); // a "chat" span, its duration in gen_ai.client.operation.duration
 * }</pre>
 */
public final class HyperlensChatModelListener implements ChatModelListener {
  /** The provider name used when LangChain4j names none, or {@code OTHER}. */
  public static final String DEFAULT_FALLBACK_PROVIDER_NAME = "langchain4j";

  private static final System.Logger LOG =
      System.getLogger(HyperlensChatModelListener.class.getName());

  private final GenAiTelemetry genAi;
  private final String fallbackProviderName;
  // Our own key in the call's attribute map: two listeners never take each other's operation.
  private final Object operationKey = new Object();
  private final LongAdder failures = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  HyperlensChatModelListener(GenAiTelemetry genAi, String fallbackProviderName) {
    this.genAi = genAi;
    this.fallbackProviderName = fallbackProviderName;
  }

  /**
   * A listener recording on {@code genAi}, with the {@value #DEFAULT_FALLBACK_PROVIDER_NAME}
   * fallback provider name.
   *
   * @throws IllegalArgumentException when {@code genAi} is null
   */
  public static HyperlensChatModelListener create(GenAiTelemetry genAi) {
    return builder(genAi).build();
  }

  /**
   * A builder of a listener recording on {@code genAi}.
   *
   * @throws IllegalArgumentException when {@code genAi} is null
   */
  public static HyperlensChatModelListenerBuilder builder(GenAiTelemetry genAi) {
    return new HyperlensChatModelListenerBuilder(genAi);
  }

  /**
   * The conventions' {@code gen_ai.provider.name} of a LangChain4j provider: the well-known value
   * where there is one ({@code OPEN_AI} is {@code openai}, {@code AZURE_OPEN_AI} {@code
   * azure.ai.openai}, {@code GOOGLE_AI_GEMINI} {@code gcp.gemini}, {@code AMAZON_BEDROCK} {@code
   * aws.bedrock}, ...), else the lower-cased constant ({@code OLLAMA} is {@code ollama}); null for
   * null and {@code OTHER}, which the listener replaces by its fallback.
   */
  public static String providerName(ModelProvider provider) {
    if (provider == null) {
      return null;
    }
    // By name, not an enum switch: a constant another LangChain4j version lacks must not fail us.
    String name = provider.name();
    switch (name) {
      case "OTHER":
        return null;
      case "OPEN_AI":
        return "openai";
      case "ANTHROPIC":
        return "anthropic";
      case "AZURE_OPEN_AI":
        return "azure.ai.openai";
      case "MICROSOFT_FOUNDRY":
        return "azure.ai.inference";
      case "AMAZON_BEDROCK":
        return "aws.bedrock";
      case "GOOGLE_AI_GEMINI":
        return "gcp.gemini";
      case "GOOGLE_VERTEX_AI_GEMINI":
      case "GOOGLE_VERTEX_AI_ANTHROPIC":
        return "gcp.vertex_ai";
      case "GOOGLE_GENAI":
        return "gcp.gen_ai";
      case "MISTRAL_AI":
        return "mistral_ai";
      case "WATSONX":
        return "ibm.watsonx.ai";
      default:
        return name.toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The conventions' finish reason of a LangChain4j one: {@code stop}, {@code length}, {@code
   * tool_call}, {@code content_filter}, else the lower-cased constant; null for null.
   */
  public static String finishReason(dev.langchain4j.model.output.FinishReason reason) {
    if (reason == null) {
      return null;
    }
    switch (reason.name()) {
      case "TOOL_EXECUTION":
        return "tool_call";
      default:
        return reason.name().toLowerCase(Locale.ROOT);
    }
  }

  /** How many times this listener caught a failure of its own, and left the call alone. */
  public long failures() {
    return failures.sum();
  }

  /** The provider name of operations LangChain4j names no provider for. */
  public String fallbackProviderName() {
    return fallbackProviderName;
  }

  /** Starts the call's {@code chat} operation. Never throws. */
  @Override
  public void onRequest(ChatModelRequestContext context) {
    try {
      ChatRequest request = context.chatRequest();
      String provider = providerName(context.modelProvider());
      if (provider == null) {
        provider = fallbackProviderName;
      }
      String model = request.modelName();
      GenAiOperation.Builder chat;
      if (model == null || model.isBlank()) {
        // No model named: the span is just "chat", as the conventions name it then.
        chat = genAi.chat(provider, "unknown").requestModel(null);
      } else {
        chat = genAi.chat(provider, model);
      }
      // A call made by a traced agent: its name (the cost's agent), DID and session.
      HyperlensAgentListener.current()
          .ifPresent(
              agent ->
                  chat.agentName(agent.name)
                      .sessionId(agent.sessionId())
                      .attribute(HyperlensAgentListener.AGENT_DID, agent.did));
      if (request.temperature() != null) {
        chat.temperature(request.temperature());
      }
      if (request.topP() != null) {
        chat.topP(request.topP());
      }
      if (request.maxOutputTokens() != null && request.maxOutputTokens() >= 0) {
        chat.maxTokens(request.maxOutputTokens());
      }
      GenAiOperation operation = chat.start();
      try {
        context.attributes().put(operationKey, operation);
      } catch (RuntimeException e) {
        // No way to reach onResponse: finish the span now rather than leave it open.
        close(operation);
        throw e;
      }
      if (genAi.capturesContent()) { // else the conversion would only be thrown away
        try {
          operation.inputMessages(Messages.input(request.messages()));
        } catch (RuntimeException e) {
          caught(e);
        }
      }
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  /** Records the response on the call's operation and closes it. Never throws. */
  @Override
  public void onResponse(ChatModelResponseContext context) {
    GenAiOperation operation = take(context.attributes());
    if (operation == null) {
      return;
    }
    try {
      ChatResponse response = context.chatResponse();
      if (response != null) {
        record(operation, response, genAi.capturesContent());
      }
    } catch (RuntimeException e) {
      caught(e);
    } finally {
      close(operation);
    }
  }

  /** Marks the call's operation failed and closes it. Never throws. */
  @Override
  public void onError(ChatModelErrorContext context) {
    GenAiOperation operation = take(context.attributes());
    if (operation == null) {
      return;
    }
    try {
      Throwable error = context.error();
      if (error != null) {
        operation.fail(error);
      } else {
        operation.fail("_OTHER");
      }
    } catch (RuntimeException e) {
      caught(e);
    } finally {
      close(operation);
    }
  }

  private static void record(
      GenAiOperation operation, ChatResponse response, boolean capturesContent) {
    String model = response.modelName();
    if (model != null && !model.isBlank()) {
      operation.responseModel(model);
    }
    String id = response.id();
    if (id != null && !id.isBlank()) {
      operation.responseId(id);
    }
    String finishReason = finishReason(response.finishReason());
    if (finishReason != null) {
      operation.finishReasons(finishReason);
    }
    TokenUsage usage = response.tokenUsage();
    if (usage != null && usage.inputTokenCount() != null && usage.outputTokenCount() != null) {
      operation.usage(usage.inputTokenCount(), usage.outputTokenCount());
    }
    if (response.aiMessage() != null && capturesContent) {
      operation.outputMessages(List.of(Messages.output(response.aiMessage(), finishReason)));
    }
  }

  private GenAiOperation take(Map<Object, Object> attributes) {
    try {
      Object operation = attributes == null ? null : attributes.remove(operationKey);
      return operation instanceof GenAiOperation ? (GenAiOperation) operation : null;
    } catch (RuntimeException e) {
      caught(e);
      return null;
    }
  }

  private void close(GenAiOperation operation) {
    try {
      operation.close();
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  private void caught(RuntimeException e) {
    failures.increment();
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "HyperlensChatModelListener failed; the model call goes on (logged once, counted in"
              + " failures())",
          e);
    }
  }
}
