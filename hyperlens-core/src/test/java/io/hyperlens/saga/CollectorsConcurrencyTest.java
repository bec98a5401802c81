package io.hyperlens.saga;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.BreachKey;
import io.hyperlens.ring.RingMetricsCollector;
import io.hyperlens.ring.RingMetricsSnapshot;
import io.hyperlens.ring.TransitionKey;
import io.hyperlens.spi.MetricsExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import org.junit.jupiter.api.Test;

class CollectorsConcurrencyTest {
  private static final int THREADS = 4;
  private static final int ROUNDS = 2_500;

  @Test
  void fourThreadsOfRingAndSagaEventsGiveExactTotals() throws Exception {
    HypervisorEventBus bus = HypervisorEventBus.builder().unbounded().build();
    RingMetricsCollector ring = new RingMetricsCollector(bus);
    SagaSpanExporter sagas = SagaSpanExporter.builder(bus).maxSpans(100_000).build();
    DoubleAdder exportedTransitions = new DoubleAdder();
    MetricsExporter counting =
        new MetricsExporter() {
          @Override
          public void setGauge(
              String name, double value, Map<String, String> labels, String help) {}

          @Override
          public void incCounter(
              String name, double value, Map<String, String> labels, String help) {
            if (name.equals(RingMetricsCollector.TRANSITIONS_TOTAL)) {
              exportedTransitions.add(value);
            }
          }
        };

    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> emitters = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        String agent = "did:mesh:agent-" + t;
        emitters.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < ROUNDS; i++) {
                    String saga = agent + "/saga-" + i;
                    emit(bus, EventType.RING_ELEVATED, agent, Map.of("to_ring", 1));
                    emit(bus, EventType.RING_BREACH_DETECTED, agent, Map.of());
                    emit(bus, EventType.RING_DEMOTED, agent, Map.of("to_ring", 3));
                    emit(bus, EventType.SAGA_CREATED, agent, Map.of("saga_id", saga));
                    emit(
                        bus,
                        EventType.SAGA_STEP_STARTED,
                        agent,
                        Map.of("saga_id", saga, "step_id", "a", "step_action", "run"));
                    emit(
                        bus,
                        EventType.SAGA_STEP_COMMITTED,
                        agent,
                        Map.of("saga_id", saga, "step_id", "a", "step_action", "run"));
                    emit(bus, EventType.SAGA_COMPLETED, agent, Map.of("saga_id", saga));
                  }
                  return null;
                }));
      }
      Future<?> exporting =
          pool.submit(
              () -> {
                start.await();
                while (!emitters.stream().allMatch(Future::isDone)) {
                  ring.exportTo(counting);
                }
                return null;
              });
      start.countDown();
      for (Future<?> f : emitters) {
        f.get(60, TimeUnit.SECONDS);
      }
      exporting.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    ring.exportTo(counting);

    RingMetricsSnapshot snapshot = ring.collect();
    assertThat(snapshot.eventsProcessed()).isEqualTo(THREADS * ROUNDS * 3L);
    for (int t = 0; t < THREADS; t++) {
      String agent = "did:mesh:agent-" + t;
      assertThat(snapshot.transitionsTotal().get(new TransitionKey("ring.elevated", agent, "s")))
          .isEqualTo(ROUNDS);
      assertThat(snapshot.transitionsTotal().get(new TransitionKey("ring.demoted", agent, "s")))
          .isEqualTo(ROUNDS);
      assertThat(snapshot.breachesTotal().get(new BreachKey(agent, "s"))).isEqualTo(ROUNDS);
      assertThat(snapshot.current().get(agent)).isEqualTo(3);
    }
    assertThat(exportedTransitions.sum()).isEqualTo(THREADS * ROUNDS * 2.0);
    assertThat(sagas.eventsProcessed()).isEqualTo(THREADS * ROUNDS * 4L);
    List<SagaSpanRecord> spans = sagas.completedSpans();
    assertThat(spans).hasSize(THREADS * ROUNDS * 2);
    assertThat(spans).filteredOn(s -> s.name().equals("saga.step.run")).hasSize(THREADS * ROUNDS);
    assertThat(spans).allMatch(s -> s.status().equals("ok"));
    assertThat(sagas.openSpans()).isZero();
  }

  private static void emit(
      HypervisorEventBus bus, EventType type, String agent, Map<String, ?> payload) {
    bus.emit(bus.eventBuilder(type).agentDid(agent).sessionId("s").payload(payload).build());
  }
}
