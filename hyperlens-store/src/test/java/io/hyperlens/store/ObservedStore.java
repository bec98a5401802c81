package io.hyperlens.store;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.spi.EventPage;
import io.hyperlens.spi.EventStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store seen from outside: which ids have committed (after the delegate returned), how many
 * append calls (transactions) there were, and optionally a gate that holds appends back.
 */
class ObservedStore implements EventStore {
  final EventStore delegate;
  final Set<String> committed = ConcurrentHashMap.newKeySet();
  final AtomicInteger appendCalls = new AtomicInteger();
  volatile CountDownLatch gate;
  volatile long delayMillis;

  ObservedStore(EventStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public int append(List<HypervisorEvent> events) {
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted at the gate", e);
      }
    }
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis * events.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while slow", e);
      }
    }
    appendCalls.incrementAndGet();
    int stored = delegate.append(events);
    events.forEach(e -> committed.add(e.eventId()));
    return stored;
  }

  @Override
  public List<HypervisorEvent> query(EventQuery query) {
    return delegate.query(query);
  }

  @Override
  public EventPage page(EventQuery query, String cursor, int pageSize) {
    return delegate.page(query, cursor, pageSize);
  }

  @Override
  public long count(EventQuery query) {
    return delegate.count(query);
  }

  @Override
  public Map<String, Long> typeCounts() {
    return delegate.typeCounts();
  }

  @Override
  public long deleteOlderThan(Instant cutoff) {
    return delegate.deleteOlderThan(cutoff);
  }

  @Override
  public long retainNewest(long maxEvents) {
    return delegate.retainNewest(maxEvents);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "observed " + delegate;
  }
}
