package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AcknowledgedSubscriberTest {
  private static HypervisorEvent event(String id) {
    return HypervisorEvent.builder(EventType.SESSION_CREATED).eventId(id).build();
  }

  @Test
  void emitReturnsOnlyOnceTheAcknowledgementCompletes() throws Exception {
    HypervisorEventBus bus = new HypervisorEventBus();
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    bus.subscribeAcknowledged(
        null,
        e -> {
          CompletableFuture<Void> ack = new CompletableFuture<>();
          synchronized (acks) {
            acks.add(ack);
          }
          return ack;
        });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> a = pool.submit(() -> bus.emit(event("a")));
      Future<?> b = pool.submit(() -> bus.emit(event("b")));
      // Both emitters are waiting at once: the delivery lock is not held while they wait.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (acks.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(acks).hasSize(2);
      assertThat(a.isDone()).isFalse();
      assertThat(b.isDone()).isFalse();
      // One "commit" acknowledges both: what a group commit does.
      acks.forEach(ack -> ack.complete(null));
      a.get(10, TimeUnit.SECONDS);
      b.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(bus.eventCount()).isEqualTo(2);
  }

  @Test
  void aFailedAcknowledgementThrowsAfterDeliveringToEveryone() {
    HypervisorEventBus bus = new HypervisorEventBus();
    List<String> plain = new ArrayList<>();
    Subscription refusing =
        bus.subscribeAcknowledged(
            EventType.SESSION_CREATED,
            e -> CompletableFuture.failedFuture(new IllegalStateException("disk full")));
    bus.subscribeAll(e -> plain.add(e.eventId()));

    assertThatThrownBy(() -> bus.emit(event("x")))
        .isInstanceOf(EventNotAcknowledgedException.class)
        .hasMessageContaining("event x was delivered but not acknowledged")
        .hasMessageContaining("disk full")
        .satisfies(e -> assertThat(((EventNotAcknowledgedException) e).eventId()).isEqualTo("x"));
    assertThat(plain).containsExactly("x");
    assertThat(bus.eventCount()).isEqualTo(1);

    // Other types are not acknowledged by it; a closed subscription is not waited for.
    bus.emit(HypervisorEvent.builder(EventType.RING_ASSIGNED).build());
    refusing.close();
    bus.emit(event("y"));
  }

  @Test
  void aThrowingHandlerIsAFailedAcknowledgementAndCounted() {
    HypervisorEventBus bus = new HypervisorEventBus();
    Subscription s =
        bus.subscribeAcknowledged(
            null,
            e -> {
              throw new IllegalArgumentException("cannot take " + e.eventId());
            });
    assertThatThrownBy(() -> bus.emit(event("z")))
        .isInstanceOf(EventNotAcknowledgedException.class)
        .hasMessageContaining("cannot take z");
    assertThat(s.failures()).isEqualTo(1);
    assertThat(bus.failedDeliveries()).isEqualTo(1);
  }

  @Test
  void eventsEmittedByHandlersAreAwaitedByTheOuterEmit() throws Exception {
    HypervisorEventBus bus = new HypervisorEventBus();
    bus.subscribeAll(
        e -> {
          if (e.eventId().equals("outer")) {
            bus.emit(event("inner"));
          }
        });
    Map<String, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();
    bus.subscribeAcknowledged(
        null,
        e -> {
          CompletableFuture<Void> ack = new CompletableFuture<>();
          acks.put(e.eventId(), ack);
          return ack;
        });
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> emitting = pool.submit(() -> bus.emit(event("outer")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (acks.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(acks).containsOnlyKeys("outer", "inner");
      acks.get("outer").complete(null);
      // The inner event's acknowledgement is still open: the outer emit must still wait for it.
      assertThatThrownBy(() -> emitting.get(200, TimeUnit.MILLISECONDS))
          .isInstanceOf(TimeoutException.class);
      acks.get("inner").complete(null);
      emitting.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void nullHandlerIsRefused() {
    assertThatThrownBy(() -> new HypervisorEventBus().subscribeAcknowledged(null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("handler");
  }
}
