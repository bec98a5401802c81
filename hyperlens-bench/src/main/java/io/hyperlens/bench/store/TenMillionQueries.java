package io.hyperlens.bench.store;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Query latency over 10,000,000 events in one SQLite file: {@code queryBySession} (all events of
 * one session) and combined queries with limit 10, each run 1,000 times on random keys after 200
 * warm-up runs; prints p50, p99 and max. The store is filled once through {@code append} in batches
 * of 10,000 and reused by later runs when the directory is given.
 *
 * <pre>
 * java -cp hyperlens-bench/target/benchmarks.jar io.hyperlens.bench.store.TenMillionQueries \
 *     [directory] [events] [sessions]
 * </pre>
 */
public final class TenMillionQueries {
  private static final int AGENTS = 500;

  private TenMillionQueries() {}

  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("hyperlens-10m");
    long events = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    try (SqliteStore store = SqliteStore.open(dir)) {
      long have = store.eventCount();
      if (have < events) {
        long t0 = System.nanoTime();
        List<HypervisorEvent> batch = new ArrayList<>(10_000);
        for (long i = have; i < events; i++) {
          batch.add(BenchEvents.event(i, sessions, AGENTS, start, "e"));
          if (batch.size() == 10_000 || i == events - 1) {
            store.append(batch);
            batch.clear();
          }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            "filled %,d events in %.0f s (%,.0f events/s)%n",
            events - have, seconds, (events - have) / seconds);
      }
      long bytes;
      try (Stream<Path> files = Files.list(dir)) {
        bytes = files.mapToLong(p -> p.toFile().length()).sum();
      }
      System.out.printf(
          "%,d events, %,d sessions (%d events each), %,d agents; %,d bytes on disk (%d per"
              + " event)%n",
          events, sessions, events / sessions, AGENTS, bytes, bytes / events);

      measure(
          "queryBySession(session)",
          key -> store.queryBySession("session-" + key % sessions).size());
      measure(
          "type + session + agent, limit 10",
          key -> {
            long i = key % events;
            return store
                .query(
                    EventQuery.builder()
                        .eventType(BenchEvents.TYPES[key % BenchEvents.TYPES.length])
                        .sessionId("session-" + i % sessions)
                        .agentDid("did:mesh:agent-" + i % AGENTS)
                        .limit(10)
                        .build())
                .size();
          });
      measure(
          "type + agent + last hour, limit 10",
          key -> {
            Instant end = start.plusMillis(events - 1);
            return store
                .query(
                    EventQuery.builder()
                        .eventType(EventType.RING_BREACH_DETECTED)
                        .agentDid("did:mesh:agent-" + key % AGENTS)
                        .timeRange(end.minusSeconds(3600), end)
                        .limit(10)
                        .build())
                .size();
          });
      measure(
          "session + time range, limit 10",
          key -> {
            long i = key % events;
            return store
                .query(
                    EventQuery.builder()
                        .sessionId("session-" + i % sessions)
                        .timeRange(start, start.plusMillis(i))
                        .limit(10)
                        .build())
                .size();
          });
    }
  }

  private static void measure(String what, IntFunction<Integer> query) {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200; i++) {
      query.apply(random.nextInt(Integer.MAX_VALUE));
    }
    long[] nanos = new long[1000];
    long rows = 0;
    for (int i = 0; i < nanos.length; i++) {
      int key = random.nextInt(Integer.MAX_VALUE);
      long t0 = System.nanoTime();
      rows += query.apply(key);
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "  %-36s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%.1f rows per query)%n",
        what,
        nanos[500] / 1e6,
        nanos[990] / 1e6,
        nanos[nanos.length - 1] / 1e6,
        rows / (double) nanos.length);
  }
}
