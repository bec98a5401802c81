package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventNotAcknowledgedException;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.spi.StoreException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real PostgreSQL stops under a running sink and comes back: SYNC emitters are told at once,
 * ASYNC batches are retried and land once the database is back, and the store reconnects.
 */
class PostgresOutageTest {
  @TempDir Path dataDir;

  private EmbeddedPostgres start(int port) throws Exception {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  private static HypervisorEvent event(String id) {
    return HypervisorEvent.builder(EventType.SESSION_CREATED).eventId(id).sessionId("s").build();
  }

  @Test
  void theSinkRidesOutAnOutageAndTheStoreReconnects() throws Exception {
    int port = freePort();
    EmbeddedPostgres postgres = start(port);
    HypervisorEventBus bus = new HypervisorEventBus();
    try (PostgresStore store =
            PostgresStore.open(postgres.getPostgresDatabase(), Clock.systemUTC());
        PersistentEventSink async =
            PersistentEventSink.builder(store).retryFor(Duration.ofSeconds(120)).build();
        PersistentEventSink sync =
            PersistentEventSink.builder(store)
                .durability(Durability.SYNC)
                .commitTimeout(Duration.ofSeconds(20))
                .build()) {
      async.subscribe(bus);
      bus.emit(event("before"));
      assertThat(async.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(store.eventCount()).isEqualTo(1);

      postgres.close(); // the database goes away
      for (int i = 0; i < 10; i++) {
        bus.emit(event("during-" + i)); // ASYNC: queued, never blocks
      }
      assertThatThrownBy(() -> store.eventCount()).isInstanceOf(StoreException.class);
      HypervisorEventBus syncBus = new HypervisorEventBus();
      sync.subscribe(syncBus);
      assertThatThrownBy(() -> syncBus.emit(event("sync-during")))
          .isInstanceOf(EventNotAcknowledgedException.class)
          .hasMessageContaining("sync-during");
      assertThat(async.flush(Duration.ofMillis(500))).isFalse(); // still retrying

      postgres = start(port); // back, same data
      assertThat(async.flush(Duration.ofSeconds(60))).isTrue();
      SinkStats stats = async.stats();
      assertThat(stats.stored()).isEqualTo(11);
      assertThat(stats.failed()).isZero();
      assertThat(stats.retries()).isPositive();
      assertThat(store.eventCount()).isEqualTo(11);
      syncBus.emit(event("sync-after")); // reconnected
      assertThat(store.eventCount()).isEqualTo(12);
    } finally {
      postgres.close();
    }
  }

  @Test
  void theFirstSyncEmitAfterAnIdleRestartSucceeds() throws Exception {
    int port = freePort();
    EmbeddedPostgres postgres = start(port);
    HypervisorEventBus bus = new HypervisorEventBus();
    try (PostgresStore store =
            PostgresStore.open(postgres.getPostgresDatabase(), Clock.systemUTC());
        PersistentEventSink sync =
            PersistentEventSink.builder(store).durability(Durability.SYNC).build()) {
      sync.subscribe(bus);
      bus.emit(event("before"));
      postgres.close();
      postgres = start(port); // restarted while nothing was written: the writer is stale
      bus.emit(event("after")); // replaced before the write, not reported as a failure
      assertThat(sync.stats().failed()).isZero();
      assertThat(store.eventCount()).isEqualTo(2);
    } finally {
      postgres.close();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
