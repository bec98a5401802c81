package io.hyperlens.event;

/**
 * The bus's main log: events addressed by a global sequence number, oldest first, in a growable
 * ring. Not thread-safe: the bus guards it with its state lock.
 */
final class EventLog {
  private HypervisorEvent[] slots;
  private int head;
  private int size;
  private long firstSeq;

  EventLog(int initialCapacity) {
    slots = new HypervisorEvent[Integer.highestOneBit(Math.max(2, initialCapacity - 1)) << 1];
  }

  int size() {
    return size;
  }

  /** Sequence number of the oldest retained event (the next one to be appended when empty). */
  long firstSeq() {
    return firstSeq;
  }

  /** Sequence number the next appended event gets. */
  long nextSeq() {
    return firstSeq + size;
  }

  HypervisorEvent get(long seq) {
    return slots[(head + (int) (seq - firstSeq)) & (slots.length - 1)];
  }

  long append(HypervisorEvent event) {
    if (size == slots.length) {
      grow();
    }
    slots[(head + size) & (slots.length - 1)] = event;
    size++;
    return firstSeq + size - 1;
  }

  HypervisorEvent removeFirst() {
    HypervisorEvent event = slots[head];
    slots[head] = null;
    head = (head + 1) & (slots.length - 1);
    size--;
    firstSeq++;
    return event;
  }

  private void grow() {
    HypervisorEvent[] bigger = new HypervisorEvent[slots.length << 1];
    int tail = slots.length - head;
    System.arraycopy(slots, head, bigger, 0, tail);
    System.arraycopy(slots, 0, bigger, tail, head);
    slots = bigger;
    head = 0;
  }
}
