package io.hyperlens.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a finished {@link SpanData} from stored or received fields: span stores reading spans
 * back, importers, tests. Spans recorded in this process come from the {@link DistributedTracer};
 * this builder is for spans that were recorded elsewhere or earlier.
 *
 * <p>Defaults: service {@code "unknown_service"}, no parent, trace flags {@code 01} (sampled), no
 * trace state, kind {@link SpanKind#INTERNAL}, status {@link SpanStatus#UNSET}, no attributes,
 * events or links, nothing dropped. Every setter validates at once and throws {@link
 * IllegalArgumentException} naming the field and the value. Not thread-safe.
 *
 * <pre>{@code
 * SpanData span =
 *     SpanData.builder("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "tool.call")
 *         .times(1_700_000_000_000_000_000L, 1_700_000_000_250_000_000L)
 *         .status(SpanStatus.OK, null)
 *         .attributes(Map.of("tool", "search"))
 *         .build();
 * span.durationMs(); // 250.0
 * }</pre>
 */
public final class SpanDataBuilder {
  private final String traceId;
  private final String spanId;
  private final String name;
  private String serviceName = "unknown_service";
  private String parentSpanId;
  private boolean parentRemote;
  private int traceFlags = 1;
  private Map<String, String> traceState = Map.of();
  private SpanKind kind = SpanKind.INTERNAL;
  private long startEpochNanos;
  private long endEpochNanos;
  private SpanStatus status = SpanStatus.UNSET;
  private String statusMessage;
  private Map<String, Object> attributes = Map.of();
  private List<SpanEvent> events = List.of();
  private List<SpanLink> links = List.of();
  private int droppedAttributes;
  private int droppedEvents;
  private int droppedLinks;

  SpanDataBuilder(String traceId, String spanId, String name) {
    this.traceId = W3CIds.requireTraceId("trace_id", traceId);
    this.spanId = W3CIds.requireSpanId("span_id", spanId);
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty, got " + W3CIds.quote(name));
    }
    this.name = name;
  }

  /** The {@code service.name} of the tracer that recorded the span. */
  public SpanDataBuilder serviceName(String serviceName) {
    if (serviceName == null || serviceName.isBlank()) {
      throw new IllegalArgumentException(
          "serviceName must not be blank, got " + W3CIds.quote(serviceName));
    }
    this.serviceName = serviceName;
    return this;
  }

  /** The parent span's 16-hex id, or {@code null} for a root; whether it came from elsewhere. */
  public SpanDataBuilder parent(String parentSpanId, boolean remote) {
    this.parentSpanId =
        parentSpanId == null ? null : W3CIds.requireSpanId("parent_span_id", parentSpanId);
    this.parentRemote = parentSpanId != null && remote;
    return this;
  }

  /** The W3C trace flags, 0 to 255. */
  public SpanDataBuilder traceFlags(int traceFlags) {
    if (traceFlags < 0 || traceFlags > 0xff) {
      throw new IllegalArgumentException("traceFlags must be within 0..255, got " + traceFlags);
    }
    this.traceFlags = traceFlags;
    return this;
  }

  /** The W3C trace state entries, in order. */
  public SpanDataBuilder traceState(Map<String, String> traceState) {
    Map<String, String> copy = new LinkedHashMap<>();
    if (traceState != null) {
      traceState.forEach(
          (key, value) -> {
            if (key == null || value == null) {
              throw new IllegalArgumentException(
                  "traceState must not hold null keys or values, got " + traceState);
            }
            copy.put(key, value);
          });
    }
    this.traceState = Collections.unmodifiableMap(copy);
    return this;
  }

  /** The span kind. */
  public SpanDataBuilder kind(SpanKind kind) {
    if (kind == null) {
      throw new IllegalArgumentException("kind must not be null");
    }
    this.kind = kind;
    return this;
  }

  /** Start and end in nanoseconds since the epoch; the end must not be before the start. */
  public SpanDataBuilder times(long startEpochNanos, long endEpochNanos) {
    if (endEpochNanos < startEpochNanos) {
      throw new IllegalArgumentException(
          "end must not be before start, got start=" + startEpochNanos + " end=" + endEpochNanos);
    }
    this.startEpochNanos = startEpochNanos;
    this.endEpochNanos = endEpochNanos;
    return this;
  }

  /** The status and, for {@link SpanStatus#ERROR} only, its description. */
  public SpanDataBuilder status(SpanStatus status, String message) {
    if (status == null) {
      throw new IllegalArgumentException("status must not be null");
    }
    this.status = status;
    this.statusMessage = status == SpanStatus.ERROR ? message : null;
    return this;
  }

  /** The attributes, normalized to OpenTelemetry's types as the tracer records them. */
  public SpanDataBuilder attributes(Map<String, ?> attributes) {
    this.attributes =
        Collections.unmodifiableMap(SpanAttributes.copyOf(attributes, SpanAttributes.UNLIMITED));
    return this;
  }

  /** The span events, in order. */
  public SpanDataBuilder events(List<SpanEvent> events) {
    this.events = copy("events", events);
    return this;
  }

  /** The span links, in order. */
  public SpanDataBuilder links(List<SpanLink> links) {
    this.links = copy("links", links);
    return this;
  }

  /** How many attributes, events and links were dropped over the per-span limits. */
  public SpanDataBuilder dropped(int attributes, int events, int links) {
    if (attributes < 0 || events < 0 || links < 0) {
      throw new IllegalArgumentException(
          "dropped counts must not be negative, got " + attributes + ", " + events + ", " + links);
    }
    this.droppedAttributes = attributes;
    this.droppedEvents = events;
    this.droppedLinks = links;
    return this;
  }

  /** The finished span. The builder stays usable. */
  public SpanData build() {
    return new SpanData(
        serviceName,
        traceId,
        spanId,
        parentSpanId,
        parentRemote,
        traceFlags,
        traceState,
        name,
        kind,
        startEpochNanos,
        endEpochNanos,
        status,
        statusMessage,
        attributes,
        events,
        links,
        droppedAttributes,
        droppedEvents,
        droppedLinks);
  }

  private static <T> List<T> copy(String field, List<T> items) {
    if (items == null) {
      return List.of();
    }
    List<T> copy = new ArrayList<>(items.size());
    for (T item : items) {
      if (item == null) {
        throw new IllegalArgumentException(field + " must not hold null, got " + items);
      }
      copy.add(item);
    }
    return Collections.unmodifiableList(copy);
  }
}
