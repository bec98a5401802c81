package io.hyperlens.server.kafka;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.kafka.KafkaIngestor;
import io.hyperlens.kafka.KafkaTopics;
import io.hyperlens.server.ingest.EventIngest;
import io.hyperlens.server.ingest.IngestException;
import io.hyperlens.server.ingest.OtlpIngest;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.trace.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Stores what a hub reads from Kafka: each events record (JSON or NDJSON) and spans record (OTLP
 * protobuf or JSON, by its {@code content-type} header) is validated, redacted and cut exactly as
 * the HTTP ingest would; a record that fails is a dead letter, never a reason to stop. The valid
 * ones of a batch are stored in one transaction per kind; both inserts ignore what is stored
 * already, so a batch read twice (a crash before the offset commit) is stored once.
 */
final class KafkaIngest implements KafkaIngestor.Handler {
  /** What one batch stored. */
  record Stored(int events, int newEvents, int spans, int newSpans, long nanos) {}

  /** Told of each stored batch. */
  interface Listener {
    void stored(Stored stored, List<SpanData> spans);
  }

  private final JdbcStore store;
  private final EventIngest events;
  private final OtlpIngest traces;
  private final KafkaTopics topics;
  private final Listener listener;

  KafkaIngest(
      JdbcStore store,
      EventIngest events,
      OtlpIngest traces,
      KafkaTopics topics,
      Listener listener) {
    this.store = store;
    this.events = events;
    this.traces = traces;
    this.topics = topics;
    this.listener = listener;
  }

  @Override
  public List<KafkaIngestor.DeadLetter> store(List<ConsumerRecord<byte[], byte[]>> records) {
    long start = System.nanoTime();
    List<KafkaIngestor.DeadLetter> dead = new ArrayList<>();
    List<HypervisorEvent> batch = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> eventRecords = new ArrayList<>();
    List<Integer> eventCounts = new ArrayList<>();
    List<SpanData> spans = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> spanRecords = new ArrayList<>();
    List<Integer> spanCounts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (record.value() == null) {
        dead.add(new KafkaIngestor.DeadLetter(record, "empty record (no value)"));
      } else if (record.topic().equals(topics.events())) {
        try {
          List<HypervisorEvent> read = events.read(record.value(), eventsType(record));
          batch.addAll(read);
          eventRecords.add(record);
          eventCounts.add(read.size());
        } catch (IngestException e) {
          dead.add(new KafkaIngestor.DeadLetter(record, reason(e)));
        }
      } else {
        try {
          OtlpIngest.Decoded decoded =
              traces.decode(record.value(), contentType(record, OtlpIngest.PROTOBUF));
          if (decoded.rejected() > 0) {
            dead.add(
                new KafkaIngestor.DeadLetter(
                    record,
                    decoded.rejected()
                        + " span(s) invalid: "
                        + String.join("; ", decoded.reasons())));
          } else {
            spans.addAll(decoded.spans());
            spanRecords.add(record);
            spanCounts.add(decoded.spans().size());
          }
        } catch (IngestException e) {
          dead.add(new KafkaIngestor.DeadLetter(record, reason(e)));
        }
      }
    }
    int newSpans = append(spans, spanRecords, spanCounts, store::appendSpans, dead);
    int newEvents = append(batch, eventRecords, eventCounts, store::append, dead);
    listener.stored(
        new Stored(batch.size(), newEvents, spans.size(), newSpans, System.nanoTime() - start),
        spans);
    return dead;
  }

  /**
   * Appends a kind's batch; when the store refuses it (a value it cannot take: a payload over its
   * limit, a NUL in a span name), appends record by record and dead-letters the records it refuses,
   * so one record never holds up its partition.
   */
  private static <T> int append(
      List<T> batch,
      List<ConsumerRecord<byte[], byte[]>> records,
      List<Integer> counts,
      java.util.function.ToIntFunction<List<T>> store,
      List<KafkaIngestor.DeadLetter> dead) {
    if (batch.isEmpty()) {
      return 0;
    }
    try {
      return store.applyAsInt(batch);
    } catch (IllegalArgumentException refused) {
      int stored = 0;
      int from = 0;
      for (int i = 0; i < records.size(); i++) {
        List<T> one = batch.subList(from, from + counts.get(i));
        from += counts.get(i);
        try {
          stored += store.applyAsInt(one);
        } catch (IllegalArgumentException e) {
          dead.add(
              new KafkaIngestor.DeadLetter(
                  records.get(i), "the store refused it: " + e.getMessage()));
        }
      }
      return stored;
    }
  }

  /**
   * How an events record reads: NDJSON unless it says otherwise; a JSON object (what {@code
   * KafkaEventSink} writes, {@code content-type: application/json}) as one NDJSON line, a JSON
   * array as an array.
   */
  static String eventsType(ConsumerRecord<byte[], byte[]> record) {
    String type = contentType(record, EventIngest.NDJSON);
    if (type.startsWith("application/json")) {
      for (byte b : record.value()) {
        if (b == '{') {
          return EventIngest.NDJSON;
        }
        if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
          break;
        }
      }
    }
    return type;
  }

  private static String contentType(ConsumerRecord<byte[], byte[]> record, String otherwise) {
    Header header = record.headers().lastHeader("content-type");
    return header == null ? otherwise : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String reason(IngestException e) {
    StringBuilder reason = new StringBuilder(e.getMessage());
    e.problems().stream()
        .filter(p -> !e.getMessage().contains(p.message())) // malformed JSON says it once
        .forEach(p -> reason.append("; ").append(p.field()).append(": ").append(p.message()));
    return reason.toString();
  }
}
