package io.hyperlens.store;

import io.hyperlens.spi.EventStore;
import io.hyperlens.spi.SpanStore;
import java.time.Duration;

/**
 * Configures a {@link PersistentEventSink}. Defaults: {@link Durability#ASYNC}, a queue of 10,000
 * events, batches of up to 500, {@link Overflow#DROP} (with a 1 s block timeout when set to {@link
 * Overflow#BLOCK}), a 10 s commit timeout for {@link Durability#SYNC}, 30 s of retries for a store
 * that is down, 10 s to drain on close, no span store. Setters validate at once and throw {@link
 * IllegalArgumentException} naming the parameter and the value. Not thread-safe.
 */
public final class PersistentEventSinkBuilder {
  final EventStore store;
  SpanStore spanStore;
  Durability durability = Durability.ASYNC;
  int queueCapacity = 10_000;
  int batchSize = 500;
  Overflow overflow = Overflow.DROP;
  Duration blockTimeout = Duration.ofSeconds(1);
  Duration commitTimeout = Duration.ofSeconds(10);
  Duration retryFor = Duration.ofSeconds(30);
  Duration closeTimeout = Duration.ofSeconds(10);
  boolean flushOnShutdown = true;

  PersistentEventSinkBuilder(EventStore store) {
    if (store == null) {
      throw new IllegalArgumentException("store must not be null");
    }
    this.store = store;
  }

  /** ASYNC (write behind) or SYNC (emit returns once committed). */
  public PersistentEventSinkBuilder durability(Durability durability) {
    if (durability == null) {
      throw new IllegalArgumentException("durability must not be null");
    }
    this.durability = durability;
    return this;
  }

  /** The most events accepted and not yet committed; in ASYNC mode, the most a crash can lose. */
  public PersistentEventSinkBuilder queueCapacity(int queueCapacity) {
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
    }
    this.queueCapacity = queueCapacity;
    return this;
  }

  /**
   * The most events committed in one transaction. In {@link Durability#ASYNC} mode into a {@link
   * JdbcStore} the writer commits whatever is queued in one transaction, up to the queue capacity
   * (at most 10,000 events, and never fewer than this): fewer, larger commits, with the same bound
   * on what a crash can lose, since room in the queue is given back only after the commit.
   */
  public PersistentEventSinkBuilder batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /** Drop at once, or block up to {@code blockTimeout} and then drop, when the queue is full. */
  public PersistentEventSinkBuilder overflow(Overflow overflow, Duration blockTimeout) {
    if (overflow == null) {
      throw new IllegalArgumentException("overflow must not be null");
    }
    this.overflow = overflow;
    this.blockTimeout = positive("blockTimeout", blockTimeout);
    return this;
  }

  /** SYNC: how long an emitter waits for its commit before {@code emit} throws. */
  public PersistentEventSinkBuilder commitTimeout(Duration commitTimeout) {
    this.commitTimeout = positive("commitTimeout", commitTimeout);
    return this;
  }

  /** ASYNC: how long a batch is retried while the store is down before it counts as failed. */
  public PersistentEventSinkBuilder retryFor(Duration retryFor) {
    if (retryFor == null || retryFor.isNegative()) {
      throw new IllegalArgumentException("retryFor must not be negative, got " + retryFor);
    }
    this.retryFor = retryFor;
    return this;
  }

  /** How long {@code close()} waits for the queue to drain before failing what is left. */
  public PersistentEventSinkBuilder closeTimeout(Duration closeTimeout) {
    this.closeTimeout = positive("closeTimeout", closeTimeout);
    return this;
  }

  /**
   * Whether a JVM that exits without {@link PersistentEventSink#close()} still drains the queue,
   * within the close timeout, from a shutdown hook; default true. Off, an ASYNC sink's queued
   * events are lost on such an exit (a SIGKILL loses them either way).
   */
  public PersistentEventSinkBuilder flushOnShutdown(boolean flushOnShutdown) {
    this.flushOnShutdown = flushOnShutdown;
    return this;
  }

  /** Where {@link PersistentEventSink#spanExporter()} writes spans. */
  public PersistentEventSinkBuilder spanStore(SpanStore spanStore) {
    if (spanStore == null) {
      throw new IllegalArgumentException("spanStore must not be null");
    }
    this.spanStore = spanStore;
    return this;
  }

  /** Builds the sink and starts its writer thread. */
  public PersistentEventSink build() {
    return new PersistentEventSink(this);
  }

  private static Duration positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }
}
