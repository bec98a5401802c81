package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new HyperlensCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void demoPrintsLiveLinesEventsByTypeAndACausalTree() {
    int exit =
        run(
            "demo",
            "--no-hub",
            "--duration",
            "600ms",
            "--rate",
            "200",
            "--interval",
            "200ms",
            "--failure-rate",
            "1",
            "--breach-rate",
            "1");

    String text = out.toString();
    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(text)
        .startsWith("Hyperlens demo: 200 workflows/s for 600ms (Ctrl-C stops early)\n")
        .containsPattern("\\[\\s+0\\.\\ds\\] events [\\d,]+ \\([\\d,]+/s\\) \\| workflows \\d+")
        .contains("Events by type:")
        .containsPattern(
            "Ring metrics: [\\d,]+ transitions, [\\d,]+ breaches, \\d+ agents by current ring"
                + " \\{2=\\d+, 3=\\d+\\}, [\\d.]+s elevated in all\n")
        .containsPattern(
            "Saga spans: [\\d,]+ buffered \\{compensating=\\d+, error=\\d+, ok=\\d+\\}, 0 dropped")
        .containsPattern("  session\\.created\\s+[\\d,]+\n")
        .containsPattern("  saga\\.escalated\\s+[\\d,]+\n")
        .containsPattern(
            "Causal tree of trace [0-9a-f]{12} \\(session-\\d{6}, saga step failed, earlier steps"
                + " compensated, escalated, ring breach\\):\n")
        .containsPattern("did:mesh:orchestrator-\\d \\(span [0-9a-f]{8}, depth 0\\)")
        .containsPattern(
            "│  └─ did:mesh:tool-agent-\\d \\(span [0-9a-f]{8}, depth 2\\): .*ring\\.breach_detected")
        .doesNotContain("saga.completed");
  }

  @Test
  void demoExportsItsSpansAndSagaSpansOverOtlp() throws Exception {
    AtomicLong bytes = new AtomicLong();
    AtomicInteger requests = new AtomicInteger();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          bytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
          requests.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    try {
      String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
      int exit =
          run(
              "demo",
              "--duration",
              "300ms",
              "--rate",
              "100",
              "--traces",
              "otlp",
              "--traces-endpoint",
              endpoint);

      assertThat(exit).isZero();
      assertThat(err.toString()).isEmpty();
      assertThat(out.toString())
          .containsPattern(
              "Exported to otlp at "
                  + Pattern.quote(endpoint)
                  + ": [1-9][\\d,]* spans and [1-9][\\d,]* saga spans; 0 failed, 0 dropped\n");
      assertThat(requests.get()).isPositive();
      assertThat(bytes.get()).isPositive();
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void spansSentWhereNothingAnswersAreOneLineAndANonZeroExit() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    String endpoint = "http://127.0.0.1:" + port + "/v1/traces";
    long start = System.nanoTime();
    int exit =
        run("demo", "--duration", "300ms", "--traces", "otlp", "--traces-endpoint", endpoint);
    assertThat(exit).isEqualTo(1);
    String errors = err.toString();
    assertThat(errors)
        .startsWith("hyperlens: nothing answers at " + endpoint)
        .containsPattern(
            "\\n0 of [1-9][\\d,]* spans exported: nothing answered at "
                + Pattern.quote(endpoint)
                + "\\n")
        .doesNotContain("\tat ")
        .doesNotContain("Caused by");
    assertThat(errors.lines().count()).isLessThanOrEqualTo(6);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofSeconds(8));
  }

  @Test
  void theDemoServesItsMetricsWhileItRuns() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    java.util.concurrent.atomic.AtomicReference<String> scraped =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread scraper =
        new Thread(
            () -> {
              java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
              long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
              while (System.nanoTime() < deadline && scraped.get() == null) {
                try {
                  String body =
                      client
                          .send(
                              java.net.http.HttpRequest.newBuilder(
                                      java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                                  .build(),
                              java.net.http.HttpResponse.BodyHandlers.ofString())
                          .body();
                  if (body.contains("agent_hypervisor_ring_transitions_total{")
                      && body.contains("agent_os_policy_evaluations_total{")) {
                    scraped.set(body);
                  }
                } catch (Exception notYet) {
                  // the endpoint is not up yet
                }
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    scraper.start();
    int exit =
        run("demo", "--duration", "2s", "--rate", "50", "--metrics-port", Integer.toString(port));
    scraper.join();
    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Metrics at http://127.0.0.1:" + port + "/metrics");
    assertThat(scraped.get())
        .as("a scrape during the run")
        .isNotNull()
        .contains("jvm_memory_used_bytes")
        // the demo's policy decisions, one AgentOsTelemetry call each
        .contains(
            "agent_os_policy_evaluations_total{decision=\"allow\",policy=\"rule-ring-elevation\"}");
    assertThat(run("demo", "--metrics-port", "70000")).isEqualTo(2);
    assertThat(err.toString()).contains("--metrics-port must be within 0..65535, got 70000");
  }

  @Test
  void rejectsBadOptionsWithTheirNames() {
    assertThat(run("demo", "--rate", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--rate must be at least 1, got 0");

    assertThat(run("demo", "--failure-rate", "1.5")).isEqualTo(2);
    assertThat(err.toString()).contains("--failure-rate must be within 0..1, got 1.5");

    assertThat(run("demo", "--traces", "thrift")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "--traces: exporter must be one of otlp, zipkin, console, jaeger, none, got"
                + " \"thrift\"");

    assertThat(run("demo", "--duration", "soon")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "Invalid value for option '--duration': 'soon' is not a duration (examples: 5 or 5s,"
                + " 500ms, 2m, 1h, 7d, PT10S)");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void printsTheVersion() {
    assertThat(run("--version")).isZero();
    assertThat(run("demo", "-V")).isZero();
    assertThat(out.toString()).matches("(hyperlens \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n){2}");
  }

  @Test
  void auditCommandsNameWhatIsWrongWithTheirInput(@TempDir Path dir) {
    assertThat(run("audit", "verify", dir.resolve("nothing").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("LOG: no audit file at ");
    err.getBuffer().setLength(0);
    assertThat(
            run(
                "demo",
                "--audit",
                dir.resolve("a").toString(),
                "--key-dir",
                dir.resolve("keys").toString(),
                "--duration",
                "100ms"))
        .isZero();
    assertThat(run("audit", "report", dir.resolve("a").toString(), "--format", "docx"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("format must be one of pdf|csv|json, got \"docx\"");
    assertThat(run("audit", "verify", dir.resolve("a").toString(), "--fingerprint", "SHA256:12"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("fingerprint must be SHA256: and 64 hex digits");
    assertThat(run("demo", "--witness", dir.resolve("w").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--witness needs --audit DIR");
  }

  @Test
  void auditWithoutASubcommandPrintsUsageAndExits2() {
    assertThat(run("audit")).isEqualTo(2);
    assertThat(err.toString()).contains("audit: name a subcommand.").contains("verify-proof");
  }
}
