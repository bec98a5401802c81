package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.RingMetricsCollector;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String text(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void missingArgumentsAreNamed() {
    MetricsConfig bare = MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, false);
    PrometheusRegistry registry = new PrometheusRegistry();

    assertThatThrownBy(() -> Metrics.enable(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config must not be null");
    assertThatThrownBy(() -> Metrics.enable(bare, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("registry must not be null");
    assertThatThrownBy(() -> Metrics.served(null, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config must not be null");
    assertThatThrownBy(() -> Metrics.served(bare, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("registry must not be null");
  }

  @Test
  void servedRegistersEveryRuntimeFamilyAndLabelsOnlyWhatItServes() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    PrometheusRegistry served =
        Metrics.served(MetricsConfig.defaults().withCustomLabels(Map.of("env", "prod")), registry);

    assertThat(registry.scrape().stream().map(s -> s.getMetadata().getPrometheusName()))
        .contains(
            "jvm_threads_current",
            "jvm_buffer_pool_used_bytes",
            "jvm_classes_currently_loaded",
            "jvm_compilation_time_seconds",
            "jvm_gc_collection_seconds",
            "jvm_memory_pool_allocated_bytes",
            "jvm_memory_used_bytes",
            "jvm_runtime",
            "process_cpu_seconds");
    assertThat(text(registry)).contains("jvm_threads_current ").doesNotContain("env=");
    assertThat(text(served)).contains("jvm_threads_current{env=\"prod\"} ");
  }

  @Test
  void aRegistryHoldsTheRuntimeMetricsOnce() {
    PrometheusRegistry registry = new PrometheusRegistry();
    Metrics.served(MetricsConfig.defaults(), registry);

    assertThatThrownBy(() -> Metrics.enable(MetricsConfig.defaults().withPort(0), registry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Can't register jvm_threads_current because a metric with that name is already"
                + " registered.");
  }

  @Test
  void aFailedEnableReleasesItsPort() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Metrics.served(MetricsConfig.defaults(), registry);
    MetricsConfig config = MetricsConfig.defaults().withPort(freePort());
    assertThatThrownBy(() -> Metrics.enable(config, registry))
        .isInstanceOf(IllegalStateException.class);

    try (MetricsEndpoint endpoint =
        Metrics.enable(config.withRuntimeMetrics(false, false), registry)) {
      assertThat(endpoint.port()).isEqualTo(config.port());
    }
  }

  @Test
  void scrapesRunOnTheEndpointsOwnDaemonThreads() throws Exception {
    AtomicReference<Thread> scraper = new AtomicReference<>();
    try (MetricsEndpoint endpoint =
        Metrics.enable(MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, false))) {
      endpoint
          .registry()
          .register(
              () -> {
                scraper.set(Thread.currentThread());
                return MetricSnapshots.of();
              });

      assertThat(get(endpoint.uri()).statusCode()).isEqualTo(200);
    }
    assertThat(scraper.get().getName()).startsWith("hyperlens-metrics-");
    assertThat(scraper.get().isDaemon()).isTrue();
  }

  @Test
  void closingReleasesThePort() throws Exception {
    MetricsConfig config = MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, false);
    int port;
    try (MetricsEndpoint endpoint = Metrics.enable(config)) {
      port = endpoint.port();
    }

    try (MetricsEndpoint again = Metrics.enable(config.withPort(port))) {
      assertThat(get(again.uri()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anIpv6HostIsBracketedInTheUri() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      assumeTrue(probe.isBound());
    } catch (IOException e) {
      assumeTrue(false, "no IPv6 loopback here: " + e);
    }
    try (MetricsEndpoint endpoint =
        Metrics.enable(
            MetricsConfig.defaults()
                .withHost("::1")
                .withPort(0)
                .withRuntimeMetrics(false, false))) {
      assertThat(endpoint.uri().toString())
          .isEqualTo("http://[::1]:" + endpoint.port() + "/metrics");
      assertThat(get(endpoint.uri()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theSeriesBudgetDefaultsToFiftyThousandAndEveryWitherKeepsIt() {
    MetricsConfig config =
        MetricsConfig.defaults()
            .withMaxSeries(7)
            .withHost("0.0.0.0")
            .withPort(1)
            .withPath("/m")
            .withNamespace("ns")
            .withRuntimeMetrics(false, true)
            .withCustomLabels(Map.of("env", "x"));

    assertThat(MetricsConfig.defaults().maxSeries()).isEqualTo(50_000);
    assertThat(new MetricsConfig("h", 1, "/", "ns", true, true, null).maxSeries())
        .isEqualTo(MetricsConfig.DEFAULT_MAX_SERIES);
    assertThat(config)
        .isEqualTo(new MetricsConfig("0.0.0.0", 1, "/m", "ns", false, true, Map.of("env", "x"), 7));
  }

  @Test
  void theBoundsOfPortAndBudgetAreInclusive() {
    MetricsConfig defaults = MetricsConfig.defaults();

    assertThat(defaults.withPort(0).port()).isZero();
    assertThat(defaults.withPort(65_535).port()).isEqualTo(65_535);
    assertThat(defaults.withMaxSeries(1).maxSeries()).isEqualTo(1);
    assertThatThrownBy(() -> defaults.withPort(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 0 and 65535, got -1");
    assertThatThrownBy(() -> defaults.withPort(65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 0 and 65535, got 65536");
    assertThatThrownBy(() -> defaults.withMaxSeries(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSeries must be at least 1, got 0");
  }

  @Test
  void missingOrMalformedFieldsAreNamedToo() {
    MetricsConfig defaults = MetricsConfig.defaults();

    assertThatThrownBy(() -> defaults.withHost(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host must not be blank, got null");
    assertThatThrownBy(() -> defaults.withPath(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path must start with / and hold no spaces or query, got null");
    assertThatThrownBy(() -> defaults.withPath("/a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path must start with / and hold no spaces or query, got \"/a b\"");
    assertThatThrownBy(() -> defaults.withPath("/metrics?x=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path must start with / and hold no spaces or query, got \"/metrics?x=1\"");
    assertThatThrownBy(() -> defaults.withNamespace("agent:os"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "namespace must be a Prometheus metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*), got"
                + " \"agent:os\"");
    assertThatThrownBy(() -> defaults.withNamespace(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "namespace must be a Prometheus metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*), got"
                + " null");
  }

  @Test
  void customLabelsAreSortedUnmodifiableAndNullMeansNone() {
    Map<String, String> labels =
        MetricsConfig.defaults()
            .withCustomLabels(Map.of("team", "ml", "env", "prod"))
            .customLabels();

    assertThat(MetricsConfig.defaults().withCustomLabels(null).customLabels()).isEmpty();
    assertThat(labels.keySet()).containsExactly("env", "team");
    assertThatThrownBy(() -> labels.put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
