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
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
      try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").start()) {
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
              "agent_governance_evaluation_latency_seconds_bucket\\{decision=\"deny\","
                  + ".*le=\"0.05\"} 0")
          .containsPattern(
              "agent_governance_evaluation_latency_seconds_bucket\\{decision=\"deny\","
                  + ".*le=\"0.1\"} 1")
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
  void theEndpointsConfigAppliesToGovernanceAndSdkSeriesToo() throws Exception {
    try (MetricsEndpoint endpoint =
            Metrics.enable(
                MetricsConfig.defaults().withPort(0).withCustomLabels(Map.of("env", "prod")));
        Tracing tracing =
            Tracing.enable(
                TracingConfig.builder()
                    .serviceName("agent-runtime")
                    .registerGlobal(false)
                    .metricsRegistry(endpoint.registry())
                    .build(),
                new RecordingSdkExporter())) {
      GovernanceMetrics governance = new GovernanceMetrics(tracing.meterProvider());
      governance.recordDecision(false, "did:mesh:b", "shell_exec", 60.0);
      governance.registerTrustScoreGauge(m -> m.record(850.0));
      new GenAiTelemetry(tracing.tracer(), tracing.meterProvider())
          .chat("openai", "gpt-4o")
          .start()
          .close();
      tracing.tracer().finishSpan(tracing.tracer().startSpan("work"));
      assertThat(tracing.forceFlush(Duration.ofSeconds(5))).isTrue();

      String text = scrape(endpoint);
      List<String> samples = text.lines().filter(l -> !l.startsWith("#")).toList();
      assertThat(samples)
          .hasSizeGreaterThan(100)
          .allSatisfy(sample -> assertThat(sample).contains("env=\"prod\""));
      // Prometheus naming: snake_case metric and label names, base units, help on every family.
      Pattern name = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*})? ");
      Pattern labelName = Pattern.compile("[{,]([a-zA-Z_][a-zA-Z0-9_]*)=\"");
      for (String sample : samples) {
        Matcher m = name.matcher(sample);
        assertThat(m.find()).as(sample).isTrue();
        assertThat(m.group(1)).as(sample).matches("[a-z_][a-z0-9_]*").doesNotContain("millis");
        Matcher label = labelName.matcher(sample.replaceAll("=\"(?:[^\"\\\\]|\\\\.)*\"", "=\"\""));
        while (label.find()) {
          assertThat(label.group(1)).as(sample).matches("[a-z_][a-z0-9_]*");
        }
      }
      long families = text.lines().filter(l -> l.startsWith("# TYPE ")).count();
      assertThat(text.lines().filter(l -> l.matches("# HELP \\S+ \\S.*"))).hasSize((int) families);
      assertThat(text)
          .containsPattern(
              "otel_sdk_processor_span_queue_size\\{env=\"prod\",.*"
                  + "processor_type=\"BatchSpanProcessor\"} 0.0")
          .containsPattern("agent_governance_trust_score\\{env=\"prod\",.*} 850.0")
          .containsPattern("agent_governance_evaluation_latency_seconds_sum\\{.*} 0.06\n")
          .contains("# HELP target_info Target metadata");
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
