package io.hyperlens.audit;

import io.hyperlens.audit.store.ReadAhead;
import java.util.Iterator;

/**
 * Entries read ahead a chunk at a time, each record's hash recomputed ({@link AuditJson#hash}) for
 * the chunk at once on the common fork-join pool, with the reading thread taking part, and then
 * handed out in stored order: what {@link AuditVerifier} walks. Only the per-record work runs
 * ahead; the chain, the tree and the signatures are still checked one entry after another, so the
 * verdict and its message are those of a one-by-one walk. A failure to read is thrown where the
 * entry it stopped would have been read. Not thread-safe: one reader.
 */
final class HashedEntries extends ReadAhead<StoredEntry> {
  /** At most this many entries are read ahead. */
  static final int CHUNK = 256;

  /** Chunks with fewer records are hashed on the reading thread alone. */
  static final int PARALLEL_RECORDS = 32;

  /** Whether a record's hash matched; unknown until computed. */
  private static final byte UNKNOWN = 0;

  private static final byte MATCHES = 1;
  private static final byte DIFFERS = 2;

  private final Iterator<StoredEntry> source;
  private final StoredEntry[] entries = new StoredEntry[CHUNK];
  private final byte[] hashes = new byte[CHUNK];
  private byte last;

  HashedEntries(Iterator<StoredEntry> source) {
    super(CHUNK, PARALLEL_RECORDS);
    this.source = source;
  }

  @Override
  protected boolean read(int slot) {
    if (!source.hasNext()) {
      return false;
    }
    entries[slot] = source.next();
    hashes[slot] = UNKNOWN;
    return true;
  }

  @Override
  protected boolean worthWork(int slot) {
    return entries[slot] instanceof StoredEntry.StoredRecord;
  }

  @Override
  protected StoredEntry take(int slot) {
    StoredEntry entry = entries[slot];
    last = hashes[slot];
    entries[slot] = null;
    return entry;
  }

  /**
   * Whether {@code record}, the record {@link #next()} returned last, hashes to its {@code hash}:
   * computed ahead, or now.
   */
  boolean hashMatches(AuditRecord record) {
    if (last == UNKNOWN) {
      return AuditJson.hash(record).equals(record.hash());
    }
    return last == MATCHES;
  }

  /**
   * Recomputes the hash of entry {@code i} if it is a record; safe for different entries at once.
   */
  @Override
  protected void work(int i) {
    if (entries[i] instanceof StoredEntry.StoredRecord) {
      AuditRecord record = ((StoredEntry.StoredRecord) entries[i]).record();
      try {
        hashes[i] = AuditJson.hash(record).equals(record.hash()) ? MATCHES : DIFFERS;
      } catch (RuntimeException e) {
        hashes[i] = UNKNOWN; // recomputed in order by hashMatches, which then throws as before
      }
    }
  }
}
