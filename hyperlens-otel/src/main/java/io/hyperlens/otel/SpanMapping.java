package io.hyperlens.otel;

import io.hyperlens.saga.SagaSpanRecord;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.semconv.ServiceAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hyperlens spans as OpenTelemetry {@link SpanData}, field for field: ids, flags and trace state,
 * the parent (remote or local), kind, status and description, epoch-nanosecond times, typed
 * attributes, events, links and the counts that include what the per-span limits dropped. The
 * resource is the configured one with the span's own {@code service.name}.
 *
 * <p>Thread-safe.
 */
final class SpanMapping {
  /** The instrumentation scope of spans recorded by a {@code DistributedTracer}. */
  static final String TRACER_SCOPE = "io.hyperlens.trace";

  /** The instrumentation scope of saga spans from a {@code SagaSpanExporter}. */
  static final String SAGA_SCOPE = "io.hyperlens.saga";

  private static final int MAX_CACHED_SERVICES = 64;

  private final Resource resource;
  private final InstrumentationScopeInfo tracerScope;
  private final InstrumentationScopeInfo sagaScope;
  private final Map<String, Resource> byService = new ConcurrentHashMap<>();

  /**
   * The resource of the service last asked for: a tracer's spans all carry one service name, so the
   * map is not consulted for each span. An immutable pair, so a racy read sees a whole one.
   */
  private ServiceResource recent;

  private record ServiceResource(String serviceName, Resource resource) {}

  SpanMapping(Resource resource) {
    this.resource = resource;
    String version = Versions.hyperlens();
    this.tracerScope = InstrumentationScopeInfo.builder(TRACER_SCOPE).setVersion(version).build();
    this.sagaScope = InstrumentationScopeInfo.builder(SAGA_SCOPE).setVersion(version).build();
  }

  /**
   * {@code span} as OpenTelemetry sees it: a view that converts each field the first time an
   * exporter reads it (see {@link TracerSpanData}).
   */
  SpanData fromTracer(io.hyperlens.trace.SpanData span) {
    return new TracerSpanData(span, tracerScope, resourceFor(span.serviceName()));
  }

  /** Span events with OpenTelemetry-typed attributes, in the same order; unmodifiable. */
  static List<EventData> events(List<io.hyperlens.trace.SpanEvent> spanEvents) {
    if (spanEvents.isEmpty()) {
      return Collections.emptyList();
    }
    List<EventData> events = new ArrayList<>(spanEvents.size());
    for (io.hyperlens.trace.SpanEvent event : spanEvents) {
      Attributes attributes = attributes(event.attributes());
      events.add(EventData.create(event.epochNanos(), event.name(), attributes, attributes.size()));
    }
    return Collections.unmodifiableList(events);
  }

  /** Span links with OpenTelemetry-typed attributes, in the same order; unmodifiable. */
  static List<LinkData> links(List<io.hyperlens.trace.SpanLink> spanLinks) {
    if (spanLinks.isEmpty()) {
      return Collections.emptyList();
    }
    List<LinkData> links = new ArrayList<>(spanLinks.size());
    for (io.hyperlens.trace.SpanLink link : spanLinks) {
      Attributes attributes = attributes(link.attributes());
      // A Hyperlens link holds the ids only: the linked span's flags and state are unknown.
      SpanContext linked =
          new TracerSpanContext(
              link.traceId(),
              link.spanId(),
              TraceFlags.getDefault(),
              TraceState.getDefault(),
              false);
      links.add(LinkData.create(linked, attributes, attributes.size()));
    }
    return Collections.unmodifiableList(links);
  }

  /**
   * {@code span} as OpenTelemetry sees it: an {@code INTERNAL} span in the saga's trace, under its
   * parent; {@code ok} is {@code OK}, {@code error} and {@code compensating} are {@code ERROR}
   * described by {@code agent.saga.error} (else {@code agent.saga.reason}, else the state).
   */
  SpanData fromSaga(SagaSpanRecord span) {
    TraceFlags sampled = TraceFlags.getSampled();
    SpanContext context =
        SpanContext.create(span.traceId(), span.spanId(), sampled, TraceState.getDefault());
    SpanContext parent =
        span.parentSpanId() == null
            ? SpanContext.getInvalid()
            : SpanContext.create(
                span.traceId(), span.parentSpanId(), sampled, TraceState.getDefault());
    StatusData status;
    if (SagaSpanRecord.STATUS_OK.equals(span.status())) {
      status = StatusData.ok();
    } else {
      Map<String, String> a = span.attributes();
      String description =
          a.getOrDefault("agent.saga.error", a.getOrDefault("agent.saga.reason", span.status()));
      status = StatusData.create(StatusCode.ERROR, description);
    }
    Attributes attributes = attributes(span.attributes());
    return new BridgedSpanData(
        span.exportName(),
        SpanKind.INTERNAL,
        context,
        parent,
        status,
        io.hyperlens.trace.SpanData.toEpochNanos(span.start()),
        io.hyperlens.trace.SpanData.toEpochNanos(span.end()),
        attributes,
        List.of(),
        List.of(),
        attributes.size(),
        0,
        0,
        sagaScope,
        resource);
  }

  private Resource resourceFor(String serviceName) {
    ServiceResource last = recent;
    if (last != null && last.serviceName().equals(serviceName)) {
      return last.resource();
    }
    Resource cached = byService.get(serviceName);
    if (cached != null) {
      recent = new ServiceResource(serviceName, cached);
      return cached;
    }
    Resource merged =
        resource.merge(Resource.create(Attributes.of(ServiceAttributes.SERVICE_NAME, serviceName)));
    if (byService.size() < MAX_CACHED_SERVICES) {
      byService.put(serviceName, merged);
    }
    return merged;
  }

  static SpanKind kind(io.hyperlens.trace.SpanKind kind) {
    switch (kind) {
      case SERVER:
        return SpanKind.SERVER;
      case CLIENT:
        return SpanKind.CLIENT;
      case PRODUCER:
        return SpanKind.PRODUCER;
      case CONSUMER:
        return SpanKind.CONSUMER;
      default:
        return SpanKind.INTERNAL;
    }
  }

  static StatusData status(io.hyperlens.trace.SpanStatus status, String message) {
    switch (status) {
      case OK:
        return StatusData.ok();
      case ERROR:
        return StatusData.create(StatusCode.ERROR, message);
      default:
        return StatusData.unset();
    }
  }

  /** W3C {@code tracestate} entries, leftmost first, in the same order. */
  static TraceState traceState(Map<String, String> entries) {
    if (entries.isEmpty()) {
      return TraceState.getDefault();
    }
    // The builder puts each new entry in front, so add the rightmost first.
    List<Map.Entry<String, String>> list = new ArrayList<>(entries.entrySet());
    TraceStateBuilder builder = TraceState.builder();
    for (int i = list.size() - 1; i >= 0; i--) {
      builder.put(list.get(i).getKey(), list.get(i).getValue());
    }
    return builder.build();
  }

  /**
   * Hyperlens attribute values, already typed as OpenTelemetry types them (String, Long, Double,
   * Boolean, or a list of one of those), as {@link Attributes}; null list items are left out. See
   * {@link SortedAttributes}.
   */
  static Attributes attributes(Map<String, ?> values) {
    return SortedAttributes.of(values);
  }
}
