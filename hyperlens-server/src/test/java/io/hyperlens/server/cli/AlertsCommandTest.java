package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.hyperlens.server.hub.Hub;
import io.hyperlens.server.hub.HubConfig;
import io.hyperlens.store.SqliteStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** hyperlens alerts test | list, and --alerts of serve and demo. */
class AlertsCommandTest {
  @TempDir Path work;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private HttpServer receivers;
  private final List<String> bodies = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receivers = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receivers.createContext(
        "/ok",
        exchange -> {
          synchronized (bodies) {
            bodies.add(
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          }
          byte[] answer = "{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(202, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    receivers.createContext(
        "/bad",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] answer =
              "{\"message\":\"Event object is invalid\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(400, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    receivers.start();
  }

  @AfterEach
  void stop() {
    receivers.stop(0);
  }

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return new CommandLine(new HyperlensCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private Path config(String yaml) throws Exception {
    Path file = work.resolve("alerts.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private String url(String path) {
    return "http://127.0.0.1:" + receivers.getAddress().getPort() + path;
  }

  @Test
  void testSendsATriggerAndAResolveThroughEachChannelAndPrintsTheAnswers() throws Exception {
    Path file =
        config(
            "provider: pagerduty\n"
                + "api_key: R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01\n"
                + "endpoint: "
                + url("/ok")
                + "\n"
                + "channels:\n"
                + "  - {type: webhook, name: hook, url: '"
                + url("/ok")
                + "'}\n");

    assertThat(run("alerts", "test", "--config", file.toString())).as(err.toString()).isZero();

    assertThat(out.toString())
        .contains("pagerduty (PagerDuty Events v2 at http://127.0.0.1:")
        .contains("routing key ...3y01")
        .doesNotContain("R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y01")
        .contains("hook (Alertmanager-shaped webhook at http://127.0.0.1:")
        .contains("trigger  HTTP 202 delivered: {\"status\":\"success\"}")
        .contains("resolve  HTTP 202 delivered");
    assertThat(bodies).hasSize(4);
    assertThat(bodies.get(0)).contains("\"event_action\":\"trigger\"").contains("\"test\":true");
    assertThat(bodies.get(1)).contains("\"event_action\":\"resolve\"");
    assertThat(bodies.get(2)).contains("\"status\":\"firing\"").contains("hyperlens_test");
  }

  @Test
  void aRefusedOrUnreachableChannelFailsTheTestWithItsAnswer() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Path file =
        config(
            "channels:\n"
                + "  - {type: webhook, name: refused, url: '"
                + url("/bad")
                + "'}\n"
                + "  - {type: alertmanager, name: away, url: 'http://127.0.0.1:"
                + closed
                + "'}\n");

    assertThat(run("alerts", "test", "--config", file.toString())).isEqualTo(1);
    assertThat(out.toString())
        .contains("trigger  HTTP 400 refused: {\"message\":\"Event object is invalid\"}")
        .contains("trigger  failed: ConnectException");
    assertThat(run("alerts", "test", "--config", file.toString(), "--channel", "nope"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no channel named nope (there are: refused, away)");
  }

  @Test
  void aBadFileIsAUsageErrorNamingTheSettingForEveryCommandThatTakesOne() throws Exception {
    Path file = config("rules:\n  - {type: latency_spike, threshold: 5}\n");
    for (String[] args :
        List.of(
            new String[] {"alerts", "test", "--config", file.toString()},
            new String[] {
              "serve", "--data", work.resolve("d").toString(), "--alerts", file.toString()
            },
            new String[] {"demo", "--no-hub", "--alerts", file.toString()})) {
      assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString())
          .contains(
              file
                  + ": rules[0].threshold does not apply to a latency_spike rule; its threshold is"
                  + " threshold_ms");
    }
    assertThat(run("serve", "--alerts", work.resolve("missing.yaml").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no such file: " + work.resolve("missing.yaml"));
  }

  @Test
  void listPrintsAHubsAlerts() throws Exception {
    Path data = work.resolve("hub");
    try (Hub hub =
        Hub.start(HubConfig.defaults(data).withPort(0).withAuth(false), SqliteStore.open(data))) {
      assertThat(run("alerts", "list", "--hub", hub.uri().toString())).isZero();
      assertThat(out.toString()).contains("This hub evaluates no alert rules");
    }
  }

  @Test
  void theDemoWithoutAHubAlertsOnItsOwnBus() throws Exception {
    Path file =
        config(
            "rules:\n"
                + "  - {type: ring_breach_rate, threshold: 1}\n"
                + "channels:\n"
                + "  - {type: webhook, name: hook, url: '"
                + url("/ok")
                + "'}\n");
    assertThat(
            run(
                "demo",
                "--no-hub",
                "--duration",
                "2s",
                "--breach-rate",
                "1",
                "--alerts",
                file.toString()))
        .as(err.toString())
        .isZero();
    assertThat(out.toString())
        .containsPattern("Alerts: [1-9]\\d* firing")
        .contains("channel hook: ");
    assertThat(out.toString())
        .contains("the demo is over: its ")
        .contains("firing alert(s) resolved");
    synchronized (bodies) {
      assertThat(bodies).isNotEmpty();
      assertThat(bodies.get(0)).contains("ring_breach_rate").contains("did:mesh:tool-agent-");
      // nothing stays open once the demo is over: as many resolves as triggers
      long firing = bodies.stream().filter(b -> b.contains("\"status\":\"firing\"")).count();
      long resolved = bodies.stream().filter(b -> b.contains("\"status\":\"resolved\"")).count();
      assertThat(resolved).isEqualTo(firing);
    }
  }

  @Test
  void theHelpShowsHowToReadAnEnvironmentVariable() {
    assertThat(run("serve", "--help")).isZero();
    assertThat(out.toString().replaceAll("\\s+", " "))
        .contains("${NAME} in it reads")
        .doesNotContain("null in it");
  }
}
