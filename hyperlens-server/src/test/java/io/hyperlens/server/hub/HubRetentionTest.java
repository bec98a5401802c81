package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by age and by count runs in the background when the hub starts, and is counted. */
class HubRetentionTest {
  @TempDir Path data;

  private static List<HypervisorEvent> events(String prefix, Instant at, int n) {
    List<HypervisorEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(
          HypervisorEvent.builder(EventType.SESSION_JOINED)
              .eventId(prefix + i)
              .timestamp(at.plusMillis(i))
              .build());
    }
    return events;
  }

  @Test
  void oldEventsAndThoseBeyondTheBoundAreRemovedAndCounted() throws Exception {
    try (SqliteStore store = SqliteStore.open(data)) {
      store.append(events("old-", Instant.now().minus(Duration.ofDays(3)), 30));
      store.append(events("new-", Instant.now().minus(Duration.ofMinutes(5)), 20));
    }
    try (Hub hub =
        Hub.start(
            HubConfig.defaults(data).withPort(0).withRetention(Duration.ofDays(1), 15),
            SqliteStore.open(data))) {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (hub.store().count(EventQuery.all()) != 15 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      List<HypervisorEvent> kept = hub.store().query(EventQuery.all());
      assertThat(kept).hasSize(15).allMatch(e -> e.eventId().startsWith("new-"));
      assertThat(kept.get(0).eventId()).isEqualTo("new-5"); // the newest 15 of the 20 recent
      String counted = "hyperlens_hub_retention_deleted_total{kind=\"events\"} 35.0";
      String metrics = "";
      while (!metrics.contains(counted) && System.nanoTime() < deadline) {
        metrics = new HubClient(hub.uri(), null).get("/metrics").body();
        Thread.sleep(20);
      }
      assertThat(metrics).contains(counted);
    }
  }
}
