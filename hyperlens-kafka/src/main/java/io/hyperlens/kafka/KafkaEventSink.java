package io.hyperlens.kafka;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.spi.BatchExportQueue;
import io.hyperlens.spi.BatchExporter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends the events of a bus to Kafka, topic {@code hyperlens.events} by default, for hubs to
 * consume ({@code hyperlens serve --kafka}).
 *
 * <p>Each event is one record: its value the event as JSON (the shape {@code POST /v1/events}
 * takes, {@link HypervisorEvent#toMap()}), its key the session id, so a session's events stay in
 * one partition and in order (events without a session spread over partitions). The producer is
 * idempotent with {@code acks=all} and lz4 compression, so a retry after a broker failure neither
 * loses nor repeats an acknowledged event.
 *
 * <p>{@code emit} never waits on Kafka: events go into a bounded queue ({@link Builder#queueSize},
 * drop-newest: a full queue drops the event and counts it) and one background thread hands them to
 * the producer. While the brokers are away the producer keeps what it has (its {@code
 * buffer.memory}) and retries for its {@code delivery.timeout.ms}; then the queue fills and drops.
 * {@link #close()} sends what is queued and waits for the acknowledgements, within {@link
 * Builder#closeTimeout}. Thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * try (KafkaEventSink sink = KafkaEventSink.builder("127.0.0.1:9092").build()) {
 *   sink.subscribeTo(bus);
 *   bus.emit(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("s1").build());
 * } // flushed and acknowledged here
 * }</pre>
 */
public final class KafkaEventSink implements Consumer<HypervisorEvent>, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KafkaEventSink.class.getName());

  /** The {@code content-type} header every record carries. */
  public static final String CONTENT_TYPE = KafkaRecords.JSON_TYPE;

  /**
   * What the sink did so far.
   *
   * @param sent events Kafka acknowledged ({@code acks=all})
   * @param dropped events dropped: the queue was full, or the sink closed
   * @param failed events the producer gave up on (its delivery timeout), or could not encode
   * @param awaiting events handed to the producer and not yet acknowledged or failed
   */
  public record Stats(long sent, long dropped, long failed, long awaiting) {}

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final BatchExportQueue<HypervisorEvent> queue;
  private final Duration closeTimeout;
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder handed = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private KafkaEventSink(Builder builder) {
    this.topic = builder.topic;
    this.closeTimeout = builder.settings.closeTimeout();
    this.producer =
        ProducerSettings.producer(
            builder.bootstrap, builder.settings.clientId(), builder.settings.config());
    this.queue =
        new BatchExportQueue<>(
            new Sender(), builder.queueSize, 512, Duration.ofMillis(20), "kafka-events");
  }

  /** A sink to the brokers at {@code bootstrap} ({@code host:port[,host:port...]}). */
  public static Builder builder(String bootstrap) {
    ProducerSettings.requireBootstrap(bootstrap);
    return new Builder(bootstrap);
  }

  /** Subscribes to every event of {@code bus}; close the subscription to stop. */
  public Subscription subscribeTo(HypervisorEventBus bus) {
    return bus.subscribeAll(this);
  }

  /** Queues {@code event}; counted as dropped when the queue is full or the sink closed. */
  @Override
  public void accept(HypervisorEvent event) {
    if (event != null) {
      queue.offer(event);
    }
  }

  /**
   * Hands what is queued to Kafka and waits for the acknowledgements, at most {@code timeout}.
   *
   * @return true when everything queued was acknowledged or failed (see {@link #stats()}) in time
   */
  public boolean flush(Duration timeout) {
    return queue.forceFlush(timeout);
  }

  /** What the sink did so far. */
  public Stats stats() {
    long sentNow = sent.sum();
    long failedNow = failed.sum();
    long awaiting = Math.max(0, handed.sum() - sentNow - failedNow);
    return new Stats(sentNow, queue.dropped(), failedNow, awaiting);
  }

  /**
   * Sends what is queued, waits for the acknowledgements (within the close timeout) and closes the
   * producer. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      queue.shutdown(closeTimeout);
    }
  }

  @Override
  public String toString() {
    return "KafkaEventSink{topic=" + topic + ", " + stats() + "}";
  }

  private final class Sender implements BatchExporter<HypervisorEvent> {
    @Override
    public void export(List<HypervisorEvent> batch) {
      for (HypervisorEvent event : batch) {
        ProducerRecord<byte[], byte[]> record;
        try {
          record = KafkaRecords.event(topic, event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          handed.increment();
          failed.increment();
          logOnce("could not encode event " + event.eventId(), e);
          continue;
        }
        handed.increment();
        try {
          producer.send(
              record,
              (metadata, error) -> {
                if (error == null) {
                  sent.increment();
                } else {
                  failed.increment();
                  logOnce("Kafka did not take an event (" + error.getMessage() + ")", error);
                }
              });
        } catch (RuntimeException e) {
          // the producer is closed (a close that timed out), or refused the record outright
          failed.increment();
          logOnce("Kafka did not take an event (" + e.getMessage() + ")", e);
        }
      }
    }

    @Override
    public void flush() {
      producer.flush();
    }

    @Override
    public void shutdown() {
      producer.close(closeTimeout);
    }
  }

  private void logOnce(String message, Throwable error) {
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          message + "; further failures are only counted (KafkaEventSink.stats())",
          error);
    }
  }

  /** Configures a {@link KafkaEventSink}. */
  public static final class Builder {
    private final String bootstrap;
    private String topic = KafkaTopics.DEFAULT.events();
    private int queueSize = 10_000;
    private final ClientSettings settings = new ClientSettings("producer", "hyperlens-events");

    private Builder(String bootstrap) {
      this.bootstrap = bootstrap;
    }

    /** The topic ({@code hyperlens.events} by default). */
    public Builder topic(String topic) {
      this.topic = KafkaTopics.requireName("topic", topic);
      return this;
    }

    /** Events held for the producer thread; more are dropped and counted (10,000 by default). */
    public Builder queueSize(int queueSize) {
      if (queueSize < 1) {
        throw new IllegalArgumentException("queueSize must be at least 1, got " + queueSize);
      }
      this.queueSize = queueSize;
      return this;
    }

    /** How long {@link #close()} waits for what is queued to be acknowledged (10 s by default). */
    public Builder closeTimeout(Duration closeTimeout) {
      settings.closeTimeout(closeTimeout);
      return this;
    }

    /** The producer's {@code client.id} ({@code hyperlens-events} by default). */
    public Builder clientId(String clientId) {
      settings.clientId(clientId);
      return this;
    }

    /**
     * Any producer setting ({@code security.protocol}, {@code sasl.jaas.config}, {@code
     * linger.ms}...), over Hyperlens' defaults; the serializers cannot be changed.
     */
    public Builder producerConfig(String key, Object value) {
      settings.put(key, value);
      return this;
    }

    public KafkaEventSink build() {
      return new KafkaEventSink(this);
    }
  }
}
