package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OTLP/HTTP export to a receiver on loopback that decodes the protobuf body with {@code
 * opentelemetry-proto}: the bytes on the wire carry the spans exactly.
 */
class OtlpReceiverTest {
  private final List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            received.add(ExportTraceServiceRequest.parseFrom(body));
          }
          // An empty body is an empty ExportTraceServiceResponse: everything accepted.
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  private String endpoint() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
  }

  private static String hex(com.google.protobuf.ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  private static Map<String, AnyValue> attributes(List<KeyValue> keyValues) {
    return keyValues.stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
  }

  @SuppressWarnings("try")
  private void exportAndCheck(String exporter) throws Exception {
    SpanData parentData;
    SpanData childData;
    try (Tracing tracing =
        Tracing.enable(
            TracingConfig.builder()
                .serviceName("agent-runtime")
                .exporter(exporter)
                .endpoint(endpoint())
                .registerGlobal(false)
                .build())) {
      DistributedTracer tracer = tracing.tracer();
      Span parent = tracer.startSpan("orchestrate", SpanKind.SERVER, Map.of("agents", 2L));
      Span child;
      try (Scope ignored = parent.makeCurrent()) {
        child = tracer.startSpan("tool.call", SpanKind.CLIENT, Map.of("tool.name", "search"));
        child.addEvent("retry", Map.of("attempt", 2L));
        tracer.recordException(child, new IllegalStateException("boom"));
        tracer.finishSpan(child, SpanStatus.ERROR, "tool failed");
      }
      tracer.finishSpan(parent);
      parentData = tracer.getSpanById(parent.spanId()).orElseThrow();
      childData = tracer.getSpanById(child.spanId()).orElseThrow();
    }

    assertThat(contentTypes)
        .allSatisfy(type -> assertThat(type).isEqualTo("application/x-protobuf"));
    List<io.opentelemetry.proto.trace.v1.Span> spans =
        received.stream()
            .flatMap(r -> r.getResourceSpansList().stream())
            .flatMap(rs -> rs.getScopeSpansList().stream())
            .flatMap(ss -> ss.getSpansList().stream())
            .collect(Collectors.toList());
    assertThat(spans).hasSize(2);
    ResourceSpans resourceSpans = received.get(0).getResourceSpans(0);
    assertThat(
            attributes(resourceSpans.getResource().getAttributesList())
                .get("service.name")
                .getStringValue())
        .isEqualTo("agent-runtime");
    ScopeSpans scope = resourceSpans.getScopeSpans(0);
    assertThat(scope.getScope().getName()).isEqualTo("io.hyperlens.trace");

    Map<String, io.opentelemetry.proto.trace.v1.Span> byName =
        spans.stream()
            .collect(Collectors.toMap(io.opentelemetry.proto.trace.v1.Span::getName, s -> s));
    io.opentelemetry.proto.trace.v1.Span parent = byName.get("orchestrate");
    io.opentelemetry.proto.trace.v1.Span child = byName.get("tool.call");

    assertThat(hex(parent.getTraceId())).isEqualTo(parentData.traceId());
    assertThat(hex(parent.getSpanId())).isEqualTo(parentData.spanId());
    assertThat(parent.getParentSpanId().isEmpty()).isTrue();
    assertThat(parent.getKind())
        .isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(parent.getStartTimeUnixNano()).isEqualTo(parentData.startEpochNanos());
    assertThat(parent.getEndTimeUnixNano()).isEqualTo(parentData.endEpochNanos());
    assertThat(parent.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_OK);
    assertThat(attributes(parent.getAttributesList()).get("agents").getIntValue()).isEqualTo(2);

    assertThat(hex(child.getTraceId())).isEqualTo(childData.traceId());
    assertThat(hex(child.getSpanId())).isEqualTo(childData.spanId());
    assertThat(hex(child.getParentSpanId())).isEqualTo(parentData.spanId());
    assertThat(child.getKind())
        .isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(child.getStartTimeUnixNano()).isEqualTo(childData.startEpochNanos());
    assertThat(child.getEndTimeUnixNano()).isEqualTo(childData.endEpochNanos());
    assertThat(child.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(child.getStatus().getMessage()).isEqualTo("tool failed");
    assertThat(attributes(child.getAttributesList()).get("tool.name").getStringValue())
        .isEqualTo("search");
    assertThat(child.getEventsList())
        .extracting(io.opentelemetry.proto.trace.v1.Span.Event::getName)
        .containsExactly("retry", "exception");
    io.opentelemetry.proto.trace.v1.Span.Event exception = child.getEvents(1);
    assertThat(exception.getTimeUnixNano()).isEqualTo(childData.events().get(1).epochNanos());
    assertThat(attributes(exception.getAttributesList()).get("exception.type").getStringValue())
        .isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void otlpOverHttpCarriesEveryFieldOnTheWire() throws Exception {
    exportAndCheck("otlp");
  }

  @Test
  void jaegerIsOtlpToJaegersOtlpEndpoint() throws Exception {
    exportAndCheck("jaeger");
  }

  @Test
  void configuredHeadersAreSent() throws Exception {
    List<String> tenants = new CopyOnWriteArrayList<>();
    receiver.removeContext("/v1/traces");
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          tenants.add(exchange.getRequestHeaders().getFirst("x-tenant"));
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    try (Tracing tracing =
        Tracing.enable(
            TracingConfig.builder()
                .endpoint(endpoint())
                .header("x-tenant", "acme")
                .registerGlobal(false)
                .build())) {
      tracing.tracer().finishSpan(tracing.tracer().startSpan("op"));
    }
    assertThat(tenants).containsExactly("acme");
  }
}
