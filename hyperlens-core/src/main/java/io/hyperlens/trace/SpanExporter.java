package io.hyperlens.trace;

import io.hyperlens.spi.BatchExporter;
import java.util.List;

/**
 * Where finished tracer spans go: a Jaeger, Zipkin or OTLP bridge ({@code hyperlens-otel}), a
 * store, a test. Register it with {@link DistributedTracerBuilder#exporter(SpanExporter)}.
 *
 * <p>Threading and blocking: the tracer calls every method of one exporter from that exporter's own
 * worker thread, never from the thread that finished the span, one call at a time. {@link
 * #export(List)} receives batches of up to the configured batch size, in finish order. It may block
 * (a network call); while it does, spans queue up to the tracer's bound and then are dropped and
 * counted, and {@code finishSpan} never waits. An exception thrown here is caught, counted and
 * logged once; the batch is not retried. {@link #flush()} and {@link #shutdown()} are called by
 * {@link DistributedTracer#forceFlush} and {@link DistributedTracer#close} after the queued spans
 * have been exported.
 *
 * <pre>{@code
 * SpanExporter printing =
 *     spans -> spans.forEach(span -> System.out.println(span.name() + " " + span.durationMs()));
 * DistributedTracer tracer =
 *     DistributedTracer.builder().serviceName("agent-runtime").exporter(printing).build();
 * }</pre>
 */
@FunctionalInterface
public interface SpanExporter extends BatchExporter<SpanData> {
  /** Exports one batch of finished spans; the list is unmodifiable. */
  @Override
  void export(List<SpanData> spans);

  /** An exporter that drops everything; a tracer with only this exporter runs no worker thread. */
  static SpanExporter noop() {
    return NoopSpanExporter.INSTANCE;
  }

  /**
   * An exporter that hands every batch to each of {@code exporters} in order; one that throws does
   * not stop the others, and the first failure is rethrown after all have been called. A stalled
   * one delays the others: register exporters separately to give each its own queue and thread.
   */
  static SpanExporter composite(SpanExporter... exporters) {
    return new CompositeSpanExporter(List.of(exporters));
  }
}
