package io.hyperlens.otel;

import io.hyperlens.saga.SagaSpanRecord;
import io.hyperlens.spi.BatchExportQueue;
import io.hyperlens.spi.SpanSink;
import io.hyperlens.trace.HexIds;
import io.hyperlens.trace.TraceIdRatio;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The seed's {@code OTelSpanSink}, done properly: saga spans from a {@link
 * io.hyperlens.saga.SagaSpanExporter} go out through an OpenTelemetry SDK exporter as real spans.
 * Steps, compensations, fan-outs and checkpoints are children of their saga's span and share its
 * trace, which is the trace of the {@code CausalTraceId} the saga's events carry (so the saga sits
 * under the agent span that ran it); every span keeps its real start and end; {@code ok} is status
 * {@code OK}, {@code error} and {@code compensating} are {@code ERROR} with {@code
 * agent.saga.error} as the description; the {@code agent.saga.*}, {@code agent.did} and {@code
 * session.id} attributes are kept.
 *
 * <p>The saga exporter calls the sink on the emitting thread, so the sink only converts the span
 * and queues it: a bounded queue (default 2,048, drop-newest and counted) drained by one worker
 * thread that exports in batches. A slow or failing backend never slows {@code emit}. Sampling is
 * per trace with {@link TraceIdRatio} (OpenTelemetry's trace-id ratio for random ids): the decision
 * {@code DistributedTracer} makes for a trace it starts itself with that id. A saga inside a trace
 * continued from an incoming {@code traceparent} is still decided by the ratio, so with a sample
 * rate below 1 it can disagree with the caller's decision. {@link #close()} exports what is queued
 * and shuts down.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * try (OtelSpanSink sink = OtelSpanSink.builder(OtlpHttpSpanExporter.getDefault()).build()) {
 *   SagaSpanExporter sagas = new SagaSpanExporter(bus, sink);
 *   // ... emit saga events; every saga span reaches the OTLP endpoint
 * }
 * }</pre>
 */
public final class OtelSpanSink implements SpanSink, AutoCloseable {
  private final SpanMapping mapping;
  private final TraceIdRatio sampler;
  private final BatchExportQueue<SpanData> queue;
  private final Duration shutdownTimeout;
  private final LongAdder sampledOut = new LongAdder();

  private OtelSpanSink(Builder builder) {
    this.mapping = new SpanMapping(builder.resource);
    this.sampler = new TraceIdRatio(builder.sampleRate);
    this.queue =
        new BatchExportQueue<>(
            builder.batchExporter(),
            builder.queueSize,
            builder.batchSize,
            builder.exportInterval,
            "saga-spans");
    this.shutdownTimeout = builder.exportTimeout.multipliedBy(2);
  }

  /** Configures a sink exporting through {@code delegate}. */
  public static Builder builder(io.opentelemetry.sdk.trace.export.SpanExporter delegate) {
    return new Builder(delegate);
  }

  /**
   * Converts and queues {@code span}, with its ids; never blocks, never throws for a bad backend.
   */
  @Override
  public void recordSpan(SagaSpanRecord span) {
    if (span == null) {
      throw new IllegalArgumentException("span must not be null");
    }
    SpanData data = mapping.fromSaga(span);
    if (!sampler.sampled(span.traceId())) {
      sampledOut.increment();
      return;
    }
    queue.offer(data);
  }

  /**
   * The seed's protocol, for a caller without ids: the span becomes the root of a trace of its own.
   * {@code SagaSpanExporter} calls {@link #recordSpan(SagaSpanRecord)} instead.
   */
  @Override
  public void recordSpan(
      String name, Instant start, Instant end, Map<String, String> attributes, String status) {
    if (name == null || start == null || end == null || attributes == null || status == null) {
      throw new IllegalArgumentException(
          "name, start, end, attributes and status must not be null, got name="
              + name
              + ", start="
              + start
              + ", end="
              + end
              + ", attributes="
              + attributes
              + ", status="
              + status);
    }
    recordSpan(
        new SagaSpanRecord(
            name,
            attributes.getOrDefault("agent.saga.id", "unknown"),
            attributes.get("agent.saga.step_id"),
            attributes.get("agent.saga.step_action"),
            start,
            end,
            status,
            attributes,
            HexIds.randomTraceId(),
            HexIds.randomSpanId(),
            null));
  }

  /** Exports everything queued and flushes the SDK exporter; false when the deadline passed. */
  public boolean forceFlush(Duration timeout) {
    return queue.forceFlush(timeout);
  }

  /** Spans handed to the SDK exporter successfully. */
  public long exportedSpans() {
    return queue.exported();
  }

  /** Spans dropped because the queue was full or the sink closed. */
  public long droppedSpans() {
    return queue.dropped();
  }

  /** Spans in batches the SDK exporter failed or did not answer in time. */
  public long failedSpans() {
    return queue.failedItems();
  }

  /** Spans of traces the sample rate left out. */
  public long sampledOutSpans() {
    return sampledOut.sum();
  }

  /**
   * Exports what is queued, then shuts the SDK exporter down (unless shared), within {@code
   * timeout} (zero or negative: no wait); false when the deadline passed (what was left is counted
   * as dropped). Idempotent.
   */
  public boolean shutdown(Duration timeout) {
    if (timeout == null) {
      throw new IllegalArgumentException("timeout must not be null");
    }
    return queue.shutdown(timeout);
  }

  /** {@link #shutdown(Duration)} with twice the export timeout. */
  @Override
  public void close() {
    queue.shutdown(shutdownTimeout);
  }

  @Override
  public String toString() {
    return "OtelSpanSink{" + queue + '}';
  }

  /**
   * Configures an {@link OtelSpanSink}.
   *
   * <p>Not thread-safe; build on one thread.
   */
  public static final class Builder extends SdkExportBuilder<Builder> {
    private double sampleRate = 1.0;
    private int queueSize = 2048;
    private int batchSize = 512;
    private Duration exportInterval = Duration.ofSeconds(1);

    private Builder(io.opentelemetry.sdk.trace.export.SpanExporter delegate) {
      super(delegate);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The share of saga traces exported, 0.0 to 1.0; default 1.0. */
    public Builder sampleRate(double sampleRate) {
      this.sampleRate = TracingConfig.requireRate(sampleRate);
      return this;
    }

    /** Spans the queue holds before dropping (and counting) more; default 2,048. */
    public Builder queueSize(int queueSize) {
      this.queueSize = TracingConfig.requirePositive("queueSize", queueSize);
      return this;
    }

    /** The most spans per export call; default 512. */
    public Builder batchSize(int batchSize) {
      this.batchSize = TracingConfig.requirePositive("batchSize", batchSize);
      return this;
    }

    /** The longest a span waits for its batch to fill; default 1 s. */
    public Builder exportInterval(Duration exportInterval) {
      this.exportInterval = TracingConfig.requirePositive("exportInterval", exportInterval);
      return this;
    }

    /** The sink; its worker thread starts with the first span. */
    public OtelSpanSink build() {
      return new OtelSpanSink(this);
    }
  }
}
