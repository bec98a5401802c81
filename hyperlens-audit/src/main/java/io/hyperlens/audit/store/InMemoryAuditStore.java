package io.hyperlens.audit.store;

import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditStore;
import io.hyperlens.audit.Checkpoint;
import io.hyperlens.audit.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An {@link AuditStore} in memory, for tests, benchmarks and logs that need not outlive the
 * process. Bounded: once it holds {@code capacity} entries, further appends are refused with an
 * {@link IllegalStateException} (an audit record is never silently dropped, so the caller learns at
 * once).
 *
 * <pre>{@code
 * AuditLog log =
 *     AuditLog.builder().store(new InMemoryAuditStore(100_000)).signer(AuditSigner.generate()).build();
 * }</pre>
 *
 * <p>Thread-safe; {@link #entries()} returns the entries stored when it was called.
 */
public final class InMemoryAuditStore implements AuditStore {
  private final int capacity;
  private final List<StoredEntry> entries = new ArrayList<>();
  private final Object lock = new Object();
  private volatile AuditRecord lastRecord;
  private volatile Checkpoint lastCheckpoint;

  /**
   * A store for at most {@code capacity} entries (records and checkpoints).
   *
   * @throws IllegalArgumentException if {@code capacity} is less than 1
   */
  public InMemoryAuditStore(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public void append(AuditRecord record) {
    synchronized (lock) {
      add(new StoredEntry.StoredRecord(entries.size() + 1L, record));
      lastRecord = record;
    }
  }

  @Override
  public void append(Checkpoint checkpoint) {
    synchronized (lock) {
      add(new StoredEntry.StoredCheckpoint(entries.size() + 1L, checkpoint));
      lastCheckpoint = checkpoint;
    }
  }

  @Override
  public Optional<AuditRecord> lastRecord() {
    return Optional.ofNullable(lastRecord);
  }

  @Override
  public Optional<Checkpoint> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  @Override
  public Stream<StoredEntry> entries() {
    synchronized (lock) {
      return List.copyOf(entries).stream();
    }
  }

  /** Entries held. */
  public int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  @Override
  public void close() {
    // nothing to release
  }

  private void add(StoredEntry entry) {
    if (entries.size() >= capacity) {
      throw new IllegalStateException(
          "in-memory audit store is full (capacity " + capacity + "); nothing was recorded");
    }
    entries.add(entry);
  }
}
