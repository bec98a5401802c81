package io.hyperlens.trace;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One exporter's bounded queue and worker thread: batches finished spans off the caller's thread,
 * as OpenTelemetry's {@code BatchSpanProcessor} does. A full queue drops the span and counts it;
 * {@link #offer} never blocks. The thread starts with the first span, and it alone calls the
 * exporter, so calls never overlap. Every offered span ends up exported, failed (its batch threw)
 * or dropped, and is counted as such.
 */
final class SpanExportWorker {
  private static final System.Logger LOG = System.getLogger(DistributedTracer.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final SpanExporter exporter;
  private final ArrayBlockingQueue<SpanData> queue;
  private final int batchSize;
  private final long intervalNanos;
  private final String threadName;

  private final ArrayBlockingQueue<Boolean> signal = new ArrayBlockingQueue<>(1);
  private final AtomicInteger spansNeeded = new AtomicInteger(Integer.MAX_VALUE);
  private final ConcurrentLinkedQueue<CompletableFuture<Boolean>> flushRequests =
      new ConcurrentLinkedQueue<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean shutdown = new AtomicBoolean();
  private final CompletableFuture<Boolean> terminated = new CompletableFuture<>();
  private volatile Thread thread;
  private volatile boolean abandoned;

  private final LongAdder exported = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failedSpans = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  SpanExportWorker(
      SpanExporter exporter, int queueSize, int batchSize, Duration interval, String service) {
    this.exporter = exporter;
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.batchSize = batchSize;
    this.intervalNanos = Timeouts.nanos(interval);
    this.threadName = "hyperlens-span-export-" + service + "-" + THREADS.incrementAndGet();
  }

  void offer(SpanData span) {
    if (shutdown.get()) {
      dropped.increment();
      return;
    }
    if (!started.get()) {
      start();
    }
    if (!queue.offer(span)) {
      dropped.increment();
      return;
    }
    if (shutdown.get() && (terminated.isDone() || abandoned)) {
      // Shut down while this span went in: nobody will drain the queue any more.
      dropLeftovers();
      return;
    }
    int needed = spansNeeded.get();
    if (needed != Integer.MAX_VALUE && queue.size() >= needed) {
      signal.offer(Boolean.TRUE);
    }
  }

  private void start() {
    if (started.compareAndSet(false, true)) {
      Thread worker = new Thread(this::run, threadName);
      worker.setDaemon(true);
      thread = worker;
      worker.start();
    }
  }

  private void dropLeftovers() {
    List<SpanData> left = new ArrayList<>();
    queue.drainTo(left);
    dropped.add(left.size());
  }

  /** Exports everything queued so far and flushes the exporter; false when the deadline passed. */
  boolean forceFlush(Duration timeout) {
    if (shutdown.get()) {
      return await(terminated, timeout);
    }
    if (!started.get()) {
      return true; // nothing was ever handed to the exporter
    }
    CompletableFuture<Boolean> request = new CompletableFuture<>();
    flushRequests.add(request);
    signal.offer(Boolean.TRUE);
    return await(request, timeout);
  }

  /**
   * Stops taking spans, exports what is queued and shuts the exporter down; false when the deadline
   * passed, in which case the worker is interrupted and what is left counts as dropped.
   */
  boolean shutdown(Duration timeout) {
    if (!shutdown.compareAndSet(false, true)) {
      return await(terminated, timeout);
    }
    if (started.compareAndSet(false, true)) {
      // No worker ever ran, so this thread is the only one to call the exporter.
      boolean clean = guarded("shutdown", exporter::shutdown);
      terminated.complete(clean);
      dropLeftovers();
      return clean;
    }
    signal.offer(Boolean.TRUE);
    if (await(terminated, timeout)) {
      return terminated.join();
    }
    abandoned = true;
    dropLeftovers();
    Thread worker = thread;
    if (worker != null) {
      worker.interrupt();
    }
    return false;
  }

  private static boolean await(CompletableFuture<Boolean> future, Duration timeout) {
    try {
      return future.get(Timeouts.nanos(timeout), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void run() {
    List<SpanData> batch = new ArrayList<>(batchSize);
    long nextExport = System.nanoTime() + intervalNanos;
    boolean clean = false;
    try {
      while (!abandoned) {
        queue.drainTo(batch, batchSize - batch.size());
        if (batch.size() >= batchSize) {
          export(batch);
          continue;
        }
        boolean stopping = shutdown.get();
        if (stopping || !flushRequests.isEmpty()) {
          List<CompletableFuture<Boolean>> requests = new ArrayList<>();
          for (CompletableFuture<Boolean> r; (r = flushRequests.poll()) != null; ) {
            requests.add(r);
          }
          boolean exportedAll = drainAll(batch);
          boolean flushed = guarded("flush", exporter::flush);
          requests.forEach(request -> request.complete(exportedAll && flushed));
          if (stopping) {
            clean = exportedAll & flushed & guarded("shutdown", exporter::shutdown);
            return;
          }
          continue;
        }
        long now = System.nanoTime();
        if (now - nextExport >= 0) {
          if (!batch.isEmpty()) {
            export(batch);
          }
          nextExport = now + intervalNanos;
          continue;
        }
        int needed = batchSize - batch.size();
        spansNeeded.set(needed);
        // A span offered between the drain above and publishing spansNeeded sent no signal.
        if (queue.size() < needed) {
          signal.poll(nextExport - now, TimeUnit.NANOSECONDS);
        }
        spansNeeded.set(Integer.MAX_VALUE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      dropped.add(batch.size());
      terminated.complete(clean);
      dropLeftovers();
      flushRequests.forEach(request -> request.complete(false));
    }
  }

  /** Exports everything queued; false when an export threw. */
  private boolean drainAll(List<SpanData> batch) {
    boolean clean = true;
    do {
      queue.drainTo(batch, batchSize - batch.size());
      if (!batch.isEmpty()) {
        clean &= export(batch);
      }
    } while (!queue.isEmpty());
    return clean;
  }

  private boolean export(List<SpanData> batch) {
    List<SpanData> spans = List.copyOf(batch);
    batch.clear();
    if (abandoned) {
      dropped.add(spans.size());
      return false;
    }
    if (guarded("export", () -> exporter.export(spans))) {
      exported.add(spans.size());
      return true;
    }
    failedSpans.add(spans.size());
    return false;
  }

  /** Runs one exporter call, counting and logging (once) what it throws; true when it returned. */
  private boolean guarded(String what, Runnable call) {
    try {
      call.run();
      return true;
    } catch (Throwable e) { // an exporter may throw anything, checked ones included (sneaky throws)
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      failures.increment();
      if (failureLogged.compareAndSet(false, true)) {
        LOG.log(
            Level.WARNING,
            "Span exporter "
                + exporter
                + " threw from "
                + what
                + "; the spans are counted as failed, the tracer carries on. Further failures"
                + " are only counted (DistributedTracer.getMetrics()).",
            e);
      }
      return false;
    }
  }

  long exported() {
    return exported.sum();
  }

  long dropped() {
    return dropped.sum();
  }

  long failedSpans() {
    return failedSpans.sum();
  }

  long failures() {
    return failures.sum();
  }
}
