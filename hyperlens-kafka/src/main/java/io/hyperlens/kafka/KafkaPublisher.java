package io.hyperlens.kafka;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.trace.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes validated batches and returns only once Kafka acknowledged every record ({@code
 * acks=all}): what a hub's HTTP ingest does with {@code --ingest-to-kafka}, so its 2xx means "in
 * Kafka". Records are written as {@link KafkaEventSink} and {@link KafkaSpanExporter} write them.
 * Thread-safe; one producer is shared by every caller.
 *
 * <pre>{@code
 * try (KafkaPublisher publisher =
 *     new KafkaPublisher("127.0.0.1:9092", KafkaTopics.DEFAULT, Duration.ofSeconds(30), Map.of())) {
 *   publisher.publishEvents(events); // throws when Kafka did not take them in time
 * }
 * }</pre>
 */
public final class KafkaPublisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaTopics topics;
  private final Duration timeout;

  /**
   * A publisher to {@code topics} on the brokers at {@code bootstrap}.
   *
   * @param timeout how long a publish waits for the acknowledgements before it fails
   * @param producerConfig producer settings over Hyperlens' defaults
   */
  public KafkaPublisher(
      String bootstrap, KafkaTopics topics, Duration timeout, Map<String, Object> producerConfig) {
    if (topics == null) {
      throw new IllegalArgumentException("topics must not be null");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Map<String, Object> config = new java.util.HashMap<>(producerConfig);
    // a request never waits longer than its own timeout for metadata or buffer space
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    int millis = (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE - 5_000);
    config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis + 5_000);
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    this.producer = ProducerSettings.producer(bootstrap, "hyperlens-hub-ingest", config);
    this.topics = topics;
    this.timeout = timeout;
  }

  /**
   * Publishes {@code events} to the events topic and waits for every acknowledgement.
   *
   * @throws KafkaUnavailableException when Kafka did not acknowledge them all within the timeout
   */
  public void publishEvents(List<HypervisorEvent> events) {
    List<Future<RecordMetadata>> sends = new ArrayList<>(events.size());
    for (HypervisorEvent event : events) {
      try {
        sends.add(producer.send(KafkaRecords.event(topics.events(), event)));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("event " + event.eventId() + " cannot be encoded", e);
      } catch (org.apache.kafka.common.KafkaException | IllegalStateException e) {
        // IllegalStateException: the publisher is closed (the hub is stopping)
        throw new KafkaUnavailableException("Kafka did not take the events: " + e.getMessage(), e);
      }
    }
    await(sends);
  }

  /**
   * Publishes {@code spans} to the spans topic (one record per trace) and waits for every
   * acknowledgement.
   *
   * @throws KafkaUnavailableException when Kafka did not acknowledge them all within the timeout
   */
  public void publishSpans(List<SpanData> spans) {
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (KafkaRecords.Spans record : KafkaRecords.spans(topics.spans(), spans)) {
      try {
        sends.add(producer.send(record.record()));
      } catch (org.apache.kafka.common.KafkaException | IllegalStateException e) {
        throw new KafkaUnavailableException("Kafka did not take the spans: " + e.getMessage(), e);
      }
    }
    await(sends);
  }

  private void await(List<Future<RecordMetadata>> sends) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Future<RecordMetadata> send : sends) {
      try {
        send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaUnavailableException("interrupted while waiting for Kafka", e);
      } catch (ExecutionException e) {
        throw new KafkaUnavailableException(
            "Kafka did not acknowledge: " + e.getCause().getMessage(), e.getCause());
      } catch (TimeoutException e) {
        throw new KafkaUnavailableException(
            "Kafka did not acknowledge within " + timeout.toMillis() + " ms", e);
      }
    }
  }

  /** Waits for what is in flight (within the timeout) and closes the producer. */
  @Override
  public void close() {
    close(timeout);
  }

  /**
   * Waits up to {@code grace} for what is in flight, fails the rest (their publishes throw {@link
   * KafkaUnavailableException}) and closes the producer; later publishes throw at once. Idempotent.
   */
  public void close(Duration grace) {
    producer.close(grace);
  }
}
