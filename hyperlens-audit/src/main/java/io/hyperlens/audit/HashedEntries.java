package io.hyperlens.audit;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * Entries read ahead a chunk at a time, each record's hash recomputed ({@link AuditJson#hash}) for
 * the chunk at once on the common fork-join pool, with the reading thread taking part, and then
 * handed out in stored order: what {@link AuditVerifier} walks. Only the per-record work runs
 * ahead; the chain, the tree and the signatures are still checked one entry after another, so the
 * verdict and its message are those of a one-by-one walk. A failure to read is thrown where the
 * entry it stopped would have been read. Not thread-safe: one reader.
 */
final class HashedEntries implements Iterator<StoredEntry> {
  /** At most this many entries are read ahead. */
  static final int CHUNK = 256;

  /** Chunks with fewer records are hashed on the reading thread alone. */
  static final int PARALLEL_RECORDS = 32;

  private static final boolean PARALLEL = Runtime.getRuntime().availableProcessors() > 1;

  /** Whether a record's hash matched; unknown until computed. */
  private static final byte UNKNOWN = 0;

  private static final byte MATCHES = 1;
  private static final byte DIFFERS = 2;

  private final Iterator<StoredEntry> source;
  private final StoredEntry[] entries = new StoredEntry[CHUNK];
  private final byte[] hashes = new byte[CHUNK];
  private int count;
  private int next;
  private byte last;
  private RuntimeException failed;
  private boolean done;

  HashedEntries(Iterator<StoredEntry> source) {
    this.source = source;
  }

  @Override
  public boolean hasNext() {
    if (next < count) {
      return true;
    }
    if (failed != null) {
      RuntimeException e = failed;
      failed = null;
      done = true;
      throw e;
    }
    if (done) {
      return false;
    }
    readChunk();
    return next < count;
  }

  @Override
  public StoredEntry next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    StoredEntry entry = entries[next];
    last = hashes[next];
    entries[next++] = null;
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

  private void readChunk() {
    count = 0;
    next = 0;
    int records = 0;
    while (count < CHUNK) {
      try {
        if (!source.hasNext()) {
          done = true;
          break;
        }
        StoredEntry entry = source.next();
        entries[count] = entry;
        hashes[count] = UNKNOWN;
        count++;
        if (entry instanceof StoredEntry.StoredRecord) {
          records++;
        }
      } catch (RuntimeException e) {
        if (count == 0) {
          done = true;
          throw e;
        }
        failed = e; // after the entries already read, as a one-by-one read would
        break;
      }
    }
    if (records >= PARALLEL_RECORDS && PARALLEL) {
      IntStream.range(0, count).parallel().forEach(this::hash);
    } else {
      for (int i = 0; i < count; i++) {
        hash(i);
      }
    }
  }

  /**
   * Recomputes the hash of entry {@code i} if it is a record; safe for different entries at once.
   */
  private void hash(int i) {
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
