package io.hyperlens.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.alerting.AlertRule;
import io.hyperlens.alerting.Alerting;
import io.hyperlens.alerting.AlertmanagerChannel;
import io.hyperlens.alerting.RuleType;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.prometheus.Metrics;
import io.hyperlens.prometheus.MetricsConfig;
import io.hyperlens.prometheus.MetricsEndpoint;
import io.hyperlens.prometheus.RingMetricsBridge;
import io.hyperlens.ring.RingMetricsCollector;
import io.hyperlens.server.cli.HyperlensCommand;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts through Debian's real {@code prometheus-alertmanager} to a webhook receiver (a local HTTP
 * server taking Alertmanager's webhook payload): Hyperlens' own {@code AlertmanagerChannel} posts
 * an alert and later its resolve; a real Prometheus evaluating the shipped {@code
 * deploy/prometheus/alerts.yml} (through the shipped {@code prometheus.yml}, intervals shortened)
 * raises {@code HighRingBreachRate} from the demo run with every tool call breaching, and {@code
 * ElevationTooLong} from an agent elevated ten minutes ago, which resolves once it is demoted. The
 * shipped {@code deploy/alertmanager/alertmanager.yml} passes {@code amtool check-config}.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertmanagerSystemTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<JsonNode> hooks = new ArrayList<>();

  private Path work;
  private HttpServer receiver;
  private Process alertmanager;
  private URI alertmanagerUri;
  private final List<Process> others = new ArrayList<>();

  @BeforeAll
  void startAlertmanager(@TempDir Path work) throws Exception {
    this.work = work;
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
          synchronized (hooks) {
            hooks.add(body);
            hooks.notifyAll();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    Path config = work.resolve("alertmanager.yml");
    Files.writeString(
        config,
        "route:\n"
            + "  receiver: hook\n"
            + "  group_by: ['alertname', 'agent_did']\n"
            + "  group_wait: 1s\n"
            + "  group_interval: 1s\n"
            + "  repeat_interval: 1h\n"
            + "receivers:\n"
            + "  - name: hook\n"
            + "    webhook_configs:\n"
            + "      - url: http://127.0.0.1:"
            + receiver.getAddress().getPort()
            + "/hook\n"
            + "        send_resolved: true\n");
    int port = freePort();
    alertmanager =
        new ProcessBuilder(
                "prometheus-alertmanager",
                "--config.file=" + config,
                "--storage.path=" + work.resolve("am-data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("alertmanager.log").toFile())
            .start();
    alertmanagerUri = URI.create("http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ready(alertmanagerUri.resolve("/-/ready"))) {
      assertThat(alertmanager.isAlive()).as(log("alertmanager.log")).isTrue();
      assertThat(System.nanoTime() < deadline).as("Alertmanager ready within 30 s").isTrue();
      Thread.sleep(200);
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (Process p : others) {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    if (alertmanager != null) {
      alertmanager.destroy();
      alertmanager.waitFor(10, TimeUnit.SECONDS);
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void theShippedAlertmanagerConfigIsValid() throws Exception {
    Process check =
        new ProcessBuilder(
                "amtool",
                "check-config",
                DEPLOY.resolve("alertmanager/alertmanager.yml").toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(check.getInputStream().readAllBytes());
    assertThat(check.waitFor()).as(output).isZero();
    assertThat(output).contains("SUCCESS");
  }

  @Test
  void hyperlensPostsAnAlertAndItsResolveThroughARealAlertmanager() throws Exception {
    AlertConfig config =
        AlertConfig.builder()
            .externalUrl("http://hub.example:7070")
            .rule(
                AlertRule.builder(RuleType.SAGA_ESCALATED)
                    .id("SagaEscalatedE2E")
                    .window(Duration.ofSeconds(2))
                    .build())
            .channel(new AlertmanagerChannel("alertmanager", alertmanagerUri.toString(), null))
            .build();
    try (Alerting alerting = Alerting.builder(config).evaluateInBackground(false).build()) {
      HypervisorEventBus bus = new HypervisorEventBus();
      alerting.attach(bus);
      bus.emit(
          HypervisorEvent.builder(EventType.SAGA_ESCALATED)
              .sessionId("s-e2e")
              .agentDid("did:mesh:orchestrator-e2e")
              .build());
      alerting.evaluateNow();
      JsonNode firing =
          await(
              Duration.ofSeconds(60),
              hook ->
                  isAbout(hook, "SagaEscalatedE2E")
                      && "firing".equals(hook.path("status").asText()));
      JsonNode alert = firing.path("alerts").get(0);
      assertThat(alert.path("labels").path("severity").asText()).isEqualTo("warning");
      assertThat(alert.path("annotations").path("summary").asText())
          .isEqualTo("1 sagas escalated in 2s");

      Thread.sleep(2_500); // the escalation leaves its 2 s window
      alerting.evaluateNow();

      JsonNode resolved =
          await(
              Duration.ofSeconds(60),
              hook ->
                  isAbout(hook, "SagaEscalatedE2E")
                      && "resolved".equals(hook.path("status").asText()));
      assertThat(resolved.path("alerts").get(0).path("status").asText()).isEqualTo("resolved");
      assertThat(alerting.stats().channels().get(0).failed()).isZero();
    }
  }

  @Test
  void prometheusRaisesTheShippedRulesThroughAlertmanagerAndElevationTooLongResolves()
      throws Exception {
    // the demo with every tool call breaching: 8 tool agents, about 2.5 breaches/s each
    int demoPort = freePort();
    Process demo =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HyperlensCommand.class.getName(),
                "demo",
                "--no-hub",
                "--duration",
                "6m",
                "--breach-rate",
                "1",
                "--metrics-port",
                Integer.toString(demoPort))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("demo.log").toFile())
            .start();
    others.add(demo);
    // an agent elevated ten minutes ago and never demoted, on an endpoint of its own
    HypervisorEventBus bus = new HypervisorEventBus();
    RingMetricsCollector rings = new RingMetricsCollector(bus);
    try (MetricsEndpoint elevations = Metrics.enable(MetricsConfig.defaults().withPort(0))) {
      elevations.registry().register(new RingMetricsBridge(rings));
      bus.emit(
          HypervisorEvent.builder(EventType.RING_ELEVATED)
              .agentDid("did:mesh:stuck-elevated")
              .sessionId("s-long")
              .timestamp(Instant.now().minus(Duration.ofMinutes(10)))
              .payload(Map.of("from_ring", 3, "to_ring", 1))
              .build());

      String shipped = Files.readString(DEPLOY.resolve("prometheus/prometheus.yml"));
      assertThat(shipped).contains("localhost:9464").contains("localhost:9093");
      Files.writeString(
          work.resolve("prometheus.yml"),
          shipped
                  .replace("interval: 15s", "interval: 1s")
                  .replace("localhost:9464", "localhost:" + demoPort)
                  .replace("localhost:9093", "localhost:" + alertmanagerUri.getPort())
              + "  - job_name: \"elevations\"\n"
              + "    static_configs:\n"
              + "      - targets: [\"localhost:"
              + elevations.uri().getPort()
              + "\"]\n");
      Files.copy(DEPLOY.resolve("prometheus/alerts.yml"), work.resolve("alerts.yml"));
      Process prometheus =
          new ProcessBuilder(
                  "prometheus",
                  "--config.file=" + work.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + work.resolve("prom-data"),
                  "--web.listen-address=127.0.0.1:" + freePort())
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("prometheus.log").toFile())
              .start();
      others.add(prometheus);

      // for: 1m after the first evaluation
      JsonNode elevated =
          await(
              Duration.ofMinutes(3),
              hook ->
                  isAbout(hook, "ElevationTooLong")
                      && "firing".equals(hook.path("status").asText())
                      && hook.path("commonLabels")
                          .path("agent_did")
                          .asText()
                          .equals("did:mesh:stuck-elevated"));
      assertThat(elevated.path("alerts").get(0).path("annotations").path("summary").asText())
          .isEqualTo("Agent did:mesh:stuck-elevated elevated for over 5 minutes");

      bus.emit(
          HypervisorEvent.builder(EventType.RING_DEMOTED)
              .agentDid("did:mesh:stuck-elevated")
              .sessionId("s-long")
              .payload(Map.of("from_ring", 1, "to_ring", 3))
              .build());
      await(
          Duration.ofMinutes(2),
          hook ->
              isAbout(hook, "ElevationTooLong")
                  && "resolved".equals(hook.path("status").asText())
                  && hook.path("commonLabels")
                      .path("agent_did")
                      .asText()
                      .equals("did:mesh:stuck-elevated"));

      // for: 2m over rate(...[5m]) > 0.5 per agent
      JsonNode breaching =
          await(
              Duration.ofMinutes(4),
              hook ->
                  isAbout(hook, "HighRingBreachRate")
                      && "firing".equals(hook.path("status").asText()));
      assertThat(breaching.path("commonLabels").path("agent_did").asText())
          .startsWith("did:mesh:tool-agent-");
      assertThat(demo.isAlive()).as(log("demo.log")).isTrue();
    }
  }

  private static boolean isAbout(JsonNode hook, String alertname) {
    return alertname.equals(hook.path("commonLabels").path("alertname").asText());
  }

  private JsonNode await(Duration timeout, Predicate<JsonNode> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (hooks) {
      while (true) {
        for (JsonNode hook : hooks) {
          if (wanted.test(hook)) {
            return hook;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "no such webhook call within "
                  + timeout
                  + "; got "
                  + hooks
                  + "\n"
                  + log("alertmanager.log")
                  + "\n"
                  + log("prometheus.log"));
        }
        hooks.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  private boolean ready(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private String log(String name) {
    try {
      String text = Files.readString(work.resolve(name));
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(no " + name + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
