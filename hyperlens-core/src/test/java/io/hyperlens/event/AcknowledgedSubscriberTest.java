package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

  /** A durable sink that refuses while it is down and acknowledges once it is back. */
  private static final class FlakySink implements AcknowledgedHandler {
    final List<String> received = new ArrayList<>();
    final IllegalStateException failure = new IllegalStateException("disk full");
    boolean down = true;

    @Override
    public CompletionStage<?> accept(HypervisorEvent event) {
      received.add(event.eventId());
      return down
          ? CompletableFuture.failedFuture(failure)
          : CompletableFuture.completedFuture(null);
    }

    @Override
    public String toString() {
      return "flaky-sink";
    }
  }

  @Test
  void aFailedAcknowledgementNamesTheEventTheHandlerAndTheCause() {
    HypervisorEventBus bus = new HypervisorEventBus();
    FlakySink sink = new FlakySink();
    bus.subscribeAcknowledged(EventType.SESSION_CREATED, sink);

    assertThatThrownBy(() -> bus.emit(event("x")))
        .isExactlyInstanceOf(EventNotAcknowledgedException.class)
        .hasMessage("event x was delivered but not acknowledged by flaky-sink: disk full")
        .cause()
        .isSameAs(sink.failure);
  }

  @Test
  void aHandlerReturningNoAcknowledgementFailsTheEmit() {
    HypervisorEventBus bus = new HypervisorEventBus();
    Subscription s = bus.subscribeAcknowledged(null, e -> null);

    assertThatThrownBy(() -> bus.emit(event("n")))
        .isExactlyInstanceOf(EventNotAcknowledgedException.class)
        .hasMessageEndingWith(": the handler returned no acknowledgement")
        .hasCauseExactlyInstanceOf(IllegalStateException.class);
    assertThat(s.failures()).isEqualTo(1);
  }

  @Test
  void redeliveryReachesOnlyTheAcknowledgedSubscribersAndAppendsNothing() {
    HypervisorEventBus bus = new HypervisorEventBus();
    FlakySink typed = new FlakySink();
    FlakySink wildcard = new FlakySink();
    wildcard.down = false;
    List<String> plain = new ArrayList<>();
    bus.subscribeAcknowledged(EventType.SESSION_CREATED, typed);
    bus.subscribeAcknowledged(null, wildcard);
    bus.subscribe(EventType.SESSION_CREATED, e -> plain.add(e.eventId()));
    bus.subscribeAll(e -> plain.add("all:" + e.eventId()));
    HypervisorEvent event = event("r");
    assertThatThrownBy(() -> bus.emit(event)).isInstanceOf(EventNotAcknowledgedException.class);

    typed.down = false;
    bus.redeliverAcknowledged(event);

    assertThat(typed.received).containsExactly("r", "r");
    assertThat(wildcard.received).containsExactly("r", "r");
    assertThat(plain).containsExactly("r", "all:r");
    assertThat(bus.eventCount()).isEqualTo(1);
  }

  @Test
  void aRedeliveryThatFailsAgainThrowsAndLeavesNothingPending() {
    HypervisorEventBus bus = new HypervisorEventBus();
    FlakySink sink = new FlakySink();
    bus.subscribeAcknowledged(null, sink);
    HypervisorEvent event = event("r");
    assertThatThrownBy(() -> bus.emit(event)).isInstanceOf(EventNotAcknowledgedException.class);

    assertThatThrownBy(() -> bus.redeliverAcknowledged(event))
        .isExactlyInstanceOf(EventNotAcknowledgedException.class)
        .hasMessage("event r was delivered but not acknowledged by flaky-sink: disk full");

    sink.down = false;
    bus.emit(event("next"));
    assertThat(sink.received).containsExactly("r", "r", "next");
  }

  @Test
  void aRedeliveryReleasesTheDeliveryLockForEmittersOnOtherThreads() throws Exception {
    HypervisorEventBus bus = new HypervisorEventBus();
    FlakySink sink = new FlakySink();
    sink.down = false;
    bus.subscribeAcknowledged(null, sink);
    HypervisorEvent event = event("r");
    bus.emit(event);
    bus.redeliverAcknowledged(event);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      other.submit(() -> bus.emit(event("other"))).get(30, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }

    assertThat(bus.eventCount()).isEqualTo(2);
  }

  @Test
  void nullHandlerIsRefused() {
    assertThatThrownBy(() -> new HypervisorEventBus().subscribeAcknowledged(null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("handler");
  }
}
