package io.hyperlens.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.trace.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How events and spans are written as Kafka records, by every producer here: an event as JSON keyed
 * by its session id, spans as one OTLP protobuf request per trace keyed by the trace id; each
 * record with a {@code content-type} header.
 */
final class KafkaRecords {
  static final String JSON_TYPE = "application/json";
  static final String PROTOBUF_TYPE = "application/x-protobuf";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Headers JSON_HEADERS = headers(JSON_TYPE);
  private static final Headers PROTOBUF_HEADERS = headers(PROTOBUF_TYPE);

  private KafkaRecords() {}

  /** A spans record and how many spans it carries. */
  record Spans(ProducerRecord<byte[], byte[]> record, int count) {}

  static ProducerRecord<byte[], byte[]> event(String topic, HypervisorEvent event)
      throws JsonProcessingException {
    byte[] value = JSON.writeValueAsBytes(event.toMap());
    byte[] key = event.sessionId().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    return new ProducerRecord<>(topic, null, key, value, JSON_HEADERS);
  }

  static List<Spans> spans(String topic, List<SpanData> spans) {
    Map<String, List<SpanData>> byTrace =
        spans.stream()
            .collect(
                Collectors.groupingBy(SpanData::traceId, LinkedHashMap::new, Collectors.toList()));
    List<Spans> records = new ArrayList<>(byTrace.size());
    byTrace.forEach(
        (traceId, trace) ->
            records.add(
                new Spans(
                    new ProducerRecord<>(
                        topic,
                        null,
                        traceId.getBytes(StandardCharsets.US_ASCII),
                        OtlpSpans.encode(trace).toByteArray(),
                        PROTOBUF_HEADERS),
                    trace.size())));
    return records;
  }

  private static Headers headers(String contentType) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("content-type", contentType.getBytes(StandardCharsets.US_ASCII));
    headers.setReadOnly();
    return headers;
  }
}
