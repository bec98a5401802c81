package io.hyperlens.store;

import io.hyperlens.event.AcknowledgedHandler;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.spi.EventStore;
import io.hyperlens.spi.SpanStore;
import io.hyperlens.spi.Timeouts;
import io.hyperlens.trace.SpanExporter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes a {@link HypervisorEventBus}'s events (and a tracer's spans) into an {@link EventStore}
 * behind the emitters' backs, in batches, on one writer thread. The two {@link Durability} modes
 * make exact promises:
 *
 * <ul>
 *   <li>{@link Durability#ASYNC}: {@code emit} returns once the event is queued. At most {@code
 *       queueCapacity} events are ever accepted and uncommitted, so a crash loses at most that
 *       many; a full queue drops (and counts) or blocks up to a timeout, as {@link Overflow} says.
 *   <li>{@link Durability#SYNC}: {@code emit} returns only after the transaction holding the event
 *       has committed, or throws {@link io.hyperlens.event.EventNotAcknowledgedException}. The
 *       writer commits everything queued in one transaction, so concurrent emitters share a commit
 *       and its fsync.
 * </ul>
 *
 * <p>The store being down never sticks an emitter: SYNC emitters give up after the commit timeout,
 * ASYNC batches are retried with backoff for a while and then counted as failed. An event the store
 * cannot hold (bad input) is rejected alone, not with its batch. {@link #stats()} accounts for
 * every event. {@link #close()} unsubscribes, then drains the queue within the close timeout; a JVM
 * that exits without it drains it from a shutdown hook (unless {@link
 * PersistentEventSinkBuilder#flushOnShutdown} is off). Drops are counted and logged at most every
 * ten seconds; {@link SinkMetrics} exposes every count on a Prometheus registry. Thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * try (SqliteStore store = SqliteStore.open(Path.of("data"));
 *     PersistentEventSink sink =
 *         PersistentEventSink.builder(store).durability(Durability.SYNC).build()) {
 *   sink.subscribe(bus);
 *   bus.emit(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("s1").build()); // committed
 * }
 * }</pre>
 */
public final class PersistentEventSink implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PersistentEventSink.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** The most events one ASYNC transaction into a {@link JdbcStore} carries. */
  static final int MAX_ASYNC_COMMIT = 10_000;

  /** Drops are logged at most once in this many nanoseconds, with the count since the last. */
  static final long DROP_LOG_INTERVAL = TimeUnit.SECONDS.toNanos(10);

  private final EventStore store;
  private final SpanStore spanStore;
  private final Durability durability;
  private final int batchSize;
  private final Overflow overflow;
  private final long blockTimeoutNanos;
  private final Duration commitTimeout;
  private final long retryForNanos;
  private final long closeTimeoutNanos;

  private final Semaphore room;
  private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean abandon;

  private final Object progress = new Object();
  private long enqueued; // guarded by progress
  private long finished; // guarded by progress

  private final LongAdder accepted = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder spansStored = new LongAdder();
  private final LongAdder spansFailed = new LongAdder();
  private final AtomicBoolean rejectionLogged = new AtomicBoolean();
  private final int queueCapacity;
  private final Thread shutdownHook;

  /** When drops were last logged, and how many there were then (rate-limited logging). */
  private final AtomicLong dropsLoggedAt = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL);

  private final AtomicLong dropsLogged = new AtomicLong();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  /** One queued event and, in SYNC mode, the acknowledgement its emitter waits for. */
  private static final class Entry {
    final HypervisorEvent event;
    final CompletableFuture<Void> ack;

    Entry(HypervisorEvent event, CompletableFuture<Void> ack) {
      this.event = event;
      this.ack = ack;
    }
  }

  PersistentEventSink(PersistentEventSinkBuilder builder) {
    this.store = builder.store;
    this.spanStore = builder.spanStore;
    this.durability = builder.durability;
    this.batchSize = builder.batchSize;
    this.overflow = builder.overflow;
    this.blockTimeoutNanos = Timeouts.nanos(builder.blockTimeout);
    this.commitTimeout = builder.commitTimeout;
    this.retryForNanos = Timeouts.nanos(builder.retryFor);
    this.closeTimeoutNanos = Timeouts.nanos(builder.closeTimeout);
    this.room = new Semaphore(builder.queueCapacity);
    this.queueCapacity = builder.queueCapacity; // before the writer starts: it reads it
    int number = THREADS.incrementAndGet();
    this.writer = new Thread(this::run, "hyperlens-store-sink-" + number);
    this.writer.setDaemon(true);
    this.writer.start();
    this.shutdownHook =
        builder.flushOnShutdown
            ? new Thread(this::closeOnShutdown, "hyperlens-store-sink-" + number + "-shutdown")
            : null;
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /** The JVM is exiting without {@link #close()}: drain what is queued, within the deadline. */
  private void closeOnShutdown() {
    long waiting = queued();
    close();
    if (waiting > 0) {
      LOG.log(
          Level.INFO,
          this
              + " was not closed before the JVM exited: drained "
              + waiting
              + " queued events on shutdown ("
              + stats()
              + ")");
    }
  }

  /** Configures a sink writing into {@code store}. */
  public static PersistentEventSinkBuilder builder(EventStore store) {
    return new PersistentEventSinkBuilder(store);
  }

  /** The durability mode. */
  public Durability durability() {
    return durability;
  }

  /**
   * Subscribes to every event of {@code bus}: as a plain subscriber in ASYNC mode, as an {@link
   * HypervisorEventBus#subscribeAcknowledged acknowledged} one in SYNC mode. Closing the sink
   * closes the subscription.
   */
  public Subscription subscribe(HypervisorEventBus bus) {
    if (bus == null) {
      throw new IllegalArgumentException("bus must not be null");
    }
    if (closed.get()) {
      throw new IllegalStateException("the sink is closed");
    }
    Subscription subscription =
        durability == Durability.SYNC
            ? bus.subscribeAcknowledged(
                null,
                new AcknowledgedHandler() {
                  @Override
                  public CompletionStage<?> accept(HypervisorEvent event) {
                    return acknowledged(event);
                  }

                  @Override
                  public String toString() {
                    return PersistentEventSink.this.toString();
                  }
                })
            : bus.subscribeAll(this::offer);
    subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Queues {@code event} without a bus (ASYNC semantics): false when it was dropped (queue full
   * after the overflow policy, or the sink closed) and counted.
   */
  public boolean offer(HypervisorEvent event) {
    if (event == null) {
      throw new IllegalArgumentException("event must not be null");
    }
    return enqueue(new Entry(event, null));
  }

  private CompletableFuture<Void> acknowledged(HypervisorEvent event) {
    CompletableFuture<Void> ack = new CompletableFuture<>();
    if (!enqueue(new Entry(event, ack))) {
      ack.completeExceptionally(
          new IllegalStateException(
              closed.get() ? "the sink is closed" : "the sink's queue is full (" + overflow + ")"));
      return ack;
    }
    return ack.orTimeout(Timeouts.nanos(commitTimeout), TimeUnit.NANOSECONDS)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    e instanceof TimeoutException
                        ? new TimeoutException(
                            "not committed within the commit timeout of " + commitTimeout)
                        : e));
  }

  private boolean enqueue(Entry entry) {
    if (closed.get()) {
      drop();
      return false;
    }
    boolean got;
    if (overflow == Overflow.BLOCK) {
      try {
        got = room.tryAcquire(blockTimeoutNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        got = false;
      }
    } else {
      got = room.tryAcquire();
    }
    if (!got) {
      drop();
      return false;
    }
    synchronized (progress) {
      if (closed.get()) {
        room.release();
        drop();
        return false;
      }
      queue.add(entry);
      enqueued++;
    }
    accepted.increment();
    return true;
  }

  /** Counts a dropped event, and logs the drops at most once per {@link #DROP_LOG_INTERVAL}. */
  private void drop() {
    dropped.increment();
    long now = System.nanoTime();
    long last = dropsLoggedAt.get();
    if (now - last >= DROP_LOG_INTERVAL && dropsLoggedAt.compareAndSet(last, now)) {
      long total = dropped.sum();
      long since = total - dropsLogged.getAndSet(total);
      LOG.log(
          Level.WARNING,
          this
              + " dropped "
              + since
              + (since == 1 ? " event" : " events")
              + (closed.get()
                  ? " after it was closed"
                  : ": its queue of " + queueCapacity + " was full (" + overflow + ")")
              + "; "
              + total
              + " in all (SinkStats.dropped), logged at most every "
              + TimeUnit.NANOSECONDS.toSeconds(DROP_LOG_INTERVAL)
              + " s");
    }
  }

  /**
   * Waits until every event accepted before this call is committed or failed.
   *
   * @return false if {@code timeout} passed first
   */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + Timeouts.nanos(timeout);
    synchronized (progress) {
      long target = enqueued;
      while (finished < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(progress, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * A span exporter for a tracer ({@code DistributedTracerBuilder.exporter(...)}) that writes each
   * batch into the configured span store on the tracer's export thread; a batch the store refuses
   * is counted in {@link SinkStats#spansFailed()} and rethrown to the tracer, which counts it too.
   *
   * @throws IllegalStateException if no span store was configured
   */
  public SpanExporter spanExporter() {
    if (spanStore == null) {
      throw new IllegalStateException(
          "no span store configured: use PersistentEventSink.builder(store).spanStore(store)");
    }
    return spans -> {
      try {
        spanStore.appendSpans(spans);
        spansStored.add(spans.size());
      } catch (RuntimeException e) {
        spansFailed.add(spans.size());
        throw e;
      }
    };
  }

  /** The counters; see {@link SinkStats}. */
  public SinkStats stats() {
    return new SinkStats(
        accepted.sum(),
        stored.sum(),
        duplicates.sum(),
        dropped.sum(),
        rejected.sum(),
        failed.sum(),
        retries.sum(),
        queued(),
        spansStored.sum(),
        spansFailed.sum());
  }

  private long queued() {
    synchronized (progress) {
      return enqueued - finished;
    }
  }

  @Override
  public String toString() {
    return "PersistentEventSink(" + durability + ", " + store + ")";
  }

  // ------------------------------------------------------------------ the writer

  /**
   * The most events one transaction carries: {@code batchSize}, or in ASYNC mode into a {@link
   * JdbcStore} whatever is queued, up to the queue's capacity (at most {@link #MAX_ASYNC_COMMIT}).
   * Emitters behind were promised the queue, not the disk, and room in the queue is given back only
   * once the transaction has committed, so a crash still loses at most {@code queueCapacity}; one
   * commit of many events costs a database far less than many commits of few (each dirties the same
   * index pages again).
   */
  private int eventsPerCommit() {
    if (durability == Durability.ASYNC && store instanceof JdbcStore) {
      return Math.max(batchSize, Math.min(queueCapacity, MAX_ASYNC_COMMIT));
    }
    return batchSize;
  }

  private void run() {
    int perCommit = eventsPerCommit();
    List<Entry> batch = new ArrayList<>(Math.min(perCommit, 1024));
    while (true) {
      Entry first;
      try {
        first = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        first = null;
      }
      if (first == null) {
        if (closed.get() && (queue.isEmpty() || abandon)) {
          return;
        }
        continue;
      }
      batch.add(first);
      queue.drainTo(batch, perCommit - 1);
      try {
        write(batch);
      } catch (Throwable t) { // a broken driver must not end the writer and strand every emitter
        failedBatch(batch, new IllegalStateException("the store threw " + t, t));
      }
      batch.clear();
    }
  }

  private void write(List<Entry> batch) {
    List<HypervisorEvent> events = new ArrayList<>(batch.size());
    for (Entry entry : batch) {
      events.add(entry.event);
    }
    long started = System.nanoTime();
    long backoff = TimeUnit.MILLISECONDS.toNanos(50);
    while (true) {
      try {
        committed(batch, append(events));
        return;
      } catch (IllegalArgumentException e) {
        oneByOne(batch);
        return;
      } catch (RuntimeException e) {
        boolean giveUp =
            durability == Durability.SYNC
                || abandon
                || System.nanoTime() - started + backoff > retryForNanos;
        if (giveUp) {
          failedBatch(batch, e);
          return;
        }
        retries.increment();
        logFailureOnce("retrying while the store is down", e);
        sleepNanos(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
      }
    }
  }

  /**
   * Appends in one transaction: in ASYNC mode into a {@link JdbcStore} committed as a write behind
   * (its emitters were promised the queue, not the disk), else durably.
   */
  private int append(List<HypervisorEvent> events) {
    if (durability == Durability.ASYNC && store instanceof JdbcStore) {
      return ((JdbcStore) store).append(events, Durability.ASYNC);
    }
    return store.append(events);
  }

  /** The batch holds an event the store cannot hold: stores the others, rejects that one. */
  private void oneByOne(List<Entry> batch) {
    for (Entry entry : batch) {
      List<Entry> single = List.of(entry);
      try {
        committed(single, append(List.of(entry.event)));
      } catch (IllegalArgumentException e) {
        rejected.increment();
        if (rejectionLogged.compareAndSet(false, true)) {
          LOG.log(
              Level.WARNING,
              "Event store "
                  + store
                  + " cannot hold an event; further rejections are only counted: "
                  + e.getMessage());
        }
        done(single, e);
      } catch (RuntimeException e) {
        failedBatch(single, e);
      }
    }
  }

  private void committed(List<Entry> batch, int newlyStored) {
    stored.add(newlyStored);
    duplicates.add(batch.size() - newlyStored);
    done(batch, null);
  }

  private void failedBatch(List<Entry> batch, RuntimeException e) {
    failed.add(batch.size());
    logFailureOnce("gave up on " + batch.size() + " events", e);
    done(batch, e);
  }

  private void done(List<Entry> batch, RuntimeException failure) {
    for (Entry entry : batch) {
      if (entry.ack != null) {
        if (failure == null) {
          entry.ack.complete(null);
        } else {
          entry.ack.completeExceptionally(failure);
        }
      }
    }
    room.release(batch.size());
    synchronized (progress) {
      finished += batch.size();
      progress.notifyAll();
    }
  }

  private void logFailureOnce(String what, RuntimeException e) {
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          "Event store " + store + " failed (" + what + "); further failures are only counted",
          e);
    }
  }

  private void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      // close() interrupts to cut a retry short; the loop re-checks abandon
    }
  }

  /**
   * Unsubscribes from every bus, then waits up to the close timeout for the queue to drain; what is
   * still queued then is counted as failed (its SYNC emitters are told). Does not close the store.
   */
  @Override
  public void close() {
    synchronized (progress) { // no enqueue slips in after the final drain
      if (!closed.compareAndSet(false, true)) {
        return;
      }
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting: the hook runs, finds the sink closed and returns
      }
    }
    subscriptions.forEach(Subscription::close);
    try {
      writer.join(TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos) + 1);
      if (writer.isAlive()) {
        abandon = true;
        writer.interrupt();
        writer.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon = true;
    }
    List<Entry> left = new ArrayList<>();
    queue.drainTo(left);
    if (!left.isEmpty()) {
      failedBatch(left, new IllegalStateException("the sink closed before these were committed"));
    }
  }
}
