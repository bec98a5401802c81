package io.hyperlens.audit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where an {@link AuditLog} keeps its records and checkpoints: append-only, read back in the order
 * written. {@link io.hyperlens.audit.store.JsonLinesAuditStore} (one JSON line per entry) is the
 * default; the database stores implement the same interface.
 *
 * <p>Threading: {@link AuditLog} calls the {@code append} methods from one thread at a time; reads
 * ({@link #entries()}, {@link #query}) may run concurrently with appends and see a prefix of the
 * log. Implementations must be safe for that.
 */
public interface AuditStore extends AutoCloseable {
  /**
   * Adds {@code record} after the last entry. On return it is readable through {@link #entries()}
   * and survives the death of this process; whether it also survives losing power before the next
   * checkpoint is the store's fsync policy. Blocks for the write.
   *
   * @throws java.io.UncheckedIOException if it could not be written; the store is then as before
   */
  void append(AuditRecord record);

  /**
   * Adds {@code checkpoint} after the last entry; on return it and every entry before it are on
   * stable storage (fsync). Blocks for the write and the sync.
   *
   * @throws java.io.UncheckedIOException if it could not be written or synced
   */
  void append(Checkpoint checkpoint);

  /** The last record, from which the chain continues. */
  Optional<AuditRecord> lastRecord();

  /** The last checkpoint. */
  Optional<Checkpoint> lastCheckpoint();

  /**
   * Every entry in stored order, read lazily; close the stream when done.
   *
   * @throws java.io.UncheckedIOException if the store cannot be read
   */
  Stream<StoredEntry> entries();

  /**
   * The records matching {@code query} (whose time range is already absolute: see {@link
   * AuditQuery#resolve(java.time.Clock)}), oldest first; with a limit, the newest {@code limit} of
   * them. This default scans {@link #entries()}; stores with indexes answer it themselves.
   */
  default List<AuditRecord> query(AuditQuery query) {
    int limit = query.limit();
    ArrayDeque<AuditRecord> kept = new ArrayDeque<>();
    try (Stream<StoredEntry> entries = entries()) {
      for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext(); ) {
        StoredEntry entry = it.next();
        if (entry instanceof StoredEntry.StoredRecord) {
          AuditRecord record = ((StoredEntry.StoredRecord) entry).record();
          if (query.matches(record)) {
            if (limit > 0 && kept.size() == limit) {
              kept.removeFirst();
            }
            kept.addLast(record);
          }
        }
      }
    }
    return List.copyOf(new ArrayList<>(kept));
  }

  /**
   * Where the store is, for a person and for a trust store to recognise a log it pinned: an
   * absolute directory for a file store, a database URL, or null.
   */
  default String location() {
    return null;
  }

  /**
   * The records after {@code sequence}, oldest first: what a reopened log reads to continue its
   * tree from its last checkpoint. This default scans {@link #entries()}; stores that can read
   * their tail answer it themselves.
   *
   * @throws java.io.UncheckedIOException if the store cannot be read
   */
  default List<AuditRecord> recordsAfter(long sequence) {
    List<AuditRecord> out = new ArrayList<>();
    try (Stream<StoredEntry> entries = entries()) {
      for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext(); ) {
        StoredEntry entry = it.next();
        if (entry instanceof StoredEntry.StoredRecord
            && ((StoredEntry.StoredRecord) entry).record().sequence() > sequence) {
          out.add(((StoredEntry.StoredRecord) entry).record());
        }
      }
    }
    return out;
  }

  /** Flushes and releases the store; appends after close fail. */
  @Override
  void close();
}
