package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HypervisorEventBusConcurrencyTest {
  private static final int THREADS = 8;
  private static final int PER_THREAD = 10_000;

  @Test
  void eightThreadsOfTenThousandEmitsGiveExactTotalsInEveryIndex() throws Exception {
    HypervisorEventBus bus = HypervisorEventBus.builder().unbounded().build();
    AtomicLong typed = new AtomicLong();
    AtomicLong wildcard = new AtomicLong();
    bus.subscribe(EventType.RING_BREACH_DETECTED, e -> typed.incrementAndGet());
    bus.subscribeAll(e -> wildcard.incrementAndGet());

    runConcurrently(
        thread -> {
          for (int i = 0; i < PER_THREAD; i++) {
            EventType type = i % 2 == 0 ? EventType.RING_BREACH_DETECTED : EventType.VFS_WRITE;
            bus.emit(
                bus.eventBuilder(type)
                    .sessionId("session-" + thread)
                    .agentDid("did:mesh:agent-" + (i % 10))
                    .build());
          }
        });

    int total = THREADS * PER_THREAD;
    assertThat(bus.eventCount()).isEqualTo(total);
    assertThat(bus.emittedCount()).isEqualTo(total);
    assertThat(bus.typeCounts())
        .containsExactly(
            Map.entry("ring.breach_detected", total / 2L), Map.entry("vfs.write", total / 2L));
    assertThat(typed.get()).isEqualTo(total / 2);
    assertThat(wildcard.get()).isEqualTo(total);
    for (int t = 0; t < THREADS; t++) {
      assertThat(bus.queryBySession("session-" + t)).hasSize(PER_THREAD);
    }
    for (int a = 0; a < 10; a++) {
      assertThat(bus.queryByAgent("did:mesh:agent-" + a)).hasSize(total / 10);
    }
    assertThat(bus.queryByType(EventType.RING_BREACH_DETECTED)).hasSize(total / 2);
    assertThat(bus.allEvents()).hasSize(total);
  }

  @Test
  void everySubscriberSeesEventsInEmitOrderAcrossThreads() throws Exception {
    HypervisorEventBus bus = HypervisorEventBus.builder().unbounded().build();
    List<HypervisorEvent> first = new ArrayList<>();
    List<HypervisorEvent> second = new ArrayList<>();
    bus.subscribeAll(first::add);
    bus.subscribeAll(second::add);

    runConcurrently(
        thread -> {
          for (int i = 0; i < PER_THREAD / 10; i++) {
            bus.emit(bus.eventBuilder(EventType.VFS_WRITE).sessionId("s" + thread).build());
          }
        });

    assertThat(first).hasSize(THREADS * PER_THREAD / 10).isEqualTo(bus.allEvents());
    assertThat(second).isEqualTo(first);
  }

  @Test
  void evictionUnderConcurrentEmitsKeepsIndexesConsistent() throws Exception {
    HypervisorEventBus bus = HypervisorEventBus.builder().maxEvents(1_000).build();

    runConcurrently(
        thread -> {
          for (int i = 0; i < PER_THREAD; i++) {
            bus.emit(
                bus.eventBuilder(EventType.values()[i % 40])
                    .sessionId("s" + (i % 3))
                    .agentDid("a" + thread)
                    .build());
          }
        });

    List<HypervisorEvent> log = bus.allEvents();
    assertThat(log).hasSize(1_000);
    assertThat(bus.evictedCount()).isEqualTo(THREADS * PER_THREAD - 1_000L);
    long indexed = 0;
    for (int s = 0; s < 3; s++) {
      indexed += bus.queryBySession("s" + s).size();
    }
    assertThat(indexed).isEqualTo(1_000);
    assertThat(bus.typeCounts().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(1_000);
    long byAgent = 0;
    for (int t = 0; t < THREADS; t++) {
      byAgent += bus.queryByAgent("a" + t).size();
    }
    assertThat(byAgent).isEqualTo(1_000);
  }

  interface ThreadBody {
    void run(int thread) throws Exception;
  }

  static void runConcurrently(ThreadBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(thread);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
