package io.hyperlens.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer every Hyperlens producer uses: idempotent, {@code acks=all}, lz4 compression, a
 * short linger so records travel in batches; a user's own settings go on top.
 */
final class ProducerSettings {
  private ProducerSettings() {}

  /**
   * {@code bootstrap}, checked to name at least one broker.
   *
   * @throws IllegalArgumentException naming the value
   */
  static String requireBootstrap(String bootstrap) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrap must name at least one broker (host:port), got "
              + (bootstrap == null ? "null" : "\"" + bootstrap + "\""));
    }
    return bootstrap;
  }

  static Map<String, Object> of(String bootstrap, String clientId, Map<String, Object> overrides) {
    requireBootstrap(bootstrap);
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    config.putAll(overrides);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return config;
  }

  static KafkaProducer<byte[], byte[]> producer(
      String bootstrap, String clientId, Map<String, Object> overrides) {
    return new KafkaProducer<>(of(bootstrap, clientId, overrides));
  }
}
