package io.hyperlens.trace;

import io.hyperlens.spi.BatchExportQueue;
import io.hyperlens.spi.Timeouts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Traces agent work as W3C-compatible spans: the seed's {@code DistributedTracer}, with real
 * parent/child context, baggage, W3C propagation ({@link W3CPropagator}), bounded retention with
 * queries and summaries, and asynchronous batched export ({@link SpanExporter}).
 *
 * <p>Parent selection: a span started while a span is current ({@link Span#makeCurrent()}, or
 * inside {@link #traced}) is its child, so two spans started one after another under the same
 * current span are siblings; with no current span but a current trace context ({@link #startTrace},
 * {@link TraceContext#makeCurrent()}, or one extracted from headers) the span joins that trace
 * under its parent; otherwise it starts a new trace. Unlike the seed, starting a span does not make
 * it current: that is what scopes are for, and it keeps concurrent spans from chaining.
 *
 * <p>{@link #startTrace()} makes its trace current on the calling thread, as in the seed, until the
 * thread starts another trace or the scope enclosing the call closes.
 *
 * <p>Finished spans are kept for queries (the newest {@code maxSpans}, default 10,000; older ones
 * are evicted and counted) and handed to each exporter's bounded queue; {@code finishSpan} never
 * blocks on an exporter. {@link #close()} exports what is queued and shuts the exporters down with
 * a deadline.
 *
 * <p>Thread-safe: one tracer serves every thread.
 *
 * <pre>{@code
 * DistributedTracer tracer = DistributedTracer.builder().serviceName("agent-runtime").build();
 * TraceContext context = tracer.startTrace(null, Map.of("user_id", "12345", "tenant", "acme"));
 *
 * Span parent = tracer.startSpan("agent_lifecycle");
 * try (Scope scope = parent.makeCurrent()) {
 *   Span child1 = tracer.startSpan("initialize_container");
 *   tracer.finishSpan(child1);
 *   Span child2 = tracer.startSpan("execute_task");   // a sibling of child1
 *   tracer.finishSpan(child2);
 * }
 * tracer.finishSpan(parent);
 *
 * tracer.getTraceSummary(context.traceId()).get().spanCount(); // 3
 * }</pre>
 */
public final class DistributedTracer implements AutoCloseable {
  /** Default bound on retained finished spans. */
  public static final int DEFAULT_MAX_SPANS = 10_000;

  /** Default deadline of {@link #close()}. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  static final String UNNAMED = "<unnamed>";
  private static final long NO_NANO_TIME = Long.MIN_VALUE;
  private static final AtomicReference<DistributedTracer> GLOBAL = new AtomicReference<>();

  private final String serviceName;
  private final Clock clock;
  private final SpanRetention retention;
  private final BatchExportQueue<SpanData>[] workers;
  private final int maxAttributesPerSpan;
  private final int maxEventsPerSpan;
  private final int maxLinksPerSpan;
  private final int maxAttributeLength;
  private final LongAdder finishIgnored = new LongAdder();
  private final LongAdder sampledOut = new LongAdder();
  private final TraceIdRatio sampler;

  DistributedTracer(DistributedTracerBuilder builder) {
    this.serviceName = builder.serviceName;
    this.clock = builder.clock;
    this.retention = new SpanRetention(builder.maxSpans);
    List<BatchExportQueue<SpanData>> active = new ArrayList<>();
    for (SpanExporter exporter : builder.exporters) {
      if (exporter != SpanExporter.noop()) {
        active.add(
            new BatchExportQueue<>(
                exporter,
                builder.exportQueueSize,
                builder.exportBatchSize,
                builder.exportInterval,
                "spans-" + serviceName));
      }
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    BatchExportQueue<SpanData>[] queues = active.toArray(new BatchExportQueue[0]);
    this.workers = queues;
    this.maxAttributesPerSpan = builder.maxAttributesPerSpan;
    this.maxEventsPerSpan = builder.maxEventsPerSpan;
    this.maxLinksPerSpan = builder.maxLinksPerSpan;
    this.maxAttributeLength = builder.maxAttributeLength;
    this.sampler = builder.sampler;
  }

  /** A builder with the defaults: service {@code "hyperlens"}, 10,000 spans, no exporter. */
  public static DistributedTracerBuilder builder() {
    return new DistributedTracerBuilder();
  }

  /**
   * The process-wide tracer (the seed's {@code get_distributed_tracer()}): the one installed by
   * {@link #setGlobal}, else a default one created on first use.
   */
  public static DistributedTracer global() {
    DistributedTracer tracer = GLOBAL.get();
    if (tracer == null) {
      GLOBAL.compareAndSet(null, builder().build());
      tracer = GLOBAL.get();
    }
    return tracer;
  }

  /** Installs {@code tracer} as the process-wide tracer; returns the previous one, if any. */
  public static Optional<DistributedTracer> setGlobal(DistributedTracer tracer) {
    if (tracer == null) {
      throw new IllegalArgumentException("tracer must not be null");
    }
    return Optional.ofNullable(GLOBAL.getAndSet(tracer));
  }

  /** The {@code service.name} of this tracer's spans. */
  public String serviceName() {
    return serviceName;
  }

  /** Starts a new trace with a random id and makes it current on this thread. */
  public TraceContext startTrace() {
    return startTrace(null, null);
  }

  /**
   * Starts a trace and makes it current on this thread, as the seed's {@code start_trace}: spans
   * started on this thread without a current span join it, until the thread starts another trace or
   * the scope enclosing this call closes.
   *
   * @param traceId 32 hex characters, a 12-hex {@link CausalTraceId} trace id, or {@code null} for
   *     a random one
   * @param baggage initial baggage, or {@code null}
   * @throws IllegalArgumentException naming the field when the id or a baggage key is malformed
   */
  public TraceContext startTrace(String traceId, Map<String, String> baggage) {
    TraceContext context =
        TraceContext.of(traceId == null ? W3CIds.randomTraceId() : traceId, null, baggage);
    if (!sampler.keepsAll() && !sampler.sampled(context.traceId())) {
      context = TraceContext.of(context.traceId(), null, 0, Map.of(), baggage);
    }
    ContextStorage.get().replaceImplicit(Context.root().with(context));
    return context;
  }

  /**
   * Ends the trace that {@link #startTrace} made current on this thread, so later spans on the
   * thread start new traces: call it when a thread that started a trace goes back to a pool or on
   * to unrelated work. Inside a scope it ends only a trace started within that scope.
   */
  public void endTrace() {
    ContextStorage.get().closeImplicit();
  }

  /** Starts an {@code INTERNAL} span in the current context; see the class comment for parents. */
  public Span startSpan(String name) {
    return startSpan(name, SpanKind.INTERNAL, Map.of());
  }

  /**
   * Starts a span in the current context.
   *
   * @param name the operation name; {@code null} or blank becomes {@code "<unnamed>"}
   * @param kind {@code null} means {@code INTERNAL}
   * @param attributes initial attributes, or {@code null}
   */
  public Span startSpan(String name, SpanKind kind, Map<String, ?> attributes) {
    Span span = newSpan(name, kind, Context.current(), null);
    if (attributes != null && !attributes.isEmpty()) {
      span.setAttributes(attributes);
    }
    return span;
  }

  /** A builder for a span with an explicit parent, start time or links. */
  public SpanBuilder spanBuilder(String name) {
    return new SpanBuilder(this, name);
  }

  Span newSpan(String name, SpanKind kind, Context parent, Instant start) {
    String spanName = name == null || name.isBlank() ? UNNAMED : name;
    SpanKind spanKind = kind == null ? SpanKind.INTERNAL : kind;
    Span parentSpan = parent.spanOrNull();
    TraceContext trace;
    String parentId;
    boolean remote;
    if (parentSpan != null) {
      trace = parentSpan.trace();
      parentId = parentSpan.spanId();
      remote = false;
    } else if (parent.traceOrNull() != null) {
      trace = parent.traceOrNull();
      parentId = trace.parentSpanId().orElse(null);
      remote = parentId != null;
    } else {
      String traceId = W3CIds.randomTraceId();
      trace =
          TraceContext.newTrace(
              traceId, sampler.keepsAll() ? TraceContext.FLAG_SAMPLED : sampler.flags(traceId));
      parentId = null;
      remote = false;
    }
    return newSpan(spanName, spanKind, trace, parentId, remote, start, null);
  }

  /**
   * The span of an agent's {@link CausalTraceId}: in the causal trace, with the causal span id as
   * its own and the causal parent's span id as its parent (none for a root). It shares the trace
   * context (flags, baggage) of the current span when that span is in the same trace.
   */
  Span newCausalSpan(String name, SpanKind kind, CausalTraceId agent, Instant start) {
    String traceId = agent.w3cTraceId();
    Span current = Context.current().spanOrNull();
    TraceContext trace =
        current != null && current.traceId().equals(traceId)
            ? current.trace()
            : TraceContext.newTrace(
                traceId, sampler.keepsAll() ? TraceContext.FLAG_SAMPLED : sampler.flags(traceId));
    return newSpan(
        name == null || name.isBlank() ? UNNAMED : name,
        kind == null ? SpanKind.INTERNAL : kind,
        trace,
        agent.w3cParentSpanId().orElse(null),
        false,
        start,
        agent.w3cSpanId());
  }

  private Span newSpan(
      String name,
      SpanKind kind,
      TraceContext trace,
      String parentId,
      boolean remote,
      Instant start,
      String spanId) {
    long startNano = start == null && clock == null ? System.nanoTime() : NO_NANO_TIME;
    long startEpoch = start == null ? nowEpochNanos() : SpanData.toEpochNanos(start);
    return new Span(this, trace, parentId, remote, name, kind, startEpoch, startNano, spanId);
  }

  /**
   * Finishes {@code span}: its status stays {@code ERROR} when an exception or status made it so,
   * and becomes {@code OK} otherwise (the seed's default). Finishing twice is ignored and counted.
   */
  public void finishSpan(Span span) {
    finish(span, null, null, true);
  }

  /**
   * Finishes {@code span} with {@code status}; {@code message} is kept for {@code ERROR} (the
   * seed's {@code status_message}). {@code UNSET} leaves the span's own status.
   */
  public void finishSpan(Span span, SpanStatus status, String message) {
    finish(span, status, message, false);
  }

  private void finish(Span span, SpanStatus status, String message, boolean defaultToOk) {
    if (span == null) {
      throw new IllegalArgumentException("span must not be null");
    }
    span.tracer().complete(span, span.finish(status, message, defaultToOk));
  }

  private void complete(Span span, SpanData data) {
    if (data == null) {
      finishIgnored.increment();
      return;
    }
    retention.add(data);
    if ((data.traceFlags() & TraceContext.FLAG_SAMPLED) == 0) {
      sampledOut.increment();
      return;
    }
    for (BatchExportQueue<SpanData> worker : workers) {
      worker.offer(data);
    }
  }

  /**
   * Records {@code throwable} on {@code span} as an {@code exception} event with {@code
   * exception.type}, {@code exception.message} and {@code exception.stacktrace}, and marks the span
   * as failed: unlike the seed, a recorded exception is an error.
   */
  public void recordException(Span span, Throwable throwable) {
    if (span == null) {
      throw new IllegalArgumentException("span must not be null");
    }
    span.recordException(throwable);
  }

  /**
   * Runs {@code work} in a new span made current for its duration: the seed's {@code
   * trace_operation} decorator. The span ends {@code OK} when {@code work} returns; when it throws,
   * the exception is recorded, the span ends {@code ERROR} with its message, and the exception is
   * rethrown unchanged.
   */
  @SuppressWarnings("try") // the scope only keeps the span current
  public <T> T traced(String name, SpanKind kind, Map<String, ?> attributes, Supplier<T> work) {
    Span span = startSpan(name, kind, attributes);
    try (Scope scope = span.makeCurrent()) {
      T result = work.get();
      finishSpan(span, SpanStatus.OK, null);
      return result;
    } catch (Throwable e) {
      failed(span, e);
      throw e;
    }
  }

  /** {@link #traced(String, SpanKind, Map, Supplier)} for work without a result. */
  public void traced(String name, SpanKind kind, Map<String, ?> attributes, Runnable work) {
    traced(
        name,
        kind,
        attributes,
        () -> {
          work.run();
          return null;
        });
  }

  /** {@link #traced(String, SpanKind, Map, Supplier)} for work that throws checked exceptions. */
  @SuppressWarnings("try") // the scope only keeps the span current
  public <T> T tracedCall(String name, SpanKind kind, Map<String, ?> attributes, Callable<T> work)
      throws Exception {
    Span span = startSpan(name, kind, attributes);
    try (Scope scope = span.makeCurrent()) {
      T result = work.call();
      finishSpan(span, SpanStatus.OK, null);
      return result;
    } catch (Throwable e) {
      failed(span, e);
      throw e;
    }
  }

  /** An {@code INTERNAL} span around {@code work} without attributes. */
  public <T> T traced(String name, Supplier<T> work) {
    return traced(name, SpanKind.INTERNAL, Map.of(), work);
  }

  /** An {@code INTERNAL} span around {@code work} without attributes. */
  public void traced(String name, Runnable work) {
    traced(name, SpanKind.INTERNAL, Map.of(), work);
  }

  /** Best effort: whatever goes wrong recording the failure, the caller gets its own exception. */
  private void failed(Span span, Throwable e) {
    try {
      span.recordException(e);
    } finally {
      finishSpan(span, SpanStatus.ERROR, Span.errorMessage(e));
    }
  }

  /** The retained finished spans of a trace, in start order; empty when none are retained. */
  public List<SpanData> getTraceSpans(String traceId) {
    return retention.trace(traceId);
  }

  /** A retained finished span by its 16-hex id. */
  public Optional<SpanData> getSpanById(String spanId) {
    return retention.span(spanId);
  }

  /**
   * The seed's trace summary over the retained spans of {@code traceId}: span and error counts,
   * first start, last end, wall time between them, and the operations in start order.
   */
  public Optional<TraceSummary> getTraceSummary(String traceId) {
    List<SpanData> spans = retention.trace(traceId);
    return spans.isEmpty() ? Optional.empty() : Optional.of(TraceSummary.of(traceId, spans));
  }

  /** Summaries of the most recently finished traces, newest first; at most {@code limit}. */
  public List<TraceSummary> recentTraces(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    List<TraceSummary> summaries = new ArrayList<>();
    for (List<SpanData> spans : retention.recentTraces(limit)) {
      summaries.add(TraceSummary.of(spans.get(0).traceId(), spans));
    }
    return List.copyOf(summaries);
  }

  /** The seed's tracing metrics plus retention and export counters. */
  public TracerMetrics getMetrics() {
    long[] counts = retention.counts();
    long total = counts[0];
    long errors = counts[1];
    double rate = total == 0 ? 0.0 : Math.round(errors * 10_000.0 / total) / 100.0;
    long exported = 0;
    long dropped = 0;
    long failedSpans = 0;
    long failures = 0;
    for (BatchExportQueue<SpanData> worker : workers) {
      exported += worker.exported();
      dropped += worker.dropped();
      failedSpans += worker.failedItems();
      failures += worker.failures();
    }
    return new TracerMetrics(
        total,
        errors,
        rate,
        counts[2],
        workers.length > 0,
        counts[3],
        counts[4],
        finishIgnored.sum(),
        exported,
        dropped,
        failedSpans,
        failures,
        sampledOut.sum());
  }

  /**
   * Exports every span finished so far and flushes the exporters; waits at most {@code timeout}.
   *
   * @return whether every exporter finished in time and without throwing
   */
  public boolean forceFlush(Duration timeout) {
    long deadline = System.nanoTime() + Timeouts.nanos(requireTimeout(timeout));
    boolean clean = true;
    for (BatchExportQueue<SpanData> worker : workers) {
      clean &= worker.forceFlush(Duration.ofNanos(deadline - System.nanoTime()));
    }
    return clean;
  }

  private static Duration requireTimeout(Duration timeout) {
    if (timeout == null) {
      throw new IllegalArgumentException("timeout must not be null");
    }
    return timeout;
  }

  /**
   * Stops exporting: queued spans are exported, then each exporter is shut down; waits at most
   * {@code timeout}. Spans finished afterwards are retained but not exported (counted as dropped).
   *
   * @return whether every exporter drained and shut down in time and without throwing
   */
  public boolean shutdown(Duration timeout) {
    long deadline = System.nanoTime() + Timeouts.nanos(requireTimeout(timeout));
    boolean clean = true;
    for (BatchExportQueue<SpanData> worker : workers) {
      clean &= worker.shutdown(Duration.ofNanos(deadline - System.nanoTime()));
    }
    return clean;
  }

  /** {@link #shutdown(Duration)} with {@link #DEFAULT_CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    shutdown(DEFAULT_CLOSE_TIMEOUT);
  }

  int maxAttributesPerSpan() {
    return maxAttributesPerSpan;
  }

  int maxEventsPerSpan() {
    return maxEventsPerSpan;
  }

  int maxLinksPerSpan() {
    return maxLinksPerSpan;
  }

  /** The longest string attribute value a span keeps; longer ones are cut to it. */
  public int maxAttributeLength() {
    return maxAttributeLength;
  }

  long nowEpochNanos() {
    return SpanData.toEpochNanos(clock == null ? Instant.now() : clock.instant());
  }

  long endEpochNanos(long startEpochNanos, long startNanoTime) {
    if (startNanoTime != NO_NANO_TIME) {
      return startEpochNanos + Math.max(0, System.nanoTime() - startNanoTime);
    }
    return Math.max(startEpochNanos, nowEpochNanos());
  }

  @Override
  public String toString() {
    return "DistributedTracer{service=" + serviceName + ", exporters=" + workers.length + '}';
  }
}
