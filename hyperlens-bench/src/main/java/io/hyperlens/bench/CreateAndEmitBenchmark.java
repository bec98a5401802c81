package io.hyperlens.bench;

import com.google.common.eventbus.EventBus;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.trace.CausalTraceId;
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
 * Building an event (random 16-hex id, clock timestamp, validated deep-copied payload) and emitting
 * it, as the seed's Python does per {@code bus.emit(HypervisorEvent(...))}; beside posting a plain
 * record to Guava's {@code EventBus}. The seed's own implementation does about 140,000 of these per
 * second on this kind of machine.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CreateAndEmitBenchmark {
  @Param({"1000", "100000"})
  int maxEvents;

  HypervisorEventBus hyperlens;
  EventBus guava;
  String trace;

  /** What a user would post to Guava instead of a validated event. */
  public record PlainEvent(
      String type, String session, String agent, Map<String, Object> payload) {}

  @Setup
  public void setUp() {
    hyperlens = HypervisorEventBus.builder().maxEvents(maxEvents).build();
    guava = new EventBus("bench");
    guava.register(new Object() {});
    trace = CausalTraceId.root().fullId();
  }

  @Benchmark
  public void hyperlensCreateAndEmit() {
    hyperlens.emit(
        HypervisorEvent.builder(EventType.RING_ASSIGNED)
            .sessionId("session-001")
            .agentDid("did:mesh:analyst")
            .causalTraceId(trace)
            .payload(Map.of("ring", 3))
            .build());
  }

  @Benchmark
  public HypervisorEvent hyperlensCreateOnly() {
    return HypervisorEvent.builder(EventType.RING_ASSIGNED)
        .sessionId("session-001")
        .agentDid("did:mesh:analyst")
        .causalTraceId(trace)
        .payload(Map.of("ring", 3))
        .build();
  }

  @Benchmark
  public void guavaCreateAndPost() {
    guava.post(
        new PlainEvent("ring.assigned", "session-001", "did:mesh:analyst", Map.of("ring", 3)));
  }
}
