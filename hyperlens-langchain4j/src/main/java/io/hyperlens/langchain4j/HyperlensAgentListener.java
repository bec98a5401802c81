package io.hyperlens.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agentic.observability.AfterAgentToolExecution;
import dev.langchain4j.agentic.observability.AgentInvocationError;
import dev.langchain4j.agentic.observability.AgentListener;
import dev.langchain4j.agentic.observability.AgentRequest;
import dev.langchain4j.agentic.observability.AgentResponse;
import dev.langchain4j.agentic.observability.BeforeAgentToolExecution;
import dev.langchain4j.agentic.planner.AgentInstance;
import dev.langchain4j.agentic.scope.AgenticScope;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecution;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.otel.GenAiOperation;
import io.hyperlens.otel.GenAiTelemetry;
import io.hyperlens.redact.Redactor;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.SpanKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A LangChain4j agentic {@link AgentListener} that traces agents the way Hyperlens traces its own:
 *
 * <ul>
 *   <li>each agent invocation is an {@code invoke_agent {agent}} span (GenAI conventions, kind
 *       {@code INTERNAL}) and a {@link CausalTraceId}: the run's first agent a root, every agent it
 *       invokes a {@link CausalTraceId#child() child} of the invoking agent's id, whichever thread
 *       a parallel workflow runs it on. The span takes the causal ids, so the causal tree and the
 *       span tree are one tree;
 *   <li>each tool an agent runs is an {@code execute_tool {tool}} span under the agent's;
 *   <li>model calls made while an agent runs ({@link HyperlensChatModelListener}) are {@code chat}
 *       spans under the agent's span, carrying its name (the {@code agent} of the cost metric) and
 *       session;
 *   <li>on the event bus, when one is given: the run opens a session ({@code session.created}) and
 *       a saga ({@code saga.created}); each invoked agent joins the session ({@code
 *       session.joined}, once per agent); each agent invocation and each tool execution is a saga
 *       step ({@code saga.step_started}, then {@code saga.step_committed} or {@code
 *       saga.step_failed}: an agent error, a failing tool, a denied tool); the run ends with {@code
 *       saga.completed} or, when its first agent fails, {@code saga.escalated}, then {@code
 *       session.terminated}. Every event carries the agent's DID and causal id, so the hub draws
 *       LangChain4j agents in the causal tree as it draws any.
 * </ul>
 *
 * <p>The listener never breaks an agent: whatever it throws is caught, counted in {@link
 * #failures()} and logged once. It tracks at most {@link HyperlensLangChain4jBuilder#maxRuns} runs
 * at a time; a run beyond that is not traced and is counted in {@link #untracedRuns()}.
 * Thread-safe; one instance serves any number of agentic systems. Error texts on spans and in
 * events go through {@link Redactor}.
 *
 * <p>LangChain4j reports no end for a run an {@code Error} escapes (a {@code StackOverflowError} in
 * the supervisor's planner, say). Such a run is closed as abandoned ({@link #abandonedRuns()}, its
 * open spans failed with {@code error.type} {@value #ABANDONED}, the saga escalated) when the next
 * call starts on its thread, when its scope is destroyed, or, once {@code maxRuns} are tracked,
 * when it has outlived {@link HyperlensLangChain4jBuilder#runTimeout}. Calls that share a memory id
 * share LangChain4j's scope and one session; each is its own run and saga, one at a time.
 *
 * <p>Built by {@link HyperlensLangChain4j}; register it on the top agentic service (it is inherited
 * by the sub-agents):
 *
 * <pre>{@code
 * HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
 * UntypedAgent workflow =
 *     hyperlens.instrument(AgenticServices.sequenceBuilder().subAgents(researcher, writer)).build();
 * }</pre>
 */
public final class HyperlensAgentListener implements AgentListener {
  /** The {@code error.type} of a tool call a {@link ToolPolicy} denied. */
  public static final String TOOL_DENIED = "tool_denied";

  /** The {@code error.type} of a tool that ran and failed. */
  public static final String TOOL_ERROR = "tool_error";

  /** The {@code error.type} of an agent or tool whose end LangChain4j never reported. */
  public static final String ABANDONED = "abandoned";

  /** The span attribute with the DID of the agent a span belongs to. */
  public static final String AGENT_DID = "agent.did";

  /** The tool result attribute the policy guard marks a denied call with. */
  static final String DENIED_ATTRIBUTE = "hyperlens.policy.denied";

  private static final System.Logger LOG = System.getLogger(HyperlensAgentListener.class.getName());

  /** The invocations running on this thread, innermost first. */
  private static final ThreadLocal<Deque<Invocation>> CURRENT =
      ThreadLocal.withInitial(ArrayDeque::new);

  private static final StackWalker STACK = StackWalker.getInstance();

  private final GenAiTelemetry genAi;
  private final String providerName;
  private final HypervisorEventBus bus;
  private final Function<AgenticScope, String> sessionIds;
  private final Function<String, String> agentDids;
  private final int maxRuns;
  private final Redactor redactor = Redactor.standard();
  // By the scope's memory id: one per run, shared by its sub-agents; the scope itself is mutable.
  private final Map<Object, Run> runs = new ConcurrentHashMap<>();
  private final AtomicLong runSequence = new AtomicLong();
  private final LongAdder abandonedRuns = new LongAdder();
  private final long runTimeoutNanos;
  private final LongAdder failures = new LongAdder();
  private final LongAdder untracedRuns = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  HyperlensAgentListener(HyperlensLangChain4jBuilder builder) {
    this.genAi = builder.genAi;
    this.providerName = builder.providerName;
    this.bus = builder.bus;
    this.sessionIds = builder.sessionIds;
    this.agentDids = builder.agentDids;
    this.maxRuns = builder.maxRuns;
    this.runTimeoutNanos = builder.runTimeout.toNanos();
  }

  /** The agent invocation running on this thread, innermost; empty outside any. */
  static Optional<Invocation> current() {
    Deque<Invocation> current = CURRENT.get();
    while (!current.isEmpty() && current.peekFirst().abandoned) {
      current.pollFirst(); // its run was abandoned on another thread
    }
    if (current.isEmpty()) {
      CURRENT.remove();
      return Optional.empty();
    }
    return Optional.of(current.peekFirst());
  }

  /** How many times this listener caught a failure of its own, and left the agent alone. */
  public long failures() {
    return failures.sum();
  }

  /** Runs not traced because {@link HyperlensLangChain4jBuilder#maxRuns} were already running. */
  public long untracedRuns() {
    return untracedRuns.sum();
  }

  /**
   * Runs closed before LangChain4j reported their end: an {@code Error} escaped an agent, a new
   * call began on a thread still holding an old one, or a run outlived {@link
   * HyperlensLangChain4jBuilder#runTimeout}. Their open spans end with {@code error.type} {@value
   * #ABANDONED}.
   */
  public long abandonedRuns() {
    return abandonedRuns.sum();
  }

  /** Runs being traced now. */
  public int activeRuns() {
    return runs.size();
  }

  /** Every sub-agent reports to this listener too. */
  @Override
  public boolean inheritedBySubagents() {
    return true;
  }

  @Override
  public void beforeAgentInvocation(AgentRequest request) {
    try {
      AgentInstance agent = request.agent();
      AgenticScope scope = request.agenticScope();
      Object key = key(scope);
      Run run = runs.get(key);
      Invocation parent = null;
      int depth = STACK.walk(frames -> (int) frames.count());
      if (run == null || agent.parent() == null) {
        // A new top-level call. What this thread still holds from calls whose frames are gone
        // (LangChain4j reports no end when an Error escapes) is abandoned first.
        abandonStale(depth);
        if (run != null) {
          abandon(run, "a new call of the agentic system began before this one ended");
        }
        if (runs.size() >= maxRuns) {
          abandonExpired();
        }
        if (runs.size() >= maxRuns) {
          if (agent.parent() == null) {
            untracedRuns.increment(); // once a run: its sub-agents find no run either
          }
          return;
        }
        run = new Run(key, sessionIds.apply(scope), scope, runSequence.incrementAndGet());
        runs.put(key, run);
        // An agentic system invoked by an agent of another (a tool that runs a workflow): its
        // first agent is that agent's child, on the same trace.
        parent = current().orElse(null);
      } else {
        parent = run.parentOf(agent);
      }
      String name = agent.name();
      String did = agentDids.apply(name);
      CausalTraceId causal = parent == null ? CausalTraceId.root() : parent.causal.child();
      GenAiOperation.Builder builder =
          genAi
              .invokeAgent(providerName, name)
              .agentId(agent.agentId())
              .kind(SpanKind.INTERNAL)
              .causalTraceId(causal)
              .sessionId(run.sessionId)
              .attribute(AGENT_DID, did);
      if (agent.description() != null && !agent.description().isBlank()) {
        builder.agentDescription(agent.description());
      }
      GenAiOperation operation = builder.start();
      Invocation invocation =
          new Invocation(run, name, agent.agentId(), typeName(agent), did, causal, depth);
      invocation.operation = operation;
      invocation.scope = operation.makeCurrent();
      run.start(invocation);
      CURRENT.get().push(invocation);
      if (run.root == null) {
        run.root = invocation;
        run.created =
            emit(EventType.SESSION_CREATED, invocation, null, Map.of("framework", "langchain4j"));
        run.saga = emit(EventType.SAGA_CREATED, invocation, run.created, run.sagaPayload());
      } else {
        if (run.joined.add(did)) {
          emit(EventType.SESSION_JOINED, invocation, run.created, Map.of("agent_name", name));
        }
        invocation.step =
            emit(
                EventType.SAGA_STEP_STARTED,
                invocation,
                run.saga,
                run.step(agent.agentId(), "invoke_agent"));
      }
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  @Override
  public void afterAgentInvocation(AgentResponse response) {
    finish(response.agenticScope(), response.agent(), null);
  }

  @Override
  public void onAgentInvocationError(AgentInvocationError error) {
    finish(error.agenticScope(), error.agent(), error.error());
  }

  /**
   * The scope of a run goes: normally its agents have ended by then; any that have not (LangChain4j
   * skipped their end) are closed as abandoned.
   */
  @Override
  public void beforeAgenticScopeDestroyed(AgenticScope scope) {
    try {
      Run run = runs.get(key(scope));
      if (run != null) {
        abandon(run, "the agentic scope ended before its agents reported an end");
      }
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  /**
   * A run waits for a human or another system: this thread leaves it, so its agents are no longer
   * current here. Their spans stay open until the run resumes and they end.
   */
  @Override
  public void onAgenticSystemSuspended(AgenticScope scope) {
    try {
      Run run = runs.get(key(scope));
      if (run == null) {
        return;
      }
      Deque<Invocation> current = CURRENT.get();
      for (Iterator<Invocation> it = current.iterator(); it.hasNext(); ) {
        Invocation invocation = it.next();
        if (invocation.run == run) {
          it.remove();
          invocation.leaveThread();
        }
      }
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  private void finish(AgenticScope scope, AgentInstance agent, Throwable error) {
    try {
      Run run = runs.get(key(scope));
      if (run == null) {
        return;
      }
      Invocation invocation = run.end(agent);
      if (invocation == null) {
        return; // already finished: LangChain4j reported both an error and a response
      }
      forget(invocation);
      String reason = error == null ? null : redacted(error);
      try {
        if (invocation == run.root) {
          if (error == null) {
            emit(EventType.SAGA_COMPLETED, invocation, run.saga, run.sagaPayload());
          } else {
            Map<String, Object> payload = run.sagaPayload();
            payload.put("reason", "agent " + invocation.name + " failed: " + reason);
            emit(EventType.SAGA_ESCALATED, invocation, run.saga, payload);
          }
          emit(EventType.SESSION_TERMINATED, invocation, run.created, Map.of());
          runs.remove(run.key, run);
          // Agents LangChain4j never reported ending would otherwise stay open.
          abandonRunning(run, "its run ended before it did");
        } else {
          Map<String, Object> payload = run.step(invocation.agentId, "invoke_agent");
          if (error == null) {
            payload.put("result", "ok");
            emit(EventType.SAGA_STEP_COMMITTED, invocation, invocation.step, payload);
          } else {
            payload.put("error", rootCause(error).getClass().getName());
            payload.put("reason", reason);
            emit(EventType.SAGA_STEP_FAILED, invocation, invocation.step, payload);
          }
        }
      } finally {
        close(
            invocation,
            error == null ? null : rootCause(error).getClass().getName(),
            reason,
            "the agent ended before the tool reported a result");
      }
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  /** Takes {@code invocation} off this thread's current agents. */
  private static void forget(Invocation invocation) {
    Deque<Invocation> current = CURRENT.get();
    current.remove(invocation);
    if (current.isEmpty()) {
      CURRENT.remove();
    }
  }

  /** Ends {@code invocation}'s span (failed with {@code errorType} unless null) and its tools'. */
  private void close(Invocation invocation, String errorType, String reason, String toolReason) {
    try {
      for (GenAiOperation tool : invocation.tools.values()) {
        try {
          tool.fail(ABANDONED, toolReason);
        } finally {
          tool.close();
        }
      }
      invocation.tools.clear();
      if (errorType != null) {
        invocation.operation.fail(errorType, reason);
      }
    } finally {
      invocation.leaveThread();
      invocation.operation.close();
    }
  }

  /**
   * Abandons the runs of the agents this thread still holds from calls that have returned: those
   * whose {@code beforeAgentInvocation} ran at least as deep in the stack as a new top-level call
   * now does cannot be running below it. Also forgets agents of runs already abandoned elsewhere.
   */
  private void abandonStale(int depth) {
    Deque<Invocation> current = CURRENT.get();
    while (!current.isEmpty()) {
      Invocation top = current.peekFirst();
      if (!top.abandoned && top.depth < depth) {
        return;
      }
      current.pollFirst();
      if (!top.abandoned) {
        abandon(top.run, "its agent's thread returned without LangChain4j reporting an end");
      }
    }
    CURRENT.remove();
  }

  /** Abandons the runs started longer ago than the run timeout. */
  private void abandonExpired() {
    long now = System.nanoTime();
    for (Run run : runs.values()) {
      if (now - run.startNanos > runTimeoutNanos) {
        abandon(run, "it ran longer than the run timeout");
      }
    }
  }

  /**
   * Closes the run: its agents still open end failed with {@code error.type} {@value #ABANDONED},
   * the saga is escalated and the session terminated, and the run is no longer tracked.
   */
  private void abandon(Run run, String reason) {
    if (!runs.remove(run.key, run)) {
      return; // already gone
    }
    abandonedRuns.increment();
    Invocation root = run.root;
    if (root != null) {
      Map<String, Object> payload = run.sagaPayload();
      payload.put("reason", "abandoned: " + reason);
      emit(EventType.SAGA_ESCALATED, root, run.saga, payload);
      emit(EventType.SESSION_TERMINATED, root, run.created, Map.of());
    }
    abandonRunning(run, reason);
  }

  private void abandonRunning(Run run, String reason) {
    for (Invocation invocation : run.takeRunning()) {
      invocation.abandoned = true;
      if (invocation.thread == Thread.currentThread()) {
        forget(invocation);
      }
      close(invocation, ABANDONED, "abandoned: " + reason, "abandoned: " + reason);
    }
  }

  @Override
  public void beforeAgentToolExecution(BeforeAgentToolExecution before) {
    try {
      Run run = runs.get(key(before.agenticScope()));
      if (run == null) {
        return;
      }
      Invocation invocation = run.running(before.agentInstance());
      if (invocation == null) {
        return;
      }
      ToolExecutionRequest request = before.toolExecution().request();
      GenAiOperation.Builder builder =
          genAi
              .executeTool(providerName, request.name())
              .kind(SpanKind.INTERNAL)
              .toolType("function")
              .causalTraceId(invocation.causal.child())
              .sessionId(run.sessionId)
              .attribute(AGENT_DID, invocation.did);
      if (request.id() != null && !request.id().isBlank()) {
        builder.toolCallId(request.id());
      }
      Object key = toolKey(request);
      invocation.tools.put(key, builder.start());
      Map<String, Object> payload = run.step(stepId(request), "execute_tool");
      payload.put("tool", request.name());
      String started = emit(EventType.SAGA_STEP_STARTED, invocation, run.saga, payload);
      if (started != null) { // none without a bus
        invocation.toolSteps.put(key, started);
      }
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  @Override
  public void afterAgentToolExecution(AfterAgentToolExecution after) {
    try {
      Run run = runs.get(key(after.agenticScope()));
      if (run == null) {
        return;
      }
      Invocation invocation = run.running(after.agentInstance());
      if (invocation == null) {
        return;
      }
      ToolExecution execution = after.toolExecution();
      ToolExecutionRequest request = execution.request();
      Object key = toolKey(request);
      GenAiOperation operation = invocation.tools.remove(key);
      String started = invocation.toolSteps.remove(key);
      Map<String, Object> payload = run.step(stepId(request), "execute_tool");
      payload.put("tool", request.name());
      Object denied =
          execution.attributes() == null ? null : execution.attributes().get(DENIED_ATTRIBUTE);
      String errorType = denied != null ? TOOL_DENIED : execution.hasFailed() ? TOOL_ERROR : null;
      try {
        if (errorType == null) {
          payload.put("result", "ok");
          emit(EventType.SAGA_STEP_COMMITTED, invocation, started, payload);
        } else {
          String reason =
              redactor.redact(String.valueOf(denied != null ? denied : execution.result()));
          payload.put("error", errorType);
          payload.put("reason", reason);
          emit(EventType.SAGA_STEP_FAILED, invocation, started, payload);
          if (operation != null) {
            operation.fail(errorType, reason);
          }
        }
      } finally {
        if (operation != null) {
          operation.close();
        }
      }
    } catch (RuntimeException e) {
      caught(e);
    }
  }

  /**
   * The agent invocation a tool runs for: this thread's when it belongs to the tool's agentic run,
   * else (tools run concurrently on other threads) the running invocation of the tool's agent
   * interface in the run of the invocation's agentic scope. Empty outside any traced agent.
   */
  Optional<Invocation> invocationOf(InvocationContext context) {
    Optional<Invocation> current = current();
    Object scope =
        context == null || context.managedParameters() == null
            ? null
            : context.managedParameters().get(AgenticScope.class);
    if (!(scope instanceof AgenticScope agentic)) {
      return current;
    }
    Run run = runs.get(key(agentic));
    if (run == null) {
      return Optional.empty();
    }
    if (current.isPresent() && current.get().run == run) {
      return current;
    }
    return Optional.ofNullable(run.runningOfType(context.interfaceName()));
  }

  /** Whether {@code context} belongs to an agentic run this listener traces. */
  boolean inTracedRun(InvocationContext context) {
    Object scope =
        context == null || context.managedParameters() == null
            ? null
            : context.managedParameters().get(AgenticScope.class);
    return scope instanceof AgenticScope agentic && runs.containsKey(key(agentic));
  }

  private static Object key(AgenticScope scope) {
    Object memoryId = scope.memoryId();
    return memoryId != null ? memoryId : scope;
  }

  private static String typeName(AgentInstance agent) {
    Class<?> type = agent.type();
    return type == null ? null : type.getName();
  }

  /** A tool call's key among its agent's open tools: the call id, else the request itself. */
  private static Object toolKey(ToolExecutionRequest request) {
    return request.id() != null ? request.id() : request;
  }

  private static String stepId(ToolExecutionRequest request) {
    return request.id() == null || request.id().isBlank() ? request.name() : request.id();
  }

  /**
   * What went wrong, redacted: the error's message and, when LangChain4j wrapped the real failure,
   * its root cause's class and message.
   */
  private String redacted(Throwable error) {
    Throwable root = rootCause(error);
    String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
    if (root != error) {
      message += " (caused by " + root.getClass().getName() + ": " + root.getMessage() + ")";
    }
    return redactor.redact(message);
  }

  private static Throwable rootCause(Throwable error) {
    Throwable root = error;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 32; depth++) {
      root = root.getCause();
    }
    return root;
  }

  private String emit(
      EventType type, Invocation invocation, String parentEventId, Map<String, ?> payload) {
    if (bus == null) {
      return null;
    }
    HypervisorEvent event =
        bus.eventBuilder(type)
            .sessionId(invocation.run.sessionId)
            .agentDid(invocation.did)
            .causalTraceId(invocation.causal)
            .parentEventId(parentEventId)
            .payload(payload)
            .build();
    bus.emit(event);
    return event.eventId();
  }

  private void caught(RuntimeException e) {
    failures.increment();
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "HyperlensAgentListener failed; the agent goes on (logged once, counted in failures())",
          e);
    }
  }

  /** One agent invocation being traced. */
  static final class Invocation {
    final Run run;
    final String name;
    final String agentId;
    final String type;
    final String did;
    final CausalTraceId causal;

    /** How deep in the stack {@code beforeAgentInvocation} ran for it. */
    final int depth;

    final Thread thread = Thread.currentThread();

    /** Its tools' open operations, by call id (or request). */
    final Map<Object, GenAiOperation> tools = new ConcurrentHashMap<>();

    final Map<Object, String> toolSteps = new ConcurrentHashMap<>();
    GenAiOperation operation;
    Scope scope;
    String step;
    volatile boolean abandoned;
    private boolean left;

    Invocation(
        Run run,
        String name,
        String agentId,
        String type,
        String did,
        CausalTraceId causal,
        int depth) {
      this.run = run;
      this.name = name;
      this.agentId = agentId;
      this.type = type;
      this.did = did;
      this.causal = causal;
      this.depth = depth;
    }

    String sessionId() {
      return run.sessionId;
    }

    /** Its span is no longer current on its thread (only its own thread can say so). */
    synchronized void leaveThread() {
      if (!left && thread == Thread.currentThread() && scope != null) {
        left = true;
        scope.close();
      }
    }
  }

  /** One run of an agentic system: its scope's session, saga and running invocations. */
  static final class Run {
    final Object key;
    final String sessionId;
    final String sagaId;
    final long startNanos = System.nanoTime();
    final Set<String> joined = ConcurrentHashMap.newKeySet();
    private final Map<String, Deque<Invocation>> running = new ConcurrentHashMap<>();
    volatile Invocation root;
    volatile String created;
    volatile String saga;

    Run(Object key, String sessionId, AgenticScope scope, long sequence) {
      this.key = key;
      this.sessionId = sessionId;
      // one saga per call, though calls sharing a memory id share their scope and session
      this.sagaId = "langchain4j-" + scope.memoryId() + "-" + sequence;
    }

    Map<String, Object> sagaPayload() {
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("saga_id", sagaId);
      return payload;
    }

    Map<String, Object> step(String stepId, String action) {
      Map<String, Object> payload = sagaPayload();
      payload.put("step_id", stepId);
      payload.put("step_action", action);
      return payload;
    }

    void start(Invocation invocation) {
      Deque<Invocation> stack =
          running.computeIfAbsent(invocation.agentId, k -> new ArrayDeque<>());
      synchronized (stack) {
        stack.push(invocation);
      }
    }

    /** The innermost running invocation of {@code agent}, or null. */
    Invocation running(AgentInstance agent) {
      if (agent == null) {
        return null;
      }
      Deque<Invocation> stack = running.get(agent.agentId());
      if (stack == null) {
        return null;
      }
      synchronized (stack) {
        return stack.peekFirst();
      }
    }

    /** A running invocation of an agent of interface {@code type}, or null. */
    Invocation runningOfType(String type) {
      if (type == null) {
        return null;
      }
      for (Deque<Invocation> stack : running.values()) {
        synchronized (stack) {
          for (Invocation invocation : stack) {
            if (type.equals(invocation.type)) {
              return invocation;
            }
          }
        }
      }
      return null;
    }

    /** The invocation that invoked {@code agent}: its parent agent's, else this thread's. */
    Invocation parentOf(AgentInstance agent) {
      Invocation parent = running(agent.parent());
      if (parent != null) {
        return parent;
      }
      Invocation current = current().orElse(null);
      return current != null && current.run == this ? current : root;
    }

    /**
     * Takes the innermost running invocation of {@code agent} off; null when none runs. One agent
     * of a run never runs twice at once: a parallel mapper names its copies {@code agent_0}, ...
     */
    Invocation end(AgentInstance agent) {
      Deque<Invocation> stack = running.get(agent.agentId());
      if (stack == null) {
        return null;
      }
      synchronized (stack) {
        return stack.pollFirst();
      }
    }

    /** Every invocation still running, innermost first, taken off. */
    List<Invocation> takeRunning() {
      List<Invocation> all = new ArrayList<>();
      for (Deque<Invocation> stack : running.values()) {
        synchronized (stack) {
          all.addAll(stack);
          stack.clear();
        }
      }
      all.sort(Comparator.comparingInt((Invocation i) -> i.depth).reversed());
      return all;
    }
  }
}
