package io.hyperlens.server.demo;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.ring.RingMetricsCollector;
import io.hyperlens.ring.RingMetricsSnapshot;
import io.hyperlens.saga.SagaSpanExporter;
import io.hyperlens.saga.SagaSpanRecord;
import io.hyperlens.server.query.CausalTree;
import io.hyperlens.spi.SpanSink;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.TraceContext;
import io.hyperlens.trace.TracerMetrics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Runs a {@link DemoWorkload} ({@link AgentWorkload}, {@link LangChain4jWorkload}) at a steady pace
 * for a while, printing a live line per interval and, at the end, the events by type and the causal
 * tree of one interesting trace.
 *
 * <p>Counts come from a wildcard subscriber, so they include events the bus has since evicted. Runs
 * on the calling thread; not thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * DemoRun demo = new DemoRun(bus, new AgentWorkload(bus, 42, 0.2, 0.1), new PrintWriter(System.out, true));
 * demo.run(Duration.ofSeconds(10), 20, Duration.ofSeconds(1), () -> false);
 * }</pre>
 */
public final class DemoRun {
  private static final EventType[] TYPES = EventType.values();

  private final HypervisorEventBus bus;
  private final DemoWorkload workload;
  private final PrintWriter out;
  private final AtomicLongArray counts = new AtomicLongArray(TYPES.length);
  private final RingMetricsCollector ringMetrics;
  private final SagaSpanExporter sagaSpans;
  private DemoWorkload.WorkflowOutcome shown;

  /** Subscribes a {@link RingMetricsCollector} and a {@link SagaSpanExporter} to {@code bus}. */
  public DemoRun(HypervisorEventBus bus, DemoWorkload workload, PrintWriter out) {
    this(bus, workload, out, null);
  }

  /**
   * As {@link #DemoRun(HypervisorEventBus, DemoWorkload, PrintWriter)}, forwarding saga spans to
   * {@code sagaSink} as they finish (null for none).
   */
  public DemoRun(
      HypervisorEventBus bus, DemoWorkload workload, PrintWriter out, SpanSink sagaSink) {
    this.bus = bus;
    this.workload = workload;
    this.out = out;
    this.ringMetrics = new RingMetricsCollector(bus);
    this.sagaSpans =
        sagaSink == null ? new SagaSpanExporter(bus) : new SagaSpanExporter(bus, sagaSink);
  }

  /** The ring metrics the run collects, to expose elsewhere (a Prometheus endpoint). */
  public RingMetricsCollector ringMetrics() {
    return ringMetrics;
  }

