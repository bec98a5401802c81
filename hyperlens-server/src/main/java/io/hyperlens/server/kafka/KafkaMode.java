package io.hyperlens.server.kafka;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.kafka.KafkaIngestor;
import io.hyperlens.kafka.KafkaPublisher;
import io.hyperlens.kafka.KafkaTail;
import io.hyperlens.server.hub.HubMetrics;
import io.hyperlens.server.ingest.EventIngest;
import io.hyperlens.server.ingest.IngestException;
import io.hyperlens.server.ingest.IngestLimits;
import io.hyperlens.server.ingest.OtlpIngest;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.trace.SpanData;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A hub in Kafka mode: its consumer ({@link KafkaIngestor}) storing the topics into the hub's
 * store, its tail of the events topic feeding the live stream and alerting (so every hub of a group
 * shows what any of them ingested), its publisher when HTTP ingest goes to Kafka, and their metrics
 * ({@code hyperlens_kafka_*}). Closing stops the consumer after the batch in hand.
 */
public final class KafkaMode implements AutoCloseable {
  private final HubKafka settings;
  private final KafkaIngestor ingestor;
  private final KafkaTail tail;
  private final KafkaPublisher publisher;
  private final Counter published;

  /** Ids the tail showed lately (its thread only): a repeat within them is not shown again. */
  private final RecentIds shown = new RecentIds(100_000);

