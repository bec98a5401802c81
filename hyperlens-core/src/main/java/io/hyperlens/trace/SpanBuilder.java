package io.hyperlens.trace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a span with what {@link DistributedTracer#startSpan} cannot say: an explicit parent (a
 * span, a received {@link TraceContext}, or none), an explicit start time, or links known at start.
 *
 * <p>Not thread-safe; use on one thread and discard after {@link #startSpan()}.
 *
 * <pre>{@code
 * TraceContext received = W3CPropagator.extract(headers);
 * Span server =
 *     tracer.spanBuilder("handle_request")
 *         .setKind(SpanKind.SERVER)
 *         .setParent(received)
 *         .setAttribute("http.route", "/agents")
 *         .startSpan();
 * }</pre>
 */
public final class SpanBuilder {
  private final DistributedTracer tracer;
  private final String name;
  private SpanKind kind = SpanKind.INTERNAL;
  private Context parent;
  private CausalTraceId agent;
  private Instant start;
  private final Map<String, Object> attributes = new LinkedHashMap<>();
  private final List<PendingLink> links = new ArrayList<>();

  private record PendingLink(String traceId, String spanId, Map<String, ?> attributes) {}

  SpanBuilder(DistributedTracer tracer, String name) {
    this.tracer = tracer;
    this.name = name;
  }

  /** The span kind; {@code null} means {@code INTERNAL}. */
  public SpanBuilder setKind(SpanKind kind) {
    this.kind = kind;
    return this;
  }

  /** Makes {@code parent} the parent span, whatever is current. */
  public SpanBuilder setParent(Span parent) {
    this.parent = Context.root().with(requireParent(parent));
    return this;
  }

  /** Makes the span join {@code parent}'s trace under its parent span id. */
  public SpanBuilder setParent(TraceContext parent) {
    this.parent = Context.root().with(requireParent(parent));
    return this;
  }

  /** Takes the parent from {@code parent} instead of the current context. */
  public SpanBuilder setParent(Context parent) {
    this.parent = requireParent(parent);
    return this;
  }

  /**
   * Makes this span the span of the agent with causal id {@code agent}: it joins the causal trace
   * (the W3C-padded causal trace id), takes the causal span id as its own, and has the causal
   * parent's span as its parent, none for a root. Agent spans thus form the causal tree in any
   * tracing backend, and a span of an agent's work started while its agent span is current is that
   * span's child. Overrides any other parent.
   */
  public SpanBuilder setCausalTraceId(CausalTraceId agent) {
    this.agent = requireParent(agent);
    return this;
  }

  /** Starts a new trace, whatever is current. */
  public SpanBuilder setNoParent() {
    this.parent = Context.root();
    return this;
  }

  private static <T> T requireParent(T parent) {
    if (parent == null) {
      throw new IllegalArgumentException("parent must not be null; use setNoParent() for a root");
    }
    return parent;
  }

  /**
   * An explicit start time, e.g. when the work began before it was traced. The end then comes from
   * the tracer's clock rather than a monotonic timer.
   */
  public SpanBuilder setStartTimestamp(Instant start) {
    this.start = start;
    return this;
  }

  /** An attribute to start with; see {@link Span#setAttribute(String, Object)}. */
  public SpanBuilder setAttribute(String key, Object value) {
    attributes.put(key, value);
    return this;
  }

  /** Attributes to start with. */
  public SpanBuilder setAttributes(Map<String, ?> attributes) {
    if (attributes != null) {
      this.attributes.putAll(attributes);
    }
    return this;
  }

  /** A link to start with; see {@link Span#addLink(String, String, Map)}. */
  public SpanBuilder addLink(String traceId, String spanId, Map<String, ?> attributes) {
    links.add(new PendingLink(traceId, spanId, attributes));
    return this;
  }

  /** Starts the span. It is not made current; see {@link Span#makeCurrent()}. */
  public Span startSpan() {
    Span span =
        agent != null
            ? tracer.newCausalSpan(name, kind, agent, start)
            : tracer.newSpan(name, kind, parent == null ? Context.current() : parent, start);
    span.setAttributes(attributes);
    links.forEach(link -> span.addLink(link.traceId(), link.spanId(), link.attributes()));
    return span;
  }
}
