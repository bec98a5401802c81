package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import io.hyperlens.event.EventQuery;
import io.hyperlens.store.SqliteStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's HubEventSink example compiles and ships its event to a real hub. */
class ReadmeHubQuickStartTest {
  @TempDir Path work;

  @Test
  void theHubExampleShipsItsEvent() throws Exception {
    Path data = work.resolve("data");
    try (Hub hub = Hub.start(HubConfig.defaults(data).withPort(0), SqliteStore.open(data))) {
      ReadmeJava.compileQuickStart(work, "io.hyperlens.client.", "HubQuickStart");
      System.setProperty("hyperlens.hub", hub.uri().toString());
      System.setProperty("hyperlens.key", hub.initialAdminKey().orElseThrow());
      try {
        String printed =
            ReadmeJava.runMain(
                List.of(work), Thread.currentThread().getContextClassLoader(), "HubQuickStart");
        assertThat(printed).isEqualTo("1\n");
      } finally {
        System.clearProperty("hyperlens.hub");
        System.clearProperty("hyperlens.key");
      }
      assertThat(hub.store().count(EventQuery.builder().sessionId("s1").build())).isEqualTo(1);
    }
  }
}
