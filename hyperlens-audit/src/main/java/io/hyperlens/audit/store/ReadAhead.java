package io.hyperlens.audit.store;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * An iterator that reads ahead a bounded chunk at a time, works on the chunk's items at once (on
 * the common fork-join pool, the reading thread taking part, when the chunk is large enough and the
 * machine has more than one core), then hands them out in order, as reading them one by one would:
 * a failure to read is thrown where the item it stopped would have been read, after the items read
 * before it. What the audit store's line reader and the verifier's re-hashing share.
 *
 * <p>Not thread-safe: one reader.
 *
 * @param <E> what it hands out
 */
public abstract class ReadAhead<E> implements Iterator<E> {
  private static final boolean PARALLEL = Runtime.getRuntime().availableProcessors() > 1;

  private final int capacity;
  private final int parallelFrom;
  private int count;
  private int next;
  private RuntimeException failed;
  private boolean done;

  /**
   * At most {@code capacity} items a chunk; chunks of at least {@code parallelFrom} items are
   * worked on in parallel.
   */
  protected ReadAhead(int capacity, int parallelFrom) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.parallelFrom = parallelFrom;
  }

  /**
   * Reads the raw form of the chunk's item {@code slot}; false at the end of the source.
   *
   * @throws RuntimeException when the source cannot be read
   */
  protected abstract boolean read(int slot);

  /** Works on item {@code slot} of the chunk read; safe to run for different slots at once. */
  protected abstract void work(int slot);

  /** Hands out item {@code slot}, letting go of what the chunk holds for it. */
  protected abstract E take(int slot);

  /** Called before a chunk is read. */
  protected void startChunk() {}

  /** Whether the chunk has room for no more, short of its capacity (a byte budget, say). */
  protected boolean chunkFull() {
    return false;
  }

  /** Whether {@code slot} counts towards working on the chunk in parallel. */
  protected boolean worthWork(int slot) {
    return true;
  }

  /** Items in the current chunk. */
  protected final int count() {
    return count;
  }

  @Override
  public final boolean hasNext() {
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
  public final E next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return take(next++);
  }

  private void readChunk() {
    count = 0;
    next = 0;
    startChunk();
    int worth = 0;
    while (count < capacity && !chunkFull()) {
      try {
        if (!read(count)) {
          done = true;
          break;
        }
      } catch (RuntimeException e) {
        if (count == 0) {
          done = true;
          throw e;
        }
        failed = e; // after the items already read, as a one-by-one read would
        break;
      }
      if (worthWork(count)) {
        worth++;
      }
      count++;
    }
    if (worth >= parallelFrom && PARALLEL) {
      IntStream.range(0, count).parallel().forEach(this::work);
    } else {
      for (int i = 0; i < count; i++) {
        work(i);
      }
    }
  }
}
