package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.hyperlens.trace.W3CPropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.semconv.ServiceAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every field of a bridged tracer span, compared with the value OpenTelemetry's own factories build
 * from the same inputs, so that a view that maps any field wrongly fails here.
 */
class TracerSpanDataTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String REMOTE_PARENT_ID = "00f067aa0ba902b7";
  private static final String LINKED_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String LINKED_SPAN_ID = "b7ad6b7169203331";
  private static final Instant START = Instant.parse("2025-01-15T10:30:00.123456789Z");
  private static final Instant NOW = Instant.parse("2025-01-15T10:30:01.5Z");
  private static final long START_NANOS = 1_736_937_000_123_456_789L;
  private static final long NOW_NANOS = 1_736_937_001_500_000_000L;
  private static final Resource RESOURCE =
      Resource.create(Attributes.of(AttributeKey.stringKey("deployment.environment.name"), "test"));

  private final InMemorySpanExporter memory = InMemorySpanExporter.create();

  private List<SpanData> export(Consumer<DistributedTracer> record) {
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .serviceName("agent-runtime")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .maxAttributesPerSpan(9)
            .maxEventsPerSpan(2)
            .exporter(
                OtelSpanExporter.builder(memory).resource(RESOURCE).shutdownDelegate(false).build())
            .build()) {
      record.accept(tracer);
      assertThat(tracer.forceFlush(Duration.ofSeconds(10))).isTrue();
    }
    return memory.getFinishedSpanItems();
  }

  private static Span richSpan(DistributedTracer tracer) {
    Span span =
        tracer
            .spanBuilder("queue.consume")
            .setKind(SpanKind.CONSUMER)
            .setParent(
                W3CPropagator.extract(
                    Map.of(
                        "traceparent",
                        "00-" + TRACE_ID + "-" + REMOTE_PARENT_ID + "-01",
                        "tracestate",
                        "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")))
            .setStartTimestamp(START)
            .addLink(LINKED_TRACE_ID, LINKED_SPAN_ID, Map.of("k", "v"))
            .addLink("not-a-trace-id", "nope", Map.of())
            .startSpan();
    span.setAttribute("s", "text");
    span.setAttribute("l", 7L);
    span.setAttribute("d", 0.5);
    span.setAttribute("b", true);
    span.setAttribute("i", (Object) 3);
    span.setAttribute("ss", List.of("x", "y"));
    span.setAttribute("ls", List.of(1L, 2L));
    span.setAttribute("bs", Arrays.asList(true, null, false));
    span.setAttribute("", "OpenTelemetry leaves an empty key out");
    span.setAttribute("over.the.limit", "dropped");
    span.setAttribute("null.value", (Object) null);
    span.addEvent("first", Map.of("n", 1L));
    span.addEvent("second");
    span.addEvent("over.the.limit");
    tracer.finishSpan(span, SpanStatus.ERROR, "broke");
    return span;
  }

  @Test
  void everyFieldEqualsWhatOpenTelemetryBuildsFromTheSameValues() {
    Span[] recorded = new Span[1];
    List<SpanData> spans = export(tracer -> recorded[0] = richSpan(tracer));

    assertThat(spans).hasSize(1);
    SpanData span = spans.get(0);
    TraceState state =
        TraceState.builder().put("congo", "t61rcWkgMzE").put("rojo", REMOTE_PARENT_ID).build();
    assertThat(span.getName()).isEqualTo("queue.consume");
    assertThat(span.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CONSUMER);
    assertThat(span.getSpanContext())
        .isEqualTo(
            SpanContext.create(TRACE_ID, recorded[0].spanId(), TraceFlags.getSampled(), state));
    assertThat(span.getSpanContext().getTraceState().asMap().keySet())
        .containsExactly("rojo", "congo");
    assertThat(span.getParentSpanContext())
        .isEqualTo(
            SpanContext.createFromRemoteParent(
                TRACE_ID, REMOTE_PARENT_ID, TraceFlags.getSampled(), state));
    assertThat(span.getStatus()).isEqualTo(StatusData.create(StatusCode.ERROR, "broke"));
    assertThat(span.getStartEpochNanos()).isEqualTo(START_NANOS);
    assertThat(span.getEndEpochNanos()).isEqualTo(NOW_NANOS);
    assertThat(span.hasEnded()).isTrue();
    assertThat(span.getAttributes())
        .isEqualTo(
            Attributes.builder()
                .put("s", "text")
                .put("l", 7L)
                .put("d", 0.5)
                .put("b", true)
                .put("i", 3L)
                .put(AttributeKey.stringArrayKey("ss"), List.of("x", "y"))
                .put(AttributeKey.longArrayKey("ls"), List.of(1L, 2L))
                .put(AttributeKey.booleanArrayKey("bs"), List.of(true, false))
                .build());
    // 8 kept by OpenTelemetry, the empty key it leaves out is not counted, 2 dropped by the tracer.
    assertThat(span.getTotalAttributeCount()).isEqualTo(10);
    assertThat(span.getEvents())
        .containsExactly(
            EventData.create(NOW_NANOS, "first", Attributes.of(AttributeKey.longKey("n"), 1L), 1),
            EventData.create(NOW_NANOS, "second", Attributes.empty(), 0));
    assertThat(span.getTotalRecordedEvents()).isEqualTo(3);
    assertThat(span.getLinks())
        .containsExactly(
            LinkData.create(
                SpanContext.create(
                    LINKED_TRACE_ID,
                    LINKED_SPAN_ID,
                    TraceFlags.getDefault(),
                    TraceState.getDefault()),
                Attributes.of(AttributeKey.stringKey("k"), "v"),
                1));
    assertThat(span.getTotalRecordedLinks()).isEqualTo(2);
    assertThat(span.getInstrumentationScopeInfo())
        .isEqualTo(
            InstrumentationScopeInfo.builder("io.hyperlens.trace")
                .setVersion(Versions.hyperlens())
                .build());
    assertThat(span.getResource())
        .isEqualTo(
            RESOURCE.merge(
                Resource.create(Attributes.of(ServiceAttributes.SERVICE_NAME, "agent-runtime"))));
  }

  @Test
  @SuppressWarnings("deprecation")
  void theInstrumentationLibraryIsTheScope() {
    SpanData span = export(tracer -> tracer.finishSpan(tracer.startSpan("op"))).get(0);

    assertThat(span.getInstrumentationLibraryInfo().getName()).isEqualTo("io.hyperlens.trace");
    assertThat(span.getInstrumentationLibraryInfo().getVersion()).isEqualTo(Versions.hyperlens());
  }

  @Test
  void aLocalParentIsALocalContextAndARootHasTheInvalidOne() {
    Span[] recorded = new Span[2];
    List<SpanData> spans =
        export(
            tracer -> {
              Span root = tracer.startSpan("root", SpanKind.PRODUCER, Map.of());
              Span child = tracer.spanBuilder("child").setParent(root).startSpan();
              tracer.finishSpan(child);
              tracer.finishSpan(root);
              recorded[0] = root;
              recorded[1] = child;
            });

    SpanData child = spans.get(0);
    SpanData root = spans.get(1);
    assertThat(root.getParentSpanContext()).isSameAs(SpanContext.getInvalid());
    assertThat(root.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.PRODUCER);
    assertThat(root.getStatus()).isEqualTo(StatusData.ok());
    assertThat(root.getEvents()).isEmpty();
    assertThat(root.getLinks()).isEmpty();
    assertThat(root.getAttributes()).isEqualTo(Attributes.empty());
    assertThat(root.getTotalAttributeCount()).isZero();
    assertThat(root.getTotalRecordedEvents()).isZero();
    assertThat(root.getTotalRecordedLinks()).isZero();
    assertThat(child.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.INTERNAL);
    assertThat(child.getParentSpanContext())
        .isEqualTo(
            SpanContext.create(
                recorded[0].traceId(),
                recorded[0].spanId(),
                TraceFlags.getSampled(),
                TraceState.getDefault()));
    assertThat(child.getSpanContext().isRemote()).isFalse();
  }

  @Test
  void aFieldBuiltOnFirstReadIsTheSameInstanceOnEveryRead() {
    SpanData span = export(TracerSpanDataTest::richSpan).get(0);

    assertThat(span.getSpanContext()).isSameAs(span.getSpanContext());
    assertThat(span.getParentSpanContext()).isSameAs(span.getParentSpanContext());
    assertThat(span.getAttributes()).isSameAs(span.getAttributes());
    assertThat(span.getEvents()).isSameAs(span.getEvents());
    assertThat(span.getLinks()).isSameAs(span.getLinks());
  }
}
