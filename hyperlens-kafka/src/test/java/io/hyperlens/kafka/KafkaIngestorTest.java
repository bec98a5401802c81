package io.hyperlens.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hub's consumer against a real (in-JVM) Kafka: commit after store, dead letters, retries. */
class KafkaIngestorTest {
  private static InJvmKafka kafka;
  private final List<KafkaIngestor> started = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    kafka = InJvmKafka.start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  private static KafkaTopics topics() throws Exception {
    String prefix = "i-" + UUID.randomUUID();
    KafkaTopics topics = new KafkaTopics(prefix + ".events", prefix + ".spans");
    kafka.createTopics(4, topics.events(), topics.spans());
    return topics;
  }

  /** Publishes {@code count} events in sessions s0..s9; returns their ids. */
  private static List<String> publish(KafkaTopics topics, int count) {
    HypervisorEventBus bus = new HypervisorEventBus();
    List<HypervisorEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(bus.eventBuilder(EventType.SESSION_JOINED).sessionId("s" + (i % 10)).build());
    }
    try (KafkaPublisher publisher =
        new KafkaPublisher(kafka.bootstrap(), topics, Duration.ofSeconds(30), Map.of())) {
      publisher.publishEvents(events);
    }
    return events.stream().map(HypervisorEvent::eventId).toList();
  }

  /**
   * A handler that keeps the event ids it "stored", and calls records whose value is not JSON
   * poison.
   */
  private static final class MemoryStore implements KafkaIngestor.Handler {
    final Map<String, Integer> stored = new ConcurrentHashMap<>();
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public List<KafkaIngestor.DeadLetter> store(List<ConsumerRecord<byte[], byte[]>> records)
        throws Exception {
      calls.incrementAndGet();
      if (down.get()) {
        throw new java.sql.SQLException("connection refused");
      }
      List<KafkaIngestor.DeadLetter> poison = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        String value = new String(record.value(), StandardCharsets.UTF_8);
        int at = value.indexOf("\"event_id\":\"");
        if (at < 0) {
          poison.add(new KafkaIngestor.DeadLetter(record, "not an event: " + value));
          continue;
        }
        stored.merge(value.substring(at + 12, value.indexOf('"', at + 12)), 1, Integer::sum);
      }
      return poison;
    }
  }

  private KafkaIngestor ingest(KafkaTopics topics, String group, KafkaIngestor.Handler handler) {
    KafkaIngestor ingestor =
        KafkaIngestor.builder(kafka.bootstrap(), handler)
            .topics(topics)
            .group(group)
            .maxPollRecords(50)
            .start();
    started.add(ingestor);
    return ingestor;
  }

  @org.junit.jupiter.api.AfterEach
  void closeAll() {
    started.forEach(KafkaIngestor::close);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 60 s for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static Map<TopicPartition, Long> committed(String group) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, Long> plain = new java.util.HashMap<>();
      offsets.forEach((p, o) -> plain.put(p, o == null ? null : o.offset()));
      return plain;
    }
  }

  private static long endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  @Test
  void storesEverythingThenCommitsAndSendsPoisonToTheDeadLetterTopicWithoutBlocking()
      throws Exception {
    KafkaTopics topics = topics();
    List<String> first = publish(topics, 300);
    try (var producer = ProducerSettings.producer(kafka.bootstrap(), "poison", Map.of())) {
      producer
          .send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  topics.events(),
                  0,
                  "s1".getBytes(StandardCharsets.UTF_8),
                  new byte[] {(byte) 0xff, '{'},
                  List.of(
                      new org.apache.kafka.common.header.internals.RecordHeader(
                          KafkaIngestor.REASON,
                          "from an earlier dead-lettering".getBytes(StandardCharsets.UTF_8)))))
          .get();
    }
    List<String> second = publish(topics, 300);
    MemoryStore store = new MemoryStore();
    String group = "g-" + UUID.randomUUID();
    KafkaIngestor ingestor = ingest(topics, group, store);

    await("601 records committed", () -> ingestor.stats().records() == 601);
    assertThat(store.stored.keySet()).containsAll(first).containsAll(second).hasSize(600);
    assertThat(ingestor.stats().deadLetters()).isEqualTo(1);
    long committedTotal =
        committed(group).entrySet().stream()
            .filter(e -> e.getKey().topic().equals(topics.events()))
            .mapToLong(Map.Entry::getValue)
            .sum();
    assertThat(committedTotal).isEqualTo(endOffsets(topics.events())).isEqualTo(601);

    List<ConsumerRecord<byte[], byte[]>> dead;
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      dead = TopicReader.readAll(consumer, KafkaTopics.deadLetter(topics.events()));
    }
    assertThat(dead).hasSize(1);
    ConsumerRecord<byte[], byte[]> letter = dead.get(0);
    assertThat(letter.value()).containsExactly((byte) 0xff, '{');
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("s1");
    assertThat(header(letter, KafkaIngestor.REASON)).startsWith("not an event: ");
    assertThat(letter.headers().headers(KafkaIngestor.REASON)).hasSize(1); // said once
    assertThat(header(letter, KafkaIngestor.SOURCE_TOPIC)).isEqualTo(topics.events());
    assertThat(header(letter, KafkaIngestor.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(Long.parseLong(header(letter, KafkaIngestor.SOURCE_OFFSET)))
        .isGreaterThanOrEqualTo(0);
    assertThat(ingestor.stats().lag())
        .isNotEmpty()
        .allSatisfy((p, lag) -> assertThat(lag).isZero());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void whileTheStoreFailsNothingIsCommittedAndTheBatchIsReadAgain() throws Exception {
    KafkaTopics topics = topics();
    List<String> ids = publish(topics, 200);
    MemoryStore store = new MemoryStore();
    store.down.set(true);
    String group = "g-" + UUID.randomUUID();
    KafkaIngestor ingestor = ingest(topics, group, store);

    await("three failed attempts", () -> store.calls.get() >= 3);
    assertThat(ingestor.stats().retries()).isGreaterThanOrEqualTo(2);
    assertThat(committed(group).values()).allMatch(offset -> offset == null || offset == 0);
    assertThat(ingestor.stats().records()).isZero();

    store.down.set(false);
    await("200 records committed", () -> ingestor.stats().records() == 200);
    assertThat(store.stored.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(store.stored.values()).allMatch(times -> times == 1);
  }

  @Test
  void twoIngestorsShareThePartitionsAndARestartResumesFromTheCommittedOffsets() throws Exception {
    KafkaTopics topics = topics();
    String group = "g-" + UUID.randomUUID();
    MemoryStore a = new MemoryStore();
    MemoryStore b = new MemoryStore();
    KafkaIngestor first = ingest(topics, group, a);
    KafkaIngestor second = ingest(topics, group, b);
    await(
        "both hold partitions",
        () ->
            ConsumerGroups.members(kafka.bootstrap(), group) == 2
                && !first.stats().lag().isEmpty()
                && !second.stats().lag().isEmpty()
                && first.stats().lag().size() + second.stats().lag().size() == 8);
    List<String> ids = publish(topics, 1_000);
    await(
        "1,000 records committed",
        () -> first.stats().records() + second.stats().records() == 1_000);
    assertThat(a.stored).isNotEmpty();
    assertThat(b.stored).isNotEmpty();
    Set<String> both = new java.util.HashSet<>(a.stored.keySet());
    both.addAll(b.stored.keySet());
    assertThat(both).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(a.stored.size() + b.stored.size()).isEqualTo(1_000); // none stored by both

    first.close();
    List<String> more = publish(topics, 400);
    await(
        "the other takes every partition",
        () ->
            second.stats().records() - b.stored.size() >= 0 && b.stored.keySet().containsAll(more));

    second.close();
    List<String> last = publish(topics, 100);
    MemoryStore c = new MemoryStore();
    KafkaIngestor restarted = ingest(topics, group, c);
    await("the last 100", () -> restarted.stats().records() == 100);
    Thread.sleep(500);
    assertThat(c.stored.keySet()).containsExactlyInAnyOrderElementsOf(last); // nothing read twice
  }

  @Test
  void aFailingObserverDoesNotStopIngest() throws Exception {
    KafkaTopics topics = topics();
    publish(topics, 20);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    MemoryStore store = new MemoryStore();
    KafkaIngestor ingestor =
        KafkaIngestor.builder(kafka.bootstrap(), store)
            .topics(topics)
            .group("g-" + UUID.randomUUID())
            .observer(
                (records, dead, storeNanos, commitNanos) -> {
                  seen.add(records);
                  throw new IllegalStateException("metrics broke");
                })
            .start();
    started.add(ingestor);
    await("20 records", () -> ingestor.stats().records() == 20);
    assertThat(seen.stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
    assertThat(ingestor.running()).isTrue();
  }
}
