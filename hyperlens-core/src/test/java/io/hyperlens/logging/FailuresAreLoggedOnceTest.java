package io.hyperlens.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.RingMetricsCollector;
import io.hyperlens.saga.SagaSpanExporter;
import io.hyperlens.spi.RecordingMetricsExporter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Isolated failures are counted every time and logged through System.Logger once. */
class FailuresAreLoggedOnceTest {
  private final HypervisorEventBus bus = new HypervisorEventBus();

  @Test
  void throwingSubscriberIsLoggedOnceWithItsException() {
    IllegalStateException failure = new IllegalStateException("subscriber bug");
    bus.subscribe(
        EventType.VFS_WRITE,
        e -> {
          throw failure;
        });

    for (int i = 0; i < 3; i++) {
      bus.emit(bus.eventBuilder(EventType.VFS_WRITE).build());
    }

    assertThat(bus.failedDeliveries()).isEqualTo(3);
    assertThat(RecordingLoggerFinder.recordsFor(failure))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.logger()).isEqualTo(HypervisorEventBus.class.getName());
              assertThat(r.level()).isEqualTo(System.Logger.Level.WARNING);
              assertThat(r.message())
                  .contains(" of vfs.write threw on event ")
                  .endsWith("; further failures of this subscriber are only counted");
            });
  }

  @Test
  void throwingMetricsExporterIsLoggedOnce() {
    RingMetricsCollector collector = new RingMetricsCollector(bus);
    IllegalStateException failure = new IllegalStateException("exporter down");
    bus.emit(
        bus.eventBuilder(EventType.RING_ASSIGNED).agentDid("a").payload(Map.of("ring", 3)).build());

    collector.exportTo(RecordingMetricsExporter.throwing(failure));
    collector.exportTo(RecordingMetricsExporter.throwing(failure));

    assertThat(collector.exportFailures()).isGreaterThanOrEqualTo(4);
    assertThat(RecordingLoggerFinder.recordsFor(failure))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.logger()).isEqualTo(RingMetricsCollector.class.getName());
              assertThat(r.level()).isEqualTo(System.Logger.Level.WARNING);
            });
  }

  @Test
  void throwingSpanSinkIsLoggedOnce() {
    IllegalStateException failure = new IllegalStateException("backend down");
    SagaSpanExporter exporter =
        new SagaSpanExporter(
            bus,
            (name, start, end, attributes, status) -> {
              throw failure;
            });

    for (int i = 0; i < 3; i++) {
      bus.emit(
          bus.eventBuilder(EventType.SAGA_CHECKPOINT_SAVED)
              .payload(Map.of("saga_id", "s", "step_id", "c" + i))
              .build());
    }

    assertThat(exporter.sinkFailures()).isEqualTo(3);
    assertThat(RecordingLoggerFinder.recordsFor(failure))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.logger()).isEqualTo(SagaSpanExporter.class.getName());
              assertThat(r.message()).contains("failed on saga.checkpoint.c0");
            });
  }
}
