package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditQuery;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.StoredEntry;
import io.hyperlens.audit.TamperKind;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.TestClock;
import io.hyperlens.spi.EventPage;
import io.hyperlens.spi.StoreException;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanDataBuilder;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.hyperlens.trace.TraceContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every store promises, run against each database by a subclass: queries agree with the
 * in-memory bus given the same events, pagination, counts, retention, idempotence, concurrent
 * writers, bad input, spans, audit entries and schema versions.
 */
abstract class StoreContractTest {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  final TestClock clock = new TestClock(T0);
  JdbcStore store;

  /** A store on a new, empty database. */
  abstract JdbcStore openFresh(TestClock clock);

  /** Another store on the database of the last {@link #openFresh}. */
  abstract JdbcStore reopen(TestClock clock);

  /** Runs SQL directly on that database (tampering, schema surgery). */
  abstract void execute(String sql);

  /** Reads one number directly from that database. */
  abstract long queryLong(String sql);

  /** Makes a new, empty database the last one, without opening a store on it. */
  abstract void useEmptyDatabase();

  /** A connection of its own to the last database, in auto-commit mode. */
  abstract Connection connect() throws SQLException;

  /** The SQL of the database under test. */
  abstract Dialect dialect();

  /** The first column of the first row of {@code sql}, on any JDBC connection. */
  static long queryLong(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @BeforeEach
  void open() {
    store = openFresh(clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private HypervisorEventBus busWith(List<HypervisorEvent> events) {
    HypervisorEventBus bus = HypervisorEventBus.builder().unbounded().clock(clock).build();
    events.forEach(bus::emit);
    return bus;
  }

  // ------------------------------------------------------------------ events

  @Test
  void eventsComeBackAsTheyWereAppended() {
    List<HypervisorEvent> events = Events.generate(300, T0, 1);
    assertThat(store.append(events)).isEqualTo(300);
    List<HypervisorEvent> all = store.query(EventQuery.all());
    assertThat(all).containsExactlyElementsOf(events);
    assertThat(all.get(5).toMap()).isEqualTo(events.get(5).toMap());
    assertThat(store.eventCount()).isEqualTo(300);
  }

  @Test
  void textsWithTabsLineBreaksBackslashesAndNullMarkersComeBackExactly() {
    List<HypervisorEvent> events = new ArrayList<>();
    String[] texts = {"a\tb", "line\nbreak\r\n", "back\\slash", "\\N", "\\", "\\t", "N"};
    for (int i = 0; i < texts.length; i++) {
      events.add(
          HypervisorEvent.builder(EventType.RING_ASSIGNED)
              .eventId("ev-" + texts[i] + "-" + i)
              .timestamp(T0.plusSeconds(i))
              .sessionId(texts[i])
              .agentDid(texts[(i + 1) % texts.length])
              .causalTraceId("a1b2c3d4e5f6/" + texts[i])
              .parentEventId(texts[(i + 2) % texts.length])
              .payload(Map.of("text", texts[i], "raw", "\t\\N"))
              .build());
    }
    assertThat(store.append(events)).isEqualTo(texts.length);
    assertThat(store.query(EventQuery.all())).containsExactlyElementsOf(events);
    assertThat(store.queryBySession("\\N")).containsExactly(events.get(3));
    assertThat(store.event("ev-\\N-3")).contains(events.get(3));
  }

  @Test
  void newestFirstPagesWalkEveryMatchOnceAndFilterByCausalTrace() {
    io.hyperlens.trace.CausalTraceId root = io.hyperlens.trace.CausalTraceId.root();
    io.hyperlens.trace.CausalTraceId other = io.hyperlens.trace.CausalTraceId.root();
    List<HypervisorEvent> events = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      events.add(
          HypervisorEvent.builder(EventType.SESSION_JOINED)
              .eventId("e-" + i)
              .timestamp(T0.plusSeconds(i))
              .sessionId(i % 2 == 0 ? "even" : "odd")
              .causalTraceId((i % 3 == 0 ? root : i % 3 == 1 ? root.child() : other).fullId())
              .build());
    }
    store.append(events);
    clock.set(T0.plusSeconds(60));

    List<String> walked = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      io.hyperlens.spi.EventPage page =
          store.pageNewestFirst(EventQuery.builder().sessionId("even").build(), null, cursor, 4);
      page.events().forEach(e -> walked.add(e.eventId()));
      cursor = page.nextCursor().orElse(null);
      pages++;
    } while (cursor != null);
    assertThat(walked)
        .containsExactly(
            "e-24", "e-22", "e-20", "e-18", "e-16", "e-14", "e-12", "e-10", "e-8", "e-6", "e-4",
            "e-2", "e-0");
    assertThat(pages).isEqualTo(4);

    assertThat(
            store.pageNewestFirst(EventQuery.all(), root.traceId(), null, 100).events().stream()
                .map(HypervisorEvent::eventId))
        .hasSize(17)
        .doesNotContain("e-2", "e-5");
    assertThat(store.eventsOfCausalTrace(other.traceId(), 100))
        .extracting(HypervisorEvent::eventId)
        .containsExactly("e-2", "e-5", "e-8", "e-11", "e-14", "e-17", "e-20", "e-23");
    assertThat(store.eventsOfCausalTrace(other.traceId(), 3)).hasSize(3);
    assertThat(store.event("e-7")).contains(events.get(7));
    assertThat(store.event("missing")).isEmpty();
    assertThatThrownBy(() -> store.eventsOfCausalTrace("ABC", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"ABC\"");
    assertThatThrownBy(() -> store.pageNewestFirst(EventQuery.all(), null, "seq:x", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seq:x");
  }

  @Test
  void eventsAreFoundByAPayloadFieldAndAgentsByRecency() {
    for (int i = 0; i < 6; i++) {
      store.append(
          List.of(
              HypervisorEvent.builder(
                      i % 2 == 0 ? EventType.SAGA_CREATED : EventType.SAGA_COMPLETED)
                  .eventId("s-" + i)
                  .timestamp(T0.plusSeconds(i))
                  .agentDid("did:mesh:agent-" + (i % 3))
                  .payload(Map.of("saga_id", "saga-" + (i / 2), "n", i))
                  .build()));
    }
    assertThat(store.eventsByPayload(EventType.SAGA_CREATED, "saga_id", "saga-1", 10))
        .extracting(HypervisorEvent::eventId)
        .containsExactly("s-2");
    assertThat(store.eventsByPayload(EventType.SAGA_COMPLETED, "saga_id", "saga-1", 10))
        .extracting(HypervisorEvent::eventId)
        .containsExactly("s-3");
    assertThat(store.eventsByPayload(EventType.SAGA_CREATED, "saga_id", "nope", 10)).isEmpty();
    assertThatThrownBy(() -> store.eventsByPayload(EventType.SAGA_CREATED, "x') OR 1=1 --", "a", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.recentAgents(10))
        .containsExactly("did:mesh:agent-2", "did:mesh:agent-1", "did:mesh:agent-0");
    assertThat(store.recentAgents(1)).containsExactly("did:mesh:agent-2");
  }

  @Test
  void batchesCommittedTogetherCountTheirOwnNewEvents() {
    List<HypervisorEvent> events = Events.generate(30, T0, 21);
    store.append(events.subList(0, 5));
    int[] inserted =
        store.appendBatches(
            List.of(
                events.subList(0, 10), events.subList(10, 20), events.subList(15, 30), List.of()));
    assertThat(inserted).containsExactly(5, 10, 10, 0);
    assertThat(store.eventCount()).isEqualTo(30);
    List<HypervisorEvent> bad =
        List.of(
            HypervisorEvent.builder(EventType.SESSION_JOINED)
                .eventId("huge")
                .payload(Map.of("text", "x".repeat(JdbcStore.MAX_PAYLOAD_CHARS + 1)))
                .build());
    assertThatThrownBy(() -> store.appendBatches(List.of(Events.generate(3, T0, 22), bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch 1");
    assertThat(store.eventCount()).isEqualTo(30); // nothing of the refused group
  }

  @Test
  void everyQueryShapeAgreesWithTheBus() {
    List<HypervisorEvent> events = Events.generate(800, T0, 2);
    store.append(events);
    HypervisorEventBus bus = busWith(events);
    clock.set(events.get(600).timestamp());
    Random random = new Random(3);
    List<EventQuery> queries = new ArrayList<>();
    queries.add(EventQuery.all());
    for (EventType type : Events.TYPES) {
      queries.add(EventQuery.builder().eventType(type).build());
    }
    for (int i = 0; i < 300; i++) {
      var builder = EventQuery.builder();
      if (random.nextBoolean()) {
        builder.eventType(Events.TYPES[random.nextInt(Events.TYPES.length)]);
      }
      if (random.nextBoolean()) {
        builder.sessionId("session-" + random.nextInt(6));
      }
      if (random.nextBoolean()) {
        builder.agentDid("did:mesh:agent-" + random.nextInt(5));
      }
      if (random.nextInt(3) == 0) {
        Instant start = events.get(random.nextInt(events.size())).timestamp();
        Instant end =
            random.nextBoolean() ? null : start.plusSeconds(random.nextInt(600)).plusNanos(123_000);
        builder.timeRange(start, end);
      }
      if (random.nextBoolean()) {
        builder.limit(1 + random.nextInt(20));
      }
      queries.add(builder.build());
    }
    for (EventQuery query : queries) {
      List<HypervisorEvent> expected = bus.query(query);
      assertThat(store.query(query)).as(query.toString()).containsExactlyElementsOf(expected);
      assertThat(store.count(query)).as(query.toString()).isEqualTo(expected.size());
    }
    assertThat(store.queryBySession("session-1")).isEqualTo(bus.queryBySession("session-1"));
    assertThat(store.queryByAgent("did:mesh:agent-2"))
        .isEqualTo(bus.queryByAgent("did:mesh:agent-2"));
    assertThat(store.queryByType(EventType.RING_ASSIGNED))
        .isEqualTo(bus.queryByType(EventType.RING_ASSIGNED));
    Instant from = events.get(100).timestamp();
    assertThat(store.queryByTimeRange(from, null)).isEqualTo(bus.queryByTimeRange(from));
  }

  @Test
  void typeCountsAgreeWithCountAndTheBus() {
    List<HypervisorEvent> events = Events.generate(500, T0, 4);
    store.append(events);
    Map<String, Long> counts = store.typeCounts();
    assertThat(counts).isEqualTo(busWith(events).typeCounts());
    assertThat(counts.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(store.eventCount());
    for (EventType type : Events.TYPES) {
      assertThat(store.count(EventQuery.builder().eventType(type).build()))
          .isEqualTo(counts.getOrDefault(type.value(), 0L));
    }
    assertThat(store.count(EventQuery.builder().limit(7).build())).isEqualTo(7);
  }

  @Test
  void pagesWalkEveryMatchOnceEvenWhileAppending() {
    List<HypervisorEvent> events = Events.generate(250, T0, 5);
    store.append(events.subList(0, 200));
    EventQuery bySession = EventQuery.builder().sessionId("session-2").build();
    List<HypervisorEvent> walked = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      EventPage page = store.page(bySession, cursor, 7);
      assertThat(page.events().size()).isLessThanOrEqualTo(7);
      walked.addAll(page.events());
      cursor = page.nextCursor().orElse(null);
      if (++pages == 3) {
        store.append(events.subList(200, 250)); // appended mid-walk: shows up on later pages
      }
    } while (cursor != null);
    assertThat(walked).containsExactlyElementsOf(busWith(events).queryBySession("session-2"));
    assertThat(walked.stream().map(HypervisorEvent::eventId).distinct().count())
        .isEqualTo(walked.size());

    EventPage all = store.page(EventQuery.all(), null, 1000);
    assertThat(all.events()).hasSize(250);
    assertThat(all.nextCursor()).isEmpty();
  }

  @Test
  void pagingRefusesALimitABadSizeAndAForeignCursor() {
    assertThatThrownBy(() -> store.page(EventQuery.builder().limit(5).build(), null, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit 5");
    assertThatThrownBy(() -> store.page(EventQuery.all(), null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pageSize must be at least 1, got 0");
    assertThatThrownBy(() -> store.page(EventQuery.all(), "page-2", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cursor")
        .hasMessageContaining("page-2");
  }

  @Test
  void appendingAnIdTwiceStoresItOnce() {
    List<HypervisorEvent> events = Events.generate(120, T0, 6);
    assertThat(store.append(events)).isEqualTo(120);
    assertThat(store.append(events)).isZero();
    List<HypervisorEvent> overlap = new ArrayList<>(events.subList(100, 120));
    overlap.addAll(Events.generate(10, T0.plusSeconds(9999), 7));
    overlap.add(overlap.get(overlap.size() - 1)); // the same event twice in one batch
    assertThat(store.append(overlap)).isEqualTo(10);
    assertThat(store.eventCount()).isEqualTo(130);
    assertThat(store.append(List.of())).isZero();
  }

  @Test
  void retentionByAgeAndByCount() {
    List<HypervisorEvent> events = Events.generate(400, T0, 8);
    store.append(events);
    Instant cutoff = events.get(150).timestamp();
    long older = events.stream().filter(e -> e.timestamp().isBefore(cutoff)).count();
    assertThat(store.deleteOlderThan(cutoff)).isEqualTo(older);
    assertThat(store.query(EventQuery.all()))
        .allSatisfy(e -> assertThat(e.timestamp()).isAfterOrEqualTo(cutoff));
    assertThat(store.retainNewest(100)).isEqualTo(400 - older - 100);
    assertThat(store.query(EventQuery.all())).containsExactlyElementsOf(events.subList(300, 400));
    assertThat(store.retainNewest(1000)).isZero();
    assertThat(store.retainNewest(0)).isEqualTo(100);
    assertThat(store.eventCount()).isZero();
    assertThat(store.typeCounts()).isEmpty();
    assertThatThrownBy(() -> store.retainNewest(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void concurrentWritersLoseNothingAndKeepTheirOrder() throws Exception {
    int threads = 4;
    int perThread = 600;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<HypervisorEvent> mine = Events.generate(perThread, T0, 100 + t);
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i += 50) {
                    store.append(mine.subList(i, i + 50));
                    store.query(EventQuery.builder().limit(10).build()); // readers meanwhile
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<HypervisorEvent> all = store.query(EventQuery.all());
    assertThat(all).hasSize(threads * perThread);
    for (int t = 0; t < threads; t++) {
      String suffix = "-" + (100 + t);
      List<String> mine =
          all.stream()
              .map(HypervisorEvent::eventId)
              .filter(id -> id.endsWith(suffix))
              .collect(Collectors.toList());
      List<String> sorted = new ArrayList<>(mine);
      Collections.sort(sorted);
      assertThat(mine).hasSize(perThread).isEqualTo(sorted);
    }
  }

  @Test
  void anEventThatCannotBeStoredFailsItsWholeBatchByName() {
    List<HypervisorEvent> good = Events.generate(5, T0, 9);
    HypervisorEvent nul =
        HypervisorEvent.builder(EventType.SESSION_CREATED)
            .eventId("bad-nul")
            .sessionId("s\u0000x")
            .build();
    List<HypervisorEvent> batch = new ArrayList<>(good);
    batch.add(nul);
    assertThatThrownBy(() -> store.append(batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad-nul")
        .hasMessageContaining("sessionId")
        .hasMessageContaining("NUL");
    assertThat(store.eventCount()).isZero();

    HypervisorEvent surrogate =
        HypervisorEvent.builder(EventType.SESSION_CREATED)
            .eventId("bad-surrogate")
            .payload(Map.of("text", "broken \uD83D here"))
            .build();
    assertThatThrownBy(() -> store.append(List.of(surrogate)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad-surrogate")
        .hasMessageContaining("payload")
        .hasMessageContaining("surrogate");

    HypervisorEvent huge =
        HypervisorEvent.builder(EventType.SESSION_CREATED)
            .eventId("too-big")
            .payload(Map.of("blob", "x".repeat(JdbcStore.MAX_PAYLOAD_CHARS)))
            .build();
    assertThatThrownBy(() -> store.append(List.of(huge)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too-big")
        .hasMessageContaining("payload is " + (JdbcStore.MAX_PAYLOAD_CHARS + 11));
    assertThatThrownBy(() -> store.append(Collections.singletonList(null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("events[0]");
    assertThat(store.eventCount()).isZero();
  }

  @Test
  void instantsAtTheEdgesOfTimeAreRefusedOrSaturatedAsTheBusDoes() {
    HypervisorEvent far =
        HypervisorEvent.builder(EventType.SESSION_CREATED)
            .eventId("far-future")
            .timestamp(Instant.MAX)
            .build();
    assertThatThrownBy(() -> store.append(List.of(far)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("far-future")
        .hasMessageContaining("timestamp");
    List<HypervisorEvent> events = Events.generate(20, T0, 12);
    store.append(events);
    HypervisorEventBus bus = busWith(events);
    EventQuery everything = EventQuery.builder().timeRange(Instant.MIN, Instant.MAX).build();
    assertThat(store.query(everything)).isEqualTo(bus.query(everything)).hasSize(20);
    // A lower bound 500 ns after an event does not match it, as on the bus.
    Instant justAfter = events.get(3).timestamp().plusNanos(500);
    EventQuery fromJustAfter = EventQuery.builder().timeRange(justAfter, null).build();
    clock.set(events.get(19).timestamp());
    assertThat(store.query(fromJustAfter)).isEqualTo(bus.query(fromJustAfter));
    assertThat(store.deleteOlderThan(justAfter)).isEqualTo(4);
    assertThat(store.deleteOlderThan(Instant.MAX)).isEqualTo(16);
  }

  @Test
  void aClosedStoreSaysSo() {
    store.close();
    assertThatThrownBy(() -> store.append(Events.generate(1, T0, 10)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> store.query(EventQuery.all()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
  }

  // ------------------------------------------------------------------ the sink

  @Test
  void anAsyncSinkWritesEveryEmittedEventBehind() throws Exception {
    HypervisorEventBus bus = HypervisorEventBus.builder().clock(clock).build();
    int threads = 4;
    int perThread = 1000;
    try (PersistentEventSink sink =
        PersistentEventSink.builder(store)
            .queueCapacity(256)
            .batchSize(100)
            .overflow(Overflow.BLOCK, Duration.ofSeconds(30))
            .build()) {
      sink.subscribe(bus);
      runConcurrently(threads, t -> Events.generate(perThread, T0, 200 + t).forEach(bus::emit));
      assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      SinkStats stats = sink.stats();
      assertThat(stats.accepted()).isEqualTo(threads * perThread);
      assertThat(stats.stored()).isEqualTo(threads * perThread);
      assertThat(stats.dropped() + stats.failed() + stats.rejected() + stats.queued()).isZero();
    }
    // Emit order is stored order: the store agrees with the bus that saw the same emits.
    assertThat(store.query(EventQuery.all())).containsExactlyElementsOf(bus.allEvents());
  }

  @Test
  void aSyncSinkAcknowledgesOnlyCommittedEventsAndSharesCommits() throws Exception {
    ObservedStore observed = new ObservedStore(store);
    HypervisorEventBus bus = HypervisorEventBus.builder().clock(clock).build();
    int threads = 8;
    int perThread = 100;
    List<String> notYetCommitted = Collections.synchronizedList(new ArrayList<>());
    try (PersistentEventSink sink =
        PersistentEventSink.builder(observed).durability(Durability.SYNC).build()) {
      sink.subscribe(bus);
      runConcurrently(
          threads,
          t -> {
            for (HypervisorEvent event : Events.generate(perThread, T0, 300 + t)) {
              bus.emit(event);
              if (!observed.committed.contains(event.eventId())) {
                notYetCommitted.add(event.eventId());
              }
            }
          });
      assertThat(sink.stats().stored()).isEqualTo(threads * perThread);
    }
    assertThat(notYetCommitted).isEmpty();
    assertThat(store.eventCount()).isEqualTo(threads * perThread);
    // Group commit: concurrent emitters shared transactions.
    assertThat(observed.appendCalls.get()).isLessThan(threads * perThread);
    System.out.printf(
        "%s: %d SYNC events from %d threads in %d commits%n",
        store, threads * perThread, threads, observed.appendCalls.get());
  }

  interface ThreadBody {
    void run(int thread) throws Exception;
  }

  static void runConcurrently(int threads, ThreadBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  body.run(thread);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ schema

  @Test
  void reopeningKeepsTheDataAndTheSchemaVersion() {
    store.append(Events.generate(10, T0, 11));
    store.close();
    store = reopen(clock);
    assertThat(store.eventCount()).isEqualTo(10);
    // Versions 1 to 5 were applied once, when the database was new, and not again on reopening.
    assertThat(queryLong("SELECT COUNT(*) FROM hyperlens_schema")).isEqualTo(5);
    assertThat(queryLong("SELECT MAX(version) FROM hyperlens_schema"))
        .isEqualTo(store.schemaVersion())
        .isEqualTo(5);
  }

  @Test
  void aVersionOneDatabaseIsMigratedToTheLatestKeepingItsEventsSpansAndAudit() throws Exception {
    migratesKeepingEverything(1);
  }

  @Test
  void aVersionFourDatabaseIsMigratedToTheLatestKeepingItsEventsSpansAndAudit() throws Exception {
    migratesKeepingEverything(4);
  }

  /**
   * Builds a database of schema {@code version} with that version's own scripts, fills it with raw
   * SQL as that version wrote it, opens it with this version and reads everything back.
   */
  private void migratesKeepingEverything(int version) throws Exception {
    List<HypervisorEvent> events = new ArrayList<>(Events.generate(200, T0, 21));
    events.add(
        HypervisorEvent.builder(EventType.SESSION_CREATED)
            .eventId("odd-trace")
            .timestamp(T0.plusSeconds(5000))
            .sessionId("session-x")
            .causalTraceId("a1b2c3d4e5f6-not-a-slash")
            .build());
    SpanData oldSpan =
        span(
            "000000000000000000000000000000a1",
            "00000000000000b1",
            null,
            "old",
            0,
            10,
            SpanStatus.OK,
            Map.of("k", "v"));
    List<String> auditLines = auditLines();

    useEmptyDatabase();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(dialect().createSchemaTable());
      for (Dialect.Migration migration : dialect().migrations().subList(0, version)) {
        for (String sql : migration.statements()) {
          statement.execute(sql);
        }
        statement.execute(
            "INSERT INTO hyperlens_schema (version, description, applied_at) VALUES ("
                + migration.version()
                + ", 'old', '2026-01-01T00:00:00Z')");
      }
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO events (event_id, event_type, ts_micros, session_id, agent_did,"
                  + " causal_trace_id, parent_event_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (HypervisorEvent event : events) {
          insert.setString(1, event.eventId());
          insert.setString(2, event.eventType().value());
          insert.setLong(3, HypervisorEvent.toEpochMicros(event.timestamp()));
          insert.setString(4, event.sessionId().orElse(null));
          insert.setString(5, event.agentDid().orElse(null));
          insert.setString(6, event.causalTraceId().orElse(null));
          insert.setString(7, event.parentEventId().orElse(null));
          insert.setString(8, StoredJson.write(event.payload()));
          insert.executeUpdate();
        }
      }
      // the newest events were deleted by retention: their sequence numbers are never reused
      statement.execute("DELETE FROM events WHERE event_id = 'odd-trace'");
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO spans (trace_id, span_id, parent_span_id, name, start_nanos,"
                  + " end_nanos, status, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, oldSpan.traceId());
        insert.setString(2, oldSpan.spanId());
        insert.setString(3, null);
        insert.setString(4, oldSpan.name());
        insert.setLong(5, oldSpan.startEpochNanos());
        insert.setLong(6, oldSpan.endEpochNanos());
        insert.setString(7, oldSpan.status().name());
        insert.setString(8, StoredJson.spanDetails(oldSpan));
        insert.executeUpdate();
      }
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO audit_entries (kind, sequence, ts_millis, agent_id, action, decision,"
                  + " line) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (String line : auditLines) {
          Object entry = io.hyperlens.audit.AuditJson.parseLine(line);
          boolean record = entry instanceof AuditRecord;
          insert.setString(1, record ? "record" : "checkpoint");
          insert.setLong(
              2,
              record
                  ? ((AuditRecord) entry).sequence()
                  : ((io.hyperlens.audit.Checkpoint) entry).sequence());
          insert.setLong(3, 0);
          insert.setString(4, record ? ((AuditRecord) entry).agentId() : null);
          insert.setString(5, record ? ((AuditRecord) entry).action() : null);
          insert.setString(6, record ? ((AuditRecord) entry).decision().value() : null);
          insert.setString(7, line);
          insert.executeUpdate();
        }
      }
    }
    events.remove(events.size() - 1);
    store.close();
    store = reopen(clock);

    assertThat(queryLong("SELECT MAX(version) FROM hyperlens_schema")).isEqualTo(5);
    HypervisorEventBus bus = busWith(events);
    assertThat(store.query(EventQuery.all())).containsExactlyElementsOf(events);
    assertThat(store.query(EventQuery.all()).get(7).toMap()).isEqualTo(events.get(7).toMap());
    assertThat(store.eventCount()).isEqualTo(200);
    assertThat(store.queryBySession("session-3")).isEqualTo(bus.queryBySession("session-3"));
    assertThat(store.queryByAgent("did:mesh:agent-2"))
        .isEqualTo(bus.queryByAgent("did:mesh:agent-2"));
    assertThat(store.queryByType(EventType.RING_ASSIGNED))
        .isEqualTo(bus.queryByType(EventType.RING_ASSIGNED));
    EventQuery combined =
        EventQuery.builder()
            .eventType(EventType.SAGA_STEP_FAILED)
            .sessionId("session-1")
            .agentDid("did:mesh:agent-0")
            .build();
    assertThat(store.query(combined)).isEqualTo(bus.query(combined));
    assertThat(store.count(combined)).isEqualTo(bus.query(combined).size());
    assertThat(store.typeCounts()).isEqualTo(bus.typeCounts());
    assertThat(store.event("ev-000042-21")).contains(events.get(42));
    assertThat(store.eventsOfCausalTrace("a1b2c3d4e5f6", 500))
        .isEqualTo(
            events.stream()
                .filter(e -> e.causalTraceId().orElse("").startsWith("a1b2c3d4e5f6/"))
                .collect(Collectors.toList()));
    java.util.LinkedHashSet<String> newestFirst = new java.util.LinkedHashSet<>();
    for (int i = events.size() - 1; i >= 0; i--) {
      events.get(i).agentDid().ifPresent(newestFirst::add);
    }
    assertThat(store.recentAgents(10)).containsExactlyElementsOf(newestFirst).hasSize(4);
    assertThat(store.trace(oldSpan.traceId()).stream().map(SpanData::toMap))
        .containsExactly(oldSpan.toMap());
    try (Stream<StoredEntry> entries = store.entries()) {
      assertThat(entries.map(StoredJsonLines::line).toList()).isEqualTo(auditLines);
    }

    // New events continue after the old ones (and after the deleted newest), old ids stay unique.
    HypervisorEvent next =
        HypervisorEvent.builder(EventType.SESSION_CREATED)
            .eventId("after-migration")
            .timestamp(T0.plusSeconds(9000))
            .sessionId("session-3")
            .agentDid("did:mesh:agent-new")
            .causalTraceId("a1b2c3d4e5f6/99")
            .build();
    assertThat(store.append(List.of(events.get(0), next))).isEqualTo(1);
    EventPage page = store.page(EventQuery.builder().sessionId("session-3").build(), null, 1000);
    assertThat(page.events()).endsWith(next);
    assertThat(queryLong("SELECT MAX(seq) FROM events")).isGreaterThan(201);
    assertThat(store.recentAgents(1)).containsExactly("did:mesh:agent-new");
  }

  /** The lines of a signed audit chain with checkpoints, as a store keeps them. */
  private List<String> auditLines() {
    AuditSigner signer = AuditSigner.generate();
    try (AuditLog log =
        AuditLog.builder().store(store).signer(signer).checkpointEvery(10).clock(clock).build()) {
      for (int i = 0; i < 25; i++) {
        log.append(
            io.hyperlens.audit.AuditEntry.builder()
                .agentId("agent-" + i % 3)
                .action("read_file")
                .decision(i % 4 == 0 ? Decision.DENY : Decision.ALLOW)
                .build());
      }
    }
    store = reopen(clock); // the log closed it
    try (Stream<StoredEntry> entries = store.entries()) {
      return entries.map(StoredJsonLines::line).toList();
    }
  }

  /** An audit entry as the line it was stored as. */
  private static final class StoredJsonLines {
    static String line(StoredEntry entry) {
      if (entry instanceof StoredEntry.StoredRecord) {
        return io.hyperlens.audit.AuditJson.toLine(((StoredEntry.StoredRecord) entry).record());
      }
      return io.hyperlens.audit.AuditJson.toLine(
          ((StoredEntry.StoredCheckpoint) entry).checkpoint());
    }
  }

  // ------------------------------------------------------------------ alert state

  @Test
  void alertStateIsUpsertedByDedupKeyAndOnlyTheNewestResolvedAreKept() {
    store.saveAlertState("k1", "violation", "firing", T0, "{\"v\":1}", 2);
    store.saveAlertState("k1", "violation", "firing", T0.plusSeconds(1), "{\"v\":2}", 2);
    store.saveAlertState("k2", "violation", "pending", T0.plusSeconds(2), "{\"v\":3}", 2);
    assertThat(store.alertStates()).containsExactly("{\"v\":2}", "{\"v\":3}");

    store.saveAlertState("k3", "r", "resolved", T0.plusSeconds(3), "r3", 2);
    store.saveAlertState("k4", "r", "resolved", T0.plusSeconds(4), "r4", 2);
    store.saveAlertState("k1", "violation", "resolved", T0.plusSeconds(5), "r1", 2);
    store.deleteAlertState("k2");

    // the oldest resolved (k3) is pruned; deleted k2 is gone
    assertThat(store.alertStates()).containsExactly("r4", "r1");
    store.close();
    store = reopen(clock);
    assertThat(store.alertStates()).containsExactly("r4", "r1");
  }

  private static SpanData span(
      String trace,
      String id,
      String parent,
      String service,
      long startMs,
      long endMs,
      SpanStatus status,
      Map<String, ?> attributes) {
    SpanDataBuilder builder =
        SpanData.builder(
                "0".repeat(32 - trace.length()) + trace,
                "0".repeat(16 - id.length()) + id,
                "op-" + id)
            .serviceName(service)
            .times(
                T0.toEpochMilli() * 1_000_000L + startMs * 1_000_000L,
                T0.toEpochMilli() * 1_000_000L + endMs * 1_000_000L)
            .status(status, status == SpanStatus.ERROR ? "boom" : null)
            .attributes(attributes);
    if (parent != null) {
      builder.parent("0".repeat(16 - parent.length()) + parent, false);
    }
    return builder.build();
  }

  @Test
  void traceSearchWalksAttributesServicesStatusDurationAndPages() {
    store.appendSpans(
        List.of(
            span(
                "a1",
                "1",
                null,
                "planner",
                0,
                100,
                SpanStatus.OK,
                Map.of("agent.did", "did:mesh:x", "session.id", "s1")),
            span(
                "a1",
                "2",
                "1",
                "tools",
                10,
                50,
                SpanStatus.ERROR,
                Map.of("tool", "search", "attempt", 2)),
            span(
                "a2",
                "3",
                null,
                "planner",
                200,
                210,
                SpanStatus.OK,
                Map.of("agent.id", "did:mesh:y", "tool", "search")),
            span("a3", "4", null, "writer", 300, 1300, SpanStatus.OK, Map.of("session.id", "s2"))));
    // the same spans again (a retry) change nothing
    store.appendSpans(
        List.of(
            span(
                "a1",
                "2",
                "1",
                "tools",
                10,
                50,
                SpanStatus.ERROR,
                Map.of("tool", "search", "attempt", 2))));

    java.util.function.Function<TraceSearch, List<String>> ids =
        search ->
            store.searchTraces(search).traces().stream()
                .map(h -> h.traceId().replaceFirst("^0+", ""))
                .toList();
    assertThat(ids.apply(TraceSearch.all(10))).containsExactly("a3", "a2", "a1");
    TraceHit first = store.searchTraces(TraceSearch.all(10)).traces().get(2);
    assertThat(first.spanCount()).isEqualTo(2);
    assertThat(first.errorCount()).isEqualTo(1);
    assertThat(first.durationMs()).isEqualTo(100.0);
    assertThat(
            ids.apply(
                new TraceSearch(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("tool", "search"),
                    10,
                    null)))
        .containsExactly("a2", "a1");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("tool", "search", "attempt", "2"),
                    10,
                    null)))
        .containsExactly("a1");
    assertThat(
            ids.apply(
                new TraceSearch(
                    "tools", null, null, null, null, null, null, null, Map.of(), 10, null)))
        .containsExactly("a1");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null, "did:mesh:y", null, null, null, null, null, null, Map.of(), 10, null)))
        .containsExactly("a2");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null, "did:mesh:x", null, null, null, null, null, null, Map.of(), 10, null)))
        .containsExactly("a1");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null, null, "s2", null, null, null, null, null, Map.of(), 10, null)))
        .containsExactly("a3");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null, null, null, true, null, null, null, null, Map.of(), 10, null)))
        .containsExactly("a1");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null, null, null, false, null, null, null, null, Map.of(), 10, null)))
        .containsExactly("a3", "a2");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null, null, null, null, 50.0, 500.0, null, null, Map.of(), 10, null)))
        .containsExactly("a1");
    assertThat(
            ids.apply(
                new TraceSearch(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    T0.plusMillis(150),
                    T0.plusMillis(250),
                    Map.of(),
                    10,
                    null)))
        .containsExactly("a2");

    TraceHit.Page page = store.searchTraces(TraceSearch.all(2));
    assertThat(page.traces()).hasSize(2);
    TraceHit.Page rest =
        store.searchTraces(
            new TraceSearch(
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Map.of(),
                2,
                page.nextCursor().orElseThrow()));
    assertThat(rest.traces())
        .extracting(TraceHit::traceId)
        .containsExactly("000000000000000000000000000000a1");
    assertThat(rest.nextCursor()).isEmpty();
    assertThatThrownBy(
            () ->
                store.searchTraces(
                    new TraceSearch(
                        null, null, null, null, null, null, null, null, Map.of(), 2, "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"x\"");
  }

  @Test
  void aStoreWrittenByANewerVersionIsRefused() {
    execute(
        "INSERT INTO hyperlens_schema (version, description, applied_at)"
            + " VALUES (99, 'from the future', '2030-01-01T00:00:00Z')");
    store.close();
    assertThatThrownBy(() -> store = reopen(clock))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("newer Hyperlens (schema version 99)")
        .hasMessageContaining("reads up to schema version 5");
    store = openFresh(clock); // for the close after the test
  }

  // ------------------------------------------------------------------ spans

  @Test
  void spansAnswerAsTheTracerDoes() {
    List<SpanData> exported = Collections.synchronizedList(new ArrayList<>());
    List<String> traceIds = new ArrayList<>();
    try (DistributedTracer tracer =
        DistributedTracer.builder().serviceName("agents").exporter(exported::addAll).build()) {
      for (int t = 0; t < 5; t++) {
        TraceContext trace = tracer.startTrace();
        traceIds.add(trace.traceId());
        Span root = tracer.startSpan("agent.run", SpanKind.SERVER, Map.of("agent", "a" + t));
        Span tool = tracer.startSpan("tool.call", SpanKind.CLIENT, Map.of("n", t, "ok", true));
        tool.addEvent("retry", Map.of("attempt", 2));
        tracer.finishSpan(tool, t == 3 ? SpanStatus.ERROR : SpanStatus.OK, "boom");
        tracer.finishSpan(root);
        tracer.endTrace();
      }
      tracer.forceFlush(Duration.ofSeconds(10));
      assertThat(store.appendSpans(exported)).isEqualTo(10);
      assertThat(store.appendSpans(exported)).isZero();
      for (String traceId : traceIds) {
        assertThat(store.trace(traceId).stream().map(SpanData::toMap))
            .containsExactlyElementsOf(
                tracer.getTraceSpans(traceId).stream().map(SpanData::toMap).toList());
        assertThat(store.traceSummary(traceId)).isEqualTo(tracer.getTraceSummary(traceId));
      }
      SpanData tool = tracer.getTraceSpans(traceIds.get(3)).get(1);
      SpanData back = store.span(tool.spanId()).orElseThrow();
      assertThat(back.toMap()).isEqualTo(tool.toMap());
      assertThat(back.serviceName()).isEqualTo("agents");
      assertThat(back.kind()).isEqualTo(SpanKind.CLIENT);
      assertThat(back.statusMessage()).contains("boom");
      assertThat(back.parentSpanId()).isEqualTo(tool.parentSpanId());
      assertThat(back.traceFlags()).isEqualTo(tool.traceFlags());
      List<String> latestEnding =
          traceIds.stream()
              .sorted(
                  java.util.Comparator.comparingLong(
                          (String id) ->
                              exported.stream()
                                  .filter(span -> span.traceId().equals(id))
                                  .mapToLong(SpanData::endEpochNanos)
                                  .max()
                                  .orElseThrow())
                      .reversed())
              .toList();
      assertThat(store.recentTraces(3).stream().map(s -> s.traceId()))
          .containsExactlyElementsOf(latestEnding.subList(0, 3));
      assertThat(store.span("0000000000000001")).isEmpty();
      assertThat(store.traceSummary("00000000000000000000000000000001")).isEmpty();

      long lastEnd = exported.stream().mapToLong(SpanData::endEpochNanos).max().orElseThrow();
      assertThat(store.deleteSpansOlderThan(Instant.ofEpochSecond(0, lastEnd))).isEqualTo(9);
      assertThat(store.recentTraces(10)).hasSize(1);
    }
  }

  // ------------------------------------------------------------------ audit

  @Test
  void anAuditLogKeepsItsChainInTheDatabase() {
    AuditSigner signer = AuditSigner.generate();
    TrustAnchor keys = TrustAnchor.key(signer.publicKey());
    try (AuditLog log =
        AuditLog.builder().store(store).signer(signer).checkpointEvery(100).clock(clock).build()) {
      for (int i = 0; i < 250; i++) {
        clock.advance(Duration.ofSeconds(30));
        log.append(
            io.hyperlens.audit.AuditEntry.builder()
                .agentId("agent-" + i % 3)
                .action(i % 5 == 0 ? "shell_exec" : "read_file")
                .decision(i % 4 == 0 ? Decision.DENY : Decision.ALLOW)
                .resource("/srv/" + i)
                .build());
      }
      assertThat(log.verify().ok()).isTrue();
      AuditQuery denies =
          AuditQuery.builder().decision(Decision.DENY).agentId("agent-1").limit(5).build();
      List<AuditRecord> scanned = scan(denies);
      assertThat(log.query(denies)).isEqualTo(scanned).hasSize(5);
      AuditQuery window =
          AuditQuery.builder()
              .action("shell_exec")
              .from(T0.plusSeconds(3000).plusMillis(1))
              .to(T0.plusSeconds(6000))
              .build();
      assertThat(log.query(window)).isEqualTo(scan(window)).isNotEmpty();
    }
    // The log closed the store; another store on the same database continues the chain.
    store = reopen(clock);
    try (AuditLog log = AuditLog.builder().store(store).signer(signer).clock(clock).build()) {
      AuditRecord next =
          log.append(
              io.hyperlens.audit.AuditEntry.builder()
                  .agentId("agent-9")
                  .action("read_file")
                  .decision(Decision.ALLOW)
                  .build());
      assertThat(next.sequence()).isEqualTo(251);
    }
    store = reopen(clock);
    assertThat(AuditVerifier.verify(store, keys).ok()).isTrue();
    assertThat(store.recordsAfter(240))
        .extracting(AuditRecord::sequence)
        .containsExactly(241L, 242L, 243L, 244L, 245L, 246L, 247L, 248L, 249L, 250L, 251L);
    assertThat(store.recordsAfter(251)).isEmpty();
    assertThat(store.recordsAfter(0)).hasSize(251);

    execute(
        "UPDATE audit_entries SET line = REPLACE(line, '\"deny\"', '\"allow\"')"
            + " WHERE kind = 'record' AND sequence = 201");
    VerificationReport report = AuditVerifier.verify(store, keys);
    assertThat(report.ok()).isFalse();
    assertThat(report.failure().orElseThrow().kind()).isEqualTo(TamperKind.MODIFIED);
    assertThat(report.failure().orElseThrow().sequence()).isEqualTo(201);

    execute("DELETE FROM audit_entries WHERE kind = 'record' AND sequence = 120");
    assertThat(AuditVerifier.verify(store, keys).failure().orElseThrow().kind())
        .isEqualTo(TamperKind.DELETED);
  }

  private List<AuditRecord> scan(AuditQuery query) {
    List<AuditRecord> matches;
    try (Stream<StoredEntry> entries = store.entries()) {
      matches =
          entries
              .filter(e -> e instanceof StoredEntry.StoredRecord)
              .map(e -> ((StoredEntry.StoredRecord) e).record())
              .filter(query::matches)
              .collect(Collectors.toList());
    }
    int limit = query.limit();
    return limit > 0 && matches.size() > limit
        ? matches.subList(matches.size() - limit, matches.size())
        : matches;
  }

  @Test
  void auditEntriesStreamInOrderAcrossPages() {
    AuditSigner signer = AuditSigner.generate();
    try (AuditLog log =
        AuditLog.builder().store(store).signer(signer).checkpointEvery(1000).clock(clock).build()) {
      for (int i = 0; i < 2100; i++) {
        log.append(
            io.hyperlens.audit.AuditEntry.builder()
                .agentId("a")
                .action("act")
                .decision(Decision.AUDIT)
                .build());
      }
    }
    store = reopen(clock);
    Set<Long> sequences = new HashSet<>();
    long checkpoints;
    try (Stream<StoredEntry> entries = store.entries()) {
      List<StoredEntry> all = entries.toList();
      checkpoints = all.stream().filter(e -> e instanceof StoredEntry.StoredCheckpoint).count();
      all.stream()
          .filter(e -> e instanceof StoredEntry.StoredRecord)
          .forEach(e -> sequences.add(((StoredEntry.StoredRecord) e).record().sequence()));
      for (int i = 1; i < all.size(); i++) {
        assertThat(all.get(i).position()).isGreaterThan(all.get(i - 1).position());
      }
    }
    assertThat(sequences).hasSize(2100);
    assertThat(checkpoints).isEqualTo(4); // opening, 1000, 2000, close
    assertThat(store.lastRecord().orElseThrow().sequence()).isEqualTo(2100);
    assertThat(store.lastCheckpoint().orElseThrow().sequence()).isEqualTo(2100);
  }
}
