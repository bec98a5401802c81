package io.hyperlens.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.kafka.KafkaIngestor;
import io.hyperlens.kafka.KafkaTopics;
import io.hyperlens.kafka.OtlpSpans;
import io.hyperlens.server.ingest.EventIngest;
import io.hyperlens.server.ingest.IngestLimits;
import io.hyperlens.server.ingest.OtlpIngest;
import io.hyperlens.store.SqliteStore;
import io.hyperlens.trace.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records as the hub reads them from Kafka, without a broker: stored, or dead letters and why. */
class KafkaIngestTest {
  private static final KafkaTopics TOPICS = new KafkaTopics("ev", "sp");

  @TempDir Path data;
  private SqliteStore store;
  private KafkaIngest ingest;
  private final List<KafkaIngest.Stored> stored = new ArrayList<>();
  private long offset;

  @BeforeEach
  void open() {
    store = SqliteStore.open(data);
    ingest =
        new KafkaIngest(
            store,
            new EventIngest(store, IngestLimits.defaults(), true),
            new OtlpIngest(store, IngestLimits.defaults(), true),
            TOPICS,
            (batch, spans) -> stored.add(batch));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private ConsumerRecord<byte[], byte[]> record(String topic, String contentType, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    if (contentType != null) {
      headers.add("content-type", contentType.getBytes(StandardCharsets.US_ASCII));
    }
    return new ConsumerRecord<>(
        topic,
        0,
        offset++,
        0L,
        TimestampType.CREATE_TIME,
        -1,
        -1,
        null,
        value,
        headers,
        Optional.empty());
  }

  private ConsumerRecord<byte[], byte[]> event(String contentType, String value) {
    return record("ev", contentType, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String json(String id) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\"session.joined\",\"timestamp\":\"2026-12-06T10:00:00+00:00\","
        + "\"session_id\":\"s\",\"payload\":{\"password\":\"hunter2\"}}";
  }

  @Test
  void eventsReadAsObjectsArraysOrNdjsonAndBadOnesAreDeadLettersWithTheirReason() {
    List<ConsumerRecord<byte[], byte[]>> records =
        List.of(
            event("application/json", "  " + json("a")),
            event("application/json", "[" + json("b") + "," + json("c") + "]"),
            event(null, json("d") + "\n" + json("e")),
            event("application/x-ndjson", json("f")),
            event("application/json", "{broken"),
            event(null, "{\"event_id\":\"g\",\"event_type\":\"nope\"}"),
            record("ev", null, null),
            event("text/plain", json("h")));
    List<KafkaIngestor.DeadLetter> dead = ingest.store(records);

    assertThat(store.query(EventQuery.all()))
        .extracting(e -> e.eventId())
        .containsExactlyInAnyOrder("a", "b", "c", "d", "e", "f");
    assertThat(store.event("a").orElseThrow().payload().get("password"))
        .isNotEqualTo("hunter2"); // redacted as the HTTP ingest redacts
    assertThat(dead).extracting(d -> d.record().offset()).containsExactly(4L, 5L, 6L, 7L);
    assertThat(dead.get(0).reason()).containsOnlyOnce("malformed JSON");
    assertThat(dead.get(1).reason()).contains("event_type").contains("nope");
    assertThat(dead.get(2).reason()).contains("no value");
    assertThat(dead.get(3).reason()).contains("text/plain");
    assertThat(stored)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.events()).isEqualTo(6);
              assertThat(s.newEvents()).isEqualTo(6);
              assertThat(s.spans()).isZero();
              assertThat(s.nanos()).isBetween(0L, 60_000_000_000L);
            });

