package io.hyperlens.otel;

import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanExporter;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands the spans of a {@link io.hyperlens.trace.DistributedTracer} to an OpenTelemetry SDK
 * exporter (OTLP, Zipkin, logging, or any other), unchanged: the same trace, span and parent ids,
 * flags and trace state, kind, status and description, start and end to the nanosecond, attributes,
 * events (including {@code exception}) and links. A span in Zipkin or Jaeger looks exactly like the
 * one in {@code getTraceSpans}.
 *
 * <p>The tracer already batches off the caller's thread (one bounded queue and worker per
 * exporter), so this exporter calls the SDK exporter directly from that worker and waits for the
 * result up to {@code exportTimeout}; a failed or timed-out batch throws, which the tracer counts
 * as {@code export_failed_spans_total}. Spans of traces the tracer sampled out never reach it.
 * {@link Tracing#enable} wires one up; build one yourself to export to an SDK exporter of your
 * choice.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * io.opentelemetry.sdk.trace.export.SpanExporter zipkin =
 *     ZipkinSpanExporter.builder().setEndpoint("http://localhost:9411/api/v2/spans").build();
 * DistributedTracer tracer =
 *     DistributedTracer.builder()
 *         .serviceName("agent-runtime")
 *         .exporter(OtelSpanExporter.create(zipkin))
 *         .build();
 * }</pre>
 */
public final class OtelSpanExporter implements SpanExporter {
  private final SdkBatchExporter delegate;
  private final SpanMapping mapping;

  private OtelSpanExporter(Builder builder) {
    this.delegate = builder.batchExporter();
    this.mapping = new SpanMapping(builder.resource);
  }

  /** An exporter to {@code delegate} with the default resource and a 10 s export timeout. */
  public static OtelSpanExporter create(io.opentelemetry.sdk.trace.export.SpanExporter delegate) {
    return builder(delegate).build();
  }

  /** Configures an exporter to {@code delegate}. */
  public static Builder builder(io.opentelemetry.sdk.trace.export.SpanExporter delegate) {
    return new Builder(delegate);
  }

  /**
   * Converts {@code spans} and exports them through the SDK exporter.
   *
   * @throws IllegalStateException when the SDK exporter fails or does not answer within the export
   *     timeout
   */
  @Override
  public void export(List<SpanData> spans) {
    List<io.opentelemetry.sdk.trace.data.SpanData> converted = new ArrayList<>(spans.size());
    for (SpanData span : spans) {
      converted.add(mapping.fromTracer(span));
    }
    delegate.export(converted);
  }

  /** Flushes the SDK exporter. */
  @Override
  public void flush() {
    delegate.flush();
  }

  /** Shuts the SDK exporter down, unless it belongs to someone else (see the builder). */
  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public String toString() {
    return "OtelSpanExporter{" + delegate + '}';
  }

  /**
   * Configures an {@link OtelSpanExporter}.
   *
   * <p>Not thread-safe; build on one thread.
   */
  public static final class Builder extends SdkExportBuilder<Builder> {
    private Builder(io.opentelemetry.sdk.trace.export.SpanExporter delegate) {
      super(delegate);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The exporter. */
    public OtelSpanExporter build() {
      return new OtelSpanExporter(this);
    }
  }
}