  private KafkaMode(
      HubKafka settings,
      JdbcStore store,
      EventIngest events,
      OtlpIngest traces,
      IngestLimits limits,
      boolean redact,
      HubMetrics metrics,
      PrometheusRegistry registry,
      Live live) {
    this.settings = settings;
    Histogram storeSeconds =
        Histogram.builder()
            .name("hyperlens_kafka_store_seconds")
            .help("Time to decode, validate and commit one batch read from Kafka to the store")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    Histogram commitSeconds =
        Histogram.builder()
            .name("hyperlens_kafka_commit_seconds")
            .help("Time to commit a batch's offsets to Kafka, after the store committed it")
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)
            .register(registry);
    this.published =
        Counter.builder()
            .name("hyperlens_kafka_published_total")
            .help("Events and spans the hub's HTTP ingest handed to Kafka (acks=all), by kind")
            .labelNames("kind")
            .register(registry);
    KafkaIngest handler =
        new KafkaIngest(
            store,
            events,
            traces,
            settings.topics(),
            (stored, spans) -> {
              double seconds = stored.nanos() / 1e9;
              if (stored.events() > 0) {
                metrics.committed(
                    "events", stored.newEvents(), stored.events() - stored.newEvents(), seconds);
              }
              if (stored.spans() > 0) {
                metrics.committed(
                    "spans", stored.newSpans(), stored.spans() - stored.newSpans(), seconds);
                traces.countStored(spans);
              }
            });
    this.publisher =
        settings.ingestToKafka()
            ? new KafkaPublisher(
                settings.bootstrap(), settings.topics(), settings.publishTimeout(), Map.of())
            : null;
    KafkaIngestor startedIngestor = null;
    KafkaTail startedTail = null;
    try {
      startedIngestor =
          KafkaIngestor.builder(settings.bootstrap(), handler)
              .group(settings.group())
              .topics(settings.topics())
              .observer(
                  (records, dead, storeNanos, commitNanos) -> {
                    storeSeconds.observe(storeNanos / 1e9);
                    commitSeconds.observe(commitNanos / 1e9);
                  })
              .start();
      EventIngest tailReader = new EventIngest(store, limits, redact); // its own counters
      startedTail =
          KafkaTail.start(
              settings.bootstrap(),
              settings.topics().events(),
              records -> {
                if (live.wanted().getAsBoolean()) {
                  live.events().accept(read(tailReader, records));
                } else {
                  live.unread().accept(records.size()); // nobody to show them to: not decoded
                }
              });
    } catch (RuntimeException e) {
      // what started is stopped: a half-started Kafka mode would consume into a closed store
      if (startedIngestor != null) {
        startedIngestor.close();
      }
      if (publisher != null) {
        publisher.close(Duration.ZERO);
      }
      throw e;
    }
    this.ingestor = startedIngestor;
    this.tail = startedTail;
    registerStats(registry);
  }

  /**
   * Where the tail of the events topic goes.
   *
   * @param events the live stream and alerting, given the events read
   * @param wanted whether anyone watches (a stream client, alert rules): else records are only
   *     counted, not decoded
   * @param unread told how many records went unread
   */
  public record Live(
      Consumer<List<HypervisorEvent>> events, BooleanSupplier wanted, LongConsumer unread) {}

  /**
   * Starts consuming into {@code store} and following the events topic into {@code live}.
   *
   * @param events and {@code traces} decode records as the HTTP ingest does
   */
  public static KafkaMode start(
      HubKafka settings,
      JdbcStore store,
      EventIngest events,
      OtlpIngest traces,
      IngestLimits limits,
      boolean redact,
      HubMetrics metrics,
      PrometheusRegistry registry,
      Live live) {
    return new KafkaMode(settings, store, events, traces, limits, redact, metrics, registry, live);
  }

  private void registerStats(PrometheusRegistry registry) {
    GaugeWithCallback.builder()
        .name("hyperlens_kafka_consumer_lag")
        .help("Records behind the end of each partition this hub consumes, as of its last poll")
        .labelNames("topic", "partition")
        .callback(
            callback ->
                ingestor
                    .stats()
                    .lag()
                    .forEach(
                        (partition, lag) ->
                            callback.call(
                                lag, partition.topic(), Integer.toString(partition.partition()))))
        .register(registry);
    counter(
        registry,
        "hyperlens_kafka_records",
        "Records read from Kafka and committed, dead letters included",
        KafkaIngestor.Stats::records);
    counter(
        registry,
        "hyperlens_kafka_dead_letters",
        "Records sent to a dead-letter topic (<topic>.dlq): undecodable or invalid",
        KafkaIngestor.Stats::deadLetters);
    counter(
        registry,
        "hyperlens_kafka_retries",
        "Batches read again because the store, the dead-letter topic or Kafka (a poll or offset commit) failed",
        KafkaIngestor.Stats::retries);
    counter(
        registry,
        "hyperlens_kafka_rebalances",
        "Partition assignments and revocations of this hub",
        KafkaIngestor.Stats::rebalances);
    counter(
        registry,
        "hyperlens_kafka_commit_failures",
        "Offset commits refused after a rebalance (the new owner reads the batch again, stored once)",
        KafkaIngestor.Stats::commitFailures);
  }

  private void counter(
      PrometheusRegistry registry,
      String name,
      String help,
      ToLongFunction<KafkaIngestor.Stats> value) {
    CounterWithCallback.builder()
        .name(name + "_total")
        .help(help)
        .callback(callback -> callback.call(value.applyAsLong(ingestor.stats())))
        .register(registry);
  }

  /**
   * The valid events of tailed records not shown before (invalid ones are dead-lettered by the
   * consumer; a client's retry of an acknowledged request is in Kafka twice, and shown once).
   */
  private List<HypervisorEvent> read(
      EventIngest reader, List<ConsumerRecord<byte[], byte[]>> records) {
    List<HypervisorEvent> events = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (record.value() == null) {
        continue;
      }
      try {
        for (HypervisorEvent event : reader.read(record.value(), KafkaIngest.eventsType(record))) {
          if (shown.add(event.eventId())) {
            events.add(event);
          }
        }
      } catch (IngestException e) {
        // a dead letter: the consumer reports it
      }
    }
    return events;
  }

  /** Whether HTTP ingest goes to Kafka. */
  public boolean ingestsToKafka() {
    return publisher != null;
  }

  /**
   * Hands validated events to Kafka and returns once acknowledged.
   *
   * @throws io.hyperlens.kafka.KafkaUnavailableException when Kafka did not acknowledge in time
   */
  public void publishEvents(List<HypervisorEvent> events) {
    publisher.publishEvents(events);
    published.labelValues("events").inc(events.size());
  }

  /** Hands validated spans to Kafka and returns once acknowledged. */
  public void publishSpans(List<SpanData> spans) {
    publisher.publishSpans(spans);
    published.labelValues("spans").inc(spans.size());
  }

  /** What the consumer did so far. */
  public KafkaIngestor.Stats stats() {
    return ingestor.stats();
  }

  /** The settings. */
  public HubKafka settings() {
    return settings;
  }

  /** Whether the consumer and the tail still run. */
  public boolean running() {
    return ingestor.running() && tail.running();
  }

  /**
   * Closes the publisher: what Kafka did not acknowledge within {@code grace} fails (its request is
   * answered 503), and later requests fail at once.
   */
  public void stopPublishing(Duration grace) {
    if (publisher != null) {
      publisher.close(grace);
    }
  }

  /** Stops consuming (after the batch in hand) and following, and closes the publisher. */
  @Override
  public void close() {
    stopPublishing(settings.publishTimeout());
    ingestor.close();
    tail.close();
  }
}
