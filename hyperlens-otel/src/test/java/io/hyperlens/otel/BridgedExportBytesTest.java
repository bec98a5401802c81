package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.hyperlens.trace.W3CPropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.semconv.ServiceAttributes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.Encoding;

/**
 * Tracer spans through the bridge are written byte for byte as OpenTelemetry writes the same spans
 * built with its own factories ({@code Attributes.builder()}, {@code SpanContext.create}, {@code
 * EventData.create}, {@code LinkData.create}), by the real OTLP marshalers (protobuf and JSON, the
 * stateful and the low-allocation ones), the Zipkin exporter and the logging exporter. The spans
 * carry every attribute type, a key set twice with different types, an empty key, null list items,
 * an empty list, non-ASCII keys, attributes on events and links, no attributes at all, and more
 * attributes than the insertion sort takes.
 */
class BridgedExportBytesTest {
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
  private static final Resource SPAN_RESOURCE =
      RESOURCE.merge(
          Resource.create(Attributes.of(ServiceAttributes.SERVICE_NAME, "agent-runtime")));
  private static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.builder("io.hyperlens.trace")
          .setVersion(Versions.hyperlens())
          .build();
  private static final TraceState STATE =
      TraceState.builder().put("congo", "t61rcWkgMzE").put("rojo", REMOTE_PARENT_ID).build();

  /** Keys in a shuffled order, more than the insertion sort handles. */
  private static final List<String> MANY_KEYS = manyKeys(SortedAttributes.INSERTION_SORT_MAX + 24);

  private static List<SpanData> bridged;
  private static List<SpanData> expected;

  @BeforeAll
  static void exportBothWays() {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    Span[] spans = new Span[5];
    try (DistributedTracer tracer =
        DistributedTracer.builder()
            .serviceName("agent-runtime")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .exporter(
                OtelSpanExporter.builder(memory).resource(RESOURCE).shutdownDelegate(false).build())
            .build()) {
      spans[0] = richSpan(tracer);
      spans[1] = tracer.startSpan("bare.root", SpanKind.PRODUCER, Map.of());
      spans[2] = tracer.spanBuilder("many.attributes").setParent(spans[1]).startSpan();
      for (String key : MANY_KEYS) {
        spans[2].setAttribute(
            key, key.length() % 2 == 0 ? (Object) key : (Object) (long) key.hashCode());
      }
      spans[3] = tracer.spanBuilder("reversed").setParent(spans[1]).startSpan();
      for (int i = SortedAttributes.INSERTION_SORT_MAX; i > 0; i--) {
        spans[3].setAttribute("k" + (char) ('a' + i), i);
      }
      spans[4] = tracer.spanBuilder("event.only").setParent(spans[1]).startSpan();
      spans[4].addEvent("tool.call", Map.of("tool", "search", "attempt", 2L, "ok", false));
      tracer.finishSpan(spans[0], SpanStatus.ERROR, "broke");
      tracer.finishSpan(spans[2]);
      tracer.finishSpan(spans[3]);
      tracer.finishSpan(spans[4], SpanStatus.UNSET, null);
      tracer.finishSpan(spans[1]);
      assertThat(tracer.forceFlush(Duration.ofSeconds(10))).isTrue();
    }
    bridged = memory.getFinishedSpanItems();
    expected =
        List.of(
            expectedRichSpan(spans[0]),
            expectedManyAttributes(spans[2]),
            expectedReversed(spans[3]),
            expectedEventOnly(spans[4]),
            sdkSpan(spans[1], "bare.root", io.opentelemetry.api.trace.SpanKind.PRODUCER)
                .setStatus(StatusData.ok())
                .setParentSpanContext(SpanContext.getInvalid())
                .build());
    assertThat(bridged).hasSize(expected.size());
    assertThat(bridged).allSatisfy(span -> assertThat(span).isInstanceOf(TracerSpanData.class));
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
            .addLink(LINKED_TRACE_ID, LINKED_SPAN_ID, ordered("link.z", "last", "link.a", 1L))
            .addLink(TRACE_ID, REMOTE_PARENT_ID, Map.of())
            .startSpan();
    span.setAttribute("string", "text");
    span.setAttribute("long", 7L);
    span.setAttribute("double", 0.5);
    span.setAttribute("boolean", true);
    span.setAttribute("int", (Object) 3);
    span.setAttribute("float", (Object) 1.5f);
    span.setAttribute("strings", List.of("x", "y"));
    span.setAttribute("longs", List.of(1L, 2L));
    span.setAttribute("doubles", List.of(0.25, 2.5));
    span.setAttribute("booleans", Arrays.asList(true, null, false));
    span.setAttribute("mixed", List.of(1L, "a"));
    span.setAttribute("empty.list", List.of());
    span.setAttribute("twice", "first a string");
    span.setAttribute("twice", 42L);
    span.setAttribute("", "OpenTelemetry leaves an empty key out");
    span.setAttribute("größe", "ünïcödé ✓");
    span.setAttribute("Upper", "sorts before lower case");
    span.setAttribute("a_b", "after a.b");
    span.setAttribute("a.b", "after a");
    span.setAttribute("a", "first");
    span.addEvent("first", ordered("z", "last", "n", 1L, "a", true));
    span.addEvent("second");
    return span;
  }