    stored.clear();
    assertThat(ingest.store(List.of(event(null, json("a")), event(null, json("z"))))).isEmpty();
    assertThat(stored.get(0).events()).isEqualTo(2);
    assertThat(stored.get(0).newEvents()).isEqualTo(1); // read twice, stored once
  }

  @Test
  void whenTheStoreRefusesABatchItStoresRecordByRecordAndDeadLettersWhatItRefuses() {
    StringBuilder huge =
        new StringBuilder("{\"event_id\":\"big\",\"event_type\":\"session.joined\",");
    huge.append("\"timestamp\":\"2026-12-06T10:00:00+00:00\",\"payload\":{");
    for (int i = 0; i < 300; i++) {
      huge.append(i == 0 ? "" : ",")
          .append("\"k")
          .append(i)
          .append("\":\"")
          .append("x".repeat(4_000))
          .append('"');
    }
    huge.append("}}");
    List<KafkaIngestor.DeadLetter> dead =
        ingest.store(
            List.of(
                event(null, json("before")),
                event(null, huge.toString()),
                event(null, json("after"))));
    assertThat(dead)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.record().offset()).isEqualTo(1L);
              assertThat(d.reason()).startsWith("the store refused it: ").contains("payload");
            });
    assertThat(store.query(EventQuery.all()))
        .extracting(e -> e.eventId())
        .containsExactlyInAnyOrder("before", "after");
    assertThat(stored.get(0).newEvents()).isEqualTo(2);
  }

  private static SpanData span(String traceId, String spanId) {
    return SpanData.builder(traceId, spanId, "plan").serviceName("svc").times(1, 2).build();
  }

  @Test
  void spansAreStoredAndAnUndecodableOrPartlyInvalidRecordIsADeadLetter() {
    byte[] good =
        OtlpSpans.encode(List.of(span("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")))
            .toByteArray();
    var request =
        OtlpSpans.encode(
            List.of(
                span("5bf92f3577b34da6a3ce929d0e0e4736", "10f067aa0ba902b7"),
                span("5bf92f3577b34da6a3ce929d0e0e4736", "20f067aa0ba902b7")))
            .toBuilder();
    request
        .getResourceSpansBuilder(0)
        .getScopeSpansBuilder(0)
        .getSpansBuilder(1)
        .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[8]));
    byte[] zeroId = request.build().toByteArray();
    List<KafkaIngestor.DeadLetter> dead =
        ingest.store(
            List.of(
                record("sp", "application/x-protobuf", good),
                record("sp", null, new byte[] {(byte) 0xff, 1, 2}),
                record("sp", null, zeroId)));
    assertThat(store.trace("4bf92f3577b34da6a3ce929d0e0e4736")).hasSize(1);
    assertThat(store.trace("5bf92f3577b34da6a3ce929d0e0e4736")).isEmpty(); // all or nothing
    assertThat(dead).extracting(d -> d.record().offset()).containsExactly(1L, 2L);
    assertThat(dead.get(1).reason()).startsWith("1 span(s) invalid: ").contains("all zero");
    assertThat(stored.get(0).spans()).isEqualTo(1);
    assertThat(stored.get(0).newSpans()).isEqualTo(1);
  }

  @Test
  void aContentTypeSaysHowAnEventsRecordReads() {
    assertThat(KafkaIngest.eventsType(event(null, "{}"))).isEqualTo(EventIngest.NDJSON);
    assertThat(KafkaIngest.eventsType(event("application/json", "\n\t {}")))
        .isEqualTo(EventIngest.NDJSON);
    assertThat(KafkaIngest.eventsType(event("application/json", "[]")))
        .isEqualTo("application/json");
    assertThat(KafkaIngest.eventsType(event("application/json; charset=utf-8", "[{}]")))
        .isEqualTo("application/json; charset=utf-8");
    assertThat(KafkaIngest.eventsType(event("application/x-ndjson", "{}")))
        .isEqualTo("application/x-ndjson");
  }

  @Test
  void aSpanTheStoreRefusesIsADeadLetterAndTheOthersAreStored() {
    var nul =
        OtlpSpans.encode(List.of(span("8bf92f3577b34da6a3ce929d0e0e4738", "40f067aa0ba902b7")))
            .toBuilder();
    nul.getResourceSpansBuilder(0).getScopeSpansBuilder(0).getSpansBuilder(0).setName("a\u0000b");
    byte[] good =
        OtlpSpans.encode(List.of(span("9bf92f3577b34da6a3ce929d0e0e4739", "50f067aa0ba902b7")))
            .toByteArray();
    List<KafkaIngestor.DeadLetter> dead =
        ingest.store(
            List.of(
                record("sp", null, nul.build().toByteArray()),
                record("sp", null, good),
                event(null, json("with-spans"))));
    assertThat(dead)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.record().offset()).isEqualTo(0L);
              assertThat(d.reason()).startsWith("the store refused it: ").contains("NUL");
            });
    assertThat(store.trace("9bf92f3577b34da6a3ce929d0e0e4739")).hasSize(1);
    assertThat(store.event("with-spans")).isPresent();
    assertThat(stored.get(0).newSpans()).isEqualTo(1);
  }
}
