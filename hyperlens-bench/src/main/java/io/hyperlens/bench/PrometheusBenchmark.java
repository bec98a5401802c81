package io.hyperlens.bench;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.prometheus.AgentPhilosophy;
import io.hyperlens.prometheus.MetricsCollector;
import io.hyperlens.prometheus.RingMetricsBridge;
import io.hyperlens.ring.RingMetricsCollector;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Hyperlens's Prometheus metrics beside bare client_java 1.3.6 in the same run:
 *
 * <ul>
 *   <li>{@code MetricsCollector.recordToolExecution} (a counter increment and a histogram
 *       observation, both through the series bound and input checks) against the same counter
 *       increment and histogram observation on bare client_java metrics with the same labels and
 *       buckets;
 *   <li>a ring event through the bus into {@code RingMetricsCollector}, which the {@code
 *       RingMetricsBridge} reads on scrape, against a bare client_java counter increment and gauge
 *       set (what a hand-written subscriber would do);
 *   <li>a text-format scrape of 10,000 series: the collector's {@code agentcore_agent_cpu_percent}
 *       and {@code _memory_mb} for 5,000 agents against a bare client_java registry with two gauges
 *       of 5,000 series each, and the ring bridge with 10,000 transition series.
 * </ul>
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PrometheusBenchmark {
  private static final OutputStream NOWHERE = OutputStream.nullOutputStream();
  private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

  MetricsCollector collector;
  Counter bareToolExecutions;
  Histogram bareToolSeconds;

  HypervisorEventBus bus;
  HypervisorEvent ringEvent;
  Counter bareTransitions;
  Gauge bareRingCurrent;

  PrometheusRegistry collectorScrape;
  PrometheusRegistry bareScrape;
  PrometheusRegistry ringScrape;

  @Setup
  public void setUp() {
    collector = MetricsCollector.builder().build();
    PrometheusRegistry bare = new PrometheusRegistry();
    bareToolExecutions =
        Counter.builder()
            .name("bare_tool_executions")
            .labelNames("tool_id", "status")
            .register(bare);
    bareToolSeconds =
        Histogram.builder()
            .name("bare_tool_execution_seconds")
            .classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
            .labelNames("tool_id")
            .register(bare);

    bus = HypervisorEventBus.builder().maxEvents(1_000).build();
    new RingMetricsCollector(bus);
    ringEvent =
        bus.eventBuilder(EventType.RING_ASSIGNED)
            .sessionId("s1")
            .agentDid("did:mesh:analyst")
            .payload(Map.of("ring", 2))
            .build();
    bareTransitions =
        Counter.builder()
            .name("bare_ring_transitions")
            .labelNames("event_type", "agent_did", "session_id")
            .register(bare);
    bareRingCurrent =
        Gauge.builder().name("bare_ring_current").labelNames("agent_did").register(bare);

    collectorScrape = new PrometheusRegistry();
    MetricsCollector big = MetricsCollector.builder().registry(collectorScrape).build();
    bareScrape = new PrometheusRegistry();
    Gauge cpu =
        Gauge.builder().name("bare_cpu").labelNames("agent_id", "philosophy").register(bareScrape);
    Gauge mem =
        Gauge.builder().name("bare_mem").labelNames("agent_id", "philosophy").register(bareScrape);
    for (int i = 0; i < 5_000; i++) {
      big.updateResourceUsage("agent-" + i, AgentPhilosophy.REACT, i % 100, i);
      cpu.labelValues("agent-" + i, "react").set(i % 100);
      mem.labelValues("agent-" + i, "react").set(i);
    }

    HypervisorEventBus ringBus = HypervisorEventBus.builder().maxEvents(1_000).build();
    RingMetricsCollector rings = new RingMetricsCollector(ringBus);
    for (int i = 0; i < 10_000; i++) {
      ringBus.emit(
          ringBus
              .eventBuilder(EventType.RING_ASSIGNED)
              .sessionId("s" + i)
              .agentDid("did:mesh:agent-" + (i % 1_000))
              .payload(Map.of("ring", 3))
              .build());
    }
    ringScrape = new PrometheusRegistry();
    ringScrape.register(new RingMetricsBridge(rings));
  }

  @Benchmark
  public void hyperlensRecordToolExecution() {
    collector.recordToolExecution("web_search", 0.25, "success");
  }

  @Benchmark
  public void bareCounterIncAndHistogramObserve() {
    bareToolExecutions.labelValues("web_search", "success").inc();
    bareToolSeconds.labelValues("web_search").observe(0.25);
  }

  @Benchmark
  public void hyperlensRingEvent() {
    bus.emit(ringEvent);
  }

  @Benchmark
  public void bareRingCounterAndGauge() {
    bareTransitions.labelValues("ring.assigned", "did:mesh:analyst", "s1").inc();
    bareRingCurrent.labelValues("did:mesh:analyst").set(2);
  }

  @Benchmark
  public void hyperlensScrape10kSeries() throws IOException {
    writer.write(NOWHERE, collectorScrape.scrape());
  }

  @Benchmark
  public void bareScrape10kSeries() throws IOException {
    writer.write(NOWHERE, bareScrape.scrape());
  }

  @Benchmark
  public void ringBridgeScrape10kSeries() throws IOException {
    writer.write(NOWHERE, ringScrape.scrape());
  }
}
