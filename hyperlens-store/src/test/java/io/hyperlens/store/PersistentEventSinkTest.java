package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventNotAcknowledgedException;
import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.trace.DistributedTracer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink's promises when things go wrong: store down, bad input, a full queue, closing. */
class PersistentEventSinkTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  @TempDir Path dir;
  private SqliteStore store;
  private ObservedStore observed;
  private final HypervisorEventBus bus = new HypervisorEventBus();

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir);
    observed = new ObservedStore(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static HypervisorEvent withSession(String id, String session) {
    return HypervisorEvent.builder(EventType.SESSION_CREATED)
        .eventId(id)
        .sessionId(session)
        .build();
  }

  @Test
  void syncEmitThrowsAtOnceWhenTheStoreIsDown() {
    store.close();
    try (PersistentEventSink sink =
        PersistentEventSink.builder(store).durability(Durability.SYNC).build()) {
      sink.subscribe(bus);
      assertThatThrownBy(() -> bus.emit(withSession("e1", "s")))
          .isInstanceOf(EventNotAcknowledgedException.class)
          .hasMessageContaining("e1")
          .hasMessageContaining("closed");
      assertThat(sink.stats().failed()).isEqualTo(1);
      assertThat(sink.stats().retries()).isZero();
    }
    assertThat(bus.eventCount()).isEqualTo(1); // the bus still has it
  }

  @Test
  void asyncRetriesWhileTheStoreIsDownThenCountsTheBatchFailed() {
    store.close();
    try (PersistentEventSink sink =
        PersistentEventSink.builder(store).retryFor(Duration.ofMillis(300)).build()) {
      sink.subscribe(bus);
      for (int i = 0; i < 20; i++) {
        bus.emit(withSession("e" + i, "s")); // never blocks, never throws
      }
      assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      SinkStats stats = sink.stats();
      assertThat(stats.failed()).isEqualTo(20);
      assertThat(stats.retries()).isPositive();
      assertThat(stats.stored()).isZero();
    }
  }

  @Test
  void anEventTheStoreCannotHoldIsRejectedAloneInAsyncMode() {
    try (PersistentEventSink sink = PersistentEventSink.builder(observed).build()) {
      observed.gate = new CountDownLatch(1); // so that all three share one batch
      sink.subscribe(bus);
      bus.emit(withSession("good-1", "s"));
      bus.emit(withSession("bad", "nul\u0000session"));
      bus.emit(withSession("good-2", "s"));
      observed.gate.countDown();
      assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(sink.stats().rejected()).isEqualTo(1);
      assertThat(sink.stats().stored()).isEqualTo(2);
    }
    assertThat(store.query(EventQuery.all()).stream().map(HypervisorEvent::eventId))
        .containsExactly("good-1", "good-2");
  }

  @Test
  void anEventTheStoreCannotHoldFailsItsSyncEmitByName() {
    try (PersistentEventSink sink =
        PersistentEventSink.builder(store).durability(Durability.SYNC).build()) {
      sink.subscribe(bus);
      bus.emit(withSession("good", "s"));
      assertThatThrownBy(() -> bus.emit(withSession("bad", "nul\u0000session")))
          .isInstanceOf(EventNotAcknowledgedException.class)
          .hasMessageContaining("sessionId")
          .hasMessageContaining("NUL");
      assertThat(sink.stats().rejected()).isEqualTo(1);
    }
    assertThat(store.eventCount()).isEqualTo(1);
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlocking() {
    observed.gate = new CountDownLatch(1);
    try (PersistentEventSink sink =
        PersistentEventSink.builder(observed).queueCapacity(10).batchSize(4).build()) {
      sink.subscribe(bus);
      for (int i = 0; i < 50; i++) {
        bus.emit(withSession("e" + i, "s"));
      }
      SinkStats stats = sink.stats();
      assertThat(stats.accepted()).isEqualTo(10); // the bound holds queued + in flight
      assertThat(stats.dropped()).isEqualTo(40);
      observed.gate.countDown();
      assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(sink.stats().stored()).isEqualTo(10);
    }
  }

  @Test
  void aFullQueueBlocksUpToTheTimeoutThenDrops() {
    observed.gate = new CountDownLatch(1);
    try (PersistentEventSink sink =
        PersistentEventSink.builder(observed)
            .queueCapacity(5)
            .overflow(Overflow.BLOCK, Duration.ofMillis(50))
            .build()) {
      sink.subscribe(bus);
      for (int i = 0; i < 8; i++) {
        bus.emit(withSession("e" + i, "s"));
      }
      assertThat(sink.stats().accepted()).isEqualTo(5);
      assertThat(sink.stats().dropped()).isEqualTo(3);
      observed.gate.countDown();
    }
    assertThat(store.eventCount()).isEqualTo(5);
  }

  @Test
  void aSyncEmitGivesUpAtTheCommitTimeoutAndTheEventIsStoredLater() {
    observed.gate = new CountDownLatch(1);
    try (PersistentEventSink sink =
        PersistentEventSink.builder(observed)
            .durability(Durability.SYNC)
            .commitTimeout(Duration.ofMillis(100))
            .build()) {
      sink.subscribe(bus);
      assertThatThrownBy(() -> bus.emit(withSession("slow", "s")))
          .isInstanceOf(EventNotAcknowledgedException.class)
          .hasMessageContaining("not committed within the commit timeout of PT0.1S");
      observed.gate.countDown();
      assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      // Not acknowledged is not lost: emitting it again is safe, it is stored once.
      bus.emit(withSession("slow", "s"));
      assertThat(sink.stats().duplicates()).isEqualTo(1);
    }
    assertThat(store.eventCount()).isEqualTo(1);
  }

  @Test
  void closeDrainsTheQueueAndThenRefuses() {
    PersistentEventSink sink = PersistentEventSink.builder(store).build();
    sink.subscribe(bus);
    for (HypervisorEvent event : Events.generate(2000, T0, 1)) {
      bus.emit(event);
    }
    sink.close();
    assertThat(store.eventCount()).isEqualTo(2000);
    assertThat(sink.offer(withSession("late", "s"))).isFalse();
    assertThat(sink.stats().dropped()).isEqualTo(1);
    bus.emit(withSession("after-close", "s")); // unsubscribed: not offered at all
    assertThat(sink.stats().accepted()).isEqualTo(2000);
    assertThatThrownBy(() -> sink.subscribe(bus)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void spansGoToTheSpanStore() {
    try (PersistentEventSink sink = PersistentEventSink.builder(store).spanStore(store).build()) {
      try (DistributedTracer tracer =
          DistributedTracer.builder().serviceName("svc").exporter(sink.spanExporter()).build()) {
        tracer.startTrace();
        tracer.traced("agent.step", () -> tracer.traced("tool.call", () -> {}));
        tracer.endTrace();
      }
      assertThat(sink.stats().spansStored()).isEqualTo(2);
      assertThat(store.recentTraces(1).get(0).operations())
          .containsExactlyInAnyOrder("agent.step", "tool.call");
    }
  }

  @Test
  void configurationIsCheckedByName() {
    try (PersistentEventSink sink = PersistentEventSink.builder(store).build()) {
      assertThatThrownBy(sink::spanExporter)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("spanStore");
    }
    assertThatThrownBy(() -> PersistentEventSink.builder(null))
        .hasMessageContaining("store must not be null");
    assertThatThrownBy(() -> PersistentEventSink.builder(store).queueCapacity(0))
        .hasMessageContaining("queueCapacity must be at least 1, got 0");
    assertThatThrownBy(() -> PersistentEventSink.builder(store).batchSize(-2))
        .hasMessageContaining("batchSize must be at least 1, got -2");
    assertThatThrownBy(() -> PersistentEventSink.builder(store).commitTimeout(Duration.ZERO))
        .hasMessageContaining("commitTimeout must be positive, got PT0S");
    assertThatThrownBy(() -> PersistentEventSink.builder(store).retryFor(Duration.ofSeconds(-1)))
        .hasMessageContaining("retryFor must not be negative, got PT-1S");
    assertThatThrownBy(
            () -> PersistentEventSink.builder(store).overflow(Overflow.BLOCK, Duration.ZERO))
        .hasMessageContaining("blockTimeout must be positive");
  }

  @Test
  void threadsStopOnClose() {
    List<Thread> before = List.copyOf(Thread.getAllStackTraces().keySet());
    PersistentEventSink sink = PersistentEventSink.builder(store).build();
    sink.close();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("hyperlens-store-sink") && !before.contains(t));
  }
}
