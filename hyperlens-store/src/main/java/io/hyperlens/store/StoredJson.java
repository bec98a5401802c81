package io.hyperlens.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanEvent;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanLink;
import io.hyperlens.trace.SpanStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON the stores keep: event payloads as written, and the parts of a span that have no column
 * of their own. Jackson does the reading and writing.
 */
final class StoredJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private StoredJson() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  static Map<String, Object> readMap(String json) {
    try {
      return MAPPER.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
    }
  }

  /** The span's fields that have no column: service, flags, state, kind, events, links, ... */
  static String spanDetails(SpanData span) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("service", span.serviceName());
    map.put("parent_remote", span.parentRemote());
    map.put("trace_flags", span.traceFlags());
    map.put("trace_state", span.traceState());
    map.put("kind", span.kind().name());
    map.put("status_message", span.statusMessage().orElse(null));
    map.put("attributes", span.attributes());
    List<Map<String, Object>> events = new ArrayList<>(span.events().size());
    for (SpanEvent event : span.events()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", event.name());
      e.put("epoch_nanos", event.epochNanos());
      e.put("attributes", event.attributes());
      events.add(e);
    }
    map.put("events", events);
    List<Map<String, Object>> links = new ArrayList<>(span.links().size());
    for (SpanLink link : span.links()) {
      links.add(link.toMap());
    }
    map.put("links", links);
    map.put(
        "dropped", List.of(span.droppedAttributes(), span.droppedEvents(), span.droppedLinks()));
    return write(map);
  }

  /** Rebuilds a span from its columns and {@link #spanDetails} JSON. */
  @SuppressWarnings("unchecked")
  static SpanData span(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      long startNanos,
      long endNanos,
      String status,
      String details) {
    Map<String, Object> map = readMap(details);
    List<SpanEvent> events = new ArrayList<>();
    for (Map<String, Object> e : (List<Map<String, Object>>) map.get("events")) {
      events.add(
          new SpanEvent(
              (String) e.get("name"),
              ((Number) e.get("epoch_nanos")).longValue(),
              (Map<String, Object>) e.get("attributes")));
    }
    List<SpanLink> links = new ArrayList<>();
    for (Map<String, Object> l : (List<Map<String, Object>>) map.get("links")) {
      links.add(
          new SpanLink(
              (String) l.get("trace_id"),
              (String) l.get("span_id"),
              (Map<String, Object>) l.get("attributes")));
    }
    List<Number> dropped = (List<Number>) map.get("dropped");
    return SpanData.builder(traceId, spanId, name)
        .serviceName((String) map.get("service"))
        .parent(parentSpanId, Boolean.TRUE.equals(map.get("parent_remote")))
        .traceFlags(((Number) map.get("trace_flags")).intValue())
        .traceState((Map<String, String>) map.get("trace_state"))
        .kind(SpanKind.valueOf((String) map.get("kind")))
        .times(startNanos, endNanos)
        .status(SpanStatus.valueOf(status), (String) map.get("status_message"))
        .attributes((Map<String, Object>) map.get("attributes"))
        .events(events)
        .links(links)
        .dropped(dropped.get(0).intValue(), dropped.get(1).intValue(), dropped.get(2).intValue())
        .build();
  }
}
