package io.hyperlens.kafka;

import com.google.protobuf.ByteString;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanEvent;
import io.hyperlens.trace.SpanLink;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Tracer spans as an OTLP {@code ExportTraceServiceRequest} (the protobuf {@code POST /v1/traces}
 * takes), one {@code ResourceSpans} per service. Attribute values keep the types the tracer
 * normalizes them to (string, bool, long as int, double, arrays of one of them).
 *
 * <pre>{@code
 * byte[] body = OtlpSpans.encode(spans).toByteArray();
 * }</pre>
 */
public final class OtlpSpans {
  /** The instrumentation scope the spans are reported under. */
  public static final String SCOPE = "io.hyperlens";

  private static final HexFormat HEX = HexFormat.of();

  private OtlpSpans() {}

  /** The request carrying {@code spans}, grouped by service in first-seen order. */
  public static ExportTraceServiceRequest encode(List<SpanData> spans) {
    Map<String, List<SpanData>> byService =
        spans.stream()
            .collect(
                Collectors.groupingBy(
                    SpanData::serviceName, LinkedHashMap::new, Collectors.toList()));
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    byService.forEach(
        (service, serviceSpans) -> {
          ScopeSpans.Builder scope =
              ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName(SCOPE));
          serviceSpans.forEach(span -> scope.addSpans(span(span)));
          request.addResourceSpans(
              ResourceSpans.newBuilder()
                  .setResource(
                      Resource.newBuilder().addAttributes(attribute("service.name", service)))
                  .addScopeSpans(scope));
        });
    return request.build();
  }

  private static Span span(SpanData data) {
    Span.Builder span =
        Span.newBuilder()
            .setTraceId(id(data.traceId()))
            .setSpanId(id(data.spanId()))
            .setName(data.name())
            .setKind(kind(data))
            .setStartTimeUnixNano(data.startEpochNanos())
            .setEndTimeUnixNano(data.endEpochNanos())
            .setFlags(data.traceFlags())
            .setDroppedAttributesCount(data.droppedAttributes())
            .setDroppedEventsCount(data.droppedEvents())
            .setDroppedLinksCount(data.droppedLinks());
    data.parentSpanId().ifPresent(parent -> span.setParentSpanId(id(parent)));
    if (!data.traceState().isEmpty()) {
      span.setTraceState(
          data.traceState().entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining(",")));
    }
    data.attributes().forEach((key, value) -> span.addAttributes(attribute(key, value)));
    for (SpanEvent event : data.events()) {
      Span.Event.Builder out =
          Span.Event.newBuilder().setName(event.name()).setTimeUnixNano(event.epochNanos());
      event.attributes().forEach((key, value) -> out.addAttributes(attribute(key, value)));
      span.addEvents(out);
    }
    for (SpanLink link : data.links()) {
      Span.Link.Builder out =
          Span.Link.newBuilder().setTraceId(id(link.traceId())).setSpanId(id(link.spanId()));
      link.attributes().forEach((key, value) -> out.addAttributes(attribute(key, value)));
      span.addLinks(out);
    }
    Status.Builder status = Status.newBuilder();
    switch (data.status()) {
      case OK:
        status.setCode(Status.StatusCode.STATUS_CODE_OK);
        break;
      case ERROR:
        status.setCode(Status.StatusCode.STATUS_CODE_ERROR);
        data.statusMessage().ifPresent(status::setMessage);
        break;
      default:
        status.setCode(Status.StatusCode.STATUS_CODE_UNSET);
        break;
    }
    return span.setStatus(status).build();
  }

  private static Span.SpanKind kind(SpanData data) {
    switch (data.kind()) {
      case SERVER:
        return Span.SpanKind.SPAN_KIND_SERVER;
      case CLIENT:
        return Span.SpanKind.SPAN_KIND_CLIENT;
      case PRODUCER:
        return Span.SpanKind.SPAN_KIND_PRODUCER;
      case CONSUMER:
        return Span.SpanKind.SPAN_KIND_CONSUMER;
      default:
        return Span.SpanKind.SPAN_KIND_INTERNAL;
    }
  }

  private static ByteString id(String hex) {
    return ByteString.copyFrom(HEX.parseHex(hex));
  }

  private static KeyValue attribute(String key, Object value) {
    return KeyValue.newBuilder().setKey(key).setValue(value(value)).build();
  }

  private static AnyValue value(Object value) {
    AnyValue.Builder out = AnyValue.newBuilder();
    if (value instanceof String) {
      out.setStringValue((String) value);
    } else if (value instanceof Boolean) {
      out.setBoolValue((Boolean) value);
    } else if (value instanceof Long) {
      out.setIntValue((Long) value);
    } else if (value instanceof Double) {
      out.setDoubleValue((Double) value);
    } else if (value instanceof List) {
      ArrayValue.Builder array = ArrayValue.newBuilder();
      for (Object item : (List<?>) value) {
        array.addValues(value(item));
      }
      out.setArrayValue(array);
    } else {
      out.setStringValue(String.valueOf(value));
    }
    return out.build();
  }
}
