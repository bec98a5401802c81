package io.hyperlens.bench;

import com.google.common.eventbus.EventBus;
import com.google.common.eventbus.Subscribe;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.trace.CausalTraceId;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * Emitting a pre-built event with 0, 1 and 4 subscribers, beside Guava's {@code EventBus} with the
 * same subscribers. The Hyperlens bus also appends the event to its bounded log (evicting in steady
 * state) and updates four indexes; Guava only dispatches.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EmitBenchmark {
  @Param({"0", "1", "4"})
  int subscribers;

  HypervisorEventBus hyperlens;
  EventBus guava;
  HypervisorEvent event;
  final LongAdder delivered = new LongAdder();

  @Setup
  public void setUp() {
    hyperlens = new HypervisorEventBus();
    guava = new EventBus("bench");
    for (int i = 0; i < subscribers; i++) {
      hyperlens.subscribeAll(e -> delivered.increment());
      guava.register(new GuavaSubscriber(delivered));
    }
    event =
        HypervisorEvent.builder(EventType.RING_ASSIGNED)
            .sessionId("session-001")
            .agentDid("did:mesh:analyst")
            .causalTraceId(CausalTraceId.root())
            .payload(Map.of("ring", 3))
            .build();
  }

  @Benchmark
  public void hyperlensEmit() {
    hyperlens.emit(event);
  }

  @Benchmark
  public void guavaPost() {
    guava.post(event);
  }

  /** A Guava subscriber: one annotated method per registered object. */
  public static final class GuavaSubscriber {
    private final LongAdder delivered;

    GuavaSubscriber(LongAdder delivered) {
      this.delivered = delivered;
    }

    @Subscribe
    public void on(HypervisorEvent event) {
      delivered.increment();
    }
  }
}
