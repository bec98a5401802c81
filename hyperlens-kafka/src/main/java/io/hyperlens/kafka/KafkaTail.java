package io.hyperlens.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows every partition of one topic from its end, outside any consumer group, and hands what
 * arrives to a callback: how each hub of a group shows the live stream of events ingested by any of
 * them. It commits nothing and stores nothing. Until the topic exists and the brokers answer it
 * asks again every second; partitions added later are picked up within 30 seconds. A failing poll
 * is logged once and retried every second: the tail never stops on its own.
 *
 * <pre>{@code
 * try (KafkaTail tail =
 *     KafkaTail.start("127.0.0.1:9092", "hyperlens.events", records -> show(records))) {
 *   // ...
 * }
 * }</pre>
 */
public final class KafkaTail implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KafkaTail.class.getName());
  private static final long REFRESH_NANOS = Duration.ofSeconds(30).toNanos();

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final Consumer<List<ConsumerRecord<byte[], byte[]>>> callback;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);

  private KafkaTail(
      String bootstrap,
      String topic,
      Consumer<List<ConsumerRecord<byte[], byte[]>>> callback,
      Map<String, Object> consumerConfig) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "hyperlens-hub-tail");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // partitionsFor answers from cached metadata: refresh it as often as partitions are looked for
    config.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 30_000);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(config);
    this.topic = topic;
    this.callback = callback;
    this.thread = new Thread(this::run, "hyperlens-kafka-tail");
    thread.setDaemon(true);
  }

  /**
   * Starts following {@code topic} on the brokers at {@code bootstrap}; {@code callback} runs on
   * the tail's thread with each non-empty poll, and must not block for long.
   */
  public static KafkaTail start(
      String bootstrap, String topic, Consumer<List<ConsumerRecord<byte[], byte[]>>> callback) {
    return start(bootstrap, topic, callback, Map.of());
  }

  /** As {@link #start(String, String, Consumer)}, with consumer settings ({@code security.*}). */
  public static KafkaTail start(
      String bootstrap,
      String topic,
      Consumer<List<ConsumerRecord<byte[], byte[]>>> callback,
      Map<String, Object> consumerConfig) {
    ProducerSettings.requireBootstrap(bootstrap);
    KafkaTopics.requireName("topic", topic);
    if (callback == null) {
      throw new IllegalArgumentException("callback must not be null");
    }
    KafkaTail tail = new KafkaTail(bootstrap, topic, callback, consumerConfig);
    tail.thread.start();
    return tail;
  }

  private void run() {
    long refreshed = System.nanoTime() - REFRESH_NANOS;
    boolean warned = false;
    try {
      while (running.get()) {
        try {
          boolean unassigned = consumer.assignment().isEmpty();
          if (unassigned || System.nanoTime() - refreshed >= REFRESH_NANOS) {
            assignNew();
            refreshed = System.nanoTime();
          }
          if (consumer.assignment().isEmpty()) {
            // the topic does not exist yet, or the brokers are away: ask again shortly
            sleep(RETRY_MILLIS);
            refreshed = System.nanoTime() - REFRESH_NANOS;
            continue;
          }
          follow();
          warned = false;
        } catch (WakeupException | org.apache.kafka.common.errors.InterruptException stopping) {
          throw stopping;
        } catch (org.apache.kafka.common.KafkaException e) {
          if (!warned) {
            LOG.log(
                System.Logger.Level.WARNING,
                "Following " + topic + " failed; trying again every second: " + e);
            warned = true;
          }
          sleep(RETRY_MILLIS);
        }
      }
    } catch (WakeupException | org.apache.kafka.common.errors.InterruptException stopping) {
      // close()
    } finally {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private static final long RETRY_MILLIS = 1_000;

  /** One poll, handed to the callback. */
  private void follow() {
    ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
    if (polled.isEmpty()) {
      return;
    }
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(polled.count());
    polled.forEach(records::add);
    try {
      callback.accept(records);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "The live-stream callback failed", e);
    }
  }

  private void sleep(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (running.get() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Whether the tail's thread still runs. */
  public boolean running() {
    return thread.isAlive();
  }

  /** Assigns partitions not yet followed, from their end. */
  private void assignNew() {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
    } catch (org.apache.kafka.common.errors.TimeoutException
        | org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
      return; // brokers away, or no such topic yet: try again
    }
    if (infos == null || infos.isEmpty()) {
      return;
    }
    List<TopicPartition> all = new ArrayList<>();
    infos.forEach(info -> all.add(new TopicPartition(topic, info.partition())));
    List<TopicPartition> added = new ArrayList<>(all);
    added.removeAll(consumer.assignment());
    if (added.isEmpty()) {
      return;
    }
    consumer.assign(all);
    consumer.seekToEnd(added);
  }

  /** Stops following. Idempotent. */
  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
