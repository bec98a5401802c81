package io.hyperlens.spi;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * One exporter's bounded queue and worker thread: batches items off the caller's thread, as
 * OpenTelemetry's {@code BatchSpanProcessor} does. The overflow policy is drop-newest: a full queue
 * drops the offered item and counts it, so {@link #offer} never blocks. The thread starts with the
 * first item, and it alone calls the exporter, so calls never overlap. A batch is exported when it
 * is full, when {@code interval} has passed since the last export, on {@link #forceFlush} and on
 * {@link #shutdown}. Every offered item ends up exported, failed (its batch threw) or dropped, and
 * is counted as such. The tracer's span export and the OpenTelemetry saga sink run on it.
 *
 * <p>Thread-safe: {@link #offer} may be called from any number of threads.
 *
 * <pre>{@code
 * BatchExportQueue<String> queue =
 *     new BatchExportQueue<>(
 *         lines -> lines.forEach(System.out::println), 2048, 512, Duration.ofSeconds(1), "printer");
 * queue.offer("hello");
 * queue.shutdown(Duration.ofSeconds(5)); // exports "hello", then shuts the exporter down
 * }</pre>
 *
 * @param <T> what is exported
 */
public final class BatchExportQueue<T> {
  private static final System.Logger LOG = System.getLogger(BatchExportQueue.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final BatchExporter<T> exporter;
  private final ArrayBlockingQueue<T> queue;
  private final int batchSize;
  private final long intervalNanos;
  private final String threadName;

  private final ArrayBlockingQueue<Boolean> signal = new ArrayBlockingQueue<>(1);
  private final AtomicInteger itemsNeeded = new AtomicInteger(Integer.MAX_VALUE);
  private final ConcurrentLinkedQueue<CompletableFuture<Boolean>> flushRequests =
      new ConcurrentLinkedQueue<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean shutdown = new AtomicBoolean();
  private final CompletableFuture<Boolean> terminated = new CompletableFuture<>();
  private volatile Thread thread;
  private volatile boolean abandoned;

  private final LongAdder exported = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failedItems = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  /**
   * A queue in front of {@code exporter}; nothing starts until the first {@link #offer}.
   *
   * @param queueSize how many items may wait, at least 1
   * @param batchSize the most items per {@link BatchExporter#export} call, at least 1
   * @param interval the longest an item waits for a batch to fill, positive
   * @param name names the worker thread ({@code hyperlens-export-<name>-<n>}) and the log lines
   * @throws IllegalArgumentException naming the parameter when a bound is out of range
   */
  public BatchExportQueue(
      BatchExporter<T> exporter, int queueSize, int batchSize, Duration interval, String name) {
    if (exporter == null) {
      throw new IllegalArgumentException("exporter must not be null");
    }
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be at least 1, got " + queueSize);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    if (interval == null || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    this.exporter = exporter;
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.batchSize = batchSize;
    this.intervalNanos = Timeouts.nanos(interval);
    this.threadName = "hyperlens-export-" + name + "-" + THREADS.incrementAndGet();
  }

  /** Queues {@code item}; false when it was dropped (queue full or shut down) and counted. */
  public boolean offer(T item) {
    if (item == null) {
      throw new IllegalArgumentException("item must not be null");
    }
    if (shutdown.get()) {
      dropped.increment();
      return false;
    }
    if (!started.get()) {
      start();
    }
    if (!queue.offer(item)) {
      dropped.increment();
      return false;
    }
    if (shutdown.get() && (terminated.isDone() || abandoned)) {
      // Shut down while this item went in: nobody will drain the queue any more.
      dropLeftovers();
      return false;
    }
    int needed = itemsNeeded.get();
    if (needed != Integer.MAX_VALUE && queue.size() >= needed) {
      signal.offer(Boolean.TRUE);
    }
    return true;
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
    List<T> left = new ArrayList<>();
    queue.drainTo(left);
    dropped.add(left.size());
  }

  /**
   * Exports everything queued so far and flushes the exporter; false when the deadline passed or an
   * exporter call threw.
   */
  public boolean forceFlush(Duration timeout) {
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
   * Stops taking items, exports what is queued and shuts the exporter down; false when the deadline
   * passed, in which case the worker is interrupted, what is left counts as dropped, and the
   * exporter's {@code shutdown()} is called from this thread (possibly while the abandoned export
   * is still running) so that it releases its resources.
   */
  public boolean shutdown(Duration timeout) {
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
    // The worker will not get to it: release the exporter's resources (connections, threads) from
    // here, even though an abandoned export may still be running.
    guarded("shutdown", exporter::shutdown);
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
    List<T> batch = new ArrayList<>(batchSize);
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
        itemsNeeded.set(needed);
        // An item offered between the drain above and publishing itemsNeeded sent no signal.
        if (queue.size() < needed) {
          signal.poll(nextExport - now, TimeUnit.NANOSECONDS);
        }
        itemsNeeded.set(Integer.MAX_VALUE);
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
  private boolean drainAll(List<T> batch) {
    boolean clean = true;
    do {
      queue.drainTo(batch, batchSize - batch.size());
      if (!batch.isEmpty()) {
        clean &= export(batch);
      }
    } while (!queue.isEmpty());
    return clean;
  }

  private boolean export(List<T> batch) {
    List<T> items = Collections.unmodifiableList(new ArrayList<>(batch));
    batch.clear();
    if (abandoned) {
      dropped.add(items.size());
      return false;
    }
    if (guarded("export", () -> exporter.export(items))) {
      exported.add(items.size());
      return true;
    }
    failedItems.add(items.size());
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
            "Exporter "
                + exporter
                + " ("
                + threadName
                + ") threw from "
                + what
                + "; the batch is counted as failed and export carries on. Further failures"
                + " are only counted.",
            e);
      }
      return false;
    }
  }

  /** Items handed to a successful {@link BatchExporter#export} call. */
  public long exported() {
    return exported.sum();
  }

  /** Items dropped: queue full, offered after shutdown, or left when a shutdown timed out. */
  public long dropped() {
    return dropped.sum();
  }

  /** Items in batches whose export threw. */
  public long failedItems() {
    return failedItems.sum();
  }

  /** Exporter calls (export, flush, shutdown) that threw. */
  public long failures() {
    return failures.sum();
  }

  @Override
  public String toString() {
    return "BatchExportQueue{" + threadName + ", exporter=" + exporter + '}';
  }
}
