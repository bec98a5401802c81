package io.hyperlens.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker (a child JVM) killed with SIGKILL and restarted on its log directory while agents
 * keep emitting: the producer retries, and every event Kafka acknowledged is in the topic, once.
 */
class KafkaBrokerFailureTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void producersRideOutABrokerKillAndRestartLosingNoAcknowledgedEventAndRepeatingNone()
      throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("broker"))) {
      broker.createTopics(4, "hyperlens.events");
      HypervisorEventBus bus = new HypervisorEventBus();
      Set<String> emitted = ConcurrentHashMap.newKeySet();
      KafkaEventSink sink =
          KafkaEventSink.builder(broker.bootstrap())
              .queueSize(200_000)
              .closeTimeout(Duration.ofSeconds(90))
              .build();
      sink.subscribeTo(bus);
      AtomicBoolean stop = new AtomicBoolean();
      Thread agents =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  HypervisorEvent event =
                      bus.eventBuilder(EventType.SESSION_JOINED)
                          .sessionId("session-" + (i % 16))
                          .agentDid("did:mesh:agent-" + i)
                          .build();
                  emitted.add(event.eventId());
                  bus.emit(event);
                  if (i % 20 == 19) { // about 4,000 events a second
                    sleep(5);
                  }
                }
              });
      agents.start();
      awaitSent(sink, 2_000);
      broker.kill();
      long sentAtKill = sink.stats().sent();
      Thread.sleep(3_000); // the agents go on emitting into a broker that is gone
      broker.restart();
      awaitSent(sink, sentAtKill + 2_000);
      stop.set(true);
      agents.join();
      sink.close(); // waits for every acknowledgement

      KafkaEventSink.Stats stats = sink.stats();
      assertThat(stats.dropped()).isZero();
      assertThat(stats.failed()).isZero();
      assertThat(stats.sent()).isEqualTo(emitted.size());

      List<ConsumerRecord<byte[], byte[]>> records;
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker.bootstrap())) {
        records = TopicReader.readAll(consumer, "hyperlens.events");
      }
      Map<String, Integer> copies = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        copies.merge(JSON.readTree(record.value()).get("event_id").asText(), 1, Integer::sum);
      }
      assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(emitted);
      assertThat(copies.values()).allMatch(n -> n == 1);
      assertThat(emitted.size()).isGreaterThan((int) sentAtKill);
    }
  }

  private static void awaitSent(KafkaEventSink sink, long sent) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (sink.stats().sent() < sent) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + sink.stats() + " after 120 s");
      }
      Thread.sleep(20);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put("auto.offset.reset", "earliest");
    config.put("enable.auto.commit", false);
    config.put(
        "key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
    config.put(
        "value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
    return new KafkaConsumer<>(config);
  }

  @Test
  void anIngestorWhoseOffsetCommitTimesOutInABrokerStallReadsTheBatchAgainAndGoesOn()
      throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("stalled"))) {
      KafkaTopics topics = new KafkaTopics("stall.events", "stall.spans");
      broker.createTopics(2, topics.events(), topics.spans());
      HypervisorEventBus bus = new HypervisorEventBus();
      List<HypervisorEvent> events = new java.util.ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        events.add(bus.eventBuilder(EventType.SESSION_JOINED).sessionId("s" + (i % 8)).build());
      }
      try (KafkaPublisher publisher =
          new KafkaPublisher(broker.bootstrap(), topics, Duration.ofSeconds(30), Map.of())) {
        publisher.publishEvents(events);
      }
      Set<String> stored = ConcurrentHashMap.newKeySet();
      java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
      KafkaIngestor ingestor =
          KafkaIngestor.builder(
                  broker.bootstrap(),
                  records -> {
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                      stored.add(JSON.readTree(record.value()).get("event_id").asText());
                    }
                    first.countDown();
                    paused.await(30, java.util.concurrent.TimeUnit.SECONDS); // commit in the stall
                    return List.of();
                  })
              .topics(topics)
              .maxPollRecords(500)
              .consumerConfig("default.api.timeout.ms", 3_000)
              .consumerConfig("request.timeout.ms", 2_000)
              .start();
      try {
        assertThat(first.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        broker.pause();
        paused.countDown();
        Thread.sleep(6_000); // the commit times out after 3 s
        broker.resume();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (ingestor.stats().records() < 3_000 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(ingestor.running()).as("the ingestor goes on").isTrue();
        assertThat(ingestor.stats().retries()).isPositive();
        assertThat(ingestor.stats().records()).isEqualTo(3_000);
        assertThat(stored)
            .containsExactlyInAnyOrderElementsOf(
                events.stream().map(HypervisorEvent::eventId).toList());
      } finally {
        ingestor.close();
      }
    }
  }
}
