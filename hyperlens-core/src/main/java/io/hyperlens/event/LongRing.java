package io.hyperlens.event;

import java.util.Arrays;

/**
 * A growable FIFO of primitive longs (sequence numbers or timestamps) with random access and binary
 * search over ascending contents. Not thread-safe: the bus guards it with its state lock.
 */
final class LongRing {
  private long[] items;
  private int head;
  private int size;

  LongRing(int initialCapacity) {
    items = new long[Integer.highestOneBit(Math.max(2, initialCapacity - 1)) << 1];
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  long get(int index) {
    return items[(head + index) & (items.length - 1)];
  }

  long first() {
    return items[head];
  }

  long last() {
    return get(size - 1);
  }

  void addLast(long value) {
    if (size == items.length) {
      grow();
    }
    items[(head + size) & (items.length - 1)] = value;
    size++;
  }

  long removeFirst() {
    long value = items[head];
    head = (head + 1) & (items.length - 1);
    size--;
    return value;
  }

  /** The first index whose value is {@code >= value}, or {@link #size()}; contents ascending. */
  int lowerBound(long value) {
    return firstIndexAbove(value, false);
  }

  /** The first index whose value is {@code > value}, or {@link #size()}; contents ascending. */
  int upperBound(long value) {
    return firstIndexAbove(value, true);
  }

  private int firstIndexAbove(long value, boolean orEqual) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      long at = get(mid);
      if (at < value || (orEqual && at == value)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void grow() {
    long[] bigger = new long[items.length << 1];
    int tail = items.length - head;
    System.arraycopy(items, head, bigger, 0, tail);
    System.arraycopy(items, 0, bigger, tail, head);
    Arrays.fill(items, 0L);
    items = bigger;
    head = 0;
  }
}
