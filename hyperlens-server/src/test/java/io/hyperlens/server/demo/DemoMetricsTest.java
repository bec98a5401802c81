package io.hyperlens.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.prometheus.AgentOsMetrics;
import io.hyperlens.prometheus.AgentOsTelemetry;
import io.hyperlens.prometheus.MetricsCollector;
import io.hyperlens.trace.DistributedTracer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The demo's runtime metrics agree with the events the workload emitted. */
class DemoMetricsTest {

  @Test
  void everyStepIsOneToolExecutionAndOneVerificationAndEveryAgentEnds() {
    HypervisorEventBus bus = new HypervisorEventBus();
    PrometheusRegistry registry = new PrometheusRegistry();
    AgentOsMetrics os = AgentOsMetrics.builder().registry(registry).build();
    DistributedTracer tracer = DistributedTracer.builder().serviceName("test").build();
    AgentOsTelemetry telemetry = AgentOsTelemetry.builder().tracer(tracer).metrics(os).build();
    AtomicLong committed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong joined = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    bus.subscribe(EventType.SAGA_STEP_COMMITTED, e -> committed.incrementAndGet());
    bus.subscribe(EventType.SAGA_STEP_FAILED, e -> failed.incrementAndGet());
    bus.subscribe(EventType.SESSION_JOINED, e -> joined.incrementAndGet());
    bus.subscribe(EventType.VFS_WRITE, e -> writes.incrementAndGet());
    try (DemoMetrics metrics =
        new DemoMetrics(
            bus, MetricsCollector.builder().registry(registry).build(), os, telemetry)) {
      AgentWorkload workload = new AgentWorkload(bus, tracer, 3, 0.5, 0.5);
      for (int i = 0; i < 40; i++) {
        workload.runWorkflow();
      }
      assertThat(metrics.activeAgents()).isZero();
    }
    assertThat(failed.get()).isPositive();

    assertThat(sum(registry, "agentcore_tool_executions", l -> true))
        .isEqualTo(committed.get() + failed.get());
    assertThat(sum(registry, "agentcore_tool_executions", l -> "failed".equals(l.get("status"))))
        .isEqualTo(failed.get());
    assertThat(sum(registry, "agentcore_errors", l -> "saga".equals(l.get("component"))))
        .isEqualTo(failed.get());
    assertThat(sum(registry, "agent_os_verifications", l -> true))
        .isEqualTo(committed.get() + failed.get());
    assertThat(sum(registry, "agent_os_verification_failures", l -> true)).isEqualTo(failed.get());
    assertThat(sum(registry, "agent_os_actions", l -> "allow".equals(l.get("decision"))))
        .isEqualTo(committed.get());
    assertThat(sum(registry, "agent_os_episodes", l -> true)).isEqualTo(writes.get());
    assertThat(sum(registry, "agent_os_retrieval_duration_seconds", l -> true))
        .isEqualTo(committed.get() + failed.get());
    // 40 orchestrators and the agents that joined them: created, then every one completed
    assertThat(sum(registry, "agentcore_agents", l -> "initializing".equals(l.get("status"))))
        .isEqualTo(40 + joined.get());
    assertThat(
            sum(
                registry,
                "agentcore_agents",
                l -> "completed".equals(l.get("status")) || "failed".equals(l.get("status"))))
        .isEqualTo(40 + joined.get());
    assertThat(sum(registry, "agentcore_agents_active", l -> true)).isZero();
    assertThat(sum(registry, "agent_os_memory_size_bytes", l -> true)).isPositive();
    assertThat(sum(registry, "agentcore_cache_hits", l -> true)).isPositive();
    assertThat(sum(registry, "agentcore_cache_misses", l -> true)).isPositive();
  }

  @Test
  void rolesMapToThePhilosophies() {
    assertThat(DemoMetrics.philosophy("did:mesh:researcher-3").value()).isEqualTo("react");
    assertThat(DemoMetrics.philosophy("did:mesh:writer-3").value()).isEqualTo("cot");
    assertThat(DemoMetrics.philosophy("did:mesh:tool-agent-3").value()).isEqualTo("autonomous");
    assertThat(DemoMetrics.philosophy("did:mesh:orchestrator-3").value()).isEqualTo("multi_agent");
  }

  /** Counters and gauges summed, histograms counted, over the data points {@code labels} keeps. */
  private static double sum(
      PrometheusRegistry registry, String name, Predicate<Map<String, String>> labels) {
    double total = 0;
    for (MetricSnapshot snapshot : registry.scrape()) {
      if (!snapshot.getMetadata().getName().equals(name)) {
        continue;
      }
      for (DataPointSnapshot point : snapshot.getDataPoints()) {
        Map<String, String> map = new java.util.HashMap<>();
        point.getLabels().forEach(l -> map.put(l.getName(), l.getValue()));
        if (!labels.test(map)) {
          continue;
        }
        if (snapshot instanceof CounterSnapshot) {
          total += ((CounterSnapshot.CounterDataPointSnapshot) point).getValue();
        } else if (snapshot instanceof GaugeSnapshot) {
          total += ((GaugeSnapshot.GaugeDataPointSnapshot) point).getValue();
        } else if (snapshot instanceof HistogramSnapshot) {
          total += ((HistogramSnapshot.HistogramDataPointSnapshot) point).getCount();
        }
      }
    }
    return total;
  }
}
