package io.hyperlens.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.agentic.agent.AgentBuilder;
import dev.langchain4j.agentic.planner.AgenticService;
import dev.langchain4j.agentic.supervisor.SupervisorAgentService;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.langchain4j.service.tool.ToolExecutor;
import io.hyperlens.otel.GenAiTelemetry;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One-line Hyperlens instrumentation of LangChain4j: model calls become GenAI {@code chat} spans
 * with token and cost metrics ({@link #chatModelListener()}), agentic systems become {@code
 * invoke_agent} and {@code execute_tool} spans on a causal trace with session and saga events
 * ({@link #agentListener()}), and tools can run under a {@link ToolPolicy} whose decisions go to
 * the audit trail ({@link #guardedTools}).
 *
 * <p>{@code instrument(...)} adds the right listener to what it is given and returns it, so it fits
 * in a builder chain. Thread-safe.
 *
 * <pre>{@code
 * HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
 * ChatModel model = hyperlens.instrument(scriptedModel); // or a provider's builder:
 * // OpenAiChatModel.builder().listeners(List.of(hyperlens.chatModelListener()))
 * Researcher researcher =
 *     AgenticServices.agentBuilder(Researcher.class).chatModel(model).build();
 * UntypedAgent workflow =
 *     hyperlens.instrument(AgenticServices.sequenceBuilder().subAgents(researcher)).build();
 * }</pre>
 */
public final class HyperlensLangChain4j {
  private static final System.Logger LOG = System.getLogger(HyperlensLangChain4j.class.getName());

  private final HyperlensChatModelListener chatModelListener;
  private final HyperlensAgentListener agentListener;
  private final HyperlensLangChain4jBuilder config;
  private final LongAdder policyFailures = new LongAdder();
  private final LongAdder recordFailures = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  HyperlensLangChain4j(HyperlensLangChain4jBuilder builder) {
    this.config = builder;
    this.chatModelListener =
        HyperlensChatModelListener.builder(builder.genAi)
            .fallbackProviderName(builder.providerName)
            .build();
    this.agentListener = new HyperlensAgentListener(builder);
  }

  /**
   * A builder of instrumentation recording on {@code genAi}.
   *
   * @throws IllegalArgumentException when {@code genAi} is null
   */
  public static HyperlensLangChain4jBuilder builder(GenAiTelemetry genAi) {
    return new HyperlensLangChain4jBuilder(genAi);
  }

  /** Instrumentation recording on {@code genAi}, with no bus, audit trail or tool policy. */
  public static HyperlensLangChain4j create(GenAiTelemetry genAi) {
    return builder(genAi).build();
  }

  /** The listener to register on chat models (a provider's {@code listeners(...)}). */
  public HyperlensChatModelListener chatModelListener() {
    return chatModelListener;
  }

  /** The listener to register on agentic systems; sub-agents inherit it. */
  public HyperlensAgentListener agentListener() {
    return agentListener;
  }

  /** {@code service} with {@link #agentListener()} registered: a sequence, parallel, loop, ... */
  public <S extends AgenticService<S, ?>> S instrument(S service) {
    return service.listener(agentListener);
  }

  /** {@code supervisor} with {@link #agentListener()} registered. */
  public <T> SupervisorAgentService<T> instrument(SupervisorAgentService<T> supervisor) {
    return supervisor.listener(agentListener);
  }

  /** {@code agent} with {@link #agentListener()} registered. */
  public <T> AgentBuilder<T, ?> instrument(AgentBuilder<T, ?> agent) {
    return agent.listener(agentListener);
  }

  /**
   * {@code model} with {@link #chatModelListener()} added to its own listeners: every call through
   * the returned model is traced. For models whose builder takes listeners, registering {@link
   * #chatModelListener()} there is the same.
   */
  public ChatModel instrument(ChatModel model) {
    if (model == null) {
      throw new IllegalArgumentException("model must not be null");
    }
    return new InstrumentedChatModel(model, chatModelListener);
  }

  /**
   * The {@code @Tool} methods of {@code toolObjects}, each running under the configured {@link
   * ToolPolicy} (every call allowed when none is configured), for an agent builder's {@code
   * tools(Map)}. A denied call never reaches the tool: the model reads {@code tool "x" denied by
   * policy: ...} as its result, and the decision is recorded (every decision, allowed or not, when
   * {@link HyperlensLangChain4jBuilder#decisions} is set).
   *
   * @throws IllegalArgumentException when an object has no {@code @Tool} method
   */
  public Map<ToolSpecification, ToolExecutor> guardedTools(Object... toolObjects) {
    Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
    for (Object object : toolObjects) {
      if (object == null) {
        throw new IllegalArgumentException("toolObjects must not hold null");
      }
      List<Method> methods = new ArrayList<>();
      for (Method method : object.getClass().getDeclaredMethods()) {
        if (method.isAnnotationPresent(dev.langchain4j.agent.tool.Tool.class)) {
          methods.add(method);
        }
      }
      if (methods.isEmpty()) {
        throw new IllegalArgumentException(
            "toolObjects: " + object.getClass().getName() + " has no @Tool method");
      }
      for (Method method : methods) {
        ToolExecutor executor = new DefaultToolExecutor(object, method);
        if (config.toolPolicy != null) {
          executor =
              new GuardedToolExecutor(
                  executor,
                  config.policyId,
                  config.toolPolicy,
                  config.decisions,
                  config.agentDids,
                  this);
        }
        tools.put(ToolSpecifications.toolSpecificationFrom(method), executor);
      }
    }
    return tools;
  }

  /** Tool policies that threw or returned nothing; each such call was denied. */
  public long policyFailures() {
    return policyFailures.sum();
  }

  /** Decisions the audit trail failed to take (counted, never thrown into the agent). */
  public long recordFailures() {
    return recordFailures.sum();
  }

  void policyFailed(Throwable e) {
    policyFailures.increment();
    logOnce("a tool policy failed; the call is denied", e);
  }

  void recordFailed(RuntimeException e) {
    recordFailures.increment();
    logOnce("a tool policy decision could not be recorded; further failures are counted", e);
  }

  private void logOnce(String message, Throwable e) {
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, message, e);
    }
  }

  /** A model with one more listener. */
  private static final class InstrumentedChatModel implements ChatModel {
    private final ChatModel model;
    private final List<ChatModelListener> listeners;

    InstrumentedChatModel(ChatModel model, ChatModelListener listener) {
      this.model = model;
      List<ChatModelListener> all = new ArrayList<>(model.listeners());
      all.add(listener);
      this.listeners = List.copyOf(all);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      return model.doChat(request);
    }

    @Override
    public dev.langchain4j.model.chat.request.ChatRequestParameters defaultRequestParameters() {
      return model.defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
      return listeners;
    }

    @Override
    public dev.langchain4j.model.ModelProvider provider() {
      return model.provider();
    }

    @Override
    public java.util.Set<dev.langchain4j.model.chat.Capability> supportedCapabilities() {
      return model.supportedCapabilities();
    }
  }
}
