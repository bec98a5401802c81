package io.hyperlens.trace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of a finished span: what exporters receive and what the tracer keeps for
 * {@link DistributedTracer#getTraceSpans}. Every field maps one to one onto OpenTelemetry's {@code
 * SpanData}: ids and trace flags and state (its {@code SpanContext}), the parent span id and
 * whether the parent came from another process, name, kind, start and end in epoch nanoseconds,
 * status code and description, attributes, events, links, and how many attributes, events and links
 * were dropped over the per-span limits.
 *
 * <p>Thread-safe: immutable; collections are unmodifiable.
 *
 * <pre>{@code
 * for (SpanData span : tracer.getTraceSpans(traceId)) {
 *   System.out.println(span.name() + ": " + span.durationMs() + "ms");
 * }
 * }</pre>
 */
public final class SpanData {
  /** The end of a span that has not finished, in {@link Span#toMap()}'s snapshot. */
  static final long UNFINISHED = Long.MIN_VALUE;

  private static final long MAX_EPOCH_SECONDS = Long.MAX_VALUE / 1_000_000_000L - 1;

  private final String serviceName;
  private final String traceId;
  private final String spanId;
  private final String parentSpanId;
  private final boolean parentRemote;
  private final int traceFlags;
  private final Map<String, String> traceState;
  private final String name;
  private final SpanKind kind;
  private final long startEpochNanos;
  private final long endEpochNanos;
  private final SpanStatus status;
  private final String statusMessage;
  private final Map<String, Object> attributes;
  private final List<SpanEvent> events;
  private final List<SpanLink> links;
  private final int droppedAttributes;
  private final int droppedEvents;
  private final int droppedLinks;

  SpanData(
      String serviceName,
      String traceId,
      String spanId,
      String parentSpanId,
      boolean parentRemote,
      int traceFlags,
      Map<String, String> traceState,
      String name,
      SpanKind kind,
      long startEpochNanos,
      long endEpochNanos,
      SpanStatus status,
      String statusMessage,
      Map<String, Object> attributes,
      List<SpanEvent> events,
      List<SpanLink> links,
      int droppedAttributes,
      int droppedEvents,
      int droppedLinks) {
    this.serviceName = serviceName;
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.parentRemote = parentRemote;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
    this.name = name;
    this.kind = kind;
    this.startEpochNanos = startEpochNanos;
    this.endEpochNanos = endEpochNanos;
    this.status = status;
    this.statusMessage = statusMessage;
    this.attributes = attributes;
    this.events = events;
    this.links = links;
    this.droppedAttributes = droppedAttributes;
    this.droppedEvents = droppedEvents;
    this.droppedLinks = droppedLinks;
  }

  /**
   * Starts rebuilding a finished span recorded elsewhere or earlier (a store reading it back); see
   * {@link SpanDataBuilder} for the defaults.
   *
   * @throws IllegalArgumentException naming the field when an id or the name is malformed
   */
  public static SpanDataBuilder builder(String traceId, String spanId, String name) {
    return new SpanDataBuilder(traceId, spanId, name);
  }

