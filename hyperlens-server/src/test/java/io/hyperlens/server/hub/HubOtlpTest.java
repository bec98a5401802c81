package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.store.SqliteStore;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/traces with the OpenTelemetry SDK's own exporter and its own JSON encoding. */
class HubOtlpTest {
  @TempDir Path data;
  Hub hub;
  String key;

  @BeforeEach
  void start() {
    hub = Hub.start(HubConfig.defaults(data).withPort(0), SqliteStore.open(data));
    key = hub.initialAdminKey().orElseThrow();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** Makes a small trace with an SDK tracer exporting through {@code exporter}. */
  private static String[] trace(SpanExporter exporter, String service) {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.create(
                    Attributes.of(
                        io.opentelemetry.api.common.AttributeKey.stringKey("service.name"),
                        service)))
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    Tracer tracer = provider.get("hub-test");
    Span root = tracer.spanBuilder("workflow").startSpan();
    String[] ids;
    try (Scope scope = root.makeCurrent()) {
      Span child =
          tracer
              .spanBuilder("tool.call")
              .setParent(io.opentelemetry.context.Context.current())
              .startSpan();
      assertThat(scope).isNotNull();
      child.setAttribute("tool", "search");
      child.setAttribute("api_key", "sk-live-abcdefghijklmnopqrstuvwx");
      child.setStatus(StatusCode.ERROR, "timed out");
      child.addEvent(
          "retry", Attributes.of(io.opentelemetry.api.common.AttributeKey.longKey("attempt"), 2L));
      child.end();
      ids = new String[] {root.getSpanContext().getTraceId(), child.getSpanContext().getSpanId()};
    }
    root.end();
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
    return ids;
  }

  @Test
  void theSdksOwnProtobufExporterWithGzipLandsSpansWithTheirService() {
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(hub.uri() + "/v1/traces")
            .addHeader("Authorization", "Bearer " + key)
            .setCompression("gzip")
            .build();
    String[] ids = trace(exporter, "research-agent");

    List<SpanData> spans = hub.store().trace(ids[0]);
    assertThat(spans).hasSize(2);
    SpanData child =
        spans.stream().filter(s -> s.spanId().equals(ids[1])).findFirst().orElseThrow();
    assertThat(child.serviceName()).isEqualTo("research-agent");
    assertThat(child.name()).isEqualTo("tool.call");
    assertThat(child.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(child.statusMessage()).contains("timed out");
    assertThat(child.attributes()).containsEntry("tool", "search");
    assertThat(String.valueOf(child.attributes().get("api_key"))).doesNotContain("abcdefghij");
    assertThat(child.events()).extracting(e -> e.name()).containsExactly("retry");
    assertThat(child.parentSpanId()).isPresent();

    HubClient client = new HubClient(hub.uri(), key);
    JsonNode list = client.get("/api/traces?service=research-agent").json().get("traces");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("root_name").asText()).isEqualTo("workflow");
    assertThat(list.get(0).get("error_count").asInt()).isEqualTo(1);
    assertThat(client.get("/api/traces?service=other").json().get("traces")).isEmpty();
    assertThat(client.get("/api/traces?status=error").json().get("traces")).hasSize(1);
    assertThat(client.get("/api/traces?status=ok").json().get("traces")).isEmpty();
    // ids as the OTLP spec's own examples write them, in upper case, find the trace too
    assertThat(client.get("/api/traces/" + ids[0].toUpperCase(java.util.Locale.ROOT)).status())
        .isEqualTo(200);
    assertThat(
            client
                .get("/api/traces?min_duration_ms=5&max_duration_ms=1")
                .json()
                .get("message")
                .asText())
        .contains("max_duration_ms");
    // attribute search through the store's attribute index
    assertThat(client.get("/api/traces?attr.tool=search").json().get("traces")).hasSize(1);
    assertThat(client.get("/api/traces?attr.tool=search&attr.api_key=x").json().get("traces"))
        .isEmpty();
    assertThat(client.get("/api/traces?attr.tool=other").json().get("traces")).isEmpty();
    assertThat(client.get("/api/traces?min_duration_ms=100000").json().get("traces")).isEmpty();
  }

