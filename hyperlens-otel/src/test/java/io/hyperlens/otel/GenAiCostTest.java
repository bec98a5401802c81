package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hyperlens.prometheus.Metrics;
import io.hyperlens.prometheus.MetricsConfig;
import io.hyperlens.prometheus.MetricsEndpoint;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.SpanData;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Token usage priced into cost: span attributes, and the counters on a real /metrics. */
class GenAiCostTest {
  private static final GenAiPriceTable PRICES =
      GenAiPriceTable.parse(
          "{\"version\":\"t1\",\"currency\":\"USD\",\"prices\":["
              + "{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"effective_from\":\"2000-01-01\","
              + "\"input_per_million\":2.50,\"output_per_million\":10.00,"
              + "\"aliases\":[\"gpt-4o-2024-08-06\"]},"
              + "{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\","
              + "\"effective_from\":\"2000-01-01\","
              + "\"input_per_million\":0.15,\"output_per_million\":0.60}]}");

  /** The samples of {@code family} in a scrape: {labels, value}. */
  private static List<String[]> samples(String text, String family) {
    List<String[]> out = new ArrayList<>();
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(family) + "\\{([^}]*)} (\\S+)$").matcher(text);
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2)});
    }
    return out;
  }

  private static List<String> labelNames(String labels) {
    List<String> names = new ArrayList<>();
    Matcher m =
        Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"").matcher(labels);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void costAndUnpricedCallsHaveTheirPrometheusNamesAndLabelsThroughTheRealReader()
      throws Exception {
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
      GenAiTelemetry genAi =
          GenAiTelemetry.builder(tracing.tracer(), tracing.meterProvider()).prices(PRICES).build();
      for (int i = 0; i < 2; i++) {
        try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").agentName("researcher").start()) {
          chat.responseModel("gpt-4o-2024-08-06").usage(120, 42); // 0.0003 + 0.00042
        }
      }
      try (GenAiOperation chat = genAi.chat("openai", "gpt-4o-mini").start()) {
        chat.usage(1_000, 0); // 0.00015, no agent
      }
      try (GenAiOperation chat = genAi.chat("openai", "my-finetune").agentName("writer").start()) {
        chat.usage(10, 10);
      }
      try (GenAiOperation chat = genAi.chat("openai", "gpt-4o").start()) {
        chat.fail("timeout"); // no usage: neither priced nor unpriced
      }

      HttpResponse<String> scrape =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(endpoint.uri()).build(),
                  HttpResponse.BodyHandlers.ofString());
      String text = scrape.body();

      List<String[]> cost = samples(text, "hyperlens_genai_cost_usd_total");
      assertThat(cost).hasSize(2);
      String[] researcher =
          cost.stream()
              .filter(s -> s[0].contains("agent=\"researcher\""))
              .findFirst()
              .orElseThrow();
      assertThat(researcher[0])
          .startsWith("agent=\"researcher\",model=\"gpt-4o-2024-08-06\",")
          .endsWith("provider=\"openai\"");
      assertThat(labelNames(researcher[0]))
          .containsExactly("agent", "model", "otel_scope_name", "otel_scope_version", "provider");
      assertThat(Double.parseDouble(researcher[1])).isCloseTo(0.00144, within(1e-12));
      String[] anonymous =
          cost.stream().filter(s -> !s[0].contains("agent=")).findFirst().orElseThrow();
      assertThat(labelNames(anonymous[0]))
          .containsExactly("model", "otel_scope_name", "otel_scope_version", "provider");
      assertThat(anonymous[0]).startsWith("model=\"gpt-4o-mini\",");
      assertThat(Double.parseDouble(anonymous[1])).isCloseTo(0.00015, within(1e-12));

      List<String[]> unpriced = samples(text, "hyperlens_genai_unpriced_calls_total");
      assertThat(unpriced).hasSize(1);
      assertThat(unpriced.get(0)[0])
          .startsWith("agent=\"writer\",model=\"my-finetune\",")
          .endsWith("provider=\"openai\"");
      assertThat(unpriced.get(0)[1]).isEqualTo("1.0");
      assertThat(text)
          .contains("# TYPE hyperlens_genai_cost_usd_total counter")
          .contains("# TYPE hyperlens_genai_unpriced_calls_total counter")
          .doesNotContain("hyperlens_genai_cost_usd_USD");
    }
  }

  @Test
  void aPricedOperationCarriesItsCostOnTheSpanAndAnUnknownModelIsMarkedUnpriced() {
    DistributedTracer tracer =
        DistributedTracer.builder()
            .clock(Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC))
            .build();
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider provider =
        SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      // the bundled table by default
      GenAiTelemetry genAi = GenAiTelemetry.builder(tracer, provider).build();
      try (GenAiOperation chat = genAi.chat("anthropic", "claude-3-5-sonnet-latest").start()) {
        chat.responseModel("claude-3-5-sonnet-20241022").usage(2_000, 500); // 0.006 + 0.0075
      }
      try (GenAiOperation chat = genAi.chat("openai", "gpt-4o-2099-01-01").start()) {
        chat.usage(10, 10);
      }
      try (GenAiOperation agent = genAi.invokeAgent("openai", "planner").start()) {
        agent.span().setAttribute("step", 1L); // no usage: no cost attribute at all
      }

      List<SpanData> spans = new ArrayList<>();
      tracer.recentTraces(10).forEach(t -> spans.addAll(tracer.getTraceSpans(t.traceId())));
      SpanData sonnet = named(spans, "chat claude-3-5-sonnet-latest");
      assertThat(sonnet.attributes())
          .containsEntry("hyperlens.genai.cost.usd", 0.0135)
          .doesNotContainKey("hyperlens.genai.cost.status");
      SpanData unknown = named(spans, "chat gpt-4o-2099-01-01");
      assertThat(unknown.attributes())
          .containsEntry("hyperlens.genai.cost.status", "unpriced")
          .doesNotContainKey("hyperlens.genai.cost.usd");
      assertThat(named(spans, "invoke_agent planner").attributes())
          .doesNotContainKeys("hyperlens.genai.cost.usd", "hyperlens.genai.cost.status");
      assertThat(GenAiAttributes.COST_USD.getKey()).isEqualTo("hyperlens.genai.cost.usd");
      assertThat(GenAiAttributes.COST_STATUS.getKey()).isEqualTo("hyperlens.genai.cost.status");
      assertThat(
              reader.collectAllMetrics().stream()
                  .filter(m -> m.getName().equals(GenAiTelemetry.COST))
                  .findFirst()
                  .orElseThrow()
                  .getDoubleSumData()
                  .getPoints())
          .singleElement()
          .satisfies(p -> assertThat(p.getValue()).isEqualTo(0.0135));
    } finally {
      tracer.close();
    }
  }

  @Test
  void pricesAreThoseInForceWhenTheOperationStarted() {
    GenAiPriceTable changing =
        GenAiPriceTable.parse(
            "{\"version\":\"t2\",\"currency\":\"USD\",\"prices\":["
                + "{\"provider\":\"openai\",\"model\":\"m\",\"effective_from\":\"2025-01-01\","
                + "\"input_per_million\":1,\"output_per_million\":1},"
                + "{\"provider\":\"openai\",\"model\":\"m\",\"effective_from\":\"2025-03-01\","
                + "\"input_per_million\":2,\"output_per_million\":2}]}");
    List<Double> costs = new ArrayList<>();
    for (String at :
        List.of("2024-12-31T23:00:00Z", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z")) {
      DistributedTracer tracer =
          DistributedTracer.builder().clock(Clock.fixed(Instant.parse(at), ZoneOffset.UTC)).build();
      try (SdkMeterProvider provider = SdkMeterProvider.builder().build()) {
        GenAiTelemetry genAi = GenAiTelemetry.builder(tracer, provider).prices(changing).build();
        try (GenAiOperation chat = genAi.chat("openai", "m").start()) {
          chat.usage(500_000, 500_000);
        }
        SpanData span = tracer.getTraceSpans(tracer.recentTraces(1).get(0).traceId()).get(0);
        costs.add((Double) span.attributes().get("hyperlens.genai.cost.usd"));
      } finally {
        tracer.close();
      }
    }
    assertThat(costs).containsExactly(null, 1.0, 2.0);
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }
}