  /**
   * {@code instant} in nanoseconds since the epoch, the unit of every span time, saturated to about
   * ±292 years so that no instant overflows.
   */
  public static long toEpochNanos(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds >= MAX_EPOCH_SECONDS) {
      return MAX_EPOCH_SECONDS * 1_000_000_000L;
    }
    if (seconds <= -MAX_EPOCH_SECONDS) {
      return -MAX_EPOCH_SECONDS * 1_000_000_000L;
    }
    return seconds * 1_000_000_000L + instant.getNano();
  }

  /** The {@code service.name} of the tracer that recorded the span. */
  public String serviceName() {
    return serviceName;
  }

  /** The 32-hex W3C trace id. */
  public String traceId() {
    return traceId;
  }

  /** The 16-hex W3C span id. */
  public String spanId() {
    return spanId;
  }

  /** The parent's span id, empty for a root span. */
  public Optional<String> parentSpanId() {
    return Optional.ofNullable(parentSpanId);
  }

  /** Whether the parent was received from another process (through {@link W3CPropagator}). */
  public boolean parentRemote() {
    return parentRemote;
  }

  /** The W3C trace flags byte. */
  public int traceFlags() {
    return traceFlags;
  }

  /** The W3C trace state, leftmost first; unmodifiable. */
  public Map<String, String> traceState() {
    return traceState;
  }

  /** The operation name (the seed's {@code operation_name}). */
  public String name() {
    return name;
  }

  /** The span kind. */
  public SpanKind kind() {
    return kind;
  }

  /** Start, nanoseconds since the epoch. */
  public long startEpochNanos() {
    return startEpochNanos;
  }

  /** End, nanoseconds since the epoch; never before the start. */
  public long endEpochNanos() {
    return endEpochNanos;
  }

  /** Start as an instant. */
  public Instant startTime() {
    return instant(startEpochNanos);
  }

  /** End as an instant. */
  public Instant endTime() {
    return instant(endEpochNanos);
  }

  /** Duration in milliseconds, with sub-millisecond precision. */
  public double durationMs() {
    return (endEpochNanos - startEpochNanos) / 1e6;
  }

  /** The status the span ended with. */
  public SpanStatus status() {
    return status;
  }

  /** Why the span failed: set only with {@link SpanStatus#ERROR}, empty otherwise. */
  public Optional<String> statusMessage() {
    return Optional.ofNullable(statusMessage);
  }

  /** The attributes, unmodifiable, in insertion order. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** The events, in the order they were added; unmodifiable. */
  public List<SpanEvent> events() {
    return events;
  }

  /** The links, in the order they were added; unmodifiable. */
  public List<SpanLink> links() {
    return links;
  }

  /** Attributes dropped over the per-span limit or for a null key or value. */
  public int droppedAttributes() {
    return droppedAttributes;
  }

  /** Events dropped over the per-span limit. */
  public int droppedEvents() {
    return droppedEvents;
  }

  /** Links dropped over the per-span limit or for malformed ids. */
  public int droppedLinks() {
    return droppedLinks;
  }

  /**
   * The seed's {@code to_dict()} shape: {@code trace_id}, {@code span_id}, {@code parent_span_id},
   * {@code operation_name}, {@code kind}, {@code start_time}, {@code end_time} (epoch seconds),
   * {@code duration_ms}, {@code status}, {@code status_message}, {@code attributes}, {@code events}
   * and {@code links}.
   */
  public Map<String, Object> toMap() {
    boolean finished = endEpochNanos != UNFINISHED;
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("trace_id", traceId);
    map.put("span_id", spanId);
    map.put("parent_span_id", parentSpanId);
    map.put("operation_name", name);
    map.put("kind", kind.value());
    map.put("start_time", epochSeconds(startEpochNanos));
    map.put("end_time", finished ? epochSeconds(endEpochNanos) : null);
    map.put("duration_ms", finished ? durationMs() : 0.0);
    map.put("status", status.value());
    map.put("status_message", statusMessage);
    map.put("attributes", attributes);
    List<Map<String, Object>> eventMaps = new ArrayList<>(events.size());
    events.forEach(event -> eventMaps.add(event.toMap()));
    map.put("events", Collections.unmodifiableList(eventMaps));
    List<Map<String, Object>> linkMaps = new ArrayList<>(links.size());
    links.forEach(link -> linkMaps.add(link.toMap()));
    map.put("links", Collections.unmodifiableList(linkMaps));
    return Collections.unmodifiableMap(map);
  }

  /** Epoch seconds as the seed prints them: whole seconds plus the fraction, so no digits drift. */
  static double epochSeconds(long epochNanos) {
    return Math.floorDiv(epochNanos, 1_000_000_000L)
        + Math.floorMod(epochNanos, 1_000_000_000L) / 1e9;
  }

  static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  @Override
  public String toString() {
    return "SpanData" + toMap();
  }
}
