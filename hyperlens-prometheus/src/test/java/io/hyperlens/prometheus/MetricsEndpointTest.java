package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.RingMetricsCollector;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesRingMetricsJvmAndProcessMetricsOnLoopback() throws Exception {
    HypervisorEventBus bus = new HypervisorEventBus();
    RingMetricsCollector rings = new RingMetricsCollector(bus);
    MetricsConfig config = MetricsConfig.defaults().withPort(0);
    try (MetricsEndpoint endpoint = Metrics.enable(config)) {
      endpoint.registry().register(new RingMetricsBridge(rings));
      bus.emit(
          bus.eventBuilder(EventType.RING_ASSIGNED)
              .agentDid("did:mesh:a")
              .payload(Map.of("ring", 2))
              .build());

      HttpResponse<String> response = get(endpoint.uri());

      assertThat(endpoint.host()).isEqualTo("127.0.0.1");
      assertThat(endpoint.port()).isPositive();
      assertThat(endpoint.uri().toString())
          .isEqualTo("http://127.0.0.1:" + endpoint.port() + "/metrics");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body())
          .contains("agent_hypervisor_ring_current{agent_did=\"did:mesh:a\"} 2.0")
          .contains("# TYPE jvm_threads_current gauge")
          .contains("# TYPE process_cpu_seconds_total counter");
    }
  }

  @Test
  void customLabelsReachTheJvmAndProcessSeriesToo() throws Exception {
    MetricsConfig config =
        MetricsConfig.defaults().withPort(0).withCustomLabels(Map.of("env", "prod", "team", "ml"));
    try (MetricsEndpoint endpoint = Metrics.enable(config)) {
      String body = get(endpoint.uri()).body();

      assertThat(body.lines().filter(line -> !line.startsWith("#")))
          .filteredOn(line -> line.startsWith("jvm_") || line.startsWith("process_"))
          .hasSizeGreaterThan(20)
          .allSatisfy(line -> assertThat(line).contains("env=\"prod\"").contains("team=\"ml\""));
      assertThat(body).contains("# TYPE jvm_gc_collection_seconds summary");
    }
  }

  @Test
  void runtimeMetricsCanBeLeftOutAndThePathChanged() throws Exception {
    MetricsConfig config =
        MetricsConfig.defaults().withPort(0).withPath("/prom").withRuntimeMetrics(false, false);
    try (MetricsEndpoint endpoint = Metrics.enable(config)) {
      HttpResponse<String> response = get(endpoint.uri());

      assertThat(endpoint.uri().getPath()).isEqualTo("/prom");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).doesNotContain("jvm_").doesNotContain("process_");
    }
  }

  @Test
  void openMetricsIsServedWhenAsked() throws Exception {
    try (MetricsEndpoint endpoint =
        Metrics.enable(MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, true))) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(endpoint.uri())
                  .header("Accept", "application/openmetrics-text; version=1.0.0")
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/openmetrics-text");
      assertThat(response.body()).endsWith("# EOF\n");
    }
  }

  @Test
  void aTakenPortIsAClearError() {
    try (MetricsEndpoint first =
        Metrics.enable(MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, false))) {
      MetricsConfig clash =
          MetricsConfig.defaults().withPort(first.port()).withRuntimeMetrics(false, false);

      assertThatThrownBy(() -> Metrics.enable(clash))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("Cannot serve metrics on 127.0.0.1:" + first.port());
    }
  }

  @Test
  void configErrorsNameTheField() {
    MetricsConfig defaults = MetricsConfig.defaults();
    assertThatThrownBy(() -> defaults.withPort(70_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 0 and 65535, got 70000");
    assertThatThrownBy(() -> defaults.withPath("metrics"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path must start with / and hold no spaces or query, got \"metrics\"");
    assertThatThrownBy(() -> defaults.withNamespace("agent-os"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "namespace must be a Prometheus metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*), got"
                + " \"agent-os\"");
    assertThatThrownBy(() -> defaults.withHost(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host must not be blank, got \" \"");
    assertThatThrownBy(() -> defaults.withCustomLabels(Map.of("1env", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("customLabels: \"1env\" is not a valid Prometheus label name");
  }

  @Test
  void theDefaultsAreTheSeeds() {
    MetricsConfig defaults = MetricsConfig.defaults();

    assertThat(defaults.port()).isEqualTo(9464); // what deploy/prometheus/prometheus.yml scrapes
    assertThat(defaults.path()).isEqualTo("/metrics");
    assertThat(defaults.namespace()).isEqualTo("agent_os");
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.includeJvmMetrics()).isTrue();
    assertThat(defaults.includeProcessMetrics()).isTrue();
  }
}
