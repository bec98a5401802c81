package io.hyperlens.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles the README's Kafka quick start and runs it against a real (in-JVM) broker. */
class ReadmeKafkaQuickStartTest {
  @TempDir Path work;

  @Test
  void theKafkaQuickStartSendsAnEventAndASpan() throws Exception {
    ReadmeJava.compileQuickStart(work, "io.hyperlens.kafka.", "KafkaQuickStart");
    try (InJvmKafka kafka = InJvmKafka.start()) {
      System.setProperty("kafka.bootstrap", kafka.bootstrap());
      String printed;
      try {
        printed = ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "KafkaQuickStart");
      } finally {
        System.clearProperty("kafka.bootstrap");
      }
      assertThat(printed).isEqualTo("1\n");
      try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
        assertThat(TopicReader.readAll(consumer, "hyperlens.events")).hasSize(1);
        List<ConsumerRecord<byte[], byte[]>> spans =
            TopicReader.readAll(consumer, "hyperlens.spans");
        assertThat(spans).hasSize(1);
        assertThat(
                ExportTraceServiceRequest.parseFrom(spans.get(0).value())
                    .getResourceSpans(0)
                    .getScopeSpans(0)
                    .getSpans(0)
                    .getName())
            .isEqualTo("plan");
      }
    }
  }
}
