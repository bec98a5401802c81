package io.hyperlens.bench;

import io.hyperlens.otel.OtelSpanExporter;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanData;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
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
 *   <li>{@code otelSpanExporterConversionReadingEveryField}: the same, to an exporter that reads
 *       every field of every span as a marshaler would, so that a conversion deferred until an
 *       exporter reads a field is paid for here.
 *   <li>{@code ...Reading} pipelines: the first two, each to an exporter that reads every field.
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
  static class CountingExporter implements SpanExporter {
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

  /** A counting exporter that also reads every field of every span, as a marshaler would. */
  static final class ReadingExporter extends CountingExporter {
    long checksum;

    @Override
    public CompletableResultCode export(
        Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
      long sum = 0;
      for (io.opentelemetry.sdk.trace.data.SpanData span : spans) {
        sum += read(span);
      }
      checksum += sum;
      return super.export(spans);
    }

    static long read(io.opentelemetry.sdk.trace.data.SpanData span) {
      long sum = span.getName().length() + span.getKind().ordinal();
      sum +=
          span.getSpanContext().getTraceId().length() + span.getSpanContext().getSpanId().length();
      sum += span.getSpanContext().getTraceFlags().asByte();
      sum += span.getSpanContext().getTraceState().size();
      sum += span.getParentSpanContext().isValid() ? span.getParentSpanId().length() : 0;
      sum +=
          span.getStatus().getStatusCode().ordinal() + span.getStatus().getDescription().length();
      sum += span.getStartEpochNanos() + span.getEndEpochNanos();
      sum += attributes(span.getAttributes());
      for (EventData event : span.getEvents()) {
        sum += event.getName().length() + event.getEpochNanos() + attributes(event.getAttributes());
      }
      for (LinkData link : span.getLinks()) {
        sum += link.getSpanContext().getSpanId().length() + attributes(link.getAttributes());
      }
      sum += span.getTotalAttributeCount() + span.getTotalRecordedEvents();
      sum += span.getTotalRecordedLinks();
      sum += span.getResource().getAttributes().size();
      sum += span.getInstrumentationScopeInfo().getName().length();
      return sum;
    }

    private static long attributes(Attributes attributes) {
      long[] sum = {attributes.size()};
      attributes.forEach((key, value) -> sum[0] += key.getKey().length() + value.hashCode());
      return sum[0];
    }
  }

  CountingExporter hyperlensSink;
  DistributedTracer tracer;
  CountingExporter otelSink;
  SdkTracerProvider otelProvider;
  Tracer otelTracer;
  OtelSpanExporter conversion;
  OtelSpanExporter readingConversion;
  ReadingExporter hyperlensReadingSink;
  DistributedTracer readingTracer;
  ReadingExporter otelReadingSink;
  SdkTracerProvider otelReadingProvider;
  Tracer otelReadingTracer;
  long hyperlensReadingStarted;
  long otelReadingStarted;
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

    hyperlensReadingSink = new ReadingExporter();
    readingTracer =
        DistributedTracer.builder()
            .serviceName("bench")
            .maxSpans(0)
            .exporter(OtelSpanExporter.create(hyperlensReadingSink))
            .build();
    otelReadingSink = new ReadingExporter();
    otelReadingProvider =
        SdkTracerProvider.builder()
            .addSpanProcessor(BatchSpanProcessor.builder(otelReadingSink).build())
            .build();
    otelReadingTracer = otelReadingProvider.get("bench");

    conversion = OtelSpanExporter.create(new CountingExporter());
    readingConversion = OtelSpanExporter.create(new ReadingExporter());
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
    readingTracer.shutdown(Duration.ofSeconds(30));
    otelReadingProvider.shutdown().join(30, TimeUnit.SECONDS);
    if (hyperlensReadingStarted > 0 || otelReadingStarted > 0) {
      System.out.printf(
          "%nexported to the reading exporter: Hyperlens %d of %d spans (%d dropped), SDK %d of"
              + " %d%n",
          hyperlensReadingSink.received.sum(),
          hyperlensReadingStarted,
          readingTracer.getMetrics().exportDropped(),
          otelReadingSink.received.sum(),
          otelReadingStarted);
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

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void otelSpanExporterConversionReadingEveryField() {
    readingConversion.export(finished);
  }

  @Benchmark
  public Span hyperlensSpanThroughOtelSpanExporterReading() {
    hyperlensReadingStarted++;
    Span span = readingTracer.startSpan(TracerBenchmark.SPAN_NAME);
    span.setAttribute("agent.id", "did:mesh:agent-7");
    span.setAttribute("tokens", 1234L);
    span.setAttribute("cached", true);
    readingTracer.finishSpan(span);
    return span;
  }

  @Benchmark
  public io.opentelemetry.api.trace.Span otelSdkSpanThroughBatchProcessorReading() {
    otelReadingStarted++;
    io.opentelemetry.api.trace.Span span =
        otelReadingTracer.spanBuilder(TracerBenchmark.SPAN_NAME).startSpan();
    span.setAttribute("agent.id", "did:mesh:agent-7");
    span.setAttribute("tokens", 1234L);
    span.setAttribute("cached", true);
    span.end();
    return span;
  }
}
