package io.hyperlens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.SqliteStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent requests share commits, yet each learns its own count and only bad batches fail. */
class GroupCommitTest {
  @TempDir Path data;

  private static List<HypervisorEvent> batch(String prefix, int n) {
    List<HypervisorEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(
          HypervisorEvent.builder(EventType.SESSION_JOINED)
              .eventId(prefix + "-" + i)
              .sessionId(prefix)
              .build());
    }
    return events;
  }

  @Test
  void sixteenConcurrentRequestsEachGetTheirOwnCount() throws Exception {
    try (JdbcStore store = SqliteStore.open(data)) {
      GroupCommit commits = new GroupCommit(store, 1_000);
      store.append(batch("r3", 5)); // half of request 3 was stored before (a retry)
      ExecutorService pool = Executors.newFixedThreadPool(16);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> answers = new ArrayList<>();
      for (int r = 0; r < 16; r++) {
        String prefix = "r" + r;
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return commits.append(batch(prefix, 10));
                }));
      }
      go.countDown();
      for (int r = 0; r < 16; r++) {
        assertThat(answers.get(r).get()).as("request %d", r).isEqualTo(r == 3 ? 5 : 10);
      }
      pool.shutdown();
      assertThat(store.count(EventQuery.all())).isEqualTo(160);
    }
  }

  @Test
  void aBadBatchFailsAloneWhenItsGroupIsRefused() {
    try (JdbcStore store = SqliteStore.open(data)) {
      GroupCommit commits = new GroupCommit(store, 1_000);
      List<HypervisorEvent> bad =
          List.of(
              HypervisorEvent.builder(EventType.VFS_WRITE)
                  .eventId("huge")
                  .payload(Map.of("text", "x".repeat(JdbcStore.MAX_PAYLOAD_CHARS + 1)))
                  .build());
      assertThatThrownBy(() -> commits.append(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("huge");
      assertThat(commits.append(batch("after", 3))).isEqualTo(3);
      assertThat(store.count(EventQuery.all())).isEqualTo(3);
    }
  }
}
