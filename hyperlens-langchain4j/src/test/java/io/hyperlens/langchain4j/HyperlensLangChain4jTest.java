package io.hyperlens.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agentic.AgenticServices;
import dev.langchain4j.agentic.UntypedAgent;
import dev.langchain4j.agentic.supervisor.SupervisorAgent;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.tool.ToolExecutor;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.otel.GenAiTelemetry;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.opentelemetry.api.metrics.MeterProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The entry point's configuration, its edges, and the agent listener's bounds. */
class HyperlensLangChain4jTest {
  final DistributedTracer tracer = DistributedTracer.builder().build();
  final GenAiTelemetry genAi = new GenAiTelemetry(tracer, MeterProvider.noop());
  final HypervisorEventBus bus = new HypervisorEventBus();

  @AfterEach
  void close() {
    tracer.close();
  }

  List<SpanData> spans() {
    return tracer.recentTraces(100).stream()
        .flatMap(t -> tracer.getTraceSpans(t.traceId()).stream())
        .sorted(Comparator.comparing(SpanData::startTime))
        .toList();
  }

  public static final class Search {
    @Tool("Searches")
    public String search(String query) {
      return "found " + query;
    }
  }

  @Test
  void badConfigurationIsRefusedNamingTheFieldAndValue() {
    assertThatThrownBy(() -> HyperlensLangChain4j.builder(null))
        .hasMessage("genAi must not be null");
    HyperlensLangChain4jBuilder builder = HyperlensLangChain4j.builder(genAi);
    assertThatThrownBy(() -> builder.providerName(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("providerName must not be blank, got \" \"");
    assertThatThrownBy(() -> builder.providerName(null))
        .hasMessage("providerName must not be blank, got null");
    assertThatThrownBy(() -> builder.toolPolicy("", call -> PolicyDecision.allow("x")))
        .hasMessage("policyId must not be blank, got \"\"");
    assertThatThrownBy(() -> builder.toolPolicy("p", null)).hasMessage("policy must not be null");
    assertThatThrownBy(() -> builder.sessionIds(null)).hasMessage("sessionIds must not be null");
    assertThatThrownBy(() -> builder.agentDids(null)).hasMessage("agentDids must not be null");
    assertThatThrownBy(() -> builder.maxRuns(0)).hasMessage("maxRuns must be at least 1, got 0");
    assertThat(builder.maxRuns(1)).isSameAs(builder);
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.create(genAi);
    assertThatThrownBy(() -> hyperlens.instrument((ChatModel) null))
        .hasMessage("model must not be null");
    assertThatThrownBy(() -> hyperlens.guardedTools(new Object()))
        .hasMessage("toolObjects: java.lang.Object has no @Tool method");
    assertThatThrownBy(() -> hyperlens.guardedTools(new Search(), null))
        .hasMessage("toolObjects must not hold null");
    assertThat(hyperlens.chatModelListener().fallbackProviderName()).isEqualTo("langchain4j");
  }

  @Test
  void anInstrumentedModelKeepsTheModelsOwnListenersProviderAndCapabilities() {
    ChatModel model =
        new ChatModel() {
          @Override
          public ChatResponse doChat(ChatRequest request) {
            return ChatResponse.builder().aiMessage(AiMessage.from("hi")).build();
          }

          @Override
          public Set<Capability> supportedCapabilities() {
            return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
          }
        };
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.create(genAi);

    ChatModel traced = hyperlens.instrument(model);

    assertThat(traced.supportedCapabilities())
        .containsExactly(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    assertThat(traced.listeners()).containsExactly(hyperlens.chatModelListener());
    assertThat(traced.chat("hello")).isEqualTo("hi");
    assertThat(spans()).extracting(SpanData::name).containsExactly("chat");
  }

  @Test
  void withoutABusAgentsAreStillSpansAndTheProviderNameIsConfigurable() {
    HyperlensLangChain4j hyperlens =
        HyperlensLangChain4j.builder(genAi).providerName("my-platform").build();
    UntypedAgent pipeline =
        AgenticWorkflowTest.pipeline(
            hyperlens,
            "facts",
            AgenticServices.agentBuilder(AgenticWorkflowTest.Researcher.class)
                .chatModel(hyperlens.instrument(new AgentScriptModel()))
                .tools(hyperlens.guardedTools(new Search()))
                .build());

    pipeline.invoke(Map.of("topic", "agents"));

    List<SpanData> spans = spans();
    assertThat(spans)
        .filteredOn(s -> !s.name().startsWith("chat"))
        .extracting(SpanData::name)
        .containsExactly("invoke_agent pipeline", "invoke_agent researcher", "execute_tool search");
    assertThat(spans)
        .filteredOn(s -> !s.name().startsWith("chat"))
        .allSatisfy(
            s -> assertThat(s.attributes()).containsEntry("gen_ai.provider.name", "my-platform"));
    assertThat(hyperlens.agentListener().failures()).isZero();
  }

  @Test
  void aSystemInvokedByAnAgentsToolIsItsChildAndRunsBeyondTheBoundAreCountedUntraced() {
    for (int maxRuns : new int[] {10, 1}) {
      DistributedTracer tracer = DistributedTracer.builder().build();
      HyperlensLangChain4j hyperlens =
          HyperlensLangChain4j.builder(new GenAiTelemetry(tracer, MeterProvider.noop()))
              .bus(bus)
              .maxRuns(maxRuns)
              .build();
      ChatModel model = hyperlens.instrument(new AgentScriptModel());
      UntypedAgent inner =
          AgenticWorkflowTest.pipeline(
              hyperlens,
              null,
              AgenticServices.agentBuilder(AgenticWorkflowTest.Writer.class)
                  .chatModel(model)
                  .build());
      Object delegating =
          new Object() {
            @Tool("Asks the inner team")
            public String delegate(String topic) {
              inner.invoke(Map.of("facts", topic));
              return "delegated";
            }
          };
      UntypedAgent outer =
          hyperlens
              .instrument(
                  AgenticServices.sequenceBuilder()
                      .name("outer")
                      .subAgents(
                          AgenticServices.agentBuilder(AgenticWorkflowTest.Researcher.class)
                              .chatModel(model)
                              .tools(delegating)
                              .build()))
              .build();

      outer.invoke(Map.of("topic", "agents"));

      HyperlensAgentListener listener = hyperlens.agentListener();
      List<SpanData> spans =
          tracer.recentTraces(10).stream()
              .flatMap(t -> tracer.getTraceSpans(t.traceId()).stream())
              .toList();
      SpanData researcher =
          spans.stream()
              .filter(s -> s.name().equals("invoke_agent researcher"))
              .findFirst()
              .orElseThrow();
      if (maxRuns == 10) {
        SpanData innerRoot =
            spans.stream()
                .filter(s -> s.name().equals("invoke_agent pipeline"))
                .findFirst()
                .orElseThrow();
        assertThat(innerRoot.traceId()).isEqualTo(researcher.traceId());
        assertThat(innerRoot.parentSpanId()).contains(researcher.spanId());
        assertThat(listener.untracedRuns()).isZero();
      } else {
        assertThat(listener.untracedRuns()).isEqualTo(1);
      }
      assertThat(listener.activeRuns()).isZero();
      tracer.close();
    }
  }

  @Test
  void aParallelMappersCopiesOfAnAgentEachEndAfterTheirOwnModelCall() throws Exception {
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
    ChatModel slow =
        hyperlens.instrument(
            new ChatModel() {
              @Override
              public ChatResponse doChat(ChatRequest request) {
                String text = request.messages().get(request.messages().size() - 1).toString();
                sleep(text.contains("slow") ? 150 : 10);
                return ChatResponse.builder().aiMessage(AiMessage.from("done")).build();
              }
            });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      UntypedAgent mapper =
          hyperlens
              .instrument(
                  AgenticServices.parallelMapperBuilder()
                      .name("mapper")
                      .executor(pool)
                      .itemsProvider("topics")
                      .subAgents(
                          AgenticServices.agentBuilder(AgenticWorkflowTest.Researcher.class)
                              .chatModel(slow)
                              .build()))
              .build();
      mapper.invoke(Map.of("topics", List.of("slow one", "fast one", "slow two", "fast two")));
    } finally {
      pool.shutdown();
    }

    List<SpanData> spans = spans();
    List<SpanData> researchers =
        spans.stream().filter(s -> s.name().startsWith("invoke_agent researcher")).toList();
    assertThat(researchers)
        .extracting(SpanData::name)
        .containsExactlyInAnyOrder(
            "invoke_agent researcher_0",
            "invoke_agent researcher_1",
            "invoke_agent researcher_2",
            "invoke_agent researcher_3");
    SpanData root =
        spans.stream()
            .filter(s -> s.name().equals("invoke_agent mapper"))
            .findFirst()
            .orElseThrow();
    assertThat(researchers).allSatisfy(r -> assertThat(r.parentSpanId()).contains(root.spanId()));
    for (SpanData chat : spans.stream().filter(s -> s.name().startsWith("chat")).toList()) {
      SpanData parent =
          researchers.stream()
              .filter(r -> chat.parentSpanId().orElseThrow().equals(r.spanId()))
              .findFirst()
              .orElseThrow();
      // each researcher ends after its own model call, not when another thread's ends
      assertThat(parent.endTime()).isAfterOrEqualTo(chat.endTime());
    }
    assertThat(hyperlens.agentListener().activeRuns()).isZero();
  }

  @Test
  void aRecorderThatThrowsIsCountedAndTheAllowedToolStillRuns() throws Exception {
    HyperlensLangChain4j hyperlens =
        HyperlensLangChain4j.builder(genAi)
            .toolPolicy("allow-all", call -> PolicyDecision.allow("fine"))
            .decisions(
                (agent, action, resource, policy, decision, context) -> {
                  throw new IllegalStateException("audit trail full");
                })
            .build();
    Map<ToolSpecification, ToolExecutor> tools = hyperlens.guardedTools(new Search());
    ToolExecutor search = tools.values().iterator().next();
    ToolExecutionRequest request =
        ToolExecutionRequest.builder().id("1").name("search").arguments("{\"arg0\":\"x\"}").build();

    assertThat(search.execute(request, "memory")).isEqualTo("found x");
    assertThat(hyperlens.recordFailures()).isEqualTo(1);
    assertThat(hyperlens.policyFailures()).isZero();
  }

  @Test
  void aDeniedCallOutsideAnAgentThrowsToolDeniedExceptionAndRecordsTheDecision() {
    List<String> recorded = new ArrayList<>();
    AtomicReference<ToolCall> seen = new AtomicReference<>();
    HyperlensLangChain4j hyperlens =
        HyperlensLangChain4j.builder(genAi)
            .agentDids(name -> "did:test:" + name)
            .toolPolicy(
                "deny-all",
                call -> {
                  seen.set(call);
                  return PolicyDecision.deny("nothing runs");
                })
            .decisions(
                (agent, action, resource, policy, decision, context) ->
                    recorded.add(
                        agent
                            + " "
                            + action
                            + " "
                            + resource
                            + " "
                            + policy
                            + " "
                            + decision.decision()
                            + " "
                            + context))
            .build();
    ToolExecutor search = hyperlens.guardedTools(new Search()).values().iterator().next();
    ToolExecutionRequest request =
        ToolExecutionRequest.builder().id("7").name("search").arguments("{\"arg0\":\"x\"}").build();

    assertThatThrownBy(() -> search.execute(request, "memory"))
        .isInstanceOfSatisfying(
            ToolDeniedException.class,
            e -> {
              assertThat(e.toolName()).isEqualTo("search");
              assertThat(e.reason()).isEqualTo("nothing runs");
            })
        .hasMessage("tool \"search\" denied by policy: nothing runs");
    assertThat(seen.get())
        .isEqualTo(
            new ToolCall("unknown", "did:test:unknown", "search", "{\"arg0\":\"x\"}", "7", null));
    assertThat(recorded)
        .containsExactly("did:test:unknown tool.execute search deny-all deny {tool_call_id=7}");
  }

  @Test
  void causalIdsOfAgentsAreChildrenOfTheirInvoker() {
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
    AgenticWorkflowTest.pipeline(
            hyperlens,
            null,
            AgenticServices.agentBuilder(AgenticWorkflowTest.Writer.class)
                .chatModel(hyperlens.instrument(new AgentScriptModel()))
                .build())
        .invoke(Map.of("facts", "x"));

    CausalTraceId root =
        CausalTraceId.fromString(
            bus.queryByAgent("did:langchain4j:pipeline").get(0).causalTraceId().orElseThrow());
    CausalTraceId writer =
        CausalTraceId.fromString(
            bus.queryByAgent("did:langchain4j:writer").get(0).causalTraceId().orElseThrow());
    assertThat(root.isAncestorOf(writer)).isTrue();
    assertThat(writer.depth()).isEqualTo(root.depth() + 1);
  }

  @Test
  void aRunAnErrorEscapedIsAbandonedAndTheNextRunsAreTracesOfTheirOwn() {
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
    SupervisorAgent supervisor = failingOnceSupervisor(hyperlens);
    assertThatThrownBy(() -> supervisor.invoke("go")).isInstanceOf(StackOverflowError.class);
    assertThat(hyperlens.agentListener().activeRuns()).isEqualTo(1);

    for (int i = 0; i < 3; i++) {
      supervisor.invoke("go");
    }

    HyperlensAgentListener listener = hyperlens.agentListener();
    assertThat(listener.activeRuns()).isZero();
    assertThat(listener.abandonedRuns()).isEqualTo(1);
    List<SpanData> roots =
        spans().stream().filter(s -> s.name().equals("invoke_agent supervisor")).toList();
    assertThat(roots).hasSize(4).allSatisfy(root -> assertThat(root.parentSpanId()).isEmpty());
    assertThat(roots.stream().map(SpanData::traceId).distinct()).hasSize(4);
    assertThat(roots.get(0).attributes())
        .containsEntry("error.type", HyperlensAgentListener.ABANDONED);
    assertThat(bus.typeCounts())
        .containsEntry("saga.escalated", 1L)
        .containsEntry("saga.completed", 3L)
        .containsEntry("session.terminated", 4L);
  }

  @Test
  void runsBeyondTheTimeoutAreAbandonedToMakeRoom() throws Exception {
    HyperlensLangChain4j hyperlens =
        HyperlensLangChain4j.builder(genAi)
            .maxRuns(1)
            .runTimeout(java.time.Duration.ofMillis(1))
            .build();
    SupervisorAgent supervisor = failingOnceSupervisor(hyperlens);
    Thread other =
        new Thread(
            () -> {
              try {
                supervisor.invoke("go");
              } catch (StackOverflowError expected) {
                // its run stays open: that thread never comes back to abandon it
              }
            });
    other.start();
    other.join();
    assertThat(hyperlens.agentListener().activeRuns()).isEqualTo(1);
    Thread.sleep(5);

    supervisor.invoke("go");

    assertThat(hyperlens.agentListener().abandonedRuns()).isEqualTo(1);
    assertThat(hyperlens.agentListener().untracedRuns()).isZero();
    assertThat(hyperlens.agentListener().activeRuns()).isZero();
    assertThatThrownBy(
            () -> HyperlensLangChain4j.builder(genAi).runTimeout(java.time.Duration.ZERO))
        .hasMessage("runTimeout must be positive, got PT0S");
  }

  /** A supervisor whose planner throws a StackOverflowError once: LangChain4j reports no end. */
  private static SupervisorAgent failingOnceSupervisor(HyperlensLangChain4j hyperlens) {
    java.util.concurrent.atomic.AtomicBoolean boom =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    ChatModel planner =
        hyperlens.instrument(
            new ChatModel() {
              @Override
              public ChatResponse doChat(ChatRequest request) {
                if (boom.getAndSet(false)) {
                  throw new StackOverflowError("simulated");
                }
                return ChatResponse.builder()
                    .aiMessage(
                        AiMessage.from(
                            "{\"agentName\":\"done\",\"arguments\":{\"response\":\"ok\"}}"))
                    .build();
              }
            });
    return hyperlens
        .instrument(
            AgenticServices.supervisorBuilder()
                .name("supervisor")
                .chatModel(planner)
                .subAgents(
                    AgenticServices.agentBuilder(AgenticWorkflowTest.Writer.class)
                        .chatModel(planner)
                        .build()))
        .build();
  }

  @Test
  void toolsRunConcurrentlyStillFaceThePolicyAsTheirAgent() {
    List<ToolCall> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    HyperlensLangChain4j hyperlens =
        HyperlensLangChain4j.builder(genAi)
            .bus(bus)
            .toolPolicy(
                "no-shell-for-researchers",
                call -> {
                  calls.add(call);
                  return call.toolName().equals("shell") && call.agentName().equals("researcher")
                      ? PolicyDecision.deny(null) // a reason is optional
                      : PolicyDecision.allow("fine");
                })
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      AgenticWorkflowTest.pipeline(
              hyperlens,
              "facts",
              AgenticServices.agentBuilder(AgenticWorkflowTest.Researcher.class)
                  .chatModel(hyperlens.instrument(new AgentScriptModel()))
                  .tools(hyperlens.guardedTools(new Search(), new AgenticWorkflowTest.Shell()))
                  .executeToolsConcurrently(pool)
                  .build())
          .invoke(Map.of("topic", "agents"));
    } finally {
      pool.shutdown();
    }

    assertThat(calls)
        .extracting(ToolCall::agentName, ToolCall::agentDid)
        .containsOnly(
            org.assertj.core.groups.Tuple.tuple("researcher", "did:langchain4j:researcher"));
    assertThat(calls).allSatisfy(call -> assertThat(call.sessionId()).isNotNull());
    SpanData shell =
        spans().stream()
            .filter(s -> s.name().equals("execute_tool shell"))
            .findFirst()
            .orElseThrow();
    assertThat(shell.attributes()).containsEntry("error.type", HyperlensAgentListener.TOOL_DENIED);
    assertThat(shell.statusMessage()).contains("denied by no-shell-for-researchers");
  }

  @Test
  void aPolicyThrowingAnErrorDeniesAndIsCounted() {
    HyperlensLangChain4j hyperlens =
        HyperlensLangChain4j.builder(genAi)
            .toolPolicy(
                "broken",
                call -> {
                  throw new AssertionError("policy bug");
                })
            .build();
    ToolExecutor search = hyperlens.guardedTools(new Search()).values().iterator().next();
    ToolExecutionRequest request =
        ToolExecutionRequest.builder().id("1").name("search").arguments("{\"arg0\":\"x\"}").build();

    assertThatThrownBy(() -> search.execute(request, null))
        .isInstanceOf(ToolDeniedException.class)
        .hasMessage(
            "tool \"search\" denied by policy: tool policy broken failed: java.lang.AssertionError");
    assertThat(hyperlens.policyFailures()).isEqualTo(1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
