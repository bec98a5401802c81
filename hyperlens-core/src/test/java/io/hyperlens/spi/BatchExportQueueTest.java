package io.hyperlens.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchExportQueueTest {
  private static final BatchExporter<String> NOTHING = batch -> {};

  @Test
  void shutdownExportsWhatIsQueuedInBatchesOfTheConfiguredSize() {
    List<List<String>> batches = new CopyOnWriteArrayList<>();
    BatchExportQueue<String> queue =
        new BatchExportQueue<>(batches::add, 10, 2, Duration.ofHours(1), "test");
    for (String item : List.of("a", "b", "c", "d", "e")) {
      assertThat(queue.offer(item)).isTrue();
    }

    assertThat(queue.shutdown(Duration.ofSeconds(5))).isTrue();

    assertThat(batches.stream().flatMap(List::stream)).containsExactly("a", "b", "c", "d", "e");
    assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(2));
    assertThat(queue.exported()).isEqualTo(5);
    assertThat(queue.offer("late")).isFalse();
    assertThat(queue.dropped()).isEqualTo(1);
  }

  @Test
  void aShutdownThatTimesOutStillShutsTheExporterDown() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger shutdowns = new AtomicInteger();
    BatchExporter<String> stalling =
        new BatchExporter<>() {
          @Override
          public void export(List<String> batch) {
            stalled.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }

          @Override
          public void shutdown() {
            shutdowns.incrementAndGet();
          }
        };
    BatchExportQueue<String> queue =
        new BatchExportQueue<>(stalling, 10, 1, Duration.ofMillis(10), "stalling");
    try {
      queue.offer("a");
      assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
      queue.offer("b");

      assertThat(queue.shutdown(Duration.ofMillis(50))).isFalse();

      assertThat(shutdowns.get()).isEqualTo(1);
      assertThat(queue.dropped()).isEqualTo(1);
    } finally {
      release.countDown();
    }
  }

  @Test
  void badArgumentsAreRejectedNamingTheParameter() {
    Duration second = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new BatchExportQueue<>(null, 1, 1, second, "q"))
        .hasMessage("exporter must not be null");
    assertThatThrownBy(() -> new BatchExportQueue<>(NOTHING, 0, 1, second, "q"))
        .hasMessage("queueSize must be at least 1, got 0");
    assertThatThrownBy(() -> new BatchExportQueue<>(NOTHING, 1, -2, second, "q"))
        .hasMessage("batchSize must be at least 1, got -2");
    assertThatThrownBy(() -> new BatchExportQueue<>(NOTHING, 1, 1, Duration.ZERO, "q"))
        .hasMessage("interval must be positive, got PT0S");
    BatchExportQueue<String> queue = new BatchExportQueue<>(NOTHING, 1, 1, second, "q");
    assertThatThrownBy(() -> queue.offer(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("item must not be null");
  }
}
