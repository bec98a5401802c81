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
 * {@link #offer} never blocks. The thread starts with the first span.
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
  private final LongAdder failures = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  SpanExportWorker(
      SpanExporter exporter, int queueSize, int batchSize, Duration interval, String service) {
    this.exporter = exporter;
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.batchSize = batchSize;
    this.intervalNanos = interval.toNanos();
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

  /** Exports everything queued so far and flushes the exporter; false when the deadline passed. */
  boolean forceFlush(Duration timeout) {
    if (shutdown.get()) {
      return await(terminated, timeout);
    }
    if (!started.get()) {
      return guarded("flush", exporter::flush);
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
      boolean clean = guarded("shutdown", exporter::shutdown);
      terminated.complete(clean);
      return clean;
    }
    signal.offer(Boolean.TRUE);
    if (await(terminated, timeout)) {
      return true;
    }
    abandoned = true;
    List<SpanData> left = new ArrayList<>();
    queue.drainTo(left);
    dropped.add(left.size());
    Thread worker = thread;
    if (worker != null) {
      worker.interrupt();
    }
    return false;
  }

  private static boolean await(CompletableFuture<Boolean> future, Duration timeout) {
    try {
      return future.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
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
          drainAll(batch);
          boolean clean = guarded("flush", exporter::flush);
          requests.forEach(request -> request.complete(clean));
          if (stopping) {
            terminated.complete(guarded("shutdown", exporter::shutdown));
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
        spansNeeded.set(batchSize - batch.size());
        signal.poll(nextExport - now, TimeUnit.NANOSECONDS);
        spansNeeded.set(Integer.MAX_VALUE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      dropped.add(batch.size());
      terminated.complete(false);
      flushRequests.forEach(request -> request.complete(false));
    }
  }

  private void drainAll(List<SpanData> batch) {
    do {
      queue.drainTo(batch, batchSize - batch.size());
      if (!batch.isEmpty()) {
        export(batch);
      }
    } while (!queue.isEmpty());
  }

  private void export(List<SpanData> batch) {
    List<SpanData> spans = List.copyOf(batch);
    batch.clear();
    if (abandoned) {
      dropped.add(spans.size());
      return;
    }
    if (guarded("export", () -> exporter.export(spans))) {
      exported.add(spans.size());
    }
  }

  /** Runs one exporter call, counting and logging (once) what it throws; true when it returned. */
  private boolean guarded(String what, Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
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

  long failures() {
    return failures.sum();
  }
}
