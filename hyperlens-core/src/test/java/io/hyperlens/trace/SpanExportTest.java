package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.logging.RecordingLoggerFinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Batched export off the caller's thread: bounded, counted, flushed, shut down with a deadline. */
class SpanExportTest {

  /**
   * An exporter that signals {@code stalled} and then blocks until {@code release} opens or its
   * thread is interrupted.
   */
  private static SpanExporter stallingUntil(CountDownLatch release, CountDownLatch stalled) {
    return spans -> {
      stalled.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static void finishSpans(DistributedTracer tracer, int count) {
    for (int i = 0; i < count; i++) {
      tracer.finishSpan(tracer.startSpan("op-" + i));
    }
  }

  @Test
  void forceFlushDeliversEveryFinishedSpanInFinishOrder() {
    List<SpanData> exported = new CopyOnWriteArrayList<>();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .exporter(
                spans -> {
                  threads.add(Thread.currentThread());
                  exported.addAll(spans);
                })
            .build()) {
      finishSpans(tracer, 10);

      assertThat(tracer.forceFlush(Duration.ofSeconds(10))).isTrue();
      assertThat(exported)
          .extracting(SpanData::name)
          .containsExactly(
              "op-0", "op-1", "op-2", "op-3", "op-4", "op-5", "op-6", "op-7", "op-8", "op-9");
      assertThat(threads).doesNotContain(Thread.currentThread());
      assertThat(tracer.getMetrics().spansExported()).isEqualTo(10);
    }
  }

  @Test
  void batchesAreNoLargerThanTheBatchSize() {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .exportBatchSize(4)
            .exportQueueSize(100)
            .exporter(spans -> sizes.add(spans.size()))
            .build()) {
      finishSpans(tracer, 10);
      tracer.forceFlush(Duration.ofSeconds(10));

      assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1, 4));
      assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    }
  }

  @Test
  void aFullBatchIsExportedWithoutWaitingForTheInterval() throws Exception {
    CountDownLatch exported = new CountDownLatch(1);
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .exportBatchSize(5)
            .exportInterval(Duration.ofHours(1))
            .exporter(spans -> exported.countDown())
            .build()) {
      finishSpans(tracer, 5);

      assertThat(exported.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aPartialBatchIsExportedAfterTheInterval() throws Exception {
    CountDownLatch exported = new CountDownLatch(1);
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .exportInterval(Duration.ofMillis(50))
            .exporter(spans -> exported.countDown())
            .build()) {
      finishSpans(tracer, 1);

      assertThat(exported.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aStalledExporterNeverBlocksFinishSpanAndDropsAreCounted() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stalled = new CountDownLatch(1);
    DistributedTracer tracer =
        DistributedTracer.builder()
            .exportQueueSize(10)
            .exportBatchSize(1)
            .exporter(stallingUntil(release, stalled))
            .build();
    try {
      finishSpans(tracer, 1);
      assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
      finishSpans(tracer, 25);

      TracerMetrics metrics = tracer.getMetrics();
      assertThat(metrics.exportDropped()).isEqualTo(15);
      assertThat(metrics.spansFinished()).isEqualTo(26);
      assertThat(metrics.totalSpans()).isEqualTo(26);
    } finally {
      release.countDown();
      assertThat(tracer.shutdown(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(tracer.getMetrics().spansExported()).isEqualTo(11);
  }

  @Test
  void aStalledExporterDoesNotDelayOrLoseAnotherExportersSpans() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<SpanData> healthy = new CopyOnWriteArrayList<>();
    DistributedTracer tracer =
        DistributedTracer.builder()
            .exportQueueSize(5)
            .exportBatchSize(1)
            .exporter(stallingUntil(release, new CountDownLatch(1)))
            .exporter(healthy::addAll)
            .build();
    try {
      for (int i = 0; i < 20; i++) {
        finishSpans(tracer, 1);
        assertThat(tracer.forceFlush(Duration.ofMillis(1))).isFalse();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (healthy.size() < 20 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(healthy).hasSize(20);
    } finally {
      release.countDown();
      tracer.close();
    }
  }

  @Test
  void aThrowingExporterIsCountedLoggedOnceAndNeverReachesTheCaller() {
    RuntimeException failure = new RuntimeException("collector unreachable");
    AtomicInteger calls = new AtomicInteger();
    List<SpanData> other = new ArrayList<>();
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .exportBatchSize(1)
            .exporter(
                spans -> {
                  calls.incrementAndGet();
                  throw failure;
                })
            .exporter(other::addAll)
            .build()) {
      finishSpans(tracer, 3);
      assertThat(tracer.forceFlush(Duration.ofSeconds(10))).isTrue();

      assertThat(tracer.getMetrics().exportFailures()).isEqualTo(3);
      assertThat(tracer.getMetrics().exportFailedSpans()).isEqualTo(3);
      assertThat(calls).hasValue(3);
      assertThat(other).hasSize(3);
      assertThat(RecordingLoggerFinder.recordsFor(failure)).hasSize(1);
      assertThat(tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId())).hasSize(1);
    }
  }

  @Test
  void anExporterThrowingACheckedExceptionIsCountedAndTheWorkerCarriesOn() {
    AtomicInteger calls = new AtomicInteger();
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .exportBatchSize(1)
            .exporter(
                spans -> {
                  if (calls.incrementAndGet() == 1) {
                    SpanExportTest.<RuntimeException>sneakyThrow(new java.io.IOException("io"));
                  }
                })
            .build()) {
      finishSpans(tracer, 1);
      tracer.forceFlush(Duration.ofSeconds(10));
      finishSpans(tracer, 2);

      assertThat(tracer.forceFlush(Duration.ofSeconds(10))).isTrue();
      TracerMetrics metrics = tracer.getMetrics();
      assertThat(metrics.exportFailures()).isEqualTo(1);
      assertThat(metrics.exportFailedSpans()).isEqualTo(1);
      assertThat(metrics.spansExported()).isEqualTo(2);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  @Test
  void everySpanFinishedWhileShuttingDownIsExportedOrCountedAsDropped() throws Exception {
    for (int round = 0; round < 50; round++) {
      AtomicInteger exported = new AtomicInteger();
      DistributedTracer tracer =
          DistributedTracer.builder()
              .exportBatchSize(8)
              .exportQueueSize(64)
              .exporter(spans -> exported.addAndGet(spans.size()))
              .build();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        Thread thread =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  finishSpans(tracer, 200);
                });
        thread.start();
        threads.add(thread);
      }
      go.countDown();
      tracer.shutdown(Duration.ofSeconds(10));
      for (Thread thread : threads) {
        thread.join();
      }

      TracerMetrics metrics = tracer.getMetrics();
      assertThat(metrics.spansFinished()).isEqualTo(600);
      assertThat(metrics.spansExported() + metrics.exportDropped()).isEqualTo(600);
      assertThat(metrics.spansExported()).isEqualTo(exported.get());
    }
  }

  @Test
  void generousOrNullTimeoutsAreHandled() {
    try (DistributedTracer tracer = DistributedTracer.builder().exporter(spans -> {}).build()) {
      finishSpans(tracer, 1);

      assertThat(tracer.forceFlush(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> tracer.forceFlush(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timeout must not be null");
      assertThat(tracer.shutdown(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
    }
  }

  @Test
  void aNegativeTimeoutIsNoWaitAtAll() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stalled = new CountDownLatch(1);
    DistributedTracer tracer =
        DistributedTracer.builder()
            .exportBatchSize(1)
            .exporter(stallingUntil(release, stalled))
            .build();
    try {
      finishSpans(tracer, 1);
      assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(tracer.forceFlush(Duration.ofSeconds(-1))).isFalse();
    } finally {
      release.countDown();
      tracer.close();
    }
  }

  @Test
  void closeExportsWhatIsQueuedThenShutsTheExporterDown() {
    List<String> calls = new CopyOnWriteArrayList<>();
    DistributedTracer tracer =
        DistributedTracer.builder()
            .exportInterval(Duration.ofHours(1))
            .exporter(
                new SpanExporter() {
                  @Override
                  public void export(List<SpanData> spans) {
                    calls.add("export " + spans.size());
                  }

                  @Override
                  public void flush() {
                    calls.add("flush");
                  }

                  @Override
                  public void shutdown() {
                    calls.add("shutdown");
                  }
                })
            .build();
    finishSpans(tracer, 3);

    tracer.close();

    assertThat(calls).containsExactly("export 3", "flush", "shutdown");
    finishSpans(tracer, 1);
    assertThat(tracer.getMetrics().exportDropped()).isEqualTo(1);
    assertThat(tracer.getMetrics().totalSpans()).isEqualTo(4);
  }

  @Test
  void shutdownGivesUpAtTheDeadlineAndCountsWhatWasLeft() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    DistributedTracer tracer =
        DistributedTracer.builder()
            .exportBatchSize(1)
            .exporter(stallingUntil(new CountDownLatch(1), stalled))
            .build();
    finishSpans(tracer, 1);
    assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
    finishSpans(tracer, 4);

    assertThat(tracer.shutdown(Duration.ofMillis(100))).isFalse();
    assertThat(tracer.getMetrics().exportDropped()).isEqualTo(4);
  }

  @Test
  void aTracerWithoutExportersStartsNoThreadAndReportsExportDisabled() {
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .serviceName("no-exporter")
            .exporter(SpanExporter.noop())
            .build()) {
      finishSpans(tracer, 3);

      assertThat(tracer.getMetrics().exportEnabled()).isFalse();
      assertThat(Thread.getAllStackTraces().keySet())
          .noneMatch(thread -> thread.getName().startsWith("hyperlens-span-export-no-exporter-"));
      assertThat(tracer.forceFlush(Duration.ofSeconds(1))).isTrue();
    }
  }

  @Test
  void compositeCallsEveryExporterAndRethrowsTheFirstFailure() {
    List<String> calls = new ArrayList<>();
    RuntimeException first = new RuntimeException("first");
    SpanExporter composite =
        SpanExporter.composite(
            spans -> {
              calls.add("a");
              throw first;
            },
            spans -> calls.add("b"));

    try {
      composite.export(List.of());
    } catch (RuntimeException e) {
      assertThat(e).isSameAs(first);
    }
    assertThat(calls).containsExactly("a", "b");
  }
}
