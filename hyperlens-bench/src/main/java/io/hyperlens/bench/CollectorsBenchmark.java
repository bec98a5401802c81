package io.hyperlens.bench;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.RingMetricsCollector;
import io.hyperlens.saga.SagaSpanExporter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Emitting a mix of ring and saga events (elevated, demoted, step started, step committed) with the
 * {@link RingMetricsCollector} and the {@link SagaSpanExporter} subscribed, versus with neither:
 * the cost the collectors add to every emit.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CollectorsBenchmark {
  @Param({"none", "both"})
  String collectors;

  HypervisorEventBus bus;
  HypervisorEvent[] events;
  int next;

  @Setup
  public void setUp() {
    bus = new HypervisorEventBus();
    if (collectors.equals("both")) {
      new RingMetricsCollector(bus);
      new SagaSpanExporter(bus);
    }
    Map<String, Object> step = Map.of("saga_id", "deploy-v2", "step_id", "a", "step_action", "run");
    events =
        new HypervisorEvent[] {
          event(EventType.RING_ELEVATED, Map.of("from_ring", 3, "to_ring", 1)),
          event(EventType.SAGA_STEP_STARTED, step),
          event(EventType.SAGA_STEP_COMMITTED, step),
          event(EventType.RING_DEMOTED, Map.of("from_ring", 1, "to_ring", 3)),
        };
  }

  // One timestamp for all four: re-emitted events with distinct fixed timestamps would arrive
  // "out of order" and measure the bus's late-event time index instead of the collectors.
  private static final Instant STAMP = Instant.parse("2025-01-15T10:30:00Z");

  private static HypervisorEvent event(EventType type, Map<String, ?> payload) {
    return HypervisorEvent.builder(type)
        .timestamp(STAMP)
        .sessionId("s1")
        .agentDid("did:mesh:analyst")
        .payload(payload)
        .build();
  }

  @Benchmark
  public void emit() {
    bus.emit(events[next++ & 3]);
  }
}
