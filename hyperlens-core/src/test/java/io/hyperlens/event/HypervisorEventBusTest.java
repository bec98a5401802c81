package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.trace.CausalTraceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HypervisorEventBusTest {
  private final TestClock clock = new TestClock(Instant.parse("2025-01-15T10:30:00Z"));
  private final HypervisorEventBus bus = HypervisorEventBus.builder().clock(clock).build();

  private HypervisorEvent event(EventType type, String session, String agent) {
    return bus.eventBuilder(type).sessionId(session).agentDid(agent).build();
  }

  @Test
  void quickStartEmitsAndQueriesBySession() {
    CausalTraceId trace = CausalTraceId.root();
    bus.emit(
        bus.eventBuilder(EventType.SESSION_CREATED)
            .sessionId("session-001")
            .agentDid("did:mesh:data-analyst")
            .causalTraceId(trace)
            .payload(Map.of("model", "gpt-4o", "ring", 3))
            .build());

    List<HypervisorEvent> events = bus.queryBySession("session-001");

    assertThat(events).hasSize(1);
    Map<String, Object> map = events.get(0).toMap();
    assertThat(map)
        .containsEntry("event_type", "session.created")
        .containsEntry("session_id", "session-001")
        .containsEntry("agent_did", "did:mesh:data-analyst")
        .containsEntry("causal_trace_id", trace.fullId())
        .containsEntry("timestamp", "2025-01-15T10:30:00+00:00")
        .containsEntry("payload", Map.of("model", "gpt-4o", "ring", 3));
  }

  @Test
  void breachReachesTypedAndWildcardSubscribersTypedFirst() {
    List<String> seen = new ArrayList<>();
    bus.subscribe(
        EventType.RING_BREACH_DETECTED,
        e -> seen.add("BREACH: agent=" + e.agentDid().orElseThrow() + " payload=" + e.payload()));
    bus.subscribe(null, e -> seen.add("[audit] " + e.eventType().value()));

    bus.emit(
        bus.eventBuilder(EventType.RING_BREACH_DETECTED)
            .agentDid("did:mesh:rogue-bot")
            .sessionId("session-001")
            .payload(Map.of("attempted_tool", "shell_exec"))
            .build());
    bus.emit(event(EventType.SESSION_CREATED, "session-001", "did:mesh:a"));

    assertThat(seen)
        .containsExactly(
            "BREACH: agent=did:mesh:rogue-bot payload={attempted_tool=shell_exec}",
            "[audit] ring.breach_detected",
            "[audit] session.created");
  }

  @Test
  void countsEventsAndTypesAsTheSeedPrints() {
    bus.emit(
        bus.eventBuilder(EventType.RING_ASSIGNED)
            .sessionId("s1")
            .agentDid("did:mesh:agent-alpha")
            .payload(Map.of("ring", 3))
            .build());
    bus.emit(
        bus.eventBuilder(EventType.RING_ELEVATED)
            .sessionId("s1")
            .agentDid("did:mesh:agent-alpha")
            .payload(Map.of("from_ring", 3, "to_ring", 1, "reason", "admin vouch"))
            .build());

    assertThat(bus.eventCount()).isEqualTo(2);
    assertThat(bus.typeCounts())
        .containsExactly(Map.entry("ring.assigned", 1L), Map.entry("ring.elevated", 1L));
    assertThat(bus.allEvents())
        .extracting(HypervisorEvent::eventType)
        .containsExactly(EventType.RING_ASSIGNED, EventType.RING_ELEVATED);
  }

  @Test
  void queriesByTypeSessionAndAgent() {
    HypervisorEvent a = event(EventType.SESSION_CREATED, "s1", "did:mesh:alpha");
    HypervisorEvent b = event(EventType.RING_ASSIGNED, "s1", "did:mesh:beta");
    HypervisorEvent c = event(EventType.SESSION_CREATED, "s2", "did:mesh:alpha");
    HypervisorEvent d = bus.eventBuilder(EventType.AUDIT_COMMITTED).build();
    List.of(a, b, c, d).forEach(bus::emit);

    assertThat(bus.queryByType(EventType.SESSION_CREATED)).containsExactly(a, c);
    assertThat(bus.queryBySession("s1")).containsExactly(a, b);
    assertThat(bus.queryByAgent("did:mesh:alpha")).containsExactly(a, c);
    assertThat(bus.queryByAgent("did:mesh:nobody")).isEmpty();
    assertThat(bus.queryByType(EventType.VFS_WRITE)).isEmpty();
    assertThat(bus.allEvents()).containsExactly(a, b, c, d);
  }

  @Test
  void combinedQueryAndsEveryCriterion() {
    HypervisorEvent match1 = event(EventType.RING_ASSIGNED, "s1", "did:mesh:analyst");
    bus.emit(match1);
    bus.emit(event(EventType.RING_ASSIGNED, "s1", "did:mesh:other"));
    bus.emit(event(EventType.RING_ASSIGNED, "s2", "did:mesh:analyst"));
    bus.emit(event(EventType.RING_ELEVATED, "s1", "did:mesh:analyst"));
    HypervisorEvent match2 = event(EventType.RING_ASSIGNED, "s1", "did:mesh:analyst");
    bus.emit(match2);

    List<HypervisorEvent> results =
        bus.query(
            EventQuery.builder()
                .eventType(EventType.RING_ASSIGNED)
                .sessionId("s1")
                .agentDid("did:mesh:analyst")
                .limit(10)
                .build());

    assertThat(results).containsExactly(match1, match2);
  }

  @Test
  void limitKeepsTheNewestMatchesOldestFirst() {
    List<HypervisorEvent> emitted = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      HypervisorEvent e = event(EventType.VFS_WRITE, "s1", "did:mesh:writer");
      emitted.add(e);
      bus.emit(e);
      bus.emit(event(EventType.VFS_DELETE, "s1", "did:mesh:writer"));
    }

    List<HypervisorEvent> results =
        bus.query(
            EventQuery.builder().eventType(EventType.VFS_WRITE).sessionId("s1").limit(3).build());

    assertThat(results).containsExactlyElementsOf(emitted.subList(22, 25));
    assertThat(bus.query(EventQuery.builder().limit(2).build())).hasSize(2);
  }

  @Test
  void limitBelowOneIsAnError() {
    assertThatThrownBy(() -> EventQuery.builder().limit(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be at least 1, got 0");
    assertThatThrownBy(() -> EventQuery.builder().limit(-5))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be at least 1, got -5");
  }

  @Test
  void timeRangeIsInclusiveAndOpenEndMeansNow() {
    HypervisorEvent t0 = event(EventType.VFS_WRITE, "s1", "a");
    clock.advance(Duration.ofMinutes(30));
    HypervisorEvent t30 = event(EventType.VFS_WRITE, "s1", "a");
    clock.advance(Duration.ofMinutes(30));
    HypervisorEvent t60 = event(EventType.VFS_WRITE, "s1", "a");
    List.of(t0, t30, t60).forEach(bus::emit);

    assertThat(bus.queryByTimeRange(clock.instant().minus(Duration.ofHours(1))))
        .containsExactly(t0, t30, t60);
    assertThat(bus.queryByTimeRange(t30.timestamp())).containsExactly(t30, t60);
    assertThat(bus.queryByTimeRange(t0.timestamp(), t30.timestamp())).containsExactly(t0, t30);
    assertThat(
            bus.queryByTimeRange(t0.timestamp().plusNanos(1000), t60.timestamp().minusNanos(1000)))
        .containsExactly(t30);
    assertThat(bus.queryByTimeRange(clock.instant().plusSeconds(1))).isEmpty();
  }

  @Test
  void subMicrosecondStartBoundExcludesTheEventBelowIt() {
    HypervisorEvent event = event(EventType.VFS_WRITE, "s1", "a");
    bus.emit(event);

    assertThat(bus.queryByTimeRange(event.timestamp().plusNanos(500))).isEmpty();
    assertThat(
            bus.queryByTimeRange(
                event.timestamp().minusNanos(500), event.timestamp().plusNanos(999)))
        .containsExactly(event);
  }

  @Test
  void stackOverflowInAHandlerIsIsolatedLikeAnyFailure() {
    List<String> after = new ArrayList<>();
    bus.subscribeAll(e -> recurse(0));
    bus.subscribeAll(e -> after.add(e.eventType().value()));

    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));

    assertThat(after).containsExactly("vfs.write");
    assertThat(bus.failedDeliveries()).isEqualTo(1);
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  @Test
  void timeRangeFindsEventsStampedOutOfOrder() {
    Instant base = clock.instant();
    HypervisorEvent late =
        bus.eventBuilder(EventType.VFS_WRITE)
            .sessionId("s1")
            .timestamp(base.minusSeconds(60))
            .build();
    HypervisorEvent now = event(EventType.VFS_WRITE, "s1", "a");
    HypervisorEvent later =
        bus.eventBuilder(EventType.VFS_DELETE)
            .sessionId("s1")
            .timestamp(base.plusSeconds(60))
            .build();
    bus.emit(now);
    bus.emit(later);
    bus.emit(late);

    assertThat(bus.queryByTimeRange(base.minusSeconds(120), base.plusSeconds(120)))
        .containsExactly(now, later, late);
    assertThat(bus.queryByTimeRange(base.minusSeconds(61), base.minusSeconds(59)))
        .containsExactly(late);
    assertThat(
            bus.query(
                EventQuery.builder()
                    .eventType(EventType.VFS_WRITE)
                    .timeRange(base.minusSeconds(61), base)
                    .build()))
        .containsExactly(now, late);
    assertThat(
            bus.query(
                EventQuery.builder()
                    .timeRange(base.minusSeconds(120), base.plusSeconds(120))
                    .limit(2)
                    .build()))
        .containsExactly(later, late);
  }

  @Test
  void combinedQueryWithTimeRangeNarrowsEveryIndex() {
    for (int i = 0; i < 10; i++) {
      bus.emit(event(EventType.VFS_WRITE, "s1", "a"));
      clock.advance(Duration.ofSeconds(1));
    }
    Instant from = clock.instant().minusSeconds(3);

    List<HypervisorEvent> results =
        bus.query(
            EventQuery.builder()
                .eventType(EventType.VFS_WRITE)
                .sessionId("s1")
                .timeRange(from, null)
                .build());

    assertThat(results).hasSize(3).allMatch(e -> !e.timestamp().isBefore(from));
  }

  @Test
  void timeRangeRejectsBadBounds() {
    Instant now = clock.instant();
    assertThatThrownBy(() -> bus.queryByTimeRange(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("start must not be null");
    assertThatThrownBy(() -> bus.queryByTimeRange(now, now.minusSeconds(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "end must not be before start, got start=2025-01-15T10:30:00Z"
                + " end=2025-01-15T10:29:59Z");
  }

  @Test
  void throwingSubscriberDoesNotStopTheNextOne() {
    List<String> seen = new ArrayList<>();
    Subscription failing =
        bus.subscribe(
            EventType.VFS_WRITE,
            e -> {
              throw new IllegalStateException("subscriber bug");
            });
    bus.subscribe(EventType.VFS_WRITE, e -> seen.add("typed"));
    bus.subscribeAll(e -> seen.add("wildcard"));

    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));
    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));

    assertThat(seen).containsExactly("typed", "wildcard", "typed", "wildcard");
    assertThat(bus.failedDeliveries()).isEqualTo(2);
    assertThat(failing.failures()).isEqualTo(2);
    assertThat(bus.eventCount()).isEqualTo(2);
  }

  @Test
  void unsubscribeStopsDelivery() {
    List<String> seen = new ArrayList<>();
    Subscription typed = bus.subscribe(EventType.VFS_WRITE, e -> seen.add("typed"));
    Subscription all = bus.subscribeAll(e -> seen.add("all"));

    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));
    typed.close();
    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));
    all.close();
    all.close();
    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));

    assertThat(seen).containsExactly("typed", "all", "all");
    assertThat(typed.isActive()).isFalse();
    assertThat(all.isActive()).isFalse();
  }

  @Test
  void subscriberMayEmitReentrantlyAndOrderHolds() {
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    bus.subscribe(
        EventType.RING_BREACH_DETECTED,
        e -> {
          first.add(e.eventType().value());
          bus.emit(event(EventType.AGENT_KILLED, "s1", e.agentDid().orElseThrow()));
        });
    bus.subscribeAll(e -> second.add(e.eventType().value()));
    bus.subscribe(EventType.AGENT_KILLED, e -> first.add(e.eventType().value()));

    bus.emit(event(EventType.RING_BREACH_DETECTED, "s1", "did:mesh:rogue"));

    assertThat(first).containsExactly("ring.breach_detected", "security.agent_killed");
    assertThat(second).containsExactly("ring.breach_detected", "security.agent_killed");
    assertThat(bus.queryByAgent("did:mesh:rogue")).hasSize(2);
  }

  @Test
  void subscriberMayQueryTheBus() {
    List<Long> counts = new ArrayList<>();
    bus.subscribeAll(e -> counts.add(bus.eventCount()));

    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));
    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));

    assertThat(counts).containsExactly(1L, 2L);
  }

  @Test
  void rejectsNullArgumentsClearly() {
    assertThatThrownBy(() -> bus.emit(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("event must not be null");
    assertThatThrownBy(() -> bus.subscribe(EventType.VFS_WRITE, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("handler must not be null");
    assertThatThrownBy(() -> bus.queryBySession(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("sessionId must not be null");
    assertThatThrownBy(() -> HypervisorEventBus.builder().maxEvents(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEvents must be positive, got 0");
    assertThat(bus.eventCount()).isZero();
  }

  @Test
  void everyEntryPointRejectsANullArgumentNamingIt() {
    assertThatThrownBy(() -> bus.subscribeAll(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("handler must not be null");
    assertThatThrownBy(() -> bus.queryByType(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("type must not be null");
    assertThatThrownBy(() -> bus.queryByAgent(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("agentDid must not be null");
    assertThatThrownBy(() -> bus.query(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("query must not be null");
    assertThatThrownBy(() -> bus.redeliverAcknowledged(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("event must not be null");
    assertThatThrownBy(() -> HypervisorEventBus.builder().clock(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("clock must not be null");
  }

  @Test
  void theBusStampsAndResolvesNowWithItsClock() {
    assertThat(bus.clock()).isSameAs(clock);
    assertThat(bus.eventBuilder(EventType.VFS_WRITE).build().timestamp())
        .isEqualTo(Instant.parse("2025-01-15T10:30:00Z"));
  }

  @Test
  void aTypeOfNullSubscribesToEveryEventAndCanBeClosed() {
    List<String> seen = new ArrayList<>();
    Subscription all = bus.subscribe(null, e -> seen.add(e.eventType().value()));
    assertThat(all.isActive()).isTrue();

    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));
    bus.emit(event(EventType.RING_ASSIGNED, "s1", "a"));
    all.close();
    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));

    assertThat(seen).containsExactly("vfs.write", "ring.assigned");
    assertThat(all.isActive()).isFalse();
  }

  @Test
  void aSubscriptionShowsItsHandler() {
    java.util.function.Consumer<HypervisorEvent> handler =
        new java.util.function.Consumer<>() {
          @Override
          public void accept(HypervisorEvent event) {}

          @Override
          public String toString() {
            return "audit-forwarder";
          }
        };
    AcknowledgedHandler durable =
        new AcknowledgedHandler() {
          @Override
          public java.util.concurrent.CompletionStage<?> accept(HypervisorEvent event) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
          }

          @Override
          public String toString() {
            return "durable-sink";
          }
        };

    assertThat(bus.subscribe(EventType.VFS_WRITE, handler)).hasToString("audit-forwarder");
    assertThat(bus.subscribeAcknowledged(null, durable)).hasToString("durable-sink");
  }

  @Test
  void aSubscriptionClosedDuringADeliveryMissesThatEventAlready() {
    List<String> seen = new ArrayList<>();
    Subscription[] second = new Subscription[1];
    bus.subscribe(EventType.VFS_WRITE, e -> second[0].close());
    second[0] = bus.subscribe(EventType.VFS_WRITE, e -> seen.add(e.eventId()));

    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));

    assertThat(seen).isEmpty();
    assertThat(second[0].isActive()).isFalse();
  }

  @Test
  void anOutOfMemoryErrorInAHandlerPropagatesAndLeavesNothingToDeliverLater() {
    OutOfMemoryError oom = new OutOfMemoryError("simulated");
    List<String> seen = new ArrayList<>();
    bus.subscribe(
        EventType.RING_BREACH_DETECTED,
        e -> bus.emit(bus.eventBuilder(EventType.RING_DEMOTED).eventId("queued").build()));
    bus.subscribe(
        EventType.RING_BREACH_DETECTED,
        e -> {
          throw oom;
        });
    bus.subscribeAll(e -> seen.add(e.eventId()));

    assertThatThrownBy(
            () ->
                bus.emit(bus.eventBuilder(EventType.RING_BREACH_DETECTED).eventId("fatal").build()))
        .isSameAs(oom);
    bus.emit(bus.eventBuilder(EventType.VFS_WRITE).eventId("next").build());

    assertThat(seen).containsExactly("next");
    assertThat(bus.allEvents())
        .extracting(HypervisorEvent::eventId)
        .containsExactly("fatal", "queued", "next");
    assertThat(bus.failedDeliveries()).isZero();
  }

  @Test
  void aTimeRangeWithAnEndLeavesOutWhatCameAfterIt() {
    Instant start = clock.instant();
    for (int i = 0; i < 3; i++) {
      bus.emit(bus.eventBuilder(EventType.VFS_WRITE).payload(Map.of("i", i)).build());
      clock.advance(Duration.ofSeconds(1));
    }

    assertThat(bus.queryByTimeRange(start, start.plusSeconds(1)))
        .extracting(e -> e.payload().get("i"))
        .containsExactly(0, 1);
    assertThat(bus.queryByTimeRange(start.plusSeconds(1)))
        .extracting(e -> e.payload().get("i"))
        .containsExactly(1, 2);
  }

  @Test
  void readingTheBusReleasesItsLockForEmittersOnOtherThreads() throws Exception {
    bus.emit(event(EventType.VFS_WRITE, "s1", "a"));
    java.util.concurrent.ExecutorService other =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      bus.allEvents();
      bus.queryBySession("s1");
      bus.eventCount();
      bus.typeCounts();
      bus.emittedCount();
      bus.evictedCount();

      other
          .submit(() -> bus.emit(event(EventType.VFS_WRITE, "s1", "a")))
          .get(30, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(bus.eventCount()).isEqualTo(2);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void evictionKeepsEveryIndexConsistentWithTheLog() {
    HypervisorEventBus small = HypervisorEventBus.builder().maxEvents(50).clock(clock).build();
    EventType[] types = {EventType.VFS_WRITE, EventType.RING_ASSIGNED, EventType.SAGA_CREATED};
    for (int i = 0; i < 500; i++) {
      clock.advance(Duration.ofMillis(i % 7 == 0 ? -3 : 1));
      small.emit(
          small
              .eventBuilder(types[i % 3])
              .sessionId("s" + (i % 4))
              .agentDid(i % 5 == 0 ? null : "did:mesh:a" + (i % 6))
              .payload(Map.of("i", i))
              .build());
    }

    List<HypervisorEvent> log = small.allEvents();
    assertThat(log).hasSize(50);
    assertThat(small.eventCount()).isEqualTo(50);
    assertThat(small.evictedCount()).isEqualTo(450);
    assertThat(small.emittedCount()).isEqualTo(500);
    assertThat(log)
        .extracting(e -> e.payload().get("i"))
        .containsExactlyElementsOf(java.util.stream.IntStream.range(450, 500).boxed().toList());
    for (EventType type : types) {
      assertThat(small.queryByType(type)).isEqualTo(filter(log, e -> e.eventType() == type));
      assertThat(small.typeCounts().get(type.value()))
          .isEqualTo(filter(log, e -> e.eventType() == type).size());
    }
    for (int s = 0; s < 4; s++) {
      String session = "s" + s;
      assertThat(small.queryBySession(session))
          .isEqualTo(filter(log, e -> e.sessionId().orElse("").equals(session)));
    }
    for (int a = 0; a < 6; a++) {
      String agent = "did:mesh:a" + a;
      assertThat(small.queryByAgent(agent))
          .isEqualTo(filter(log, e -> e.agentDid().orElse("").equals(agent)));
    }
    Instant from = log.get(10).timestamp();
    Instant to = log.get(40).timestamp();
    assertThat(small.queryByTimeRange(from, to))
        .isEqualTo(filter(log, e -> !e.timestamp().isBefore(from) && !e.timestamp().isAfter(to)));
    assertThat(small.queryByTimeRange(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z")))
        .isEqualTo(log);
  }

  @Test
  void evictedSessionsDisappearFromTheIndex() {
    HypervisorEventBus small = HypervisorEventBus.builder().maxEvents(2).clock(clock).build();
    small.emit(small.eventBuilder(EventType.SESSION_CREATED).sessionId("old").build());
    small.emit(small.eventBuilder(EventType.SESSION_CREATED).sessionId("new").build());
    small.emit(small.eventBuilder(EventType.SESSION_CREATED).sessionId("new").build());

    assertThat(small.queryBySession("old")).isEmpty();
    assertThat(small.queryBySession("new")).hasSize(2);
    assertThat(small.typeCounts()).containsExactlyEntriesOf(Map.of("session.created", 2L));
  }

  @Test
  void unboundedBusKeepsEverything() {
    HypervisorEventBus unbounded = HypervisorEventBus.builder().unbounded().build();
    for (int i = 0; i < 5_000; i++) {
      unbounded.emit(unbounded.eventBuilder(EventType.VFS_WRITE).build());
    }
    assertThat(unbounded.eventCount()).isEqualTo(5_000);
    assertThat(unbounded.evictedCount()).isZero();
    assertThat(unbounded.maxEvents()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void defaultBusRetainsOneHundredThousandEvents() {
    assertThat(new HypervisorEventBus().maxEvents()).isEqualTo(100_000);
  }

  private static List<HypervisorEvent> filter(
      List<HypervisorEvent> events, java.util.function.Predicate<HypervisorEvent> p) {
    return events.stream().filter(p).toList();
  }
}
