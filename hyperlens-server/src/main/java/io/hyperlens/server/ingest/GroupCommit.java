package io.hyperlens.server.ingest;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.JdbcStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of concurrent ingest requests: each request queues its batch and waits; whichever
 * request holds the commit lock takes every batch queued by then (up to {@code maxEvents}) and
 * stores them in one transaction, {@link JdbcStore#appendBatches}, so concurrent requests share one
 * fsync instead of waiting for one each. Every request still returns only once its own batch is
 * committed, with its own count of new events. When the store refuses the group because of one
 * batch, the batches are stored one by one, so only the bad one fails. Thread-safe.
 */
final class GroupCommit {
  private final JdbcStore store;
  private final int maxEvents;
  private final ReentrantLock commitLock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

  /** A batch waiting for its commit. */
  private static final class Pending {
    final List<HypervisorEvent> batch;
    volatile boolean done;
    int inserted;
    RuntimeException failure;

    Pending(List<HypervisorEvent> batch) {
      this.batch = batch;
    }
  }

  GroupCommit(JdbcStore store, int maxEvents) {
    this.store = store;
    this.maxEvents = maxEvents;
  }

  /**
   * Stores {@code batch}, committed with whatever else is queued; returns its new events.
   *
   * @throws IllegalArgumentException when the store refuses this batch
   */
  int append(List<HypervisorEvent> batch) {
    Pending mine = new Pending(batch);
    queue.add(mine);
    while (!mine.done) {
      commitLock.lock();
      try {
        if (!mine.done) {
          commitQueued();
        }
      } finally {
        commitLock.unlock();
      }
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
    return mine.inserted;
  }

  /** Commits what is queued, up to the event bound; called holding the lock. */
  private void commitQueued() {
    List<Pending> group = new ArrayList<>();
    int events = 0;
    Pending next;
    while ((next = queue.peek()) != null
        && (group.isEmpty() || events + next.batch.size() <= maxEvents)) {
      group.add(queue.poll());
      events += next.batch.size();
    }
    List<List<HypervisorEvent>> batches = new ArrayList<>(group.size());
    for (Pending pending : group) {
      batches.add(pending.batch);
    }
    try {
      int[] inserted = store.appendBatches(batches);
      for (int i = 0; i < group.size(); i++) {
        group.get(i).inserted = inserted[i];
      }
    } catch (IllegalArgumentException refused) {
      for (Pending pending : group) {
        try {
          pending.inserted = store.append(pending.batch);
        } catch (RuntimeException e) {
          pending.failure = e;
        }
      }
    } catch (RuntimeException e) {
      for (Pending pending : group) {
        pending.failure = e;
      }
    }
    for (Pending pending : group) {
      pending.done = true;
    }
  }
}