  @Test
  void theSdksOwnJsonEncodingKeepsHexIds() throws Exception {
    List<io.opentelemetry.sdk.trace.data.SpanData> captured = new ArrayList<>();
    SpanExporter capture =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(
              Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
            captured.addAll(spans);
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    String[] ids = trace(capture, "writer-agent");
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(captured).writeJsonTo(json);
    assertThat(json.toString()).contains(ids[0]); // hex on the wire, as OTLP/JSON requires

    HubClient.Answer answer =
        new HubClient(hub.uri(), key)
            .post("/v1/traces", "application/json", json.toByteArray(), null);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    // read as base64, the ids would be other bytes: the spans would be under another trace id
    assertThat(hub.store().trace(ids[0])).hasSize(2);
    assertThat(hub.store().span(ids[1]).map(SpanData::serviceName))
        .isEqualTo(Optional.of("writer-agent"));
  }

  @Test
  void unknownJsonFieldsAreIgnoredAndAnInvalidSpanIsAPartialSuccess() {
    String body =
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
            + "\"value\":{\"stringValue\":\"svc\"}}]},\"futureField\":1,\"scopeSpans\":[{\"spans\":["
            + "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","
            + "\"name\":\"good\",\"kind\":2,\"startTimeUnixNano\":\"1700000000000000000\","
            + "\"endTimeUnixNano\":\"1700000000100000000\",\"somethingNew\":true},"
            + "{\"traceId\":\"00000000000000000000000000000000\",\"spanId\":\"eee19b7ec3c1b175\","
            + "\"name\":\"zero trace\"}]}]}]}";
    HubClient.Answer answer =
        new HubClient(hub.uri(), key).post("/v1/traces", "application/json", body);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().get("partialSuccess").get("rejectedSpans").asInt()).isEqualTo(1);
    assertThat(answer.json().get("partialSuccess").get("errorMessage").asText())
        .contains("trace_id must not be all zero");
    assertThat(hub.store().span("eee19b7ec3c1b174")).isPresent();
  }

  @Test
  void aTraceWhoseRootNeverCameSaysSoAndItsRootArrivingLaterFixesIt() {
    HubClient client = new HubClient(hub.uri(), key);
    String child =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
            + "\"7b8efff798038103d269b633813fc60c\",\"spanId\":\"aaa19b7ec3c1b174\","
            + "\"parentSpanId\":\"bbb19b7ec3c1b174\",\"name\":\"child\","
            + "\"startTimeUnixNano\":\"1700000000100000000\","
            + "\"endTimeUnixNano\":\"1700000000200000000\"}]}]}]}";
    assertThat(client.post("/v1/traces", "application/json", child).status()).isEqualTo(200);
    JsonNode summary = null;
    for (JsonNode t : client.get("/api/traces").json().get("traces")) {
      if (t.get("trace_id").asText().equals("7b8efff798038103d269b633813fc60c")) {
        summary = t;
      }
    }
    assertThat(summary).isNotNull();
    assertThat(summary.get("root_received").asBoolean()).isFalse();
    assertThat(summary.get("root_name").asText()).isEqualTo("child");
    String root =
        child.replace(
            "\"aaa19b7ec3c1b174\",\"parentSpanId\":\"bbb19b7ec3c1b174\",\"name\":\"child\"",
            "\"bbb19b7ec3c1b174\",\"name\":\"root\"");
    assertThat(client.post("/v1/traces", "application/json", root).status()).isEqualTo(200);
    JsonNode complete = client.get("/api/traces/7b8efff798038103d269b633813fc60c").json();
    assertThat(complete.get("span_total").asInt()).isEqualTo(2);
    for (JsonNode t : client.get("/api/traces").json().get("traces")) {
      if (t.get("trace_id").asText().equals("7b8efff798038103d269b633813fc60c")) {
        assertThat(t.get("root_received").asBoolean()).isTrue();
        assertThat(t.get("root_name").asText()).isEqualTo("root");
      }
    }
  }

