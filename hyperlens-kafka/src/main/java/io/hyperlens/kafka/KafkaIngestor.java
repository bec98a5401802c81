package io.hyperlens.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A hub's consumer: reads the events and spans topics in a consumer group, hands each polled batch
 * to a {@link Handler} that stores it, and commits the offsets only after the handler returned,
 * i.e. after the store committed. A crash between the two makes the next owner of the partitions
 * read the batch again, which an idempotent store (events by id, spans by trace and span id) keeps
 * once: at-least-once delivery with exactly-once effect.
 *
 * <p>Records the handler calls poison (undecodable, invalid) go to the topic's dead-letter topic
 * ({@code <topic>.dlq}) with headers {@value #REASON}, {@value #SOURCE_TOPIC}, {@value
 * #SOURCE_PARTITION} and {@value #SOURCE_OFFSET}, and are committed with the rest: they never block
 * a partition. When the handler throws (the store is down) or the dead-letter topic does not take
 * them, or the offset commit fails (the brokers are away or stalled), nothing is taken as done: the
 * consumer seeks back to the batch and tries again after a backoff (100 ms doubling to 5 s),
 * polling meanwhile so it keeps its partitions. A hub that dies without leaving the group is
 * replaced after its session times out: 10 s ({@code session.timeout.ms}, over Kafka's default of
 * 45 s).
 *
 * <pre>{@code
 * KafkaIngestor ingestor =
 *     KafkaIngestor.builder("127.0.0.1:9092", records -> store(records))
 *         .group("hyperlens-hub")
 *         .start();
 * // ...
 * ingestor.close();
 * }</pre>
 */
public final class KafkaIngestor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KafkaIngestor.class.getName());

  /** Header: why the record was dead-lettered. */
  public static final String REASON = "hyperlens.dlq.reason";

  /** Header: the topic the record was read from. */
  public static final String SOURCE_TOPIC = "hyperlens.dlq.source.topic";

  /** Header: its partition, in decimal. */
  public static final String SOURCE_PARTITION = "hyperlens.dlq.source.partition";

  /** Header: its offset, in decimal. */
  public static final String SOURCE_OFFSET = "hyperlens.dlq.source.offset";

  /** Stores a polled batch. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Decodes and stores {@code records} (of both topics, in partition order), returning once the
     * store has committed them.
     *
     * @return the records that cannot be stored, ever (undecodable, invalid), with the reason
     * @throws Exception when the batch could not be stored now; it will be read again
     */
    List<DeadLetter> store(List<ConsumerRecord<byte[], byte[]>> records) throws Exception;
  }

  /** Told of each committed batch, for metrics. */
  @FunctionalInterface
  public interface Observer {
    /**
     * @param records records in the batch, dead letters included
     * @param deadLetters records sent to a dead-letter topic
     * @param storeNanos time the handler took
     * @param commitNanos time the offset commit took
     */
    void committed(int records, int deadLetters, long storeNanos, long commitNanos);
  }

  /**
   * A record that can never be stored.
   *
   * @param record the record as read
   * @param reason why, for the {@value #REASON} header (cut to 1,000 characters)
   */
  public record DeadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {}

  /**
   * What the ingestor did so far.
   *
   * @param records records committed, dead letters included
   * @param deadLetters records sent to a dead-letter topic
   * @param retries batches read again because storing or dead-lettering failed
   * @param commitFailures offset commits refused (a rebalance took the partitions; the new owner
   *     reads the batch again)
   * @param rebalances partition assignments and revocations
   * @param lag records behind the end of each assigned partition, as of the last poll
   */
  public record Stats(
      long records,
      long deadLetters,
      long retries,
      long commitFailures,
      long rebalances,
      Map<TopicPartition, Long> lag) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> deadLetters;
  private final Handler handler;
  private final Observer observer;
  private final List<String> topics;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final LongAdder committedRecords = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder commitFailures = new LongAdder();
  private final LongAdder rebalances = new LongAdder();
  private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();

  private KafkaIngestor(Builder builder) {
    this.handler = builder.handler;
    this.observer = builder.observer;
    this.topics = List.of(builder.topics.events(), builder.topics.spans());
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, builder.group);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, builder.consumer.clientId());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, builder.maxPollRecords);
    // a hub that dies (kill -9) is replaced within 10 s, not Kafka's default 45
    config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    config.putAll(builder.consumer.config());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // only after the store commits
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(config);
    Map<String, Object> producerConfig = new HashMap<>(builder.deadLetters.config());
    producerConfig.putIfAbsent("max.block.ms", 10_000);
    this.deadLetters =
        ProducerSettings.producer(
            builder.bootstrap, builder.deadLetters.clientId(), producerConfig);
    this.thread = new Thread(this::run, "hyperlens-kafka-ingest");
    thread.setDaemon(true);
  }

  /**
   * An ingestor reading from the brokers at {@code bootstrap} into {@code handler}; {@link
   * Builder#start()} starts it.
   */
  public static Builder builder(String bootstrap, Handler handler) {
    ProducerSettings.requireBootstrap(bootstrap);
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    return new Builder(bootstrap, handler);
  }

  private void run() {
    long backoffMs = 100;
    try {
      consumer.subscribe(topics, new Rebalances());
      while (running.get()) {
        List<ConsumerRecord<byte[], byte[]>> batch = null;
        try {
          ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
          if (polled.isEmpty()) {
            measureLag();
            continue;
          }
          batch = new ArrayList<>(polled.count());
          polled.forEach(batch::add);
          if (ingest(batch)) {
            backoffMs = 100;
            measureLag(); // from the committed position: nothing in hand
            continue;
          }
        } catch (WakeupException | InterruptException stopping) {
          throw stopping;
        } catch (KafkaException e) {
          // a commit or poll that timed out (brokers away or stalled), or refused: read again
          LOG.log(
              System.Logger.Level.WARNING,
              "Kafka did not take the offset commit or the poll; reading the batch again: " + e);
        }
        retries.increment();
        backoffMs = recover(batch, backoffMs);
      }
    } catch (WakeupException | InterruptException stopping) {
      // close() woke the poll
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "Kafka ingest stopped", e);
    } finally {
      try {
        consumer.close(
            org.apache.kafka.clients.consumer.CloseOptions.timeout(
                Duration.ofSeconds(5))); // leaves the group: others take over at once
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "Closing the Kafka consumer failed", e);
      }
      deadLetters.close(Duration.ofSeconds(5));
    }
  }

  /** Stores, dead-letters and commits one batch; false when it must be read again. */
  private boolean ingest(List<ConsumerRecord<byte[], byte[]>> batch) {
    long start = System.nanoTime();
    List<DeadLetter> poison;
    try {
      poison = handler.store(batch);
    } catch (Exception e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Storing " + batch.size() + " Kafka records failed; reading them again: " + e);
      return false;
    }
    long stored = System.nanoTime();
    if (!poison.isEmpty() && !deadLetter(poison)) {
      return false;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      offsets.put(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset() + 1));
    }
    long commitStart = System.nanoTime();
    try {
      consumer.commitSync(offsets);
    } catch (CommitFailedException e) {
      // the group moved the partitions on; their new owner reads the batch again, stored once
      commitFailures.increment();
      LOG.log(System.Logger.Level.INFO, "Offset commit refused after a rebalance: " + e);
      return true;
    }
    long end = System.nanoTime();
    committedRecords.add(batch.size());
    deadLettered.add(poison.size());
    try {
      observer.committed(batch.size(), poison.size(), stored - start, end - commitStart);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "The ingest observer failed", e);
    }
    return true;
  }

  private boolean deadLetter(List<DeadLetter> poison) {
    List<Future<RecordMetadata>> sends = new ArrayList<>(poison.size());
    try {
      for (DeadLetter letter : poison) {
        ConsumerRecord<byte[], byte[]> source = letter.record();
        RecordHeaders headers = new RecordHeaders(source.headers().toArray());
        for (String own : List.of(REASON, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET)) {
          headers.remove(own); // a record read back from a dead-letter topic says it once
        }
        String reason = letter.reason() == null ? "invalid" : letter.reason();
        headers.add(REASON, utf8(reason.length() > 1_000 ? reason.substring(0, 1_000) : reason));
        headers.add(SOURCE_TOPIC, utf8(source.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(source.offset())));
        sends.add(
            deadLetters.send(
                new ProducerRecord<>(
                    KafkaTopics.deadLetter(source.topic()),
                    null,
                    source.key(),
                    source.value(),
                    headers)));
      }
      for (Future<RecordMetadata> send : sends) {
        send.get(30, TimeUnit.SECONDS);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "The dead-letter topic did not take " + poison.size() + " records; reading again: " + e);
      return false;
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * After a batch that was not committed: seeks back to it, waits {@code backoffMs} (polling, so
   * the group keeps this consumer) and returns the next backoff. A Kafka failure meanwhile only
   * ends the wait early.
   */
  private long recover(List<ConsumerRecord<byte[], byte[]>> batch, long backoffMs) {
    try {
      if (batch != null) {
        rewind(batch);
      }
      measureLag(); // back at the batch: it counts as lag again
      sleep(backoffMs);
    } catch (WakeupException | InterruptException stopping) {
      throw stopping;
    } catch (KafkaException e) {
      LOG.log(System.Logger.Level.DEBUG, "Waiting to read again failed: " + e);
    }
    return Math.min(backoffMs * 2, 5_000);
  }

  /** Seeks every partition of {@code batch} back to its first record in it. */
  private void rewind(List<ConsumerRecord<byte[], byte[]>> batch) {
    Map<TopicPartition, Long> first = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      first.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
    }
    first.forEach(
        (partition, offset) -> {
          if (consumer.assignment().contains(partition)) {
            consumer.seek(partition, offset);
          }
        });
  }

  private void measureLag() {
    for (TopicPartition partition : consumer.assignment()) {
      OptionalLong behind = consumer.currentLag(partition);
      if (behind.isPresent()) {
        lag.put(partition, behind.getAsLong());
      }
    }
  }

  private void sleep(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (running.get() && System.nanoTime() < deadline) {
      // poll meanwhile (nothing is returned while paused) so the group keeps us
      consumer.pause(consumer.assignment());
      ConsumerRecords<byte[], byte[]> polled =
          consumer.poll(Duration.ofMillis(Math.min(100, millis)));
      if (!polled.isEmpty()) {
        // a rebalance inside this poll assigned partitions that were not paused: put what they
        // returned back, so nothing is skipped
        List<ConsumerRecord<byte[], byte[]>> returned = new ArrayList<>(polled.count());
        polled.forEach(returned::add);
        rewind(returned);
      }
      consumer.resume(consumer.assignment());
      if (System.nanoTime() >= deadline) {
        break;
      }
    }
  }

  private final class Rebalances implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      rebalances.increment();
      partitions.forEach(lag::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      rebalances.increment();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      rebalances.increment();
      partitions.forEach(lag::remove);
    }
  }

  /** What the ingestor did so far. */
  public Stats stats() {
    return new Stats(
        committedRecords.sum(),
        deadLettered.sum(),
        retries.sum(),
        commitFailures.sum(),
        rebalances.sum(),
        Map.copyOf(lag));
  }

  /** Whether its thread still runs. */
  public boolean running() {
    return thread.isAlive();
  }

  /**
   * Stops, leaves the group so the others take over its partitions at once, and closes. A batch in
   * hand is stored; its offset commit may be cut short by the stop, and then the next owner reads
   * it again (the store keeps it once). Idempotent.
   */
  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
    }
    try {
      thread.join(60_000); // a batch in hand: its store, dead letters (30 s at most) and commit
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Configures a {@link KafkaIngestor}. */
  public static final class Builder {
    private final String bootstrap;
    private final Handler handler;
    private String group = "hyperlens-hub";
    private KafkaTopics topics = KafkaTopics.DEFAULT;
    private int maxPollRecords = 2_000;
    private Observer observer = (records, dead, storeNanos, commitNanos) -> {};
    private final ClientSettings consumer = new ClientSettings("consumer", "hyperlens-hub");
    private final ClientSettings deadLetters = new ClientSettings("producer", "hyperlens-hub-dlq");

    private Builder(String bootstrap, Handler handler) {
      this.bootstrap = bootstrap;
      this.handler = handler;
    }

    /**
     * The consumer group ({@code hyperlens-hub} by default): hubs in one group share partitions.
     */
    public Builder group(String group) {
      if (group == null || group.isBlank()) {
        throw new IllegalArgumentException("group must not be blank");
      }
      this.group = group;
      return this;
    }

    /** The topics read ({@link KafkaTopics#DEFAULT} by default). */
    public Builder topics(KafkaTopics topics) {
      if (topics == null) {
        throw new IllegalArgumentException("topics must not be null");
      }
      this.topics = topics;
      return this;
    }

    /** The consumer's {@code client.id} ({@code hyperlens-hub} by default). */
    public Builder clientId(String clientId) {
      consumer.clientId(clientId);
      deadLetters.clientId(clientId + "-dlq");
      return this;
    }

    /** The most records one batch holds (2,000 by default): one store transaction. */
    public Builder maxPollRecords(int maxPollRecords) {
      if (maxPollRecords < 1) {
        throw new IllegalArgumentException(
            "maxPollRecords must be at least 1, got " + maxPollRecords);
      }
      this.maxPollRecords = maxPollRecords;
      return this;
    }

    /** Told of each committed batch (metrics). */
    public Builder observer(Observer observer) {
      if (observer == null) {
        throw new IllegalArgumentException("observer must not be null");
      }
      this.observer = observer;
      return this;
    }

    /** Any consumer setting ({@code security.protocol}...); offsets stay committed by hand. */
    public Builder consumerConfig(String key, Object value) {
      consumer.put(key, value);
      return this;
    }

    /** Any setting of the dead-letter producer. */
    public Builder producerConfig(String key, Object value) {
      deadLetters.put(key, value);
      return this;
    }

    /** Builds the ingestor and starts its thread. */
    public KafkaIngestor start() {
      KafkaIngestor ingestor = new KafkaIngestor(this);
      ingestor.thread.start();
      return ingestor;
    }
  }
}
