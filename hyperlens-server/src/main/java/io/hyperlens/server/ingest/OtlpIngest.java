package io.hyperlens.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.hyperlens.redact.Redactor;
import io.hyperlens.spi.SpanStore;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanDataBuilder;
import io.hyperlens.trace.SpanEvent;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanLink;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code POST /v1/traces}: OTLP/HTTP as the OpenTelemetry protocol specifies it, binary protobuf
 * ({@code application/x-protobuf}) and JSON ({@code application/json}) on the same path, answered
 * in the encoding asked. In JSON, trace and span ids are hex, as OTLP/JSON requires (protobuf's
 * {@link JsonFormat} alone would read them as base64), and unknown fields are ignored.
 *
 * <p>Each span lands in the span store with its resource's {@code service.name}. A span with an
 * invalid trace or span id (not hex, the wrong length, all zero) or no name is rejected and counted
 * in {@code partial_success}, naming the first reason; the rest are stored. Attributes beyond the
 * limit are dropped (and counted in the span's dropped attributes), long string values cut and the
 * span marked {@code hyperlens.truncated=true}, and with redaction on, string attributes, span
 * event attributes and status messages pass through {@link Redactor}. Thread-safe; usable without
 * HTTP.
 */
public final class OtlpIngest {
  /** The binary protobuf media type. */
  public static final String PROTOBUF = "application/x-protobuf";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer();
  private static final String TRUNCATED = "hyperlens.truncated";

  /**
   * An answer to an export.
   *
   * @param body the encoded {@code ExportTraceServiceResponse}
   * @param contentType its media type
   * @param accepted spans newly stored
   * @param rejected spans refused, named in the partial success
   */
  public record Answer(byte[] body, String contentType, int accepted, int rejected) {}

  private final SpanStore store;
  private final IngestLimits limits;
  private final Redactor redactor;
  private final LongAdder redacted = new LongAdder();
  private final LongAdder truncated = new LongAdder();
  private final LongAdder droppedAttributes = new LongAdder();
  private final LongAdder errorSpans = new LongAdder();

  /**
   * An ingest into {@code store}.
   *
   * @param redact whether string attributes pass through {@link Redactor#standard()}
   */
  public OtlpIngest(SpanStore store, IngestLimits limits, boolean redact) {
    this.store = store;
    this.limits = limits;
    this.redactor = redact ? Redactor.standard() : null;
  }

  /** String values cut at the value limit so far. */
  public long truncatedValues() {
    return truncated.sum();
  }

  /** Span attributes dropped over the per-span limit so far. */
  public long droppedAttributes() {
    return droppedAttributes.sum();
  }

  /** Spans with status error in the exports stored so far (the overview's error rate). */
  public long errorSpans() {
    return errorSpans.sum();
  }

  /** Span values changed by redaction so far. */
  public long redactedValues() {
    return redacted.sum();
  }

  /**
   * Decodes, stores and answers one export request.
   *
   * @throws IngestException 400 for an undecodable body, 415 for another content type
   */
  public Answer export(byte[] body, String contentType) {
    Decoded decoded = decode(body, contentType);
    List<SpanData> spans = decoded.spans();
    int stored = spans.isEmpty() ? 0 : store.appendSpans(spans);
    if (stored > 0) {
      countStored(spans);
    }
    return answer(decoded, stored);
  }

  /**
   * An export request's spans, validated, redacted and cut as {@link #export} would store them.
   *
   * @param spans the valid spans
   * @param rejected spans refused
   * @param reasons why, the first ones first
   * @param json whether the request was OTLP JSON (its answer is too)
   */
  public record Decoded(List<SpanData> spans, int rejected, List<String> reasons, boolean json) {}

  /**
   * Decodes and validates one export request without storing it: for a hub that hands it to Kafka,
   * or reads it from there.
   *
   * @throws IngestException 400 for an undecodable body, 415 for another content type
   */
  public Decoded decode(byte[] body, String contentType) {
    String mediaType = mediaType(contentType);
    boolean json;
    if (mediaType.equals(PROTOBUF)) {
      json = false;
    } else if (mediaType.equals("application/json")) {
      json = true;
    } else {
      throw new IngestException(
          415,
          "unsupported_media_type",
          "Content-Type \""
              + mediaType
              + "\" is not OTLP/HTTP; send "
              + PROTOBUF
              + " or application/json");
    }
    List<String> idProblems = new ArrayList<>();
    ExportTraceServiceRequest request = json ? fromJson(body, idProblems) : fromProtobuf(body);
    List<SpanData> spans = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    int rejected = 0;
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      String service = serviceName(resourceSpans);
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          try {
            spans.add(span(service, span));
          } catch (IllegalArgumentException e) {
            reasons.add(e.getMessage());
            rejected++;
          }
        }
      }
    }
    reasons.addAll(0, idProblems);
    return new Decoded(spans, rejected, reasons, json);
  }

  /**
   * Counts the error spans of {@code spans}, stored elsewhere (read from Kafka), for the overview.
   */
  public void countStored(List<SpanData> spans) {
    errorSpans.add(spans.stream().filter(s -> s.status() == SpanStatus.ERROR).count());
  }

  /**
   * The OTLP answer to a request {@link #decode} read, of which {@code accepted} spans were taken.
   */
  public Answer answer(Decoded decoded, int accepted) {
    boolean json = decoded.json();
    int rejected = decoded.rejected();
    List<String> reasons = decoded.reasons();
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (rejected > 0) {
      response.setPartialSuccess(
          ExportTracePartialSuccess.newBuilder()
              .setRejectedSpans(rejected)
              .setErrorMessage(
                  rejected
                      + " span(s) rejected; first: "
                      + reasons.get(0)
                      + (rejected > 1 ? " (and " + (rejected - 1) + " more)" : "")));
    }
    return new Answer(
        encode(response.build(), json), json ? "application/json" : PROTOBUF, accepted, rejected);
  }

  /** The media type of a {@code Content-Type} header: lowercase, without parameters. */
  public static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static byte[] encode(ExportTraceServiceResponse response, boolean json) {
    if (!json) {
      return response.toByteArray();
    }
    try {
      return JSON_PRINTER.print(response).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print an OTLP response", e);
    }
  }

  private static ExportTraceServiceRequest fromProtobuf(byte[] body) {
    try {
      return ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new IngestException(
          400,
          "malformed_protobuf",
          "the body is not an OTLP ExportTraceServiceRequest: " + e.getMessage(),
          List.of(new Problem(-1, "body", e.getMessage())));
    }
  }

  private static ExportTraceServiceRequest fromJson(byte[] body, List<String> idProblems) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IngestException(
          400,
          "malformed_json",
          "malformed JSON: " + JsonMessages.of(e),
          List.of(new Problem(-1, "body", "malformed JSON: " + JsonMessages.of(e))));
    }
    if (root == null || !root.isObject()) {
      throw new IngestException(
          400,
          "invalid",
          "the body must be an OTLP ExportTraceServiceRequest object",
          List.of(new Problem(-1, "body", "expected a JSON object")));
    }
    hexIdsToBase64(root, "", idProblems);
    ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
    try {
      JSON_PARSER.merge(JSON.writeValueAsString(root), builder);
    } catch (IOException e) {
      throw new IngestException(
          400,
          "invalid",
          "not an OTLP ExportTraceServiceRequest: " + e.getMessage(),
          List.of(new Problem(-1, "body", e.getMessage())));
    }
    return builder.build();
  }

  /**
   * OTLP/JSON writes {@code traceId}, {@code spanId} and {@code parentSpanId} in hex; protobuf's
   * JSON mapping expects base64 for bytes. Rewrites them in place, refusing what is not hex.
   */
  private static void hexIdsToBase64(JsonNode node, String path, List<String> problems) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        hexIdsToBase64(node.get(i), path + "[" + i + "]", problems);
      }
      return;
    }
    if (!node.isObject()) {
      return;
    }
    ObjectNode object = (ObjectNode) node;
    List<Map.Entry<String, JsonNode>> rewrite = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      String name = field.getKey();
      boolean id =
          name.equals("traceId")
              || name.equals("spanId")
              || name.equals("parentSpanId")
              || name.equals("trace_id")
              || name.equals("span_id")
              || name.equals("parent_span_id");
      if (id && field.getValue().isTextual()) {
        rewrite.add(field);
      } else {
        hexIdsToBase64(field.getValue(), path + "." + name, problems);
      }
    }
    for (Map.Entry<String, JsonNode> field : rewrite) {
      String hex = field.getValue().textValue();
      byte[] bytes;
      try {
        bytes = HexFormat.of().parseHex(hex);
      } catch (IllegalArgumentException e) {
        // the span is rejected on its own (an empty id), with this reason in the partial success
        problems.add(
            path + "." + field.getKey() + " is not hex: \"" + hex + "\" (OTLP/JSON ids are hex)");
        bytes = new byte[0];
      }
      object.set(field.getKey(), new TextNode(Base64.getEncoder().encodeToString(bytes)));
    }
  }

  private static String serviceName(ResourceSpans resourceSpans) {
    for (KeyValue attribute : resourceSpans.getResource().getAttributesList()) {
      if (attribute.getKey().equals("service.name") && attribute.getValue().hasStringValue()) {
        return attribute.getValue().getStringValue();
      }
    }
    return "unknown_service";
  }

  private SpanData span(String service, Span span) {
    String traceId = hexId("trace_id", span.getTraceId(), 16);
    String spanId = hexId("span_id", span.getSpanId(), 8);
    if (span.getName().isEmpty()) {
      throw new IllegalArgumentException("span " + spanId + ": name is empty");
    }
    SpanDataBuilder builder = SpanData.builder(traceId, spanId, span.getName());
    builder.serviceName(service);
    if (!span.getParentSpanId().isEmpty()) {
      builder.parent(hexId("parent_span_id", span.getParentSpanId(), 8), false);
    }
    builder.kind(kind(span.getKind()));
    long start = span.getStartTimeUnixNano();
    long end = Math.max(start, span.getEndTimeUnixNano());
    builder.times(start, end);
    Status status = span.getStatus();
    String message = status.getMessage().isEmpty() ? null : text(null, status.getMessage());
    switch (status.getCode()) {
      case STATUS_CODE_ERROR:
        builder.status(SpanStatus.ERROR, message);
        break;
      case STATUS_CODE_OK:
        builder.status(SpanStatus.OK, null);
        break;
      default:
        builder.status(SpanStatus.UNSET, null);
        break;
    }
    boolean[] cut = {false};
    Map<String, Object> attributes = new LinkedHashMap<>();
    int dropped = span.getDroppedAttributesCount();
    for (KeyValue attribute : span.getAttributesList()) {
      if (attributes.size() >= limits.maxSpanAttributes()) {
        dropped++;
        droppedAttributes.increment();
        continue;
      }
      attributes.put(attribute.getKey(), value(attribute.getKey(), attribute.getValue(), cut));
    }
    List<SpanEvent> events = new ArrayList<>();
    for (Span.Event event : span.getEventsList()) {
      Map<String, Object> eventAttributes = new LinkedHashMap<>();
      for (KeyValue attribute : event.getAttributesList()) {
        eventAttributes.put(
            attribute.getKey(), value(attribute.getKey(), attribute.getValue(), cut));
      }
      events.add(
          new SpanEvent(
              event.getName().isEmpty() ? "event" : event.getName(),
              event.getTimeUnixNano(),
              eventAttributes));
    }
    List<SpanLink> links = new ArrayList<>();
    for (Span.Link link : span.getLinksList()) {
      Map<String, Object> linkAttributes = new LinkedHashMap<>();
      for (KeyValue attribute : link.getAttributesList()) {
        linkAttributes.put(
            attribute.getKey(), value(attribute.getKey(), attribute.getValue(), cut));
      }
      links.add(
          new SpanLink(
              hexId("links.trace_id", link.getTraceId(), 16),
              hexId("links.span_id", link.getSpanId(), 8),
              linkAttributes));
    }
    if (cut[0]) {
      attributes.put(TRUNCATED, true);
    }
    builder.attributes(attributes);
    builder.events(events);
    builder.links(links);
    builder.dropped(dropped, span.getDroppedEventsCount(), span.getDroppedLinksCount());
    return builder.build();
  }

  private static SpanKind kind(Span.SpanKind kind) {
    switch (kind) {
      case SPAN_KIND_SERVER:
        return SpanKind.SERVER;
      case SPAN_KIND_CLIENT:
        return SpanKind.CLIENT;
      case SPAN_KIND_PRODUCER:
        return SpanKind.PRODUCER;
      case SPAN_KIND_CONSUMER:
        return SpanKind.CONSUMER;
      default:
        return SpanKind.INTERNAL;
    }
  }

  private static String hexId(String field, ByteString bytes, int length) {
    if (bytes.size() != length) {
      throw new IllegalArgumentException(
          field + " must be " + length + " bytes, got " + bytes.size());
    }
    String hex = HexFormat.of().formatHex(bytes.toByteArray());
    if (hex.chars().allMatch(c -> c == '0')) {
      throw new IllegalArgumentException(field + " must not be all zero");
    }
    return hex;
  }

  private Object value(String key, AnyValue value, boolean[] cut) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return text(key, cut(value.getStringValue(), cut));
      case BOOL_VALUE:
        return value.getBoolValue();
      case INT_VALUE:
        return value.getIntValue();
      case DOUBLE_VALUE:
        return Double.isFinite(value.getDoubleValue())
            ? value.getDoubleValue()
            : String.valueOf(value.getDoubleValue());
      case ARRAY_VALUE:
        List<Object> list = new ArrayList<>();
        for (AnyValue item : value.getArrayValue().getValuesList()) {
          list.add(value(key, item, cut));
        }
        return list;
      case KVLIST_VALUE:
        Map<String, Object> map = new LinkedHashMap<>();
        for (KeyValue entry : value.getKvlistValue().getValuesList()) {
          map.put(entry.getKey(), value(entry.getKey(), entry.getValue(), cut));
        }
        return text(key, cut(map.toString(), cut));
      case BYTES_VALUE:
        return cut(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()), cut);
      default:
        return "";
    }
  }

  private String cut(String text, boolean[] cut) {
    if (text.length() <= limits.maxValueChars()) {
      return text;
    }
    cut[0] = true;
    truncated.increment();
    return text.substring(0, limits.maxValueChars());
  }

  private String text(String key, String text) {
    if (redactor == null) {
      return text;
    }
    String clean = key == null ? redactor.redact(text) : redactor.redactUnder(key, text);
    if (!clean.equals(text)) {
      redacted.increment();
    }
    return clean;
  }
}
