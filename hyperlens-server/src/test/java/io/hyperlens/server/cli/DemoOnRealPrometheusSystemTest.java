package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's path for an operator: {@code bin/hyperlens demo --metrics-port 9464} runs (here in a
 * child JVM, stopped with SIGTERM as Ctrl-C would), a real Prometheus scrapes it with the shipped
 * {@code deploy/prometheus/prometheus.yml} (only the intervals shortened, and the port moved when
 * 9464 is taken on this machine), and every panel of every shipped Grafana dashboard must return a
 * non-empty result. promtool checks a real scrape of everything the demo serves: only the
 * documented {@code _mb} names may be reported.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoOnRealPrometheusSystemTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Process demo;
  private Process prometheus;
  private URI api;
  private URI scrape;
  private Path work;

  @BeforeAll
  void startDemoAndPrometheus(@TempDir Path work) throws Exception {
    this.work = work;
    int demoPort = free(9464) ? 9464 : freePort();
    demo =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HyperlensCommand.class.getName(),
                "demo",
                "--duration",
                "3m",
                "--metrics-port",
                Integer.toString(demoPort))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("demo.log").toFile())
            .start();
    scrape = URI.create("http://127.0.0.1:" + demoPort + "/metrics");

    String shipped = Files.readString(DEPLOY.resolve("prometheus/prometheus.yml"));
    assertThat(shipped).contains("localhost:9464").contains("scrape_interval: 15s");
    Files.writeString(
        work.resolve("prometheus.yml"),
        shipped
            .replace("interval: 15s", "interval: 1s")
            .replace("localhost:9464", "localhost:" + demoPort));
    Files.copy(DEPLOY.resolve("prometheus/alerts.yml"), work.resolve("alerts.yml"));
    int apiPort = freePort();
    prometheus =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + apiPort)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("prometheus.log").toFile())
            .start();
    api = URI.create("http://127.0.0.1:" + apiPort);

    // Enough scrapes of a running workload for rate() and histogram_quantile() over [5m].
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    double scrapes = 0;
    while (System.nanoTime() < deadline && scrapes < 10) {
      Thread.sleep(1000);
      assertThat(demo.isAlive()).as(log("demo.log")).isTrue();
      scrapes = value("sum_over_time(up{job=\"hyperlens\"}[1m])");
    }
    assertThat(scrapes).as("successful scrapes of the demo within 90 s").isGreaterThanOrEqualTo(10);
  }

  @AfterAll
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      prometheus.waitFor(10, TimeUnit.SECONDS);
    }
    if (demo != null) {
      demo.destroy(); // SIGTERM: the demo stops early, as on Ctrl-C
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as(log("demo.log")).isTrue();
    }
  }

  @Test
  void everyDashboardPanelReturnsDataFromTheDemo() throws Exception {
    List<String> empty = new ArrayList<>();
    int panels = 0;
    try (var dashboards = Files.list(DEPLOY.resolve("grafana"))) {
      for (Path dashboard : dashboards.sorted().toList()) {
        for (JsonNode panel : JSON.readTree(dashboard.toFile()).path("panels")) {
          for (JsonNode target : panel.path("targets")) {
            String promql = target.path("expr").asText().replace("$__range", "5m");
            JsonNode answer = query(promql);
            assertThat(answer.path("status").asText()).as(promql).isEqualTo("success");
            panels++;
            if (answer.path("data").path("result").isEmpty()) {
              empty.add(
                  dashboard.getFileName() + " / " + panel.path("title").asText() + ": " + promql);
            }
          }
        }
      }
    }
    assertThat(panels).isGreaterThan(40);
    assertThat(empty).as("panels whose query returns nothing").isEmpty();
  }

  @Test
  void theGovernanceLatencyAlertEvaluatesOnRealData() throws Exception {
    // The alert compares seconds with 0.05: its left side must exist for it to mean anything.
    assertThat(
            query(
                    "histogram_quantile(0.99, sum by (le)"
                        + " (rate(agent_governance_evaluation_latency_seconds_bucket[5m])))")
                .path("data")
                .path("result"))
        .isNotEmpty();
  }

  @Test
  void promtoolFindsOnlyTheDocumentedMbNamesInTheDemosScrape() throws Exception {
    HttpResponse<byte[]> body =
        http.send(HttpRequest.newBuilder(scrape).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(body.statusCode()).isEqualTo(200);
    String text = new String(body.body(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains("agent_governance_policy_decisions_total{")
        .contains("agent_os_verifications_total{")
        .contains("agentcore_tool_executions_total{")
        .contains("agent_hypervisor_ring_transitions_total{")
        .contains("jvm_threads_current")
        .contains("hyperlens_metric_series_over_budget 0.0");
    Process promtool =
        new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    promtool.getOutputStream().write(body.body());
    promtool.getOutputStream().close();
    String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int status = promtool.waitFor();
    assertThat(output.lines())
        .as(output)
        .allSatisfy(
            line ->
                assertThat(line)
                    .matches(
                        "agentcore_(memory_released_mb_total|system_memory_available_mb|"
                            + "agent_memory_mb) metric names should not contain abbreviated"
                            + " units"));
    assertThat(status).as(output).isIn(0, 3);
  }

  private JsonNode query(String promql) throws IOException, InterruptedException {
    URI uri =
        api.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private double value(String promql) {
    try {
      JsonNode result = query(promql).path("data").path("result");
      return result.isEmpty() ? 0 : result.get(0).path("value").get(1).asDouble();
    } catch (IOException | InterruptedException | RuntimeException notYet) {
      return 0;
    }
  }

  private String log(String name) {
    try {
      return Files.readString(work.resolve(name));
    } catch (IOException e) {
      return "(no " + name + ")";
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return socket.isBound();
    } catch (IOException taken) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
