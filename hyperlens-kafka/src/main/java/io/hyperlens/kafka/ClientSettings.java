package io.hyperlens.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What every builder here takes for its Kafka client: a {@code client.id}, how long a close waits,
 * and any client setting on top of Hyperlens' defaults, each checked when given.
 */
final class ClientSettings {
  private final String kind;
  private String clientId;
  private Duration closeTimeout = Duration.ofSeconds(10);
  private final Map<String, Object> config = new HashMap<>();

  /**
   * @param kind what the settings configure ({@code producer}, {@code consumer}), for messages
   * @param clientId the default {@code client.id}
   */
  ClientSettings(String kind, String clientId) {
    this.kind = kind;
    this.clientId = clientId;
  }

  void clientId(String clientId) {
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("clientId must not be blank");
    }
    this.clientId = clientId;
  }

  void closeTimeout(Duration closeTimeout) {
    if (closeTimeout == null || closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must not be negative, got " + closeTimeout);
    }
    this.closeTimeout = closeTimeout;
  }

  void put(String key, Object value) {
    if (key == null || value == null) {
      throw new IllegalArgumentException(kind + " setting " + key + " must have a value");
    }
    config.put(key, value);
  }

  String clientId() {
    return clientId;
  }

  Duration closeTimeout() {
    return closeTimeout;
  }

  Map<String, Object> config() {
    return config;
  }
}
