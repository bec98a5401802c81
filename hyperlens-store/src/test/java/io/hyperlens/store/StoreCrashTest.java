package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.spi.EventPage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM emits into SQLite through the sink and is killed with SIGKILL mid-run. SYNC: every
 * event whose emit returned is in the store. ASYNC: what is missing is at most the queue bound; the
 * loss is measured and printed.
 */
class StoreCrashTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedEventSurvivesSigkillInSyncMode() throws Exception {
    Set<String> acked = runAndKill(Durability.SYNC, 1000, 4, 3000);
    Set<String> stored = storedIds();
    Set<String> missing = new HashSet<>(acked);
    missing.removeAll(stored);
    assertThat(missing).as("acknowledged but not stored").isEmpty();
    System.out.printf(
        "SYNC: killed after %d acknowledged emits; %d events in the store%n",
        acked.size(), stored.size());
  }

  @Test
  void asyncLosesAtMostTheQueueBound() throws Exception {
    int capacity = 500;
    Set<String> acked = runAndKill(Durability.ASYNC, capacity, 2, 20_000);
    Set<String> stored = storedIds();
    Set<String> lost = new HashSet<>(acked);
    lost.removeAll(stored);
    assertThat(lost.size()).as("lost events").isLessThanOrEqualTo(capacity);
    System.out.printf(
        "ASYNC (queue %d): killed after %d accepted emits; %d stored, %d lost%n",
        capacity, acked.size(), stored.size(), lost.size());
  }

  private Set<String> storedIds() {
    Set<String> ids = new HashSet<>();
    try (SqliteStore store = SqliteStore.open(dir)) {
      String cursor = null;
      do {
        EventPage page = store.page(EventQuery.all(), cursor, 5000);
        page.events().stream().map(HypervisorEvent::eventId).forEach(ids::add);
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
    }
    return ids;
  }

  private Set<String> runAndKill(Durability mode, int capacity, int threads, int atLeast)
      throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrashEmitter.class.getName(),
                dir.toString(),
                mode.name(),
                Integer.toString(capacity),
                Integer.toString(threads))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith("acked ")) {
                    acked.add(line.substring(6));
                  }
                }
              } catch (IOException pipeClosed) {
                // the pipe may close once the child is gone: nothing more was acknowledged
              }
            });
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (acked.size() < atLeast && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(acked.size()).as("the child emitted").isGreaterThanOrEqualTo(atLeast);
    Thread.sleep(ThreadLocalRandom.current().nextInt(1, 30));
    child.destroyForcibly(); // SIGKILL: no close(), no flush, no shutdown hooks
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);
    reader.join(TimeUnit.SECONDS.toMillis(30));
    return acked;
  }
}