  private static SpanData expectedRichSpan(Span span) {
    Attributes attributes =
        Attributes.builder()
            .put("string", "text")
            .put("long", 7L)
            .put("double", 0.5)
            .put("boolean", true)
            .put("int", 3L)
            .put("float", 1.5)
            .put(AttributeKey.stringArrayKey("strings"), List.of("x", "y"))
            .put(AttributeKey.longArrayKey("longs"), List.of(1L, 2L))
            .put(AttributeKey.doubleArrayKey("doubles"), List.of(0.25, 2.5))
            .put(AttributeKey.booleanArrayKey("booleans"), List.of(true, false))
            .put(AttributeKey.stringArrayKey("mixed"), List.of("1", "a"))
            .put(AttributeKey.stringArrayKey("empty.list"), List.of())
            .put("twice", "first a string")
            .put("twice", 42L)
            .put("", "OpenTelemetry leaves an empty key out")
            .put("größe", "ünïcödé ✓")
            .put("Upper", "sorts before lower case")
            .put("a_b", "after a.b")
            .put("a.b", "after a")
            .put("a", "first")
            .build();
    Attributes firstEvent =
        Attributes.builder().put("z", "last").put("n", 1L).put("a", true).build();
    Attributes linkAttributes =
        Attributes.builder().put("link.z", "last").put("link.a", 1L).build();
    return sdkSpan(span, "queue.consume", io.opentelemetry.api.trace.SpanKind.CONSUMER)
        .setSpanContext(SpanContext.create(TRACE_ID, span.spanId(), TraceFlags.getSampled(), STATE))
        .setParentSpanContext(
            SpanContext.createFromRemoteParent(
                TRACE_ID, REMOTE_PARENT_ID, TraceFlags.getSampled(), STATE))
        .setStartEpochNanos(START_NANOS)
        .setStatus(StatusData.create(StatusCode.ERROR, "broke"))
        .setAttributes(attributes)
        .setTotalAttributeCount(attributes.size())
        .setEvents(
            List.of(
                EventData.create(NOW_NANOS, "first", firstEvent, 3),
                EventData.create(NOW_NANOS, "second", Attributes.empty(), 0)))
        .setTotalRecordedEvents(2)
        .setLinks(
            List.of(
                LinkData.create(
                    SpanContext.create(
                        LINKED_TRACE_ID,
                        LINKED_SPAN_ID,
                        TraceFlags.getDefault(),
                        TraceState.getDefault()),
                    linkAttributes,
                    2),
                LinkData.create(
                    SpanContext.create(
                        TRACE_ID,
                        REMOTE_PARENT_ID,
                        TraceFlags.getDefault(),
                        TraceState.getDefault()),
                    Attributes.empty(),
                    0)))
        .setTotalRecordedLinks(2)
        .build();
  }

  private static SpanData expectedManyAttributes(Span span) {
    AttributesBuilder attributes = Attributes.builder();
    for (String key : MANY_KEYS) {
      if (key.length() % 2 == 0) {
        attributes.put(key, key);
      } else {
        attributes.put(key, (long) key.hashCode());
      }
    }
    Attributes built = attributes.build();
    return child(span, "many.attributes")
        .setAttributes(built)
        .setTotalAttributeCount(built.size())
        .build();
  }

  private static SpanData expectedReversed(Span span) {
    AttributesBuilder attributes = Attributes.builder();
    for (int i = SortedAttributes.INSERTION_SORT_MAX; i > 0; i--) {
      attributes.put("k" + (char) ('a' + i), (long) i);
    }
    Attributes built = attributes.build();
    return child(span, "reversed")
        .setStatus(StatusData.ok())
        .setAttributes(built)
        .setTotalAttributeCount(built.size())
        .build();
  }

  private static SpanData expectedEventOnly(Span span) {
    Attributes event =
        Attributes.builder().put("tool", "search").put("attempt", 2L).put("ok", false).build();
    return child(span, "event.only")
        .setStatus(StatusData.unset())
        .setEvents(List.of(EventData.create(NOW_NANOS, "tool.call", event, 3)))
        .setTotalRecordedEvents(1)
        .build();
  }

