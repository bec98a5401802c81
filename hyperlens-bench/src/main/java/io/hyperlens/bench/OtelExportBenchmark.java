package io.hyperlens.bench;

import io.hyperlens.otel.OtelSpanExporter;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanData;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * A span exported to OpenTelemetry two ways, to the same counting no-op SDK exporter, in one run:
 *
 * <ul>
 *   <li>{@code hyperlensSpanThroughOtelSpanExporter}: a {@link DistributedTracer} span (three
 *       attributes, no retention) finished and handed by the tracer's export worker to {@link
 *       OtelSpanExporter}, which converts it and calls the SDK exporter.
 *   <li>{@code otelSdkSpanThroughBatchProcessor}: the same span made with the SDK's own tracer and
 *       its {@code BatchSpanProcessor}, the pipeline a user of the SDK alone would have.
 *   <li>{@code otelSpanExporterConversion}: the bridge's own work, synchronously: converting a
 *       batch of 512 finished Hyperlens spans and exporting them, per span.
 * </ul>
 *
 * <p>Both pipelines batch on a worker thread with a bounded queue (2,048) and drop when the caller
 * outruns the worker; the caller-side figures include that hand-off, and teardown prints how many
 * spans each no-op exporter received, so a pipeline that "wins" by dropping shows it.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OtelExportBenchmark {
  private static final int BATCH = 512;

  /** An SDK exporter that counts what it receives and does nothing else. */
  static final class CountingExporter implements SpanExporter {
    final LongAdder received = new LongAdder();

    @Override
    public CompletableResultCode export(
        Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
      received.add(spans.size());
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
  }

  CountingExporter hyperlensSink;
  DistributedTracer tracer;
  CountingExporter otelSink;
  SdkTracerProvider otelProvider;
  Tracer otelTracer;
  OtelSpanExporter conversion;
  List<SpanData> finished;
  long hyperlensStarted;
  long otelStarted;

  @Setup(Level.Trial)
  public void setUp() {
    hyperlensSink = new CountingExporter();
    tracer =
        DistributedTracer.builder()
            .serviceName("bench")
            .maxSpans(0)
            .exporter(OtelSpanExporter.create(hyperlensSink))
            .build();
    otelSink = new CountingExporter();
    otelProvider =
        SdkTracerProvider.builder()
            .addSpanProcessor(BatchSpanProcessor.builder(otelSink).build())
            .build();
    otelTracer = otelProvider.get("bench");

    conversion = OtelSpanExporter.create(new CountingExporter());
    List<SpanData> spans = new ArrayList<>(BATCH);
    DistributedTracer source =
        DistributedTracer.builder().exporter(batch -> {}).maxSpans(BATCH).build();
    for (int i = 0; i < BATCH; i++) {
      Span span = source.startSpan(TracerBenchmark.SPAN_NAME);
      span.setAttribute("agent.id", "did:mesh:agent-7");
      span.setAttribute("tokens", 1234L);
      span.setAttribute("cached", true);
      source.finishSpan(span);
      spans.add(source.getSpanById(span.spanId()).orElseThrow());
    }
    source.close();
    finished = List.copyOf(spans);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    tracer.shutdown(Duration.ofSeconds(30));
    otelProvider.shutdown().join(30, TimeUnit.SECONDS);
    if (hyperlensStarted > 0 || otelStarted > 0) {
      System.out.printf(
          "%nexported to the no-op exporter: Hyperlens %d of %d spans (%d dropped), SDK %d of %d%n",
          hyperlensSink.received.sum(),
          hyperlensStarted,
          tracer.getMetrics().exportDropped(),
          otelSink.received.sum(),
          otelStarted);
    }
  }

  @Benchmark
  public Span hyperlensSpanThroughOtelSpanExporter() {
    hyperlensStarted++;
    Span span = tracer.startSpan(TracerBenchmark.SPAN_NAME);
    span.setAttribute("agent.id", "did:mesh:agent-7");
    span.setAttribute("tokens", 1234L);
    span.setAttribute("cached", true);
    tracer.finishSpan(span);
    return span;
  }

  @Benchmark
  public io.opentelemetry.api.trace.Span otelSdkSpanThroughBatchProcessor() {
    otelStarted++;
    io.opentelemetry.api.trace.Span span =
        otelTracer.spanBuilder(TracerBenchmark.SPAN_NAME).startSpan();
    span.setAttribute("agent.id", "did:mesh:agent-7");
    span.setAttribute("tokens", 1234L);
    span.setAttribute("cached", true);
    span.end();
    return span;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void otelSpanExporterConversion() {
    conversion.export(finished);
  }
}
