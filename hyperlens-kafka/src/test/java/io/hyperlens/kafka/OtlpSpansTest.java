package io.hyperlens.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The record shapes, without a broker: OTLP spans per trace and service, events keyed by session.
 */
class OtlpSpansTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static SpanData span(String spanId, SpanKind kind, SpanStatus status, String message) {
    return SpanData.builder(TRACE, spanId, "s" + spanId)
        .serviceName("svc")
        .kind(kind)
        .times(10, 20)
        .status(status, message)
        .build();
  }

  private static Span only(SpanData data) {
    return OtlpSpans.encode(List.of(data)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
  }

  @Test
  void everyKindAndStatusMapsToItsOtlpValue() {
    assertThat(only(span("0000000000000001", SpanKind.SERVER, SpanStatus.OK, null)).getKind())
        .isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(only(span("0000000000000001", SpanKind.CLIENT, SpanStatus.OK, null)).getKind())
        .isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(only(span("0000000000000001", SpanKind.PRODUCER, SpanStatus.OK, null)).getKind())
        .isEqualTo(Span.SpanKind.SPAN_KIND_PRODUCER);
    assertThat(only(span("0000000000000001", SpanKind.CONSUMER, SpanStatus.OK, null)).getKind())
        .isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
    assertThat(only(span("0000000000000001", SpanKind.INTERNAL, SpanStatus.OK, null)).getKind())
        .isEqualTo(Span.SpanKind.SPAN_KIND_INTERNAL);
    Span ok = only(span("0000000000000001", SpanKind.INTERNAL, SpanStatus.OK, null));
    assertThat(ok.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_OK);
    Span unset = only(span("0000000000000001", SpanKind.INTERNAL, SpanStatus.UNSET, null));
    assertThat(unset.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
    Span error = only(span("0000000000000001", SpanKind.INTERNAL, SpanStatus.ERROR, "boom"));
    assertThat(error.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(error.getStatus().getMessage()).isEqualTo("boom");
    assertThat(ok.getParentSpanId().isEmpty()).isTrue();
    assertThat(ok.getTraceState()).isEmpty();
    assertThat(ok.getStartTimeUnixNano()).isEqualTo(10);
    assertThat(ok.getEndTimeUnixNano()).isEqualTo(20);
  }

  @Test
  void attributeValuesKeepTheirTypes() {
    SpanData data =
        SpanData.builder(TRACE, "0000000000000001", "typed")
            .serviceName("svc")
            .times(1, 2)
            .attributes(
                Map.of(
                    "i",
                    7,
                    "l",
                    8L,
                    "f",
                    1.5f,
                    "d",
                    2.5,
                    "b",
                    true,
                    "s",
                    "text",
                    "list",
                    List.of(1L, 2L),
                    "names",
                    List.of("x")))
            .build();
    Map<String, AnyValue> values = new java.util.HashMap<>();
    only(data).getAttributesList().forEach(kv -> values.put(kv.getKey(), kv.getValue()));
    assertThat(values.get("i").getIntValue()).isEqualTo(7);
    assertThat(values.get("l").getIntValue()).isEqualTo(8);
    assertThat(values.get("f").getDoubleValue()).isEqualTo(1.5);
    assertThat(values.get("d").getDoubleValue()).isEqualTo(2.5);
    assertThat(values.get("b").getBoolValue()).isTrue();
    assertThat(values.get("s").getStringValue()).isEqualTo("text");
    assertThat(values.get("list").getArrayValue().getValues(0).getIntValue()).isEqualTo(1);
    assertThat(values.get("list").getArrayValue().getValues(1).getIntValue()).isEqualTo(2);
    assertThat(values.get("names").getArrayValue().getValues(0).getStringValue()).isEqualTo("x");
  }

  @Test
  void spansGoOutOneRecordPerTraceKeyedByItAndCountingItsSpans() throws Exception {
    String other = "5bf92f3577b34da6a3ce929d0e0e4737";
    List<KafkaRecords.Spans> records =
        KafkaRecords.spans(
            "topic",
            List.of(
                span("0000000000000001", SpanKind.SERVER, SpanStatus.OK, null),
                SpanData.builder(other, "0000000000000002", "x")
                    .serviceName("b")
                    .times(1, 2)
                    .build(),
                span("0000000000000003", SpanKind.SERVER, SpanStatus.OK, null)));
    assertThat(records).hasSize(2);
    assertThat(records).extracting(KafkaRecords.Spans::count).containsExactly(2, 1);
    ProducerRecord<byte[], byte[]> first = records.get(0).record();
    assertThat(first.topic()).isEqualTo("topic");
    assertThat(new String(first.key(), StandardCharsets.US_ASCII)).isEqualTo(TRACE);
    assertThat(
            new String(
                first.headers().lastHeader("content-type").value(), StandardCharsets.US_ASCII))
        .isEqualTo("application/x-protobuf");
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(first.value());
    assertThat(request.getResourceSpans(0).getScopeSpans(0).getScope().getName())
        .isEqualTo(OtlpSpans.SCOPE);
    assertThat(request.getResourceSpans(0).getScopeSpans(0).getSpansCount()).isEqualTo(2);
  }

  @Test
  void anEventIsJsonKeyedByItsSessionOrByNothing() throws Exception {
    HypervisorEvent withSession =
        HypervisorEvent.builder(EventType.SESSION_CREATED).sessionId("s-1").build();
    ProducerRecord<byte[], byte[]> record = KafkaRecords.event("events", withSession);
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("s-1");
    assertThat(new String(record.value(), StandardCharsets.UTF_8))
        .startsWith("{")
        .contains("\"event_id\":\"" + withSession.eventId() + "\"")
        .doesNotContain("\n");
    assertThat(
            new String(
                record.headers().lastHeader("content-type").value(), StandardCharsets.US_ASCII))
        .isEqualTo("application/json");
    assertThat(record.partition()).isNull();
    assertThat(
            KafkaRecords.event("events", HypervisorEvent.builder(EventType.SESSION_CREATED).build())
                .key())
        .isNull();
  }

  @Test
  void parentTraceStateEventsAndLinksGoAlong() {
    SpanData data =
        SpanData.builder(TRACE, "0000000000000002", "child")
            .serviceName("svc")
            .parent("0000000000000001", false)
            .traceState(Map.of("k", "v"))
            .times(1, 2)
            .events(List.of(new io.hyperlens.trace.SpanEvent("retry", 5, Map.of("attempt", 2L))))
            .links(
                List.of(
                    new io.hyperlens.trace.SpanLink(
                        "5bf92f3577b34da6a3ce929d0e0e4737",
                        "0000000000000009",
                        Map.of("why", "fan-in"))))
            .build();
    Span span = only(data);
    assertThat(java.util.HexFormat.of().formatHex(span.getParentSpanId().toByteArray()))
        .isEqualTo("0000000000000001");
    assertThat(span.getTraceState()).isEqualTo("k=v");
    assertThat(span.getEvents(0).getTimeUnixNano()).isEqualTo(5);
    assertThat(span.getEvents(0).getAttributes(0).getValue().getIntValue()).isEqualTo(2);
    assertThat(span.getLinks(0).getAttributes(0).getValue().getStringValue()).isEqualTo("fan-in");
    assertThat(span.getLinks(0).getTraceId().size()).isEqualTo(16);
    SpanData booleans =
        SpanData.builder(TRACE, "0000000000000003", "b")
            .serviceName("svc")
            .times(1, 2)
            .attributes(Map.of("no", false))
            .build();
    assertThat(only(booleans).getAttributes(0).getValue().hasBoolValue()).isTrue();
  }
}
