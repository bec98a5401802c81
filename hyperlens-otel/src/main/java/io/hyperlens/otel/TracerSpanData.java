package io.hyperlens.otel;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * A finished tracer span in OpenTelemetry's shape, as a view over the Hyperlens {@link
 * io.hyperlens.trace.SpanData}: the bridge's worker only wraps the span, and the OpenTelemetry
 * forms of its contexts, attributes, events and links are built the first time an exporter asks for
 * them, once. An exporter that reads every field pays what an eager copy costs; one that samples,
 * counts or filters does not pay for what it never reads. The contexts are {@link
 * TracerSpanContext}s over the tracer's already-checked ids and the attributes {@link
 * SortedAttributes} sorted straight from the tracer's map, so that even the eager cost is less than
 * going through OpenTelemetry's validating and sorting factories. Built by {@link SpanMapping}.
 *
 * <p>Thread-safe: the Hyperlens span is immutable, and each derived field is an immutable value
 * cached with the racy single-check idiom (as {@code String.hashCode} is), so concurrent readers at
 * worst build an equal value twice; a single reader always gets the same instance back.
 *
 * <p>Equality is identity (the eager copy it replaces was a record, equal by value); no SDK
 * exporter compares spans.
 */
final class TracerSpanData implements SpanData {
  private final io.hyperlens.trace.SpanData span;
  private final InstrumentationScopeInfo scope;
  private final Resource resource;

  private SpanContext spanContext;
  private SpanContext parentSpanContext;
  private Attributes attributes;
  private List<EventData> events;
  private List<LinkData> links;

  TracerSpanData(
      io.hyperlens.trace.SpanData span, InstrumentationScopeInfo scope, Resource resource) {
    this.span = span;
    this.scope = scope;
    this.resource = resource;
  }

  @Override
  public String getName() {
    return span.name();
  }

  @Override
  public SpanKind getKind() {
    return SpanMapping.kind(span.kind());
  }

  @Override
  public SpanContext getSpanContext() {
    SpanContext context = spanContext;
    if (context == null) {
      context =
          new TracerSpanContext(
              span.traceId(),
              span.spanId(),
              TraceFlags.fromByte((byte) span.traceFlags()),
              SpanMapping.traceState(span.traceState()),
              false);
      spanContext = context;
    }
    return context;
  }

  @Override
  public SpanContext getParentSpanContext() {
    SpanContext parent = parentSpanContext;
    if (parent == null) {
      String parentId = span.parentSpanId().orElse(null);
      if (parentId == null) {
        parent = SpanContext.getInvalid();
      } else {
        // The parent shares the span's trace, flags and state.
        SpanContext own = getSpanContext();
        parent =
            new TracerSpanContext(
                span.traceId(),
                parentId,
                own.getTraceFlags(),
                own.getTraceState(),
                span.parentRemote());
      }
      parentSpanContext = parent;
    }
    return parent;
  }

  @Override
  public StatusData getStatus() {
    return SpanMapping.status(span.status(), span.statusMessage().orElse(""));
  }

  @Override
  public long getStartEpochNanos() {
    return span.startEpochNanos();
  }

  @Override
  public Attributes getAttributes() {
    Attributes built = attributes;
    if (built == null) {
      built = SpanMapping.attributes(span.attributes());
      attributes = built;
    }
    return built;
  }

  @Override
  public List<EventData> getEvents() {
    List<EventData> built = events;
    if (built == null) {
      built = SpanMapping.events(span.events());
      events = built;
    }
    return built;
  }

  @Override
  public List<LinkData> getLinks() {
    List<LinkData> built = links;
    if (built == null) {
      built = SpanMapping.links(span.links());
      links = built;
    }
    return built;
  }

  @Override
  public long getEndEpochNanos() {
    return span.endEpochNanos();
  }

  @Override
  public boolean hasEnded() {
    return true;
  }

  @Override
  public int getTotalRecordedEvents() {
    return span.events().size() + span.droppedEvents();
  }

  @Override
  public int getTotalRecordedLinks() {
    return span.links().size() + span.droppedLinks();
  }

  @Override
  public int getTotalAttributeCount() {
    // Not the Hyperlens map's size: OpenTelemetry leaves out an attribute with an empty key.
    return getAttributes().size() + span.droppedAttributes();
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  @Deprecated
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion());
  }

  @Override
  public Resource getResource() {
    return resource;
  }

  @Override
  public String toString() {
    return "TracerSpanData{name="
        + span.name()
        + ", traceId="
        + span.traceId()
        + ", spanId="
        + span.spanId()
        + ", parentSpanId="
        + span.parentSpanId().orElse("")
        + '}';
  }
}
