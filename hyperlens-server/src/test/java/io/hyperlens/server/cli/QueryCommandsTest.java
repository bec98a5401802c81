package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.client.HubEventSink;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.otel.Tracing;
import io.hyperlens.otel.TracingConfig;
import io.hyperlens.server.demo.AgentWorkload;
import io.hyperlens.server.hub.Hub;
import io.hyperlens.server.hub.HubConfig;
import io.hyperlens.store.SqliteStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** hyperlens events / traces / trace / agents against a hub fed by the demo workload. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryCommandsTest {
  Hub hub;
  String key;
  String session;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  void feed(@TempDir Path data) {
    hub = Hub.start(HubConfig.defaults(data).withPort(0), SqliteStore.open(data));
    key = hub.initialAdminKey().orElseThrow();
    HypervisorEventBus bus = new HypervisorEventBus();
    try (Tracing tracing =
            Tracing.enable(
                TracingConfig.builder()
                    .serviceName("cli-test")
                    .exporter("otlp")
                    .endpoint(hub.uri() + "/v1/traces")
                    .header("Authorization", "Bearer " + key)
                    .registerGlobal(false)
                    .build());
        HubEventSink sink = HubEventSink.builder(hub.uri()).apiKey(key).build()) {
      sink.subscribeTo(bus);
      bus.subscribeAll(e -> session = e.sessionId().orElse(session));
      AgentWorkload workload = new AgentWorkload(bus, tracing.tracer(), 5, 0.6, 0.6);
      for (int i = 0; i < 10; i++) {
        workload.runWorkflow();
      }
      assertThat(sink.flush(Duration.ofSeconds(20))).isTrue();
    }
  }

  @AfterAll
  void stop() {
    hub.close();
  }

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return new CommandLine(new HyperlensCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private String[] withHub(String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--hub";
    all[args.length + 1] = hub.uri().toString();
    all[args.length + 2] = "--key";
    all[args.length + 3] = key;
    return all;
  }

  @Test
  void eventsListsASessionsNewestEvents() {
    assertThat(run(withHub("events", "--session", session, "--limit", "5")))
        .as(err.toString())
        .isZero();
    assertThat(out.toString().lines()).hasSize(5).allMatch(l -> l.contains(session));
    assertThat(out.toString().lines().findFirst().orElseThrow()).contains("session.archived");
  }

  @Test
  void tracesWithErrorsAndOneTraceWithItsCausalTree() throws Exception {
    assertThat(run(withHub("traces", "--status", "error", "--json"))).as(err.toString()).isZero();
    JsonNode traces = new ObjectMapper().readTree(out.toString()).get("traces");
    assertThat(traces.size()).isPositive();
    traces.forEach(t -> assertThat(t.get("error_count").asInt()).isPositive());
    String traceId = traces.get(0).get("trace_id").asText();

    assertThat(run(withHub("trace", traceId))).as(err.toString()).isZero();
    assertThat(out.toString())
        .startsWith("Trace " + traceId + ": ")
        .containsPattern("\n  workflow\\s")
        .containsPattern("\n    invoke_agent researcher\\s")
        .contains("(tool step failed")
        .contains("Causal tree (")
        .containsPattern("did:mesh:orchestrator-\\d+ \\(span [0-9a-f]{8}, depth 0\\)")
        .contains("saga.step_failed");
  }

  @Test
  void tracesOfOneAgentThroughTheAttributeIndex() throws Exception {
    assertThat(run(withHub("agents", "--json"))).isZero();
    String tool =
        new ObjectMapper()
            .readTree(out.toString()).get("agents").findValuesAsText("agent_did").stream()
                .filter(a -> a.contains(":tool-agent-"))
                .findFirst()
                .orElseThrow();
    assertThat(run(withHub("traces", "--agent", tool, "--json"))).as(err.toString()).isZero();
    JsonNode traces = new ObjectMapper().readTree(out.toString()).get("traces");
    assertThat(traces.size()).isPositive();
    traces.forEach(t -> assertThat(t.get("agents").toString()).contains(tool));
    assertThat(run(withHub("traces", "--attr", "agent.did=" + tool, "--json"))).isZero();
    assertThat(new ObjectMapper().readTree(out.toString()).get("traces")).hasSize(traces.size());
    assertThat(run(withHub("traces", "--attr", "agent.did=did:mesh:nobody"))).isZero();
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void agentsShowsRingsAndBreaches() {
    assertThat(run(withHub("agents", "--limit", "100"))).as(err.toString()).isZero();
    assertThat(out.toString())
        .startsWith("AGENT")
        .containsPattern("did:mesh:tool-agent-\\d+\\s+3\\s+no\\s+\\d+");
  }

  @Test
  void failuresSayWhatIsWrong() throws Exception {
    assertThat(run("agents", "--hub", hub.uri().toString(), "--key", "hl_bad")).isEqualTo(2);
    assertThat(err.toString()).contains("401").contains("--key or $HYPERLENS_KEY");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    assertThat(run("events", "--hub", "http://127.0.0.1:" + port)).isEqualTo(1);
    assertThat(err.toString()).contains("no hub answers at http://127.0.0.1:" + port);
    assertThat(run(withHub("trace", "0123456789abcdef0123456789abcdef"))).isEqualTo(1);
    assertThat(err.toString()).contains("404");
    assertThat(run(withHub("traces", "--status", "maybe"))).isEqualTo(2);
    assertThat(err.toString()).contains("status must be error or ok");
    assertThat(run("events", "--hub", "not a url")).isEqualTo(2);
  }
}
