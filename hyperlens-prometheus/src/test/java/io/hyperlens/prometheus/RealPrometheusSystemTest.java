package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.ring.RingMetricsCollector;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus} package, installed by {@code bin/e2e}) scrapes a
 * Hyperlens endpoint; its HTTP API must return the values recorded, and every PromQL expression in
 * {@code deploy/} must evaluate without error. {@code promtool} checks a real scrape and the alert
 * rules. A missing tool fails the test: it never skips.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealPrometheusSystemTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Path work;
  private MetricsEndpoint endpoint;
  private Process prometheus;
  private URI api;

  @BeforeAll
  void startEverything(@TempDir Path work) throws Exception {
    this.work = work;
    HypervisorEventBus bus = new HypervisorEventBus();
    RingMetricsCollector rings = new RingMetricsCollector(bus);
    endpoint = Metrics.enable(MetricsConfig.defaults().withPort(0));
    endpoint.registry().register(new RingMetricsBridge(rings));
    MetricsCollector collector = MetricsCollector.builder().registry(endpoint.registry()).build();
    AgentOsMetrics os = AgentOsMetrics.builder().registry(endpoint.registry()).build();
    bus.emit(
        bus.eventBuilder(EventType.RING_ASSIGNED)
            .sessionId("s1")
            .agentDid("did:mesh:analyst")
            .payload(Map.of("ring", 2))
            .build());
    collector.recordToolExecution("calculator", 0.2);
    os.setActiveAgents(3);

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path config = work.resolve("prometheus.yml");
    Files.writeString(
        config,
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - "
            + DEPLOY.resolve("prometheus/alerts.yml").toAbsolutePath()
            + "\nscrape_configs:\n  - job_name: hyperlens\n    static_configs:\n      - targets:"
            + " [\"127.0.0.1:"
            + endpoint.port()
            + "\"]\n");
    prometheus =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("prometheus.log").toFile())
            .start();
    api = URI.create("http://127.0.0.1:" + port);

    // Keep recording while Prometheus takes a few scrapes, so rate() has samples to work with.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int scrapes = 0;
    while (System.nanoTime() < deadline && scrapes < 4) {
      collector.recordToolExecution("calculator", 0.2);
      collector.recordToolExecution("web_search", 1.5, "failed", "TimeoutError");
      os.recordAction("agent-001", "sql", "allow", 0.3);
      bus.emit(
          bus.eventBuilder(EventType.RING_BREACH_DETECTED)
              .sessionId("s1")
              .agentDid("did:mesh:rogue")
              .payload(Map.of("ring", 3))
              .build());
      scrapes = scrapeCount();
      Thread.sleep(500);
    }
    assertThat(scrapes).as("scrapes by Prometheus within 60s").isGreaterThanOrEqualTo(4);
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      prometheus.waitFor(10, TimeUnit.SECONDS);
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private int scrapeCount() {
    try {
      String body = query("count_over_time(up{job=\"hyperlens\"}[1m])");
      Matcher value = Pattern.compile("\"value\":\\[[^,]+,\"(\\d+)\"\\]").matcher(body);
      return value.find() ? Integer.parseInt(value.group(1)) : 0;
    } catch (IOException | InterruptedException | RuntimeException notYet) {
      return 0;
    }
  }

  private String query(String promql) throws IOException, InterruptedException {
    URI uri =
        api.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  @Test
  void theRingGaugeReadsBackExactly() throws Exception {
    assertThat(query("agent_hypervisor_ring_current{agent_did=\"did:mesh:analyst\"}"))
        .contains("\"status\":\"success\"")
        .containsPattern("\"value\":\\[[0-9.]+,\"2\"\\]");
  }

  @Test
  void aCounterRateIsPositive() throws Exception {
    String body = query("sum(rate(agentcore_tool_executions_total[30s]))");
    Matcher value = Pattern.compile("\"value\":\\[[0-9.]+,\"([0-9.eE+-]+)\"\\]").matcher(body);
    assertThat(value.find()).as(body).isTrue();
    assertThat(Double.parseDouble(value.group(1))).isPositive();
  }

  @Test
  void aHistogramQuantileFallsInTheRightBucket() throws Exception {
    String body =
        query(
            "histogram_quantile(0.5, sum by (le)"
                + " (rate(agent_os_action_duration_seconds_bucket[30s])))");
    Matcher value = Pattern.compile("\"value\":\\[[0-9.]+,\"([0-9.eE+-]+)\"\\]").matcher(body);
    assertThat(value.find()).as(body).isTrue();
    // every action took 0.3 s: the median lies in the (0.25, 0.5] bucket
    assertThat(Double.parseDouble(value.group(1))).isBetween(0.25, 0.5);
  }

  @Test
  void everyExpressionInDeployEvaluatesWithoutError() throws Exception {
    List<String> expressions = new ArrayList<>();
    Matcher expr =
        Pattern.compile("expr: (.+)")
            .matcher(Files.readString(DEPLOY.resolve("prometheus/alerts.yml")));
    while (expr.find()) {
      expressions.add(expr.group(1).trim());
    }
    try (var dashboards = Files.list(DEPLOY.resolve("grafana"))) {
      for (Path dashboard : dashboards.toList()) {
        Matcher json =
            Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(Files.readString(dashboard));
        while (json.find()) {
          expressions.add(json.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
      }
    }
    assertThat(expressions).hasSizeGreaterThan(20);
    for (String promql : expressions) {
      String substituted = promql.replace("$__range", "5m");
      assertThat(query(substituted)).as(substituted).contains("\"status\":\"success\"");
    }
  }

  @Test
  void promtoolAcceptsARealScrapeAndTheAlertRules() throws Exception {
    HttpResponse<byte[]> scrape =
        http.send(
            HttpRequest.newBuilder(endpoint.uri()).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    Process metrics =
        new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    metrics.getOutputStream().write(scrape.body());
    metrics.getOutputStream().close();
    String metricsOutput =
        new String(metrics.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int status = metrics.waitFor();
    // The only findings allowed are the lint about the seed's own "_mb" names, which are kept so
    // dashboards written for the original still work; exit code 3 means lint findings only, a
    // parse error would be 1.
    assertThat(metricsOutput.lines())
        .as(metricsOutput)
        .allSatisfy(
            line ->
                assertThat(line)
                    .matches(
                        "agentcore_(memory_released_mb_total|system_memory_available_mb|"
                            + "agent_memory_mb) metric names should not contain abbreviated"
                            + " units"));
    assertThat(status).as(metricsOutput).isIn(0, 3);

    Process rules =
        new ProcessBuilder(
                "promtool", "check", "rules", DEPLOY.resolve("prometheus/alerts.yml").toString())
            .redirectErrorStream(true)
            .start();
    String rulesOutput = new String(rules.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(rules.waitFor()).as(rulesOutput).isZero();
    assertThat(rulesOutput).contains("SUCCESS: 6 rules found");
    // and their unit tests: ElevationTooLong resolves on a demotion, HighRingBreachRate is per
    // agent
    Process tests =
        new ProcessBuilder(
                "promtool",
                "test",
                "rules",
                DEPLOY.resolve("prometheus/alerts.test.yml").toString())
            .redirectErrorStream(true)
            .start();
    String testsOutput = new String(tests.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tests.waitFor()).as(testsOutput).isZero();
    assertThat(testsOutput).contains("SUCCESS");
  }
}