  @Test
  void attributesOverTheLimitAreDroppedAndCounted() {
    hub.close();
    hub =
        Hub.start(
            HubConfig.defaults(data)
                .withPort(0)
                .withLimits(new io.hyperlens.server.ingest.IngestLimits(1 << 20, 100, 1000, 3, 0)),
            SqliteStore.open(data));
    StringBuilder attributes = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      attributes
          .append(i == 0 ? "" : ",")
          .append("{\"key\":\"k")
          .append(i)
          .append("\",\"value\":{\"stringValue\":\"v\"}}");
    }
    String body =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
            + "\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"many\","
            + "\"attributes\":["
            + attributes
            + "]}]}]}]}";
    HubClient client =
        new HubClient(
            hub.uri(),
            hub.keys()
                .create(
                    "otlp",
                    java.util.Set.of(
                        io.hyperlens.server.auth.Scope.INGEST,
                        io.hyperlens.server.auth.Scope.READ)));
    assertThat(client.post("/v1/traces", "application/json", body).status()).isEqualTo(200);
    SpanData stored = hub.store().span("eee19b7ec3c1b174").orElseThrow();
    assertThat(stored.attributes()).hasSize(3);
    assertThat(stored.droppedAttributes()).isEqualTo(2);
    assertThat(client.get("/metrics").body())
        .contains("hyperlens_hub_dropped_total{reason=\"span_attribute_over_limit\"} 2.0");
  }

  @Test
  void badOtlpGetsItsFourHundreds() throws Exception {
    HubClient client = new HubClient(hub.uri(), key);
    HubClient.Answer garbage =
        client.post(
            "/v1/traces", "application/x-protobuf", new byte[] {(byte) 0xff, 0x01, 0x02}, null);
    assertThat(garbage.status()).isEqualTo(400);
    // OTLP/HTTP: every 4xx body is a google.rpc.Status in the request's encoding
    assertThat(garbage.header("Content-Type")).isEqualTo("application/x-protobuf");
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(garbage.bytes());
    assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage()).contains("not an OTLP ExportTraceServiceRequest");
    assertThat(
            status
                .getDetails(0)
                .unpack(com.google.rpc.BadRequest.class)
                .getFieldViolations(0)
                .getField())
        .isEqualTo("body");
    HubClient.Answer notAList =
        client.post("/v1/traces", "application/json", "{\"resourceSpans\": 7}");
    assertThat(notAList.status()).isEqualTo(400);
    assertThat(notAList.header("Content-Type")).startsWith("application/json");
    assertThat(notAList.json().get("code").asInt()).isEqualTo(3);
    assertThat(notAList.json().get("message").asText()).isNotEmpty();
    HubClient.Answer notHex =
        client.post(
            "/v1/traces",
            "application/json",
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\",\"spanId\":"
                + "\"eee19b7ec3c1b177\",\"name\":\"bad\"},{\"traceId\":"
                + "\"5b8efff798038103d269b633813fc60d\",\"spanId\":\"eee19b7ec3c1b178\","
                + "\"name\":\"good\"}]}]}]}");
    // one span with a non-hex id is rejected on its own, naming the value; the other is stored
    assertThat(notHex.status()).isEqualTo(200);
    assertThat(notHex.json().get("partialSuccess").get("rejectedSpans").asInt()).isEqualTo(1);
    assertThat(notHex.json().get("partialSuccess").get("errorMessage").asText())
        .contains("traceId is not hex: \"zz\"");
    assertThat(hub.store().span("eee19b7ec3c1b178")).isPresent();
    assertThat(hub.store().span("eee19b7ec3c1b177")).isEmpty();
    HubClient.Answer csv = client.post("/v1/traces", "text/csv", "a,b");
    assertThat(csv.status()).isEqualTo(415);
    assertThat(csv.json().get("message").asText()).contains("text/csv");
    HubClient.Answer noKey =
        new HubClient(hub.uri(), null)
            .post("/v1/traces", "application/x-protobuf", new byte[0], null);
    assertThat(noKey.status()).isEqualTo(401);
    assertThat(com.google.rpc.Status.parseFrom(noKey.bytes()).getCode())
        .isEqualTo(com.google.rpc.Code.UNAUTHENTICATED_VALUE);
  }
}
