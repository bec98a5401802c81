package io.hyperlens.bench.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.store.Durability;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.Overflow;
import io.hyperlens.store.PersistentEventSink;
import io.hyperlens.store.PostgresStore;
import io.hyperlens.store.SqliteStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;

/**
 * Events per second into SQLite and PostgreSQL: a bare JDBC batch insert of the same rows (the
 * floor: the user's own loop into a table of text columns with an index per query, as the store's
 * schema was up to version 4, Jackson for the payload, 500 rows per executeBatch and commit), then
 * through {@link PersistentEventSink} in ASYNC mode (one emitting thread) and SYNC mode (1 and 8
 * emitting threads), and bytes on disk per event. Each figure is the median of three runs on a
 * fresh database.
 *
 * <pre>
 * java -cp hyperlens-bench/target/benchmarks.jar io.hyperlens.bench.store.StoreThroughput \
 *     [events] [sqlite|postgresql]
 * </pre>
 */
public final class StoreThroughput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 500;
  private static final AtomicInteger RUNS = new AtomicInteger();

  private StoreThroughput() {}

  interface Target {
    JdbcStore fresh() throws Exception;

    Connection rawConnectionToLast() throws Exception;

    long eventBytesOfLast(long events) throws Exception;

    /** The type of an ever-increasing row number. */
    String sequenceType();
  }

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path root = Files.createTempDirectory("hyperlens-store-bench");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Target[] targets = {sqlite(root), postgres(postgres)};
      String[] names = {"SQLite", "PostgreSQL"};
      String only = args.length > 1 ? args[1] : "";
      for (int t = 0; t < targets.length; t++) {
        if (!names[t].toLowerCase(java.util.Locale.ROOT).startsWith(only)) {
          continue;
        }
        Target target = targets[t];
        System.out.printf("%n== %s ==%n", names[t]);
        report("bare JDBC batch insert (floor)", median(() -> bare(target, events)), events);
        report(
            "sink ASYNC, 1 emitter",
            median(() -> sink(target, Durability.ASYNC, events, 1)),
            events);
        report(
            "sink SYNC, 1 emitter",
            median(() -> sink(target, Durability.SYNC, events / 20, 1)),
            events / 20);
        report(
            "sink SYNC, 8 emitters",
            median(() -> sink(target, Durability.SYNC, events / 2, 8)),
            events / 2);
        sink(target, Durability.ASYNC, events, 1);
        System.out.printf(
            "  bytes on disk per event: %d%n", target.eventBytesOfLast(events) / events);
      }
    }
  }

  interface Run {
    long nanos() throws Exception;
  }

  private static long median(Run run) throws Exception {
    long[] nanos = new long[3];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = run.nanos();
    }
    Arrays.sort(nanos);
    return nanos[1];
  }

  private static void report(String what, long nanos, int events) {
    System.out.printf(
        "  %-34s %,10.0f events/s  (%,d events in %,.0f ms)%n",
        what, events / (nanos / 1e9), events, nanos / 1e6);
  }

  /**
   * The floor's table: what a user would write for these events with bare JDBC, text columns and an
   * index per query (the store's own schema up to version 4).
   */
  private static final String[] BARE_SCHEMA = {
    "CREATE TABLE events (seq {id}, event_id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL,"
        + " ts_micros BIGINT NOT NULL, session_id TEXT, agent_did TEXT, causal_trace_id TEXT,"
        + " parent_event_id TEXT, payload TEXT NOT NULL)",
    "CREATE INDEX events_by_type ON events (event_type, seq)",
    "CREATE INDEX events_by_session ON events (session_id, seq)",
    "CREATE INDEX events_by_agent ON events (agent_did, seq)",
    "CREATE INDEX events_by_time ON events (ts_micros)",
    "CREATE INDEX events_by_causal_trace ON events (causal_trace_id, seq)"
  };

  private static long bare(Target target, int n) throws Exception {
    target.fresh().close(); // a fresh database, the same settings as the store's
    List<HypervisorEvent> events = BenchEvents.events(n, 1000, 50, "b" + RUNS.incrementAndGet());
    try (Connection connection = target.rawConnectionToLast()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE events");
        for (String sql : BARE_SCHEMA) {
          statement.execute(sql.replace("{id}", target.sequenceType()));
        }
      }
      connection.setAutoCommit(false);
      long start = System.nanoTime();
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO events (event_id, event_type, ts_micros, session_id, agent_did,"
                  + " causal_trace_id, parent_event_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < n; i++) {
          HypervisorEvent e = events.get(i);
          insert.setString(1, e.eventId());
          insert.setString(2, e.eventType().value());
          insert.setLong(
              3, e.timestamp().getEpochSecond() * 1_000_000L + e.timestamp().getNano() / 1000);
          insert.setString(4, e.sessionId().orElse(null));
          insert.setString(5, e.agentDid().orElse(null));
          insert.setString(6, e.causalTraceId().orElse(null));
          insert.setString(7, e.parentEventId().orElse(null));
          insert.setString(8, JSON.writeValueAsString(e.payload()));
          insert.addBatch();
          if ((i + 1) % BATCH == 0 || i == n - 1) {
            insert.executeBatch();
            connection.commit();
          }
        }
      }
      return System.nanoTime() - start;
    }
  }

  private static long sink(Target target, Durability mode, int n, int threads) throws Exception {
    List<HypervisorEvent> events = BenchEvents.events(n, 1000, 50, "s" + RUNS.incrementAndGet());
    HypervisorEventBus bus = HypervisorEventBus.builder().maxEvents(1).build();
    try (JdbcStore store = target.fresh();
        PersistentEventSink sink =
            PersistentEventSink.builder(store)
                .durability(mode)
                .queueCapacity(10_000)
                .batchSize(BATCH)
                .overflow(Overflow.BLOCK, Duration.ofMinutes(1))
                .build()) {
      sink.subscribe(bus);
      long start = System.nanoTime();
      List<Thread> emitters = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        Thread thread =
            new Thread(
                () -> {
                  for (int i = first; i < n; i += threads) {
                    bus.emit(events.get(i));
                  }
                });
        thread.start();
        emitters.add(thread);
      }
      for (Thread thread : emitters) {
        thread.join();
      }
      if (!sink.flush(Duration.ofMinutes(10))) {
        throw new IllegalStateException("the sink did not drain");
      }
      long nanos = System.nanoTime() - start;
      if (sink.stats().stored() != n) {
        throw new IllegalStateException("stored " + sink.stats() + " of " + n);
      }
      return nanos;
    }
  }

  private static Target sqlite(Path root) {
    return new Target() {
      private Path dir;

      @Override
      public JdbcStore fresh() {
        dir = root.resolve("sqlite-" + RUNS.incrementAndGet());
        return SqliteStore.open(dir, Clock.systemUTC());
      }

      @Override
      public String sequenceType() {
        return "INTEGER PRIMARY KEY AUTOINCREMENT";
      }

      @Override
      public Connection rawConnectionToLast() throws Exception {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setCacheSize(-32 * 1024); // as the store's connections
        return DriverManager.getConnection(
            "jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME), config.toProperties());
      }

      @Override
      public long eventBytesOfLast(long events) throws Exception {
        try (Connection connection = rawConnectionToLast();
            Statement statement = connection.createStatement()) {
          statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        try (Stream<Path> files = Files.list(dir)) {
          return files.mapToLong(p -> p.toFile().length()).sum();
        }
      }
    };
  }

  private static Target postgres(EmbeddedPostgres postgres) {
    return new Target() {
      private DataSource last;

      @Override
      public JdbcStore fresh() throws Exception {
        String name = "bench_" + RUNS.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
            Statement statement = connection.createStatement()) {
          statement.execute("CREATE DATABASE " + name);
        }
        last = postgres.getDatabase("postgres", name);
        return PostgresStore.open(last, Clock.systemUTC());
      }

      @Override
      public String sequenceType() {
        return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
      }

      @Override
      public Connection rawConnectionToLast() throws Exception {
        return last.getConnection();
      }

      @Override
      public long eventBytesOfLast(long events) throws Exception {
        try (Connection connection = last.getConnection();
            Statement statement = connection.createStatement();
            ResultSet rs = statement.executeQuery("SELECT pg_total_relation_size('events')")) {
          rs.next();
          return rs.getLong(1);
        }
      }
    };
  }
}
