package io.hyperlens.bench;

import io.hyperlens.bench.OtelExportBenchmark.CountingExporter;
import io.hyperlens.otel.RedactingSpanExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What removing secrets from spans costs on export, per span, in one run: a batch of 512 agent
 * spans (a 200-character prompt, model, agent id, token count; one in eight with an exception event
 * and its stack trace) handed to a no-op SDK exporter as it is ({@code exportAsItIs}), and through
 * {@link RedactingSpanExporter} when no span holds a secret ({@code redactingClean}) and when one
 * in sixteen prompts carries an API key ({@code redactingWithSecrets}).
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpanRedactionBenchmark {
  private static final int BATCH = 512;

  CountingExporter sink;
  RedactingSpanExporter redacting;
  List<SpanData> clean;
  List<SpanData> withSecrets;

  @Setup(Level.Trial)
  public void setUp() {
    sink = new CountingExporter();
    redacting = new RedactingSpanExporter(sink, null);
    clean = spans(false);
    withSecrets = spans(true);
  }

  private static List<SpanData> spans(boolean secrets) {
    List<SpanData> out = new ArrayList<>(BATCH);
    SpanExporter collect =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            out.addAll(spans);
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(collect)).build()) {
      Tracer tracer = provider.get("bench");
      String prompt =
          "Summarise the quarterly incident reports for the payments team and list the three"
              + " most frequent root causes, with the services they touched and the agents that"
              + " escalated them, in a table sorted by severity.";
      for (int i = 0; i < BATCH; i++) {
        Span span = tracer.spanBuilder("chat gpt-4o").startSpan();
        span.setAttribute("gen_ai.operation.name", "chat");
        span.setAttribute("gen_ai.request.model", "gpt-4o");
        span.setAttribute("agent.id", "did:mesh:agent-" + (i % 8));
        span.setAttribute(AttributeKey.longKey("gen_ai.usage.input_tokens"), 1200L + i);
        span.setAttribute(
            "gen_ai.prompt",
            secrets && i % 16 == 0
                ? prompt + " Use key sk-proj-abcdefghijklmnopqrstuvwx."
                : prompt);
        if (i % 8 == 0) {
          span.recordException(new IllegalStateException("tool call timed out after 30 s"));
        }
        span.end();
      }
    }
    return List.copyOf(out);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public CompletableResultCode exportAsItIs() {
    return sink.export(clean);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public CompletableResultCode redactingClean() {
    return redacting.export(clean);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public CompletableResultCode redactingWithSecrets() {
    return redacting.export(withSecrets);
  }
}