  private static TestSpanData.Builder child(Span span, String name) {
    return sdkSpan(span, name, io.opentelemetry.api.trace.SpanKind.INTERNAL)
        .setParentSpanContext(
            SpanContext.create(
                span.traceId(),
                span.parentSpanId().orElseThrow(),
                TraceFlags.getSampled(),
                TraceState.getDefault()));
  }

  /** The fields every expected span shares; attributes, events and links empty. */
  private static TestSpanData.Builder sdkSpan(
      Span span, String name, io.opentelemetry.api.trace.SpanKind kind) {
    return TestSpanData.builder()
        .setName(name)
        .setKind(kind)
        .setSpanContext(
            SpanContext.create(
                span.traceId(), span.spanId(), TraceFlags.getSampled(), TraceState.getDefault()))
        .setStartEpochNanos(NOW_NANOS)
        .setEndEpochNanos(NOW_NANOS)
        .setHasEnded(true)
        .setStatus(StatusData.ok())
        .setAttributes(Attributes.empty())
        .setTotalAttributeCount(0)
        .setEvents(List.of())
        .setTotalRecordedEvents(0)
        .setLinks(List.of())
        .setTotalRecordedLinks(0)
        .setInstrumentationScopeInfo(SCOPE)
        .setResource(SPAN_RESOURCE);
  }

