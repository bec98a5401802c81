package io.hyperlens.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Names and settings are checked before anything connects, naming the field and the value. */
class KafkaTopicsTest {
  @Test
  void topicNamesAreKafkasLegalNamesWithRoomForTheDeadLetterSuffix() {
    assertThat(KafkaTopics.DEFAULT.events()).isEqualTo("hyperlens.events");
    assertThat(KafkaTopics.DEFAULT.spans()).isEqualTo("hyperlens.spans");
    assertThat(new KafkaTopics("a-b_c.1", "x".repeat(245)).spans()).hasSize(245);
    assertThat(KafkaTopics.deadLetter("hyperlens.events")).isEqualTo("hyperlens.events.dlq");
    assertThatThrownBy(() -> new KafkaTopics("a", "x".repeat(246)))
        .hasMessageStartingWith("spans must be a Kafka topic name");
    assertThatThrownBy(() -> new KafkaTopics("bad topic", "s"))
        .hasMessage(
            "events must be a Kafka topic name (1 to 245 of a-z A-Z 0-9 . _ -), got \"bad topic\"");
    assertThatThrownBy(() -> new KafkaTopics(null, "s")).hasMessageEndingWith("got null");
    assertThatThrownBy(() -> new KafkaTopics("", "s")).hasMessageEndingWith("got \"\"");
    assertThatThrownBy(() -> new KafkaTopics(".", "s")).hasMessageEndingWith("got \".\"");
    assertThatThrownBy(() -> new KafkaTopics("..", "s")).hasMessageEndingWith("got \"..\"");
    assertThat(new KafkaTopics("...", "s").events()).isEqualTo("...");
    assertThatThrownBy(() -> new KafkaTopics("a", "a"))
        .hasMessage("events and spans must be different topics, both are \"a\"");
    assertThat(KafkaTopics.requireName("topic", "ok")).isEqualTo("ok");
    assertThatThrownBy(() -> new KafkaTopics("coll.dlq", "coll"))
        .hasMessage(
            "events must not end in .dlq, the suffix of the dead-letter topics, got \"coll.dlq\"");
    assertThat(new KafkaTopics("a.dlqx", "b").events()).isEqualTo("a.dlqx");
  }

  @Test
  void producersAreIdempotentWithAcksAllAndAUsersSettingsOnTopButNotTheSerializers() {
    Map<String, Object> config =
        ProducerSettings.of(
            "h:1", "me", Map.of("linger.ms", 50, "acks", "1", "value.serializer", String.class));
    assertThat(config)
        .containsEntry("bootstrap.servers", "h:1")
        .containsEntry("client.id", "me")
        .containsEntry("enable.idempotence", true)
        .containsEntry("compression.type", "lz4")
        .containsEntry("linger.ms", 50)
        .containsEntry("acks", "1")
        .containsEntry("value.serializer", ByteArraySerializer.class)
        .containsEntry("key.serializer", ByteArraySerializer.class);
    assertThat(ProducerSettings.of("h:1", "me", Map.of())).containsEntry("acks", "all");
    assertThatThrownBy(() -> ProducerSettings.of(null, "me", Map.of()))
        .hasMessageEndingWith("got null");
    assertThatThrownBy(() -> ProducerSettings.of("  ", "me", Map.of()))
        .hasMessageStartingWith("bootstrap must name at least one broker")
        .hasMessageEndingWith("got \"  \"");
    assertThatThrownBy(() -> KafkaEventSink.builder("h:1").queueSize(0))
        .hasMessage("queueSize must be at least 1, got 0");
    assertThatThrownBy(() -> KafkaEventSink.builder("h:1").topic("bad topic"))
        .hasMessageStartingWith("topic must be");
  }
}
