package io.hyperlens.bench;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.AiServices;
import io.hyperlens.langchain4j.HyperlensLangChain4j;
import io.hyperlens.otel.GenAiTelemetry;
import io.hyperlens.trace.DistributedTracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What {@code HyperlensChatModelListener} adds to one LangChain4j model call, beside the same call
 * with no listener, in one run. The model is a real {@link ChatModel} whose {@code doChat} returns
 * a prebuilt {@link ChatResponse} (text, token usage, response model, id, finish reason), so what
 * is measured is LangChain4j's own call path and whatever the listener adds to it, never a network.
 *
 * <ul>
 *   <li>{@code chatNoListener}: {@code model.chat(request)} on the bare model, one user message,
 *       model name from the model's default parameters. The floor.
 *   <li>{@code chatNoOpListener}: the same model with one listener that does nothing: what
 *       LangChain4j's listener dispatch (request and response contexts, the attribute map) costs
 *       before any listener does work.
 *   <li>{@code chatHyperlens}: the model from {@code HyperlensLangChain4j.instrument(model)}: a
 *       {@code chat gpt-4o} span on a {@link DistributedTracer} with its default retention (the
 *       newest 10,000 spans, so one eviction per call in steady state) and the two GenAI histograms
 *       on an OpenTelemetry {@link SdkMeterProvider} with a cumulative reader registered, so the
 *       SDK aggregates every point. Message content is not captured (the default).
 *   <li>{@code chatHyperlensNoRetention}: the same on a tracer with {@code maxSpans(0)}, to show
 *       what keeping spans for queries costs inside the overhead.
 *   <li>{@code aiServiceNoListener} / {@code aiServiceHyperlens}: an {@link AiServices} interface
 *       with one method answering from the same model, without and with the listener, since that is
 *       how most users call a model.
 * </ul>
 *
 * <p>Teardown checks that the instrumented calls were recorded: every call finished one span on its
 * tracer and one point in {@code gen_ai.client.operation.duration}, and the listener counted no
 * failure of its own. There is no third-party row: no OpenTelemetry listener for LangChain4j is
 * available to this offline build (only {@code langchain4j} and {@code langchain4j-core} 1.19.0 and
 * {@code langchain4j-agentic} 1.19.0-beta29 are), so the comparison a user would make is with no
 * listener at all.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LangChain4jBenchmark {
  static final String QUESTION = "What is the weather in Paris?";

  /** The service interface of the {@code aiService...} rows. */
  public interface Assistant {
    String chat(String question);
  }

  /** A model answering every call with one prebuilt response. */
  static final class CannedChatModel implements ChatModel {
    private final ChatResponse response;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;

    CannedChatModel(ChatResponse response, ChatModelListener... listeners) {
      this.response = response;
      this.defaults = ChatRequestParameters.builder().modelName("gpt-4o").build();
      this.listeners = List.of(listeners);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      return response;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
      return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
      return listeners;
    }

    @Override
    public ModelProvider provider() {
      return ModelProvider.OPEN_AI;
    }
  }

  /** Keeps the meter provider's collection handle so teardown can read what was recorded. */
  static final class CumulativeReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }

    long histogramCount(String name) {
      long count = 0;
      for (MetricData metric : registration.collectAllMetrics()) {
        if (metric.getName().equals(name)) {
          for (HistogramPointData point : metric.getHistogramData().getPoints()) {
            count += point.getCount();
          }
        }
      }
      return count;
    }
  }

  static final ChatListenerNoOp NO_OP = new ChatListenerNoOp();

  /** A listener that does nothing (every {@link ChatModelListener} method is a default no-op). */
  static final class ChatListenerNoOp implements ChatModelListener {}

  ChatRequest request;
  ChatModel bare;
  ChatModel noOp;
  DistributedTracer tracer;
  DistributedTracer tracerNoRetention;
  CumulativeReader reader;
  SdkMeterProvider meterProvider;
  HyperlensLangChain4j hyperlens;
  HyperlensLangChain4j hyperlensNoRetention;
  ChatModel instrumented;
  ChatModel instrumentedNoRetention;
  Assistant bareAssistant;
  Assistant instrumentedAssistant;
  long instrumentedCalls;
  long instrumentedCallsNoRetention;

  @Setup(Level.Trial)
  public void setUp() {
    ChatResponse response =
        ChatResponse.builder()
            .aiMessage(AiMessage.from("Rainy."))
            .id("chatcmpl-123")
            .modelName("gpt-4o-2024-08-06")
            .tokenUsage(new TokenUsage(120, 42))
            .finishReason(FinishReason.STOP)
            .build();
    request = ChatRequest.builder().messages(UserMessage.from(QUESTION)).build();
    bare = new CannedChatModel(response);
    noOp = new CannedChatModel(response, NO_OP);

    tracer = DistributedTracer.builder().build();
    tracerNoRetention = DistributedTracer.builder().maxSpans(0).build();
    reader = new CumulativeReader();
    meterProvider = SdkMeterProvider.builder().registerMetricReader(reader).build();
    hyperlens = HyperlensLangChain4j.builder(new GenAiTelemetry(tracer, meterProvider)).build();
    hyperlensNoRetention =
        HyperlensLangChain4j.builder(new GenAiTelemetry(tracerNoRetention, meterProvider)).build();
    instrumented = hyperlens.instrument(bare);
    instrumentedNoRetention = hyperlensNoRetention.instrument(bare);

    bareAssistant = AiServices.builder(Assistant.class).chatModel(bare).build();
    instrumentedAssistant = AiServices.builder(Assistant.class).chatModel(instrumented).build();
    TracerBenchmark.require(
        instrumentedAssistant.chat(QUESTION).equals("Rainy.")
            && bareAssistant.chat(QUESTION).equals("Rainy.")
            && noOp.chat(request).aiMessage().text().equals("Rainy."),
        "the canned model did not answer");
    instrumentedCalls = 1;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long spans = tracer.getMetrics().spansFinished();
    long spansNoRetention = tracerNoRetention.getMetrics().spansFinished();
    long points = reader.histogramCount(GenAiTelemetry.OPERATION_DURATION);
    long failures =
        hyperlens.chatModelListener().failures()
            + hyperlensNoRetention.chatModelListener().failures();
    meterProvider.close();
    tracer.close();
    tracerNoRetention.close();
    TracerBenchmark.require(
        spans == instrumentedCalls
            && spansNoRetention == instrumentedCallsNoRetention
            && points == instrumentedCalls + instrumentedCallsNoRetention
            && failures == 0,
        "recorded "
            + spans
            + " + "
            + spansNoRetention
            + " spans and "
            + points
            + " duration points with "
            + failures
            + " listener failures for "
            + instrumentedCalls
            + " + "
            + instrumentedCallsNoRetention
            + " calls");
  }

  @Benchmark
  public ChatResponse chatNoListener() {
    return bare.chat(request);
  }

  @Benchmark
  public ChatResponse chatNoOpListener() {
    return noOp.chat(request);
  }

  @Benchmark
  public ChatResponse chatHyperlens() {
    instrumentedCalls++;
    return instrumented.chat(request);
  }

  @Benchmark
  public ChatResponse chatHyperlensNoRetention() {
    instrumentedCallsNoRetention++;
    return instrumentedNoRetention.chat(request);
  }

  @Benchmark
  public String aiServiceNoListener() {
    return bareAssistant.chat(QUESTION);
  }

  @Benchmark
  public String aiServiceHyperlens() {
    instrumentedCalls++;
    return instrumentedAssistant.chat(QUESTION);
  }
}
