package io.hyperlens.bench;

import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.alerting.AlertRule;
import io.hyperlens.alerting.Alerting;
import io.hyperlens.alerting.RuleType;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What alerting costs per event on the bus: emitting a mix of ring, saga and session events with
 * {@link Alerting} attached (10 rules, one of each type and a second breach rule by session),
 * everything on the benchmark's thread (every 1,000 events the queue is drained into the rules and
 * they are evaluated once, so no event is dropped and the whole cost is counted), beside emitting
 * the same events on a bus without rules.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AlertingBenchmark {
  private static final int BATCH = 1_000;

  HypervisorEventBus plain;
  HypervisorEventBus alerted;
  Alerting alerting;
  HypervisorEvent[] events;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    plain = new HypervisorEventBus();
    alerted = new HypervisorEventBus();
    AlertConfig config =
        AlertConfig.builder()
            .rule(AlertRule.builder(RuleType.VIOLATION).build())
            .rule(AlertRule.builder(RuleType.LATENCY_SPIKE).thresholdMs(1000).build())
            .rule(AlertRule.builder(RuleType.RING_BREACH_RATE).threshold(1_000_000).build())
            .rule(
                AlertRule.builder(RuleType.RING_BREACH_RATE)
                    .id("breaches_by_session")
                    .groupBy("session")
                    .threshold(1_000_000)
                    .build())
            .rule(AlertRule.builder(RuleType.ELEVATION_TOO_LONG).build())
            .rule(AlertRule.builder(RuleType.SAGA_ESCALATED).build())
            .rule(AlertRule.builder(RuleType.COMPENSATION_RATE).build())
            .rule(AlertRule.builder(RuleType.ERROR_RATE).build())
            .rule(AlertRule.builder(RuleType.AGENT_SILENT).build())
            .rule(AlertRule.builder(RuleType.AUDIT_VERIFICATION_FAILED).build())
            .queueCapacity(BATCH * 2)
            .repeatInterval(Duration.ofHours(4))
            .build();
    alerting = Alerting.builder(config).evaluateInBackground(false).build();
    alerting.attach(alerted);
    EventType[] mix = {
      EventType.RING_ELEVATED,
      EventType.SAGA_STEP_STARTED,
      EventType.SAGA_STEP_COMMITTED,
      EventType.RING_BREACH_DETECTED,
      EventType.RING_DEMOTED,
      EventType.SESSION_JOINED,
      EventType.SAGA_COMPENSATING,
      EventType.VFS_WRITE
    };
    events = new HypervisorEvent[256];
    for (int i = 0; i < events.length; i++) {
      events[i] =
          HypervisorEvent.builder(mix[i % mix.length])
              .agentDid("did:mesh:agent-" + (i % 32))
              .sessionId("session-" + (i % 64))
              .payload(Map.of("saga_id", "saga-" + (i % 64)))
              .build();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long dropped = alerting.stats().dropped();
    alerting.close();
    if (dropped > 0) {
      throw new IllegalStateException(dropped + " events were dropped: the figure would be wrong");
    }
  }

  @Benchmark
  public void emitWithoutRules() {
    plain.emit(events[next++ & 255]);
  }

  @Benchmark
  public void emitWithTenRules() {
    alerted.emit(events[next++ & 255]);
    if ((next % BATCH) == 0) {
      alerting.evaluateNow();
    }
  }
}
