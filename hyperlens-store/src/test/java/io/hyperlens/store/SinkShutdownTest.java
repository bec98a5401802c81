package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventNotAcknowledgedException;
import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.logging.RecordingLoggerFinder;
import io.hyperlens.prometheus.MetricsConfig;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No silent loss: an ASYNC sink drains on a JVM exit without close (unless told not to), drops are
 * logged at a bounded rate and every count is a metric; a failed SYNC emit is retried without a
 * second copy in the bus.
 */
class SinkShutdownTest {
  @TempDir Path dir;

  private static HypervisorEvent event(String id) {
    return HypervisorEvent.builder(EventType.SESSION_CREATED)
        .eventId(id)
        .sessionId("s")
        .payload(Map.of("id", id))
        .build();
  }

  /** Runs {@link ExitingEmitter} to its end and returns how many events its store then holds. */
  private long storedAfterAnExitWithoutClose(boolean flushOnShutdown) throws Exception {
    Path data = dir.resolve("data-" + flushOnShutdown);
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ExitingEmitter.class.getName(),
                data.toString(),
                "50",
                Boolean.toString(flushOnShutdown))
            .redirectErrorStream(true)
            .start();
    List<String> output = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        output.add(line);
      }
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(String.join("\n", output)).isZero();
    assertThat(output.get(0))
        .as("events were still queued when main returned")
        .isNotEqualTo("queued 0");
    try (SqliteStore store = SqliteStore.open(data)) {
      return store.count(EventQuery.builder().build());
    }
  }

  @Test
  void anAsyncSinkDrainsWhenTheJvmExitsWithoutClose() throws Exception {
    assertThat(storedAfterAnExitWithoutClose(true)).isEqualTo(50);
  }

  @Test
  void withoutTheShutdownHookTheQueueIsLostOnExit() throws Exception {
    assertThat(storedAfterAnExitWithoutClose(false)).isLessThan(50);
  }

  @Test
  void dropsAreCountedLoggedAtABoundedRateAndEveryCountIsAMetric() throws Exception {
    try (SqliteStore sqlite = SqliteStore.open(dir.resolve("drops"))) {
      ObservedStore store = new ObservedStore(sqlite);
      store.gate = new CountDownLatch(1); // the store holds the first batch back
      PrometheusRegistry registry = new PrometheusRegistry();
      SinkMetrics metrics =
          SinkMetrics.register(
              registry,
              new MetricsConfig(
                  "127.0.0.1", 0, "/metrics", "agent_os", false, false, Map.of("env", "test")));
      try (PersistentEventSink sink =
          PersistentEventSink.builder(store)
              .queueCapacity(10)
              .overflow(Overflow.DROP, Duration.ofMillis(1))
              .flushOnShutdown(false)
              .build()) {
        metrics.add("events", sink);
        int accepted = 0;
        for (int i = 0; i < 1000; i++) {
          if (sink.offer(event("d" + i))) {
            accepted++;
          }
        }
        assertThat(accepted).isEqualTo(10);
        assertThat(sink.stats().dropped()).isEqualTo(990);
        List<String> warnings =
            RecordingLoggerFinder.recordsFrom(PersistentEventSink.class.getName()).stream()
                .map(RecordingLoggerFinder.LogRecord::message)
                .filter(m -> m.startsWith(sink + " dropped"))
                .toList();
        assertThat(warnings).hasSize(1); // 990 drops, one line
        assertThat(warnings.get(0))
            .contains(" dropped 1 event: its queue of 10 was full (DROP)")
            .contains("logged at most every 10 s");
        store.gate.countDown();
        assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
        String scrape = scrape(registry);
        assertThat(scrape)
            .contains(
                "hyperlens_store_sink_events_total{env=\"test\",outcome=\"dropped\",sink=\"events\"}"
                    + " 990.0")
            .contains(
                "hyperlens_store_sink_events_total{env=\"test\",outcome=\"stored\",sink=\"events\"}"
                    + " 10.0")
            .contains("hyperlens_store_sink_accepted_total{env=\"test\",sink=\"events\"} 10.0")
            .contains("hyperlens_store_sink_queued{env=\"test\",sink=\"events\"} 0.0")
            .contains("# HELP hyperlens_store_sink_retries_total ");
      }
      assertThatThrownBy(() -> metrics.add("events", null))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aFailedSyncEmitIsRetriedWithoutASecondCopyInTheBus() throws Exception {
    try (SqliteStore sqlite = SqliteStore.open(dir.resolve("retry"))) {
      AtomicInteger failuresLeft = new AtomicInteger(1);
      ObservedStore store =
          new ObservedStore(sqlite) {
            @Override
            public int append(List<HypervisorEvent> events) {
              if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("the database is down");
              }
              return super.append(events);
            }
          };
      HypervisorEventBus bus = new HypervisorEventBus();
      AtomicInteger seen = new AtomicInteger();
      bus.subscribeAll(e -> seen.incrementAndGet());
      try (PersistentEventSink sink =
          PersistentEventSink.builder(store)
              .durability(Durability.SYNC)
              .flushOnShutdown(false)
              .build()) {
        sink.subscribe(bus);
        HypervisorEvent event = event("r1");
        assertThatThrownBy(() -> bus.emit(event)).isInstanceOf(EventNotAcknowledgedException.class);
        bus.redeliverAcknowledged(event);
        assertThat(sqlite.count(EventQuery.builder().build())).isEqualTo(1);
        assertThat(bus.query(EventQuery.builder().build())).hasSize(1);
        assertThat(seen.get()).isEqualTo(1); // plain subscribers saw it once
        bus.redeliverAcknowledged(event); // once more: the store keeps the id once
        assertThat(sqlite.count(EventQuery.builder().build())).isEqualTo(1);
        assertThat(sink.stats().duplicates()).isEqualTo(1);
      }
      assertThatThrownBy(() -> bus.redeliverAcknowledged(null))
          .hasMessage("event must not be null");
    }
  }

  private static String scrape(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
