package io.hyperlens.trace;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One timed operation within a trace: the seed's {@code Span}, with W3C ids, a kind, a status,
 * attributes, events and links. Started by {@link DistributedTracer#startSpan} and finished by
 * {@link DistributedTracer#finishSpan}; a finished span is immutable and further changes are
 * ignored.
 *
 * <p>Recording never throws into the caller: a null key or value, an attribute, event or link
 * beyond the tracer's per-span limits (128 each by default) or a link with malformed ids is dropped
 * and counted in {@link SpanData#droppedAttributes()} and its siblings.
 *
 * <p>Thread-safe: every method may be called from any thread.
 *
 * <pre>{@code
 * Span span = tracer.startSpan("create_agent", SpanKind.INTERNAL, Map.of("philosophy", "react"));
 * span.addEvent("agent_initialized", Map.of("container_id", "cont-456"));
 * span.setAttribute("agent_id", "agent-789");
 * tracer.finishSpan(span, SpanStatus.OK, null);
 * span.durationMs(); // e.g. 0.042
 * }</pre>
 */
public final class Span {
  private final DistributedTracer tracer;
  private final TraceContext trace;
  private final String spanId;
  private final String parentSpanId;
  private final boolean parentRemote;
  private final String name;
  private final SpanKind kind;
  private final long startEpochNanos;
  private final long startNanoTime;

  private final Object lock = new Object();
  private LinkedHashMap<String, Object> attributes;
  private ArrayList<SpanEvent> events;
  private ArrayList<SpanLink> links;
  private int droppedAttributes;
  private int droppedEvents;
  private int droppedLinks;
  private SpanStatus status = SpanStatus.UNSET;
  private String statusMessage;
  private volatile SpanData finished;

  Span(
      DistributedTracer tracer,
      TraceContext trace,
      String parentSpanId,
      boolean parentRemote,
      String name,
      SpanKind kind,
      long startEpochNanos,
      long startNanoTime,
      String spanId) {
    this.tracer = tracer;
    this.trace = trace;
    this.spanId = spanId != null ? spanId : W3CIds.randomSpanId();
    this.parentSpanId = parentSpanId;
    this.parentRemote = parentRemote;
    this.name = name;
    this.kind = kind;
    this.startEpochNanos = startEpochNanos;
    this.startNanoTime = startNanoTime;
  }

  /** The 32-hex W3C trace id. */
  public String traceId() {
    return trace.traceId();
  }

  /** The 16-hex W3C span id. */
  public String spanId() {
    return spanId;
  }

  /** The parent's span id, empty for the root span of a trace. */
  public Optional<String> parentSpanId() {
    return Optional.ofNullable(parentSpanId);
  }

  /** The operation name (the seed's {@code operation_name}). */
  public String name() {
    return name;
  }

  /** The span kind. */
  public SpanKind kind() {
    return kind;
  }

  /** The status so far: {@code UNSET} until set, finished, or errored by an exception. */
  public SpanStatus status() {
    synchronized (lock) {
      return status;
    }
  }

  /** The error message, when the status is {@code ERROR} and one was given. */
  public Optional<String> statusMessage() {
    synchronized (lock) {
      return Optional.ofNullable(statusMessage);
    }
  }

  /** A snapshot of the attributes, in insertion order; unmodifiable. */
  public Map<String, Object> attributes() {
    synchronized (lock) {
      return attributes == null
          ? Map.of()
          : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
  }

  /** A snapshot of the events; unmodifiable. */
  public List<SpanEvent> events() {
    synchronized (lock) {
      return events == null ? List.of() : List.copyOf(events);
    }
  }

  /** A snapshot of the links; unmodifiable. */
  public List<SpanLink> links() {
    synchronized (lock) {
      return links == null ? List.of() : List.copyOf(links);
    }
  }

  /** When the span started. */
  public Instant startTime() {
    return SpanData.instant(startEpochNanos);
  }

  /** Whether {@link DistributedTracer#finishSpan} has been called. */
  public boolean isFinished() {
    return finished != null;
  }

  /** The finished span's immutable data; empty until finished. */
  public Optional<SpanData> finishedData() {
    return Optional.ofNullable(finished);
  }

  /** Milliseconds from start to finish, 0 until finished (the seed's {@code duration_ms()}). */
  public double durationMs() {
    SpanData data = finished;
    return data == null ? 0.0 : data.durationMs();
  }

  /**
   * The context to hand to the next service for work done on behalf of this span: this trace, this
   * span as parent, the trace's flags and state, and the trace's shared baggage.
   */
  public TraceContext traceContext() {
    return trace.withParent(spanId);
  }

  /** Makes this span current on the calling thread until the scope closes; see {@link Context}. */
  public Scope makeCurrent() {
    return Context.root().with(this).makeCurrent();
  }

  /** Sets a string attribute; returns this span. */
  public Span setAttribute(String key, String value) {
    return putAttribute(key, SpanAttributes.normalize(value, tracer.maxAttributeLength()));
  }

  /** Sets an integer attribute; returns this span. */
  public Span setAttribute(String key, long value) {
    return putAttribute(key, value);
  }

  /** Sets a floating-point attribute; returns this span. */
  public Span setAttribute(String key, double value) {
    return putAttribute(key, value);
  }

  /** Sets a boolean attribute; returns this span. */
  public Span setAttribute(String key, boolean value) {
    return putAttribute(key, value);
  }

  /**
   * Sets an attribute of any type: integral numbers are stored as {@code Long}, other numbers as
   * {@code Double}, collections and arrays as lists, anything else as its {@code toString()}.
   */
  public Span setAttribute(String key, Object value) {
    return putAttribute(key, SpanAttributes.normalize(value, tracer.maxAttributeLength()));
  }

  /** Sets every entry of {@code attributes}; returns this span. */
  public Span setAttributes(Map<String, ?> attributes) {
    if (attributes != null) {
      attributes.forEach(this::setAttribute);
    }
    return this;
  }

  private Span putAttribute(String key, Object value) {
    synchronized (lock) {
      if (finished != null) {
        return this;
      }
      if (key == null || value == null) {
        droppedAttributes++;
        return this;
      }
      if (attributes == null) {
        attributes = new LinkedHashMap<>();
      }
      if (attributes.size() >= tracer.maxAttributesPerSpan() && !attributes.containsKey(key)) {
        droppedAttributes++;
        return this;
      }
      attributes.put(key, value);
    }
    return this;
  }

  /** Adds an event without attributes, timestamped now. */
  public Span addEvent(String name) {
    return addEvent(name, Map.of());
  }

  /** Adds an event with attributes, timestamped now. */
  public Span addEvent(String name, Map<String, ?> attributes) {
    return appendEvent(name, tracer.nowEpochNanos(), attributes);
  }

  /** Adds an event with attributes at {@code timestamp}. */
  public Span addEvent(String name, Map<String, ?> attributes, Instant timestamp) {
    if (timestamp == null) {
      return addEvent(name, attributes);
    }
    return appendEvent(name, SpanData.toEpochNanos(timestamp), attributes);
  }

  private Span appendEvent(String name, long epochNanos, Map<String, ?> attributes) {
    Map<String, Object> copy;
    try {
      copy = SpanAttributes.copyOf(attributes, tracer.maxAttributeLength());
    } catch (RuntimeException e) {
      copy = null; // a map that fails while being read: the event is dropped and counted
    }
    synchronized (lock) {
      if (finished != null) {
        return this;
      }
      if (name == null
          || copy == null
          || (events != null && events.size() >= tracer.maxEventsPerSpan())) {
        droppedEvents++;
        return this;
      }
      if (events == null) {
        events = new ArrayList<>(4);
      }
      events.add(new SpanEvent(name, epochNanos, copy));
    }
    return this;
  }

  /** Links this span to another span, usually in another trace. */
  public Span addLink(String traceId, String spanId) {
    return addLink(traceId, spanId, Map.of());
  }

  /**
   * Links this span to another span with attributes, e.g. {@code relationship=caused_by}. Ids are
   * W3C ids, or {@link CausalTraceId} ids (left-padded); a link with malformed ids is dropped and
   * counted, never thrown.
   */
  public Span addLink(String traceId, String spanId, Map<String, ?> attributes) {
    SpanLink link;
    try {
      link =
          new SpanLink(
              traceId, spanId, SpanAttributes.copyOf(attributes, tracer.maxAttributeLength()));
    } catch (RuntimeException malformed) {
      link = null;
    }
    synchronized (lock) {
      if (finished != null) {
        return this;
      }
      if (link == null || (links != null && links.size() >= tracer.maxLinksPerSpan())) {
        droppedLinks++;
        return this;
      }
      if (links == null) {
        links = new ArrayList<>(2);
      }
      links.add(link);
    }
    return this;
  }

  /**
   * Sets the status: {@code ERROR} keeps {@code message} as the description; {@code OK} is final
   * for the span's status and {@code UNSET} changes nothing, as in OpenTelemetry.
   */
  public Span setStatus(SpanStatus status, String message) {
    synchronized (lock) {
      if (finished == null) {
        applyStatus(status, message);
      }
    }
    return this;
  }

  private void applyStatus(SpanStatus next, String message) {
    if (next == null || next == SpanStatus.UNSET || status == SpanStatus.OK) {
      return;
    }
    status = next;
    statusMessage = next == SpanStatus.ERROR ? message : null;
  }

  /**
   * Records {@code throwable} as an {@code exception} event ({@code exception.type}, {@code
   * exception.message}, {@code exception.stacktrace}) and marks the span as failed ({@code ERROR},
   * even after {@code OK}) with the exception's message. Never throws, even when the exception's
   * own {@code getMessage()} or {@code printStackTrace} does.
   */
  public Span recordException(Throwable throwable) {
    if (throwable == null) {
      return this;
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("exception.type", throwable.getClass().getName());
    String message = message(throwable);
    if (message != null) {
      attributes.put("exception.message", message);
    }
    try {
      StringWriter trace = new StringWriter();
      throwable.printStackTrace(new PrintWriter(trace));
      attributes.put("exception.stacktrace", trace.toString());
    } catch (RuntimeException | StackOverflowError e) {
      attributes.put("exception.stacktrace", "<unavailable: printStackTrace threw " + e + ">");
    }
    appendEvent("exception", tracer.nowEpochNanos(), attributes);
    synchronized (lock) {
      if (finished == null) {
        status = SpanStatus.ERROR;
        statusMessage = errorMessage(throwable);
      }
    }
    return this;
  }

  /** The throwable's message, or null when it has none or cannot give it. */
  private static String message(Throwable throwable) {
    try {
      return throwable.getMessage();
    } catch (RuntimeException | StackOverflowError e) {
      return null;
    }
  }

  /** The seed's {@code str(e)}: the message, else the simple class name. */
  static String errorMessage(Throwable throwable) {
    String message = message(throwable);
    return message != null ? message : throwable.getClass().getSimpleName();
  }

  /**
   * Ends the span now with {@code explicit} status (or its own, {@code OK} when unset and {@code
   * defaultToOk}); returns its data, or {@code null} when it had already finished.
   */
  SpanData finish(SpanStatus explicit, String message, boolean defaultToOk) {
    long end = tracer.endEpochNanos(startEpochNanos, startNanoTime);
    synchronized (lock) {
      if (finished != null) {
        return null;
      }
      if (explicit != null && explicit != SpanStatus.UNSET) {
        status = explicit;
        statusMessage = explicit == SpanStatus.ERROR ? message : null;
      } else if (defaultToOk && status == SpanStatus.UNSET) {
        status = SpanStatus.OK;
      }
      SpanData data = snapshot(end, true);
      finished = data;
      return data;
    }
  }

  /** Span data ending at {@code end}: frozen views when finishing, copies otherwise. */
  private SpanData snapshot(long end, boolean freeze) {
    return new SpanData(
        tracer.serviceName(),
        trace.traceId(),
        spanId,
        parentSpanId,
        parentRemote,
        trace.traceFlags(),
        trace.traceState(),
        name,
        kind,
        startEpochNanos,
        end,
        status,
        statusMessage,
        freeze && attributes != null ? Collections.unmodifiableMap(attributes) : attributes(),
        freeze && events != null ? Collections.unmodifiableList(events) : events(),
        freeze && links != null ? Collections.unmodifiableList(links) : links(),
        droppedAttributes,
        droppedEvents,
        droppedLinks);
  }

  /**
   * The seed's {@code to_dict()}: see {@link SpanData#toMap()}; {@code end_time} is {@code null}
   * and {@code duration_ms} 0 until the span finishes.
   */
  public Map<String, Object> toMap() {
    SpanData data = finished;
    if (data != null) {
      return data.toMap();
    }
    synchronized (lock) {
      return snapshot(SpanData.UNFINISHED, false).toMap();
    }
  }

  TraceContext trace() {
    return trace;
  }

  DistributedTracer tracer() {
    return tracer;
  }

  @Override
  public String toString() {
    return "Span{name="
        + name
        + ", trace_id="
        + trace.traceId()
        + ", span_id="
        + spanId
        + ", parent_span_id="
        + parentSpanId
        + '}';
  }
}