  /** A map in the given order: the tracer keeps insertion order, OpenTelemetry sorts. */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static List<String> manyKeys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add("gen_ai." + (char) ('a' + i % 26) + ".k" + i);
    }
    Collections.shuffle(keys, new Random(21));
    return List.copyOf(keys);
  }

  private static byte[] binary(Marshaler marshaler) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    marshaler.writeBinaryTo(out);
    return out.toByteArray();
  }

  private static String json(Marshaler marshaler) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    marshaler.writeJsonTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void otlpProtobufIsByteForByteWhatTheSdkWritesForTheSameSpans() throws IOException {
    byte[] ours = binary(TraceRequestMarshaler.create(bridged));

    assertThat(ours).isEqualTo(binary(TraceRequestMarshaler.create(expected)));
    assertThat(ours.length).isGreaterThan(1_500);
  }

  @Test
  void otlpJsonIsByteForByteWhatTheSdkWritesForTheSameSpans() throws IOException {
    String ours = json(TraceRequestMarshaler.create(bridged));

    assertThat(ours).isEqualTo(json(TraceRequestMarshaler.create(expected)));
    // The SDK's order, by key: upper case first, then "a", "a.b", "a_b", ...
    assertThat(ours)
        .containsSubsequence(
            "\"Upper\"", "\"a\"", "\"a.b\"", "\"a_b\"", "\"boolean\"", "\"größe\"");
  }

  @Test
  void theLowAllocationOtlpMarshalerWritesTheSameBytes() throws IOException {
    LowAllocationTraceRequestMarshaler ours = new LowAllocationTraceRequestMarshaler();
    ours.initialize(bridged);
    LowAllocationTraceRequestMarshaler sdk = new LowAllocationTraceRequestMarshaler();
    sdk.initialize(expected);

    assertThat(binary(ours)).isEqualTo(binary(sdk));
    ours.reset();
    sdk.reset();
    ours.initialize(bridged);
    sdk.initialize(expected);
    assertThat(json(ours)).isEqualTo(json(sdk));
    assertThat(binary(ours)).isEqualTo(binary(TraceRequestMarshaler.create(expected)));
  }

  @Test
  void zipkinJsonIsByteForByteWhatTheSdkSends() {
    CapturingSender sender = new CapturingSender();
    try (ZipkinSpanExporter zipkin =
        ZipkinSpanExporter.builder()
            .setSender(sender)
            .setLocalIpAddressSupplier(InetAddress::getLoopbackAddress)
            .build()) {
      assertThat(zipkin.export(bridged).join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(zipkin.export(expected).join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    assertThat(sender.messages).hasSize(2);
    assertThat(sender.messages.get(0)).isEqualTo(sender.messages.get(1));
    assertThat(sender.messages.get(0)).contains("\"twice\":\"42\"").contains("größe");
  }

  @Test
  void theLoggingExporterPrintsTheSameLines() {
    Logger logger = Logger.getLogger(LoggingSpanExporter.class.getName());
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            lines.add(record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    boolean useParentHandlers = logger.getUseParentHandlers();
    logger.setUseParentHandlers(false); // keep the build's output clean
    try {
      LoggingSpanExporter console = LoggingSpanExporter.create();
      console.export(bridged);
      List<String> ours = List.copyOf(lines);
      lines.clear();
      console.export(expected);

      assertThat(ours).hasSize(expected.size()).isEqualTo(lines);
      assertThat(ours.get(0)).contains("twice=42").contains("größe=\"ünïcödé ✓\"");
    } finally {
      logger.setUseParentHandlers(useParentHandlers);
      logger.removeHandler(handler);
    }
  }

  @Test
  void attributesAreEqualToTheSdksAndPrintAndHashAsTheSdksDo() {
    for (int i = 0; i < expected.size(); i++) {
      assertAttributesMatch(bridged.get(i).getAttributes(), expected.get(i).getAttributes());
      List<EventData> events = bridged.get(i).getEvents();
      for (int e = 0; e < events.size(); e++) {
        assertAttributesMatch(
            events.get(e).getAttributes(), expected.get(i).getEvents().get(e).getAttributes());
      }
      List<LinkData> links = bridged.get(i).getLinks();
      for (int l = 0; l < links.size(); l++) {
        assertAttributesMatch(
            links.get(l).getAttributes(), expected.get(i).getLinks().get(l).getAttributes());
      }
    }
  }

  private static void assertAttributesMatch(Attributes ours, Attributes sdk) {
    assertThat(ours).isEqualTo(sdk);
    assertThat(ours.size()).isEqualTo(sdk.size());
    assertThat(ours.isEmpty()).isEqualTo(sdk.isEmpty());
    assertThat(ours.hashCode()).isEqualTo(sdk.hashCode());
    assertThat(ours.toString()).isEqualTo(sdk.toString());
    assertThat(new ArrayList<>(ours.asMap().entrySet()))
        .containsExactlyElementsOf(new ArrayList<>(sdk.asMap().entrySet()));
    assertThat(ours.toBuilder().build()).isEqualTo(sdk);
    List<Object> oursInOrder = new ArrayList<>();
    ours.forEach((key, value) -> Collections.addAll(oursInOrder, key, key.getType(), value));
    List<Object> sdkInOrder = new ArrayList<>();
    sdk.forEach((key, value) -> Collections.addAll(sdkInOrder, key, key.getType(), value));
    assertThat(oursInOrder).isEqualTo(sdkInOrder);
    sdk.forEach((key, value) -> assertThat(ours.get(key)).isEqualTo(value));
  }

  @Test
  void spanContextsAreEqualToTheSdksAndPrintAndHashAsTheSdksDo() {
    for (int i = 0; i < expected.size(); i++) {
      assertContextsMatch(bridged.get(i).getSpanContext(), expected.get(i).getSpanContext());
      assertContextsMatch(
          bridged.get(i).getParentSpanContext(), expected.get(i).getParentSpanContext());
      for (int l = 0; l < bridged.get(i).getLinks().size(); l++) {
        assertContextsMatch(
            bridged.get(i).getLinks().get(l).getSpanContext(),
            expected.get(i).getLinks().get(l).getSpanContext());
      }
    }
  }

  private static void assertContextsMatch(SpanContext ours, SpanContext sdk) {
    assertThat(ours).isEqualTo(sdk);
    assertThat(ours.hashCode()).isEqualTo(sdk.hashCode());
    assertThat(ours.toString()).isEqualTo(sdk.toString());
    assertThat(ours.isValid()).isEqualTo(sdk.isValid());
    assertThat(ours.isRemote()).isEqualTo(sdk.isRemote());
    assertThat(ours.isSampled()).isEqualTo(sdk.isSampled());
    assertThat(ours.getTraceIdBytes()).isEqualTo(sdk.getTraceIdBytes());
    assertThat(ours.getSpanIdBytes()).isEqualTo(sdk.getSpanIdBytes());
  }

  /** Keeps each message the Zipkin exporter sends. */
  private static final class CapturingSender implements BytesMessageSender {
    final List<String> messages = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Encoding encoding() {
      return Encoding.JSON;
    }

    @Override
    public int messageMaxBytes() {
      return 1 << 20;
    }

    @Override
    public int messageSizeInBytes(List<byte[]> encodedSpans) {
      return Encoding.JSON.listSizeInBytes(encodedSpans);
    }

    @Override
    public int messageSizeInBytes(int encodedSizeInBytes) {
      return Encoding.JSON.listSizeInBytes(encodedSizeInBytes);
    }

    @Override
    public void send(List<byte[]> encodedSpans) {
      StringBuilder message = new StringBuilder();
      for (byte[] span : encodedSpans) {
        message.append(new String(span, StandardCharsets.UTF_8)).append('\n');
      }
      messages.add(message.toString());
    }

    @Override
    public void close() {}
  }
}
