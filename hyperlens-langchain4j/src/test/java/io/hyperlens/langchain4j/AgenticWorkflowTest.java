package io.hyperlens.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agentic.Agent;
import dev.langchain4j.agentic.AgenticServices;
import dev.langchain4j.agentic.UntypedAgent;
import dev.langchain4j.agentic.supervisor.SupervisorAgent;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.V;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.store.InMemoryAuditStore;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.otel.GenAiAttributes;
import io.hyperlens.otel.GenAiTelemetry;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real AgenticServices workflows (sequence, parallel, supervisor) under the Hyperlens listeners.
 */
class AgenticWorkflowTest {
  public interface Researcher {
    @UserMessage("Research {{topic}}")
    @Agent(name = "researcher", description = "Finds facts", outputKey = "facts")
    String research(@V("topic") String topic);
  }

  public interface Writer {
    @UserMessage("Write about {{facts}}")
    @Agent(name = "writer", description = "Writes the story", outputKey = "story")
    String write(@V("facts") String facts);
  }

  public static final class Search {
    @Tool("Searches the web")
    public String search(String query) {
      return "found " + query;
    }
  }

  public static final class Broken {
    @Tool("Reads the archive")
    public String archive(String query) {
      throw new IllegalStateException("archive backend down");
    }
  }

  public static final class Shell {
    @Tool("Runs a shell command")
    public String shell(String command) {
      throw new AssertionError("a denied tool must never run");
    }
  }

  final DistributedTracer tracer = DistributedTracer.builder().serviceName("agents").build();
  final InMemoryMetricReader reader = InMemoryMetricReader.create();
  final SdkMeterProvider meterProvider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  final HypervisorEventBus bus = HypervisorEventBus.builder().build();
  final GenAiTelemetry genAi = new GenAiTelemetry(tracer, meterProvider);
  final ChatModel model = new AgentScriptModel();

  @AfterEach
  void close() {
    meterProvider.close();
    tracer.close();
  }

  List<SpanData> spans() {
    return tracer.recentTraces(50).stream()
        .flatMap(t -> tracer.getTraceSpans(t.traceId()).stream())
        .sorted(Comparator.comparing(SpanData::startTime))
        .toList();
  }

  static SpanData named(List<SpanData> spans, String name) {
    List<SpanData> found = spans.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as(name).hasSize(1);
    return found.get(0);
  }

  /** A sequence named "pipeline" of {@code agents}, instrumented; {@code outputKey} may be null. */
  static UntypedAgent pipeline(HyperlensLangChain4j hyperlens, String outputKey, Object... agents) {
    var sequence = AgenticServices.sequenceBuilder().name("pipeline").subAgents(agents);
    if (outputKey != null) {
      sequence.outputKey(outputKey);
    }
    return hyperlens.instrument(sequence).build();
  }

  static String parent(SpanData span) {
    return span.parentSpanId().orElse(null);
  }

  List<String> events() {
    return bus.queryByTimeRange(java.time.Instant.EPOCH).stream()
        .map(e -> e.eventType().value() + " " + e.agentDid().orElse("?"))
        .toList();
  }

