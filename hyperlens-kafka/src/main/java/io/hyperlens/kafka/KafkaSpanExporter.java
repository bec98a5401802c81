package io.hyperlens.kafka;

import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanExporter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The tracer's {@link SpanExporter} to Kafka, topic {@code hyperlens.spans} by default: each batch
 * becomes one record per trace, its key the trace id and its value an OTLP {@code
 * ExportTraceServiceRequest} in protobuf ({@link OtlpSpans}), what a hub's {@code /v1/traces}
 * takes. The producer is idempotent with {@code acks=all}.
 *
 * <p>The tracer calls it from its own export thread, with its own bounded queue (spans beyond it
 * are dropped and counted by the tracer); {@code export} hands the records to the producer without
 * waiting for acknowledgements, {@code flush} waits for them, {@code shutdown} closes the producer.
 *
 * <pre>{@code
 * DistributedTracer tracer =
 *     DistributedTracer.builder()
 *         .serviceName("agent-runtime")
 *         .exporter(KafkaSpanExporter.builder("127.0.0.1:9092").build())
 *         .build();
 * }</pre>
 */
public final class KafkaSpanExporter implements SpanExporter {
  private static final System.Logger LOG = System.getLogger(KafkaSpanExporter.class.getName());

  /** The {@code content-type} header every record carries. */
  public static final String CONTENT_TYPE = KafkaRecords.PROTOBUF_TYPE;

  /**
   * What the exporter did so far.
   *
   * @param sent spans Kafka acknowledged
   * @param failed spans the producer gave up on
   */
  public record Stats(long sent, long failed) {}

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final Duration closeTimeout;
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  private KafkaSpanExporter(Builder builder) {
    this.topic = builder.topic;
    this.closeTimeout = builder.settings.closeTimeout();
    this.producer =
        ProducerSettings.producer(
            builder.bootstrap, builder.settings.clientId(), builder.settings.config());
  }

  /** An exporter to the brokers at {@code bootstrap} ({@code host:port[,host:port...]}). */
  public static Builder builder(String bootstrap) {
    ProducerSettings.requireBootstrap(bootstrap);
    return new Builder(bootstrap);
  }

  @Override
  public void export(List<SpanData> spans) {
    for (KafkaRecords.Spans record : KafkaRecords.spans(topic, spans)) {
      int count = record.count();
      try {
        producer.send(
            record.record(),
            (metadata, error) -> {
              if (error == null) {
                sent.add(count);
              } else {
                failed.add(count);
                if (failureLogged.compareAndSet(false, true)) {
                  LOG.log(
                      System.Logger.Level.WARNING,
                      "Kafka did not take spans ("
                          + error.getMessage()
                          + "); further failures are only counted",
                      error);
                }
              }
            });
      } catch (RuntimeException e) {
        failed.add(count); // the producer is closed, or refused the record outright
      }
    }
  }

  /** Waits until Kafka acknowledged (or refused) every span handed over so far. */
  @Override
  public void flush() {
    producer.flush();
  }

  @Override
  public void shutdown() {
    producer.close(closeTimeout);
  }

  /** What the exporter did so far. */
  public Stats stats() {
    return new Stats(sent.sum(), failed.sum());
  }

  /** Configures a {@link KafkaSpanExporter}. */
  public static final class Builder {
    private final String bootstrap;
    private String topic = KafkaTopics.DEFAULT.spans();
    private final ClientSettings settings = new ClientSettings("producer", "hyperlens-spans");

    private Builder(String bootstrap) {
      this.bootstrap = bootstrap;
    }

    /** The topic ({@code hyperlens.spans} by default). */
    public Builder topic(String topic) {
      this.topic = KafkaTopics.requireName("topic", topic);
      return this;
    }

    /** How long {@code shutdown} waits for what the producer holds (10 s by default). */
    public Builder closeTimeout(Duration closeTimeout) {
      settings.closeTimeout(closeTimeout);
      return this;
    }

    /** The producer's {@code client.id} ({@code hyperlens-spans} by default). */
    public Builder clientId(String clientId) {
      settings.clientId(clientId);
      return this;
    }

    /** Any producer setting, over Hyperlens' defaults; the serializers cannot be changed. */
    public Builder producerConfig(String key, Object value) {
      settings.put(key, value);
      return this;
    }

    public KafkaSpanExporter build() {
      return new KafkaSpanExporter(this);
    }
  }
}
