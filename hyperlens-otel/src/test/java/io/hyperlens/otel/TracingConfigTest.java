package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TracingConfigTest {
  @Test
  void theSeedsConfigurationReadsTheSameInJava() {
    TracingConfig config =
        TracingConfig.builder()
            .serviceName("my-agent-service")
            .exporter("zipkin")
            .endpoint("http://localhost:9411/api/v2/spans")
            .sampleRate(1.0)
            .propagators(List.of("tracecontext", "baggage"))
            .build();

    assertThat(config.serviceName()).isEqualTo("my-agent-service");
    assertThat(config.exporter()).isEqualTo(TraceExporter.ZIPKIN);
    assertThat(config.endpoint()).contains("http://localhost:9411/api/v2/spans");
    assertThat(config.propagators()).containsExactly("tracecontext", "baggage");
  }

  @Test
  void eachExporterHasItsDefaultEndpointAndJaegerIsOtlp() {
    assertThat(TracingConfig.defaults().endpoint()).contains("http://localhost:4318/v1/traces");
    assertThat(TracingConfig.builder().exporter("jaeger").build().endpoint())
        .contains("http://localhost:4318/v1/traces");
    assertThat(TracingConfig.builder().exporter("JAEGER").otlpProtocol("grpc").build().endpoint())
        .contains("http://localhost:4317");
    assertThat(TracingConfig.builder().exporter("zipkin").build().endpoint())
        .contains("http://localhost:9411/api/v2/spans");
    assertThat(TracingConfig.builder().exporter("console").build().endpoint()).isEmpty();
  }

  @Test
  void eachExporterNameBuildsTheMatchingSdkExporter() {
    assertExporter(TracingConfig.builder().exporter("otlp").build(), OtlpHttpSpanExporter.class);
    assertExporter(TracingConfig.builder().exporter("jaeger").build(), OtlpHttpSpanExporter.class);
    assertExporter(
        TracingConfig.builder().exporter("otlp").otlpProtocol("grpc").build(),
        OtlpGrpcSpanExporter.class);
    assertExporter(TracingConfig.builder().exporter("zipkin").build(), ZipkinSpanExporter.class);
    assertExporter(TracingConfig.builder().exporter("console").build(), LoggingSpanExporter.class);
    assertThat(
            Tracing.exporterFor(
                TracingConfig.builder().exporter("none").build(), MeterProvider.noop()))
        .isNull();
  }

  private static void assertExporter(TracingConfig config, Class<?> type) {
    SpanExporter exporter = Tracing.exporterFor(config, MeterProvider.noop());
    try {
      assertThat(exporter).isInstanceOf(type);
    } finally {
      exporter.shutdown();
    }
  }

  @Test
  void badValuesFailNamingTheFieldAndTheValue() {
    assertThatThrownBy(() -> TracingConfig.builder().exporter("thrift"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("exporter must be one of otlp, zipkin, console, jaeger, none, got \"thrift\"");
    assertThatThrownBy(() -> TracingConfig.builder().serviceName(" "))
        .hasMessage("serviceName must not be blank, got \" \"");
    assertThatThrownBy(() -> TracingConfig.builder().sampleRate(1.01))
        .hasMessage("sampleRate must be between 0.0 and 1.0, got 1.01");
    assertThatThrownBy(() -> TracingConfig.builder().sampleRate(Double.NaN))
        .hasMessage("sampleRate must be between 0.0 and 1.0, got NaN");
    assertThatThrownBy(() -> TracingConfig.builder().endpoint("localhost:4318"))
        .hasMessage(
            "endpoint must be an http:// or https:// URL with a host, got \"localhost:4318\"");
    assertThatThrownBy(() -> TracingConfig.builder().endpoint("http://bad host/"))
        .hasMessageStartingWith("endpoint must be an http:// or https:// URL with a host");
    assertThatThrownBy(() -> TracingConfig.builder().propagators(List.of("tracecontext", "b3")))
        .hasMessage("propagators may hold tracecontext and baggage, got \"b3\"");
    assertThatThrownBy(() -> TracingConfig.builder().otlpProtocol("http/json"))
        .hasMessage("otlpProtocol must be http/protobuf or grpc, got \"http/json\"");
    assertThatThrownBy(() -> TracingConfig.builder().exportTimeout(Duration.ofSeconds(-1)))
        .hasMessage("exportTimeout must be a positive duration, got PT-1S");
    assertThatThrownBy(() -> TracingConfig.builder().resourceAttribute("", "x"))
        .hasMessage("resource attribute key must not be blank, got \"\"");
    assertThatThrownBy(
            () ->
                TracingConfig.builder().exporter("console").endpoint("http://localhost:1/").build())
        .hasMessage("endpoint must not be set for exporter console, got \"http://localhost:1/\"");
  }

  @Test
  void headerNamesAndTheServiceNameAreChecked() {
    assertThatThrownBy(() -> TracingConfig.builder().header("bad name", "x"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "header name must be an HTTP token (letters, digits, !#$%&'*+-.^_`|~), got \"bad name\"");
    assertThatThrownBy(() -> TracingConfig.builder().resourceAttribute("service.name", "x"))
        .hasMessage("resource attribute service.name is set by serviceName(...), got \"x\"");
    assertThat(TracingConfig.builder().header("Authorization", "Bearer t").build().headers())
        .containsEntry("Authorization", "Bearer t");
  }

  @Test
  void jaegersLegacyThriftEndpointIsRejectedWithTheFix() {
    assertThatThrownBy(
            () ->
                TracingConfig.builder()
                    .exporter("jaeger")
                    .endpoint("http://localhost:14268/api/traces")
                    .build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint \"http://localhost:14268/api/traces\" is Jaeger's legacy")
        .hasMessageContaining("http://<host>:4318/v1/traces");
  }
}