  @Test
  void aSequenceIsOneTraceOfAgentToolAndChatSpansWithCausalIdsAndSessionEvents() {
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
    ChatModel traced = hyperlens.instrument(model);
    Researcher researcher =
        AgenticServices.agentBuilder(Researcher.class)
            .chatModel(traced)
            .tools(new Search(), new Broken())
            .build();
    Writer writer = AgenticServices.agentBuilder(Writer.class).chatModel(traced).build();
    UntypedAgent pipeline = pipeline(hyperlens, "story", researcher, writer);

    assertThat(pipeline.invoke(Map.of("topic", "agents"))).isEqualTo("a story");

    List<SpanData> spans = spans();
    assertThat(spans).extracting(SpanData::traceId).containsOnly(spans.get(0).traceId());
    SpanData root = named(spans, "invoke_agent pipeline");
    SpanData research = named(spans, "invoke_agent researcher");
    SpanData write = named(spans, "invoke_agent writer");
    SpanData search = named(spans, "execute_tool search");
    SpanData archive = named(spans, "execute_tool archive");
    assertThat(parent(root)).isNull();
    assertThat(parent(research)).isEqualTo(root.spanId());
    assertThat(parent(write)).isEqualTo(root.spanId());
    assertThat(parent(search)).isEqualTo(research.spanId());
    assertThat(parent(archive)).isEqualTo(research.spanId());
    List<SpanData> chats = spans.stream().filter(s -> s.name().startsWith("chat")).toList();
    assertThat(chats).hasSize(3); // researcher: tools, then the answer; writer: the answer
    assertThat(chats.stream().map(SpanData::parentSpanId).map(p -> p.orElseThrow()))
        .containsExactly(research.spanId(), research.spanId(), write.spanId());
    assertThat(chats.get(2).attributes())
        .containsEntry("gen_ai.agent.name", "writer")
        .containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("agent.did", "did:langchain4j:writer")
        .containsEntry("gen_ai.usage.input_tokens", 100L);

    assertThat(root.attributes())
        .containsEntry("gen_ai.operation.name", "invoke_agent")
        .containsEntry("gen_ai.agent.name", "pipeline")
        .containsEntry("gen_ai.provider.name", "langchain4j")
        .containsEntry("agent.did", "did:langchain4j:pipeline");
    assertThat(research.attributes())
        .containsEntry("gen_ai.agent.id", "researcher$0")
        .containsEntry("gen_ai.agent.description", "Finds facts");
    String session = (String) root.attributes().get("session.id");
    assertThat(session).isNotBlank();
    assertThat(research.attributes()).containsEntry("session.id", session);
    assertThat(search.attributes())
        .containsEntry("gen_ai.operation.name", "execute_tool")
        .containsEntry("gen_ai.tool.name", "search")
        .containsEntry("gen_ai.tool.type", "function")
        .containsKey("gen_ai.tool.call.id");
    assertThat(search.status()).isEqualTo(SpanStatus.UNSET);
    assertThat(archive.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(archive.attributes()).containsEntry("error.type", HyperlensAgentListener.TOOL_ERROR);
    assertThat(root.status()).isEqualTo(SpanStatus.UNSET);

    // The causal ids are the span ids: the agents' tree is the spans' tree.
    List<HypervisorEvent> events = bus.queryBySession(session);
    assertThat(events)
        .extracting(e -> e.eventType().value() + " " + e.agentDid().orElseThrow())
        .containsExactly(
            "session.created did:langchain4j:pipeline",
            "saga.created did:langchain4j:pipeline",
            "session.joined did:langchain4j:researcher",
            "saga.step_started did:langchain4j:researcher",
            "saga.step_started did:langchain4j:researcher",
            "saga.step_committed did:langchain4j:researcher",
            "saga.step_started did:langchain4j:researcher",
            "saga.step_failed did:langchain4j:researcher",
            "saga.step_committed did:langchain4j:researcher",
            "session.joined did:langchain4j:writer",
            "saga.step_started did:langchain4j:writer",
            "saga.step_committed did:langchain4j:writer",
            "saga.completed did:langchain4j:pipeline",
            "session.terminated did:langchain4j:pipeline");
    Map<String, CausalTraceId> causal =
        events.stream()
            .collect(
                Collectors.toMap(
                    e -> e.agentDid().orElseThrow(),
                    e -> CausalTraceId.fromString(e.causalTraceId().orElseThrow()),
                    (a, b) -> a));
    CausalTraceId pipelineId = causal.get("did:langchain4j:pipeline");
    assertThat(pipelineId.parentSpanId()).isEmpty();
    assertThat(causal.get("did:langchain4j:researcher").parentSpanId())
        .contains(pipelineId.spanId());
    assertThat(causal.get("did:langchain4j:writer").parentSpanId()).contains(pipelineId.spanId());
    assertThat(research.spanId()).isEqualTo(causal.get("did:langchain4j:researcher").w3cSpanId());
    assertThat(root.traceId()).isEqualTo(pipelineId.w3cTraceId());
    HypervisorEvent failedTool =
        events.stream()
            .filter(e -> e.eventType() == EventType.SAGA_STEP_FAILED)
            .findFirst()
            .orElseThrow();
    assertThat(failedTool.payload())
        .containsEntry("step_action", "execute_tool")
        .containsEntry("tool", "archive")
        .containsEntry("error", HyperlensAgentListener.TOOL_ERROR);
    assertThat(hyperlens.agentListener().failures()).isZero();
    assertThat(hyperlens.agentListener().activeRuns()).isZero();

    // Token usage priced by the bundled table: gpt-4o at $2.50 in and $10 out a million tokens.
    assertThat(chats.get(2).attributes()).containsEntry("hyperlens.genai.cost.usd", 0.00045);
    assertThat(costByAgent())
        .containsOnly(Map.entry("researcher", 0.0009), Map.entry("writer", 0.00045));
    assertThat(tokensByAgentAndType())
        .containsEntry("researcher input", 200L)
        .containsEntry("writer output", 20L);
  }

  /** {@code hyperlens_genai_cost_usd_total} by its {@code agent} label, provider openai. */
  Map<String, Double> costByAgent() {
    Map<String, Double> cost = new java.util.TreeMap<>();
    for (MetricData metric : reader.collectAllMetrics()) {
      if (metric.getName().equals(GenAiTelemetry.COST)) {
        for (DoublePointData point : metric.getDoubleSumData().getPoints()) {
          assertThat(point.getAttributes().get(GenAiAttributes.COST_PROVIDER)).isEqualTo("openai");
          assertThat(point.getAttributes().get(GenAiAttributes.COST_MODEL)).isEqualTo("gpt-4o");
          cost.merge(
              point.getAttributes().get(GenAiAttributes.COST_AGENT),
              Math.round(point.getValue() * 1e8) / 1e8,
              Double::sum);
        }
      }
    }
    return cost;
  }

  /** The token usage histogram's sums by agent span and token type. */
  Map<String, Long> tokensByAgentAndType() {
    Map<String, Long> tokens = new java.util.TreeMap<>();
    for (SpanData chat : spans().stream().filter(s -> s.name().startsWith("chat")).toList()) {
      String agent = (String) chat.attributes().get("gen_ai.agent.name");
      tokens.merge(
          agent + " input", (Long) chat.attributes().get("gen_ai.usage.input_tokens"), Long::sum);
      tokens.merge(
          agent + " output", (Long) chat.attributes().get("gen_ai.usage.output_tokens"), Long::sum);
    }
    long histogramTotal = 0;
    for (MetricData metric : reader.collectAllMetrics()) {
      if (metric.getName().equals(GenAiTelemetry.TOKEN_USAGE)) {
        for (HistogramPointData point : metric.getHistogramData().getPoints()) {
          histogramTotal += (long) point.getSum();
        }
      }
    }
    assertThat(histogramTotal).isEqualTo(tokens.values().stream().mapToLong(Long::longValue).sum());
    return tokens;
  }

  @Test
  void aParallelWorkflowsAgentsNestUnderItOnTheirOwnThreads() {
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
    ChatModel traced = hyperlens.instrument(model);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(
            2,
            r -> {
              Thread thread = new Thread(r, "agents-" + threads.size());
              threads.add(thread.getName());
              return thread;
            });
    try {
      UntypedAgent fanOut =
          hyperlens
              .instrument(
                  AgenticServices.parallelBuilder()
                      .name("fan-out")
                      .executor(pool)
                      .subAgents(
                          AgenticServices.agentBuilder(Researcher.class).chatModel(traced).build(),
                          AgenticServices.agentBuilder(Writer.class).chatModel(traced).build()))
              .build();
      fanOut.invoke(Map.of("topic", "agents", "facts", "facts"));
    } finally {
      pool.shutdown();
    }

    List<SpanData> spans = spans();
    SpanData root = named(spans, "invoke_agent fan-out");
    SpanData research = named(spans, "invoke_agent researcher");
    SpanData write = named(spans, "invoke_agent writer");
    assertThat(threads).isNotEmpty();
    assertThat(parent(research)).isEqualTo(root.spanId());
    assertThat(parent(write)).isEqualTo(root.spanId());
    List<SpanData> chats = spans.stream().filter(s -> s.name().startsWith("chat")).toList();
    assertThat(chats).hasSize(2);
    for (SpanData chat : chats) {
      String agent = (String) chat.attributes().get("gen_ai.agent.name");
      assertThat(parent(chat))
          .isEqualTo(agent.equals("researcher") ? research.spanId() : write.spanId());
      assertThat(chat.traceId()).isEqualTo(root.traceId());
    }
  }

  @Test
  void aSupervisorsPlannerCallsAndItsAgentsAreUnderIt() {
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
    ChatModel traced = hyperlens.instrument(model);
    SupervisorAgent supervisor =
        hyperlens
            .instrument(
                AgenticServices.supervisorBuilder()
                    .name("supervisor")
                    .chatModel(traced)
                    .subAgents(
                        AgenticServices.agentBuilder(Researcher.class).chatModel(traced).build(),
                        AgenticServices.agentBuilder(Writer.class).chatModel(traced).build()))
            .build();

    supervisor.invoke("write about agents");

    List<SpanData> spans = spans();
    SpanData root = named(spans, "invoke_agent supervisor");
    assertThat(parent(named(spans, "invoke_agent researcher"))).isEqualTo(root.spanId());
    assertThat(parent(named(spans, "invoke_agent writer"))).isEqualTo(root.spanId());
    List<SpanData> plannerCalls =
        spans.stream()
            .filter(s -> s.name().startsWith("chat") && root.spanId().equals(parent(s)))
            .toList();
    assertThat(plannerCalls).hasSize(3); // researcher, writer, done
    assertThat(spans).extracting(SpanData::traceId).containsOnly(root.traceId());
    assertThat(bus.queryByType(EventType.SESSION_JOINED))
        .extracting(e -> e.agentDid().orElseThrow())
        .containsExactly("did:langchain4j:researcher", "did:langchain4j:writer");
  }

  @Test
  void anAgentErrorIsAFailedStepAndAnEscalatedSagaWithTheSecretRedacted() {
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(genAi).bus(bus).build();
    ChatModel traced = hyperlens.instrument(model);
    UntypedAgent pipeline =
        pipeline(
            hyperlens, null, AgenticServices.agentBuilder(Writer.class).chatModel(traced).build());

    assertThatThrownBy(() -> pipeline.invoke(Map.of("facts", "FAIL")))
        .hasStackTraceContaining("model endpoint refused");

    List<SpanData> spans = spans();
    SpanData write = named(spans, "invoke_agent writer");
    assertThat(write.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(write.attributes()).containsKey("error.type");
    assertThat(write.statusMessage().orElse("")).doesNotContain("sk-proj-abcdefghijklmnopqrstuvwx");
    assertThat(named(spans, "invoke_agent pipeline").status()).isEqualTo(SpanStatus.ERROR);
    HypervisorEvent failed = bus.queryByType(EventType.SAGA_STEP_FAILED).get(0);
    assertThat(failed.agentDid()).contains("did:langchain4j:writer");
    assertThat(String.valueOf(failed.payload().get("reason")))
        .contains("model endpoint refused")
        .doesNotContain("sk-proj-abcdefghijklmnopqrstuvwx");
    assertThat(bus.queryByType(EventType.SAGA_ESCALATED)).hasSize(1);
    assertThat(bus.queryByType(EventType.SESSION_TERMINATED)).hasSize(1);
    assertThat(hyperlens.agentListener().activeRuns()).isZero();
  }

  @Test
  void aDeniedToolNeverRunsAndIsAPolicyDecisionInTheAuditTrail(@TempDir Path keys) {
    try (AuditLog audit =
        AuditLog.builder()
            .store(new InMemoryAuditStore(10_000))
            .signer(AuditKeys.generateIn(keys))
            .build()) {
      HyperlensLangChain4j hyperlens =
          HyperlensLangChain4j.builder(genAi)
              .bus(bus)
              .decisions(audit)
              .toolPolicy(
                  "no-shell",
                  call ->
                      call.toolName().equals("shell")
                          ? PolicyDecision.deny("shell is not allowed for " + call.agentName())
                          : PolicyDecision.allow("default"))
              .build();
      ChatModel traced = hyperlens.instrument(model);
      UntypedAgent pipeline =
          pipeline(
              hyperlens,
              null,
              AgenticServices.agentBuilder(Researcher.class)
                  .chatModel(traced)
                  .tools(hyperlens.guardedTools(new Search(), new Shell()))
                  .build());

      pipeline.invoke(Map.of("topic", "agents"));

      SpanData shell = named(spans(), "execute_tool shell");
      assertThat(shell.status()).isEqualTo(SpanStatus.ERROR);
      assertThat(shell.attributes())
          .containsEntry("error.type", HyperlensAgentListener.TOOL_DENIED);
      assertThat(shell.statusMessage().orElse("")).contains("shell is not allowed for researcher");
      assertThat(named(spans(), "execute_tool search").status()).isEqualTo(SpanStatus.UNSET);
      HypervisorEvent failed = bus.queryByType(EventType.SAGA_STEP_FAILED).get(0);
      assertThat(failed.payload())
          .containsEntry("tool", "shell")
          .containsEntry("error", HyperlensAgentListener.TOOL_DENIED);

      List<AuditRecord> denied = audit.query(Decision.DENY, null, null, null, null, 0);
      assertThat(denied).hasSize(1);
      AuditRecord record = denied.get(0);
      assertThat(record.agentId()).isEqualTo("did:langchain4j:researcher");
      assertThat(record.action()).isEqualTo("tool.execute");
      assertThat(record.resource()).isEqualTo("shell");
      assertThat(record.ruleId()).isEqualTo("no-shell");
      assertThat(record.reason()).isEqualTo("shell is not allowed for researcher");
      assertThat(record.context()).containsKeys("session_id", "tool_call_id", "causal_trace_id");
      assertThat(audit.query(Decision.ALLOW, null, null, null, null, 0))
          .extracting(r -> r.resource())
          .containsExactly("search");
    }
  }

  @Test
  void withContentCaptureOnASecretInAnAgentsPromptIsRedacted() {
    GenAiTelemetry capturing =
        GenAiTelemetry.builder(tracer, meterProvider).captureContent(true).build();
    HyperlensLangChain4j hyperlens = HyperlensLangChain4j.builder(capturing).bus(bus).build();
    UntypedAgent pipeline =
        pipeline(
            hyperlens,
            null,
            AgenticServices.agentBuilder(Researcher.class)
                .chatModel(hyperlens.instrument(model))
                .build());

    pipeline.invoke(Map.of("topic", "the key sk-proj-abcdefghijklmnopqrstuvwx"));

    SpanData chat =
        spans().stream().filter(s -> s.name().startsWith("chat")).findFirst().orElseThrow();
    String input = (String) chat.attributes().get("gen_ai.input.messages");
    assertThat(input).contains("Research the key [REDACTED");
    assertThat(chat.attributes().toString()).doesNotContain("sk-proj-abcdefghijklmnopqrstuvwx");
    assertThat((String) chat.attributes().get("gen_ai.output.messages"))
        .contains("research: agents");
  }

  @Test
  void aListenerOrPolicyThatThrowsNeverBreaksTheAgent() {
    HyperlensLangChain4j hyperlens =
        HyperlensLangChain4j.builder(genAi)
            .bus(bus)
            .sessionIds(
                scope -> {
                  throw new IllegalStateException("no session store");
                })
            .toolPolicy(
                "broken-policy",
                call -> {
                  throw new IllegalStateException("policy engine down");
                })
            .build();
    ChatModel traced = hyperlens.instrument(model);
    UntypedAgent pipeline =
        pipeline(
            hyperlens,
            "facts",
            AgenticServices.agentBuilder(Researcher.class)
                .chatModel(traced)
                .tools(hyperlens.guardedTools(new Search()))
                .build());

    assertThat(pipeline.invoke(Map.of("topic", "agents"))).asString().startsWith("research:");
    assertThat(hyperlens.agentListener().failures()).isPositive();
    assertThat(hyperlens.policyFailures()).isEqualTo(1); // and the call was denied: fail closed
  }
}
