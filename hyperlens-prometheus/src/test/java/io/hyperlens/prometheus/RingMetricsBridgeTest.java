package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.RingMetricsCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RingMetricsBridgeTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private final HypervisorEventBus bus =
      HypervisorEventBus.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
  private final RingMetricsCollector rings = new RingMetricsCollector(bus);

  private void emitFixedWorkload() {
    bus.emit(
        bus.eventBuilder(EventType.RING_ASSIGNED)
            .sessionId("s1")
            .agentDid("did:mesh:analyst")
            .payload(Map.of("ring", 3))
            .build());
    bus.emit(
        bus.eventBuilder(EventType.RING_ELEVATED)
            .sessionId("s1")
            .agentDid("did:mesh:analyst")
            .timestamp(T0)
            .payload(Map.of("from_ring", 3, "to_ring", 1))
            .build());
    bus.emit(
        bus.eventBuilder(EventType.RING_DEMOTED)
            .sessionId("s1")
            .agentDid("did:mesh:analyst")
            .timestamp(T0.plusMillis(2500))
            .payload(Map.of("from_ring", 1, "to_ring", 3))
            .build());
    bus.emit(
        bus.eventBuilder(EventType.RING_BREACH_DETECTED)
            .sessionId("s1")
            .agentDid("did:mesh:rogue")
            .payload(Map.of("ring", 3))
            .build());
  }

  private static String scrape(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = RingMetricsBridgeTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void exposesTheSeedsRingMetricsAsGoldenText() throws IOException {
    emitFixedWorkload();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new RingMetricsBridge(rings));

    assertThat(scrape(registry)).isEqualTo(golden("ring-metrics.golden.txt"));
  }

  @Test
  void scrapingAgainDoesNotDoubleCount() throws IOException {
    emitFixedWorkload();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new RingMetricsBridge(rings));

    String first = scrape(registry);
    String second = scrape(registry);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void constantLabelsAreAddedToEverySeries() throws IOException {
    emitFixedWorkload();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new RingMetricsBridge(rings, Map.of("env", "prod")));

    String text = scrape(registry);
    assertThat(text.lines().filter(line -> !line.startsWith("#")))
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line).contains("env=\"prod\""));
  }

  @Test
  void aConstantLabelThatClashesOrIsInvalidIsRejectedNamingIt() {
    assertThatThrownBy(() -> new RingMetricsBridge(rings, Map.of("agent_did", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("customLabels: \"agent_did\" is already a label of Hyperlens' metrics");
    assertThatThrownBy(() -> new RingMetricsBridge(rings, Map.of("bad-name", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("customLabels: \"bad-name\" is not a valid Prometheus label name");
  }

  @Test
  void theCustomLabelsOfAConfigAreAddedToEverySeries() throws IOException {
    emitFixedWorkload();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(
        new RingMetricsBridge(
            rings, MetricsConfig.defaults().withCustomLabels(Map.of("env", "prod"))));

    assertThat(scrape(registry).lines().filter(line -> !line.startsWith("#")))
        .hasSize(15)
        .allSatisfy(line -> assertThat(line).contains("env=\"prod\""));
  }

  @Test
  void noConstantLabelsIsTheSameAsNone() throws IOException {
    emitFixedWorkload();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new RingMetricsBridge(rings, (Map<String, String>) null));

    assertThat(scrape(registry)).isEqualTo(golden("ring-metrics.golden.txt"));
  }

  @Test
  void aMissingConfigIsRejected() {
    assertThatThrownBy(() -> new RingMetricsBridge(rings, (MetricsConfig) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config must not be null");
  }

  @Test
  void theBridgeDeclaresItsFamiliesSoARegistryTakesItOnce() {
    PrometheusRegistry registry = new PrometheusRegistry();
    RingMetricsBridge bridge = new RingMetricsBridge(rings);
    registry.register(bridge);

    assertThat(bridge.getPrometheusNames())
        .containsExactly(
            "agent_hypervisor_ring_transitions",
            "agent_hypervisor_ring_breaches",
            "agent_hypervisor_ring_agent_breaches",
            "agent_hypervisor_ring_type_transitions",
            "agent_hypervisor_ring_current",
            "agent_hypervisor_ring_elevation_duration_seconds",
            "agent_hypervisor_ring_elevation_open",
            "agent_hypervisor_ring_elevated_seconds",
            "agent_hypervisor_ring_events_processed",
            "agent_hypervisor_ring_malformed_events",
            "agent_hypervisor_ring_series_overflowed");
    assertThatThrownBy(() -> registry.register(new RingMetricsBridge(rings)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aReservedOrNullConstantLabelIsRejectedNamingIt() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("env", null);

    assertThatThrownBy(() -> new RingMetricsBridge(rings, Map.of("__env", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("customLabels: \"__env\" is not a valid Prometheus label name");
    assertThatThrownBy(() -> new RingMetricsBridge(rings, nullValue))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("customLabels: the value of \"env\" is null");
  }
}
