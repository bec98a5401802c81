package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.prometheus.AgentPhilosophy;
import io.hyperlens.prometheus.Metrics;
import io.hyperlens.prometheus.MetricsCollector;
import io.hyperlens.prometheus.MetricsConfig;
import io.hyperlens.prometheus.MetricsEndpoint;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** OpenTelemetry metrics and client_java metrics on one real /metrics endpoint. */
class OtelMetricsOnPrometheusTest {

  private static String scrape(MetricsEndpoint endpoint) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(endpoint.uri()).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  void governanceAndGenAiMetricsShareTheEndpointWithTheCollectorsMetrics() throws Exception {
    try (MetricsEndpoint endpoint =
            Metrics.enable(MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, false));
        Tracing tracing =
            Tracing.enable(
                TracingConfig.builder()
                    .serviceName("agent-runtime")
                    .exporter("none")
                    .registerGlobal(false)
                    .metricsRegistry(endpoint.registry())
                    .build())) {
      MetricsCollector collector = MetricsCollector.builder().registry(endpoint.registry()).build();
      collector.recordAgentCreated(AgentPhilosophy.REACT);

      GovernanceMetrics governance = new GovernanceMetrics(tracing.meterProvider());
      governance.recordDecision(true, "did:mesh:a", "file_read", 0.05);
      governance.recordDecision(false, "did:mesh:b", "shell_exec", 60.0, true);
      governance.recordAuditEvent("AUDIT_COMMITTED");
      governance.registerActiveAgentsGauge(() -> 2);
      governance.registerTrustScoreGauge(m -> m.record(850.0));

      GenAiTelemetry genAi = new GenAiTelemetry(tracing.tracer(), tracing.meterProvider());
      try (GenAiOperation chat = genAi.chat("gpt-4o").providerName("openai").start()) {
        chat.usage(120, 42);
      }

      String text = scrape(endpoint);

      assertThat(text)
          .contains("agentcore_agents_total{philosophy=\"react\",status=\"initializing\"} 1.0")
          .containsPattern(
              "agent_governance_policy_decisions_total\\{decision=\"allow\",otel_scope_name="
                  + "\"AgentGovernance\",otel_scope_version=\"1.0.0\"} 1.0")
          .containsPattern("agent_governance_tool_calls_allowed_total\\{decision=\"allow\".*} 1.0")
          .containsPattern("agent_governance_tool_calls_blocked_total\\{decision=\"deny\".*} 1.0")
          .containsPattern("agent_governance_rate_limit_hits_total\\{decision=\"deny\".*} 1.0")
          .containsPattern(
              "agent_governance_evaluation_latency_ms_milliseconds_bucket\\{decision=\"deny\","
                  + ".*le=\"50.0\"} 0")
          .containsPattern(
              "agent_governance_evaluation_latency_ms_milliseconds_bucket\\{decision=\"deny\","
                  + ".*le=\"100.0\"} 1")
          .containsPattern(
              "agent_governance_audit_events_total\\{event_type=\"AUDIT_COMMITTED\".*} 1.0")
          .containsPattern("agent_governance_active_agents\\{.*} 2.0")
          .containsPattern("agent_governance_trust_score\\{.*} 850.0")
          .containsPattern(
              "gen_ai_client_token_usage_bucket\\{gen_ai_operation_name=\"chat\","
                  + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o\","
                  + "gen_ai_token_type=\"input\",.*le=\"256.0\"} 1")
          .containsPattern("gen_ai_client_operation_duration_seconds_count\\{.*} 1")
          .contains("target_info{");

      // Every governance series the deploy/ alerts and dashboards query is really exposed.
      for (String name : governanceNamesIn(Path.of("../deploy"))) {
        assertThat(text).as("deploy/ queries %s", name).contains(name + "{");
      }
    }
  }

  @Test
  void closingTracingTakesItsMetricsOffTheEndpoint() throws Exception {
    try (MetricsEndpoint endpoint =
        Metrics.enable(MetricsConfig.defaults().withPort(0).withRuntimeMetrics(false, false))) {
      Tracing tracing =
          Tracing.enable(
              TracingConfig.builder()
                  .exporter("none")
                  .registerGlobal(false)
                  .metricsRegistry(endpoint.registry())
                  .build());
      new GovernanceMetrics(tracing.meterProvider()).recordAuditEvent("AUDIT_COMMITTED");
      assertThat(scrape(endpoint)).contains("agent_governance_audit_events_total");
      tracing.close();
      assertThat(scrape(endpoint)).doesNotContain("agent_governance");
    }
  }

  private static Set<String> governanceNamesIn(Path deploy) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    Pattern name = Pattern.compile("agent_governance_[a-z_]+");
    try (var files = Files.walk(deploy)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        Matcher m = name.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group());
        }
      }
    }
    // The seed's own, uncorrected expression is quoted in a comment of alerts.yml.
    names.remove("agent_governance_evaluation_latency_ms");
    assertThat(names).isNotEmpty();
    return names;
  }
}