  /**
   * Runs workflows at {@code rate} per second until {@code duration} has passed (null: until {@code
   * stop} says so) or {@code stop} says so, then prints the summary.
   */
  public void run(Duration duration, int rate, Duration interval, BooleanSupplier stop) {
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (rate < 1) {
      throw new IllegalArgumentException("rate must be at least 1 workflow/s, got " + rate);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    out.printf(
        Locale.ROOT,
        "Hyperlens demo: %d workflows/s %s%n",
        rate,
        duration == null ? "until Ctrl-C" : "for " + human(duration) + " (Ctrl-C stops early)");
    out.flush();
    long start = System.nanoTime();
    long end = duration == null ? 0 : start + duration.toNanos();
    long nextReport = start + interval.toNanos();
    long perWorkflow = 1_000_000_000L / rate;
    Subscription tally = bus.subscribeAll(e -> counts.incrementAndGet(e.eventType().ordinal()));
    try {
      long due = start;
      while (!stop.getAsBoolean()) {
        long now = System.nanoTime();
        if (duration != null && now - end >= 0) {
          break;
        }
        if (now - nextReport >= 0) {
          printLive(now - start);
          nextReport += interval.toNanos();
        }
        if (now - due >= 0) {
          DemoWorkload.WorkflowOutcome outcome = workload.runWorkflow();
          if (shown == null || interest(outcome) >= interest(shown)) {
            shown = outcome;
          }
          due += perWorkflow;
        } else {
          LockSupport.parkNanos(Math.min(due - now, 50_000_000L));
        }
      }
    } finally {
      tally.close();
      ringMetrics.close();
      sagaSpans.close();
    }
    printSummary(System.nanoTime() - start);
  }

  /** The causal tree worth showing: the newest workflow with the most going wrong. */
  private static int interest(DemoWorkload.WorkflowOutcome outcome) {
    return (outcome.sagaFailed() ? 1 : 0) + (outcome.breached() ? 1 : 0);
  }

  private long total() {
    long total = 0;
    for (int i = 0; i < TYPES.length; i++) {
      total += counts.get(i);
    }
    return total;
  }

  private void printLive(long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    long total = total();
    out.printf(
        Locale.ROOT,
        "[%5.1fs] events %,d (%,.0f/s) | workflows %,d | breaches %,d | sagas completed %,d"
            + " escalated %,d | elevations %,d%n",
        seconds,
        total,
        total / seconds,
        workload.workflows(),
        counts.get(EventType.RING_BREACH_DETECTED.ordinal()),
        counts.get(EventType.SAGA_COMPLETED.ordinal()),
        counts.get(EventType.SAGA_ESCALATED.ordinal()),
        counts.get(EventType.RING_ELEVATED.ordinal()));
    out.flush();
  }

  private void printSummary(long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    long total = total();
    out.printf(
        Locale.ROOT,
        "%nDone after %.1fs: %,d workflow%s, %,d events (%,.0f/s); the bus retains %,d.%n",
        seconds,
        workload.workflows(),
        workload.workflows() == 1 ? "" : "s",
        total,
        seconds > 0 ? total / seconds : 0.0,
        bus.eventCount());
    out.println();
    out.println("Events by type:");
    for (EventType type : TYPES) {
      long count = counts.get(type.ordinal());
      if (count > 0) {
        out.printf(Locale.ROOT, "  %-32s %,10d%n", type.value(), count);
      }
    }
    printCollectors();
    printTracer();
    if (shown != null) {
      List<HypervisorEvent> events = bus.queryBySession(shown.sessionId());
      out.println();
      out.printf(
          Locale.ROOT,
          "Causal tree of trace %s (%s, %s%s):%n",
          shown.traceId(),
          shown.sessionId(),
          sagaCaption(events),
          shown.breached() ? ", " + workload.breachCaption() : "");
      out.print(CausalTree.of(shown.traceId(), events).render());
    }
    out.flush();
  }

  /** What the saga did, read from the events the tree shows, so the caption says what they say. */
  static String sagaCaption(List<HypervisorEvent> events) {
    boolean failed = false;
    boolean compensated = false;
    boolean escalated = false;
    boolean completed = false;
    for (HypervisorEvent event : events) {
      switch (event.eventType()) {
        case SAGA_STEP_FAILED:
          failed = true;
          break;
        case SAGA_COMPENSATING:
          compensated = true;
          break;
        case SAGA_ESCALATED:
          escalated = true;
          break;
        case SAGA_COMPLETED:
          completed = true;
          break;
        default:
          break;
      }
    }
    if (escalated) {
      return "saga "
          + (failed ? "step failed, " : "")
          + (compensated ? "earlier steps compensated, " : "")
          + "escalated";
    }
    if (completed) {
      return failed ? "saga completed after a failed step" : "saga completed";
    }
    return failed ? "saga step failed" : "saga running";
  }

  private void printCollectors() {
    RingMetricsSnapshot ring = ringMetrics.collect();
    long transitions = ring.transitionsTotal().values().stream().mapToLong(Long::longValue).sum();
    long breaches = ring.breachesTotal().values().stream().mapToLong(Long::longValue).sum();
    double elevated =
        ring.elevatedSecondsTotal().values().stream().mapToDouble(Double::doubleValue).sum();
    Map<Integer, Long> agentsByRing = new TreeMap<>();
    ring.current().values().forEach(r -> agentsByRing.merge(r, 1L, Long::sum));
    out.println();
    out.printf(
        Locale.ROOT,
        "Ring metrics: %,d transitions, %,d breaches, %,d agents by current ring %s,"
            + " %.3fs elevated in all%n",
        transitions,
        breaches,
        ring.current().size(),
        agentsByRing,
        elevated);
    List<SagaSpanRecord> spans = sagaSpans.completedSpans();
    Map<String, Long> byStatus = new TreeMap<>();
    spans.forEach(span -> byStatus.merge(span.status(), 1L, Long::sum));
    out.printf(
        Locale.ROOT,
        "Saga spans: %,d buffered %s, %,d dropped from the buffer%n",
        spans.size(),
        byStatus,
        sagaSpans.droppedSpans());
  }

  private void printTracer() {
    TracerMetrics metrics = workload.tracer().getMetrics();
    out.printf(
        Locale.ROOT,
        "Tracer: %,d spans retained of %,d finished, %,d traces, error rate %.2f%%%n",
        metrics.totalSpans(),
        metrics.spansFinished(),
        metrics.uniqueTraces(),
        metrics.errorRatePercent());
    if (shown == null) {
      return;
    }
    String traceId = TraceContext.of(shown.traceId(), null, null).traceId();
    workload
        .tracer()
        .getTraceSummary(traceId)
        .ifPresent(
            summary -> {
              out.printf(
                  Locale.ROOT,
                  "Tracer spans of trace %s: %d spans, %d errors, %.3f ms wall time%n",
                  summary.traceId(),
                  summary.spanCount(),
                  summary.errorCount(),
                  summary.totalDurationMs());
              for (SpanData span : workload.tracer().getTraceSpans(traceId)) {
                out.printf(
                    Locale.ROOT,
                    "  %-26s %-8s %-5s %8.3f ms%s%n",
                    span.name(),
                    span.kind().value(),
                    span.status().value(),
                    span.durationMs(),
                    span.statusMessage().map(m -> "  " + m).orElse(""));
              }
            });
  }

  private static String human(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
  }
}
