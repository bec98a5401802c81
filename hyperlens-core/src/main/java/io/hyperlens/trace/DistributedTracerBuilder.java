package io.hyperlens.trace;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configures a {@link DistributedTracer}. {@link #build()} does no I/O and starts no thread: each
 * exporter's worker thread starts with the first finished span.
 *
 * <p>Not thread-safe; build on one thread.
 *
 * <pre>{@code
 * DistributedTracer tracer =
 *     DistributedTracer.builder()
 *         .serviceName("agent-runtime")
 *         .maxSpans(10_000)
 *         .exporter(spans -> spans.forEach(System.out::println))
 *         .build();
 * }</pre>
 */
public final class DistributedTracerBuilder {
  String serviceName = "hyperlens";
  int maxSpans = DistributedTracer.DEFAULT_MAX_SPANS;
  Clock clock;
  final List<SpanExporter> exporters = new ArrayList<>();
  int exportQueueSize = 2048;
  int exportBatchSize = 512;
  Duration exportInterval = Duration.ofSeconds(1);
  int maxAttributesPerSpan = 128;
  int maxEventsPerSpan = 128;
  int maxLinksPerSpan = 128;
  int maxAttributeLength = 16_384;
  TraceIdRatio sampler = new TraceIdRatio(1.0);

  DistributedTracerBuilder() {}

  /** The {@code service.name} of every span; default {@code "hyperlens"}. */
  public DistributedTracerBuilder serviceName(String serviceName) {
    if (serviceName == null || serviceName.isBlank()) {
      throw new IllegalArgumentException(
          "serviceName must not be blank, got " + W3CIds.quote(serviceName));
    }
    this.serviceName = serviceName;
    return this;
  }

  /**
   * How many finished spans to retain for queries, newest kept; default 10,000; 0 keeps none; at
   * most {@value #MAX_RETAINED_SPANS}.
   */
  public DistributedTracerBuilder maxSpans(int maxSpans) {
    if (maxSpans > MAX_RETAINED_SPANS) {
      throw new IllegalArgumentException(
          "maxSpans must be at most " + MAX_RETAINED_SPANS + ", got " + maxSpans);
    }
    this.maxSpans = nonNegative("maxSpans", maxSpans);
    return this;
  }

  /** The most spans a tracer retains (its index must stay at most half full). */
  public static final int MAX_RETAINED_SPANS = 1 << 28;

  /**
   * The clock for span timestamps. By default the system clock gives each span's start and its
   * duration comes from {@link System#nanoTime()}, so durations are monotonic; with a clock set,
   * both ends come from it (tests drive it).
   */
  public DistributedTracerBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Adds an exporter of finished spans. Each exporter gets its own bounded queue and worker thread,
   * so one that stalls or throws never delays or loses another's spans. Call more than once to add
   * several.
   */
  public DistributedTracerBuilder exporter(SpanExporter exporter) {
    if (exporter == null) {
      throw new IllegalArgumentException("exporter must not be null");
    }
    exporters.add(exporter);
    return this;
  }

  /**
   * The share of new traces whose spans are exported, 0.0 to 1.0; default 1.0 (every trace). The
   * decision is made once per trace, when the tracer starts it, with OpenTelemetry's trace-id ratio
   * algorithm, and travels in the W3C {@code sampled} flag: children and downstream services
   * inherit it, and a trace continued from an incoming {@code traceparent} keeps the caller's
   * decision (parent-based sampling). Spans of unsampled traces are still recorded and retained for
   * {@link DistributedTracer#getTraceSpans} and the metrics; they are not exported, and are counted
   * as {@code spans_sampled_out_total}.
   *
   * @throws IllegalArgumentException when {@code sampleRate} is outside 0.0..1.0 or NaN
   */
  public DistributedTracerBuilder sampleRate(double sampleRate) {
    this.sampler = new TraceIdRatio(sampleRate);
    return this;
  }

  /** Spans each exporter's queue holds before dropping (and counting) more; default 2,048. */
  public DistributedTracerBuilder exportQueueSize(int exportQueueSize) {
    this.exportQueueSize = positive("exportQueueSize", exportQueueSize);
    return this;
  }

  /** Most spans per {@link SpanExporter#export} call; default 512. */
  public DistributedTracerBuilder exportBatchSize(int exportBatchSize) {
    this.exportBatchSize = positive("exportBatchSize", exportBatchSize);
    return this;
  }

  /** Longest a finished span waits for a batch to fill, up to a day; default one second. */
  public DistributedTracerBuilder exportInterval(Duration exportInterval) {
    if (exportInterval == null
        || exportInterval.isNegative()
        || exportInterval.isZero()
        || exportInterval.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "exportInterval must be positive and at most a day, got " + exportInterval);
    }
    this.exportInterval = exportInterval;
    return this;
  }

  /** Attributes kept per span; more are dropped and counted. Default 128. */
  public DistributedTracerBuilder maxAttributesPerSpan(int max) {
    this.maxAttributesPerSpan = nonNegative("maxAttributesPerSpan", max);
    return this;
  }

  /** Events kept per span; more are dropped and counted. Default 128. */
  public DistributedTracerBuilder maxEventsPerSpan(int max) {
    this.maxEventsPerSpan = nonNegative("maxEventsPerSpan", max);
    return this;
  }

  /** Links kept per span; more are dropped and counted. Default 128. */
  public DistributedTracerBuilder maxLinksPerSpan(int max) {
    this.maxLinksPerSpan = nonNegative("maxLinksPerSpan", max);
    return this;
  }

  /**
   * Longest string attribute value kept, in characters (event attributes such as {@code
   * exception.stacktrace} included); longer values are cut. Default 16,384.
   */
  public DistributedTracerBuilder maxAttributeLength(int max) {
    this.maxAttributeLength = positive("maxAttributeLength", max);
    return this;
  }

  /**
   * The tracer.
   *
   * @throws IllegalArgumentException when {@code exportBatchSize} exceeds {@code exportQueueSize}
   */
  public DistributedTracer build() {
    if (exportBatchSize > exportQueueSize) {
      throw new IllegalArgumentException(
          "exportBatchSize must not exceed exportQueueSize, got "
              + exportBatchSize
              + " > "
              + exportQueueSize);
    }
    return new DistributedTracer(this);
  }

  private static int positive(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
    return value;
  }

  private static int nonNegative(String field, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must not be negative, got " + value);
    }
    return value;
  }
}
