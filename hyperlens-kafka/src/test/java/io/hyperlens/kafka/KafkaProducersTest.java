package io.hyperlens.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanEvent;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanLink;
import io.hyperlens.trace.SpanStatus;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The producers against a real (in-JVM) Kafka: what lands in the topics, and the bounds. */
class KafkaProducersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static InJvmKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = InJvmKafka.start();
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
  }

  private static String topic() {
    return "t-" + UUID.randomUUID();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void theSinkSendsEachEventAsJsonKeyedByItsSessionAndCloseFlushesAndWaitsForAcks()
      throws Exception {
    String topic = topic();
    kafka.createTopics(4, topic);
    HypervisorEventBus bus = new HypervisorEventBus();
    List<HypervisorEvent> emitted = new ArrayList<>();
    try (KafkaEventSink sink = KafkaEventSink.builder(kafka.bootstrap()).topic(topic).build()) {
      sink.subscribeTo(bus);
      for (int i = 0; i < 1_000; i++) {
        HypervisorEvent event =
            bus.eventBuilder(EventType.RING_BREACH_DETECTED)
                .sessionId("session-" + (i % 7))
                .agentDid("did:mesh:agent-" + i)
                .payload(Map.of("i", i))
                .build();
        emitted.add(event);
        bus.emit(event);
      }
      HypervisorEvent noSession = bus.eventBuilder(EventType.SESSION_CREATED).build();
      emitted.add(noSession);
      bus.emit(noSession);
    } // close: flushed and acknowledged, nothing read before this line

    List<ConsumerRecord<byte[], byte[]>> records;
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      records = TopicReader.readAll(consumer, topic);
    }
    assertThat(records).hasSize(1_001);
    Map<String, Set<Integer>> partitionsBySession =
        records.stream()
            .filter(r -> r.key() != null)
            .collect(
                Collectors.groupingBy(
                    r -> new String(r.key(), StandardCharsets.UTF_8),
                    Collectors.mapping(ConsumerRecord::partition, Collectors.toSet())));
    assertThat(partitionsBySession).hasSize(7);
    partitionsBySession.values().forEach(p -> assertThat(p).hasSize(1));
    assertThat(records.stream().filter(r -> r.key() == null)).hasSize(1);

    Map<String, JsonNode> byId = new java.util.HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      assertThat(header(record, "content-type")).isEqualTo("application/json");
      JsonNode json = JSON.readTree(record.value());
      byId.put(json.get("event_id").asText(), json);
    }
    for (HypervisorEvent event : emitted) {
      assertThat(byId.get(event.eventId())).isEqualTo(JSON.valueToTree(event.toMap()));
    }
    // a session's events keep their order within its partition
    List<Integer> order =
        records.stream()
            .filter(
                r ->
                    r.key() != null
                        && new String(r.key(), StandardCharsets.UTF_8).equals("session-3"))
            .sorted(java.util.Comparator.comparingLong(ConsumerRecord::offset))
            .map(r -> byId.get(readId(r)).path("payload").path("i").asInt())
            .toList();
    assertThat(order).isSorted().hasSize(143);
  }

  private static String readId(ConsumerRecord<byte[], byte[]> record) {
    try {
      return JSON.readTree(record.value()).get("event_id").asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theSinkCountsWhatItSent() throws Exception {
    String topic = topic();
    HypervisorEventBus bus = new HypervisorEventBus();
    KafkaEventSink sink = KafkaEventSink.builder(kafka.bootstrap()).topic(topic).build();
    sink.subscribeTo(bus);
    for (int i = 0; i < 50; i++) {
      bus.emit(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("s" + i).build());
    }
    assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(sink.stats()).isEqualTo(new KafkaEventSink.Stats(50, 0, 0, 0));
    sink.close();
    sink.accept(bus.eventBuilder(EventType.SESSION_CREATED).build());
    assertThat(sink.stats().dropped()).isEqualTo(1); // after close: dropped, counted
  }

  @Test
  void withNoBrokerEmitNeverWaitsAndAFullQueueDropsAndCounts() {
    HypervisorEventBus bus = new HypervisorEventBus();
    KafkaEventSink sink =
        KafkaEventSink.builder("127.0.0.1:1")
            .queueSize(100)
            .closeTimeout(Duration.ofMillis(500))
            .producerConfig("max.block.ms", 60_000)
            .build();
    sink.subscribeTo(bus);
    long start = System.nanoTime();
    for (int i = 0; i < 10_000; i++) {
      bus.emit(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("s").build());
    }
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMs).as("10,000 emits with the broker away").isLessThan(5_000);
    sink.close(); // gives up after 500 ms: what the producer still held fails, counted
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (accounted(sink.stats()) < 10_000 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    KafkaEventSink.Stats stats = sink.stats();
    assertThat(stats.sent()).isZero();
    assertThat(stats.dropped()).isGreaterThanOrEqualTo(10_000 - 100 - 512 - 1);
    assertThat(accounted(stats)).isEqualTo(10_000);
  }

  private static long accounted(KafkaEventSink.Stats stats) {
    return stats.dropped() + stats.failed() + stats.awaiting();
  }

  static SpanData span(String traceId, String spanId, String parent, String service) {
    var builder =
        SpanData.builder(traceId, spanId, "tool " + spanId)
            .serviceName(service)
            .kind(SpanKind.CLIENT)
            .times(1_700_000_000_000_000_000L, 1_700_000_000_250_000_000L)
            .status(SpanStatus.ERROR, "tool failed")
            .traceState(Map.of("vendor", "x"))
            .attributes(
                Map.of(
                    "agent.did",
                    "did:mesh:a",
                    "retries",
                    3L,
                    "score",
                    0.5,
                    "ok",
                    false,
                    "tags",
                    List.of("a", "b")))
            .events(List.of(new SpanEvent("retry", 1_700_000_000_100_000_000L, Map.of("n", 1L))))
            .links(
                List.of(
                    new SpanLink("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", Map.of())))
            .dropped(2, 1, 0);
    if (parent != null) {
      builder.parent(parent, false);
    }
    return builder.build();
  }

  @Test
  void theExporterSendsOneOtlpRequestPerTraceKeyedByTheTraceId() throws Exception {
    String topic = topic();
    String traceA = "4bf92f3577b34da6a3ce929d0e0e4736";
    String traceB = "5bf92f3577b34da6a3ce929d0e0e4737";
    KafkaSpanExporter exporter = KafkaSpanExporter.builder(kafka.bootstrap()).topic(topic).build();
    exporter.export(
        List.of(
            span(traceA, "00f067aa0ba902b7", null, "planner"),
            span(traceB, "10f067aa0ba902b7", null, "planner"),
            span(traceA, "20f067aa0ba902b7", "00f067aa0ba902b7", "tools")));
    exporter.flush();
    assertThat(exporter.stats()).isEqualTo(new KafkaSpanExporter.Stats(3, 0));
    exporter.shutdown();

    List<ConsumerRecord<byte[], byte[]>> records;
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      records = TopicReader.readAll(consumer, topic);
    }
    assertThat(records).hasSize(2);
    ConsumerRecord<byte[], byte[]> a =
        records.stream()
            .filter(r -> new String(r.key(), StandardCharsets.US_ASCII).equals(traceA))
            .findFirst()
            .orElseThrow();
    assertThat(header(a, "content-type")).isEqualTo("application/x-protobuf");
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(a.value());
    assertThat(request.getResourceSpansList())
        .extracting(r -> r.getResource().getAttributes(0).getValue().getStringValue())
        .containsExactly("planner", "tools");
    Span child = request.getResourceSpans(1).getScopeSpans(0).getSpans(0);
    assertThat(HexFormat.of().formatHex(child.getTraceId().toByteArray())).isEqualTo(traceA);
    assertThat(HexFormat.of().formatHex(child.getSpanId().toByteArray()))
        .isEqualTo("20f067aa0ba902b7");
    assertThat(HexFormat.of().formatHex(child.getParentSpanId().toByteArray()))
        .isEqualTo("00f067aa0ba902b7");
    assertThat(child.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(child.getEndTimeUnixNano() - child.getStartTimeUnixNano()).isEqualTo(250_000_000L);
    assertThat(child.getStatus().getMessage()).isEqualTo("tool failed");
    assertThat(child.getTraceState()).isEqualTo("vendor=x");
    assertThat(child.getDroppedAttributesCount()).isEqualTo(2);
    assertThat(child.getDroppedEventsCount()).isEqualTo(1);
    Map<String, String> attributes =
        child.getAttributesList().stream()
            .collect(Collectors.toMap(kv -> kv.getKey(), kv -> kv.getValue().toString().trim()));
    assertThat(attributes)
        .containsEntry("retries", "int_value: 3")
        .containsEntry("score", "double_value: 0.5")
        .containsEntry("ok", "bool_value: false")
        .containsEntry("agent.did", "string_value: \"did:mesh:a\"");
    assertThat(child.getEvents(0).getName()).isEqualTo("retry");
    assertThat(child.getLinks(0).getSpanId().size()).isEqualTo(8);
  }

  @Test
  void thePublisherReturnsOnceKafkaAcknowledgedAndThrowsWhenItCannot() throws Exception {
    KafkaTopics topics = new KafkaTopics(topic(), topic());
    HypervisorEventBus bus = new HypervisorEventBus();
    try (KafkaPublisher publisher =
        new KafkaPublisher(kafka.bootstrap(), topics, Duration.ofSeconds(30), Map.of())) {
      publisher.publishEvents(
          List.of(
              bus.eventBuilder(EventType.SESSION_CREATED).sessionId("s").build(),
              bus.eventBuilder(EventType.SESSION_JOINED).sessionId("s").build()));
      publisher.publishSpans(
          List.of(span("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", null, "p")));
    }
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      assertThat(TopicReader.readAll(consumer, topics.events())).hasSize(2);
      assertThat(TopicReader.readAll(consumer, topics.spans())).hasSize(1);
    }

    try (KafkaPublisher nowhere =
        new KafkaPublisher("127.0.0.1:1", topics, Duration.ofMillis(1_500), Map.of())) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  nowhere.publishEvents(
                      List.of(bus.eventBuilder(EventType.SESSION_CREATED).build())))
          .isInstanceOf(KafkaUnavailableException.class)
          .hasMessageContaining("Kafka");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void theTailSeesOnlyWhatArrivesAfterItStarted() throws Exception {
    String topic = topic();
    kafka.createTopics(3, topic);
    KafkaTopics topics = new KafkaTopics(topic, topic + "-spans");
    HypervisorEventBus bus = new HypervisorEventBus();
    try (KafkaPublisher publisher =
        new KafkaPublisher(kafka.bootstrap(), topics, Duration.ofSeconds(30), Map.of())) {
      publisher.publishEvents(
          List.of(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("before").build()));
      List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (KafkaTail tail =
          KafkaTail.start(
              kafka.bootstrap(),
              topic,
              records ->
                  records.forEach(r -> seen.add(new String(r.key(), StandardCharsets.UTF_8))))) {
        Thread.sleep(3_000); // the tail is assigned and at the end
        assertThat(tail.running()).isTrue();
        for (int i = 0; i < 30; i++) {
          publisher.publishEvents(
              List.of(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("after-" + i).build()));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.size() < 30 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      }
      assertThat(seen).hasSize(30).doesNotContain("before");
    }
  }

  @Test
  void aTailStartedBeforeItsTopicExistsFollowsItOnceItDoes() throws Exception {
    String topic = topic();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (KafkaTail tail =
        KafkaTail.start(
            kafka.bootstrap(),
            topic,
            records -> records.forEach(r -> seen.add(new String(r.key(), StandardCharsets.UTF_8))),
            Map.of("allow.auto.create.topics", false))) {
      Thread.sleep(2_500); // no topic: it keeps asking (it used to stop here, for good)
      assertThat(tail.running()).isTrue();
      kafka.createTopics(2, topic);
      Thread.sleep(3_000); // assigned, at the end
      HypervisorEventBus bus = new HypervisorEventBus();
      try (KafkaPublisher publisher =
          new KafkaPublisher(
              kafka.bootstrap(),
              new KafkaTopics(topic, topic + "-spans"),
              Duration.ofSeconds(30),
              Map.of())) {
        publisher.publishEvents(
            List.of(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("late").build()));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(seen).containsExactly("late");
    }
  }
}
