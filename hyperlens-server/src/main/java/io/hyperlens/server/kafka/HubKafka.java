package io.hyperlens.server.kafka;

import io.hyperlens.kafka.KafkaTopics;

/**
 * How a hub uses Kafka ({@code hyperlens serve --kafka BOOTSTRAP}): it consumes the events and
 * spans topics in {@code group} into its store, follows the events topic for its live stream, and,
 * with {@code ingestToKafka}, hands what its HTTP ingest validates to Kafka instead of the store.
 *
 * @param bootstrap {@code host:port[,host:port...]} of the brokers
 * @param group the consumer group; hubs in one group share the partitions
 * @param topics the topics
 * @param ingestToKafka whether {@code POST /v1/events} and {@code /v1/traces} produce to Kafka (a
 *     2xx then means acknowledged by Kafka with {@code acks=all}) instead of storing
 * @param publishTimeout how long such a request waits for Kafka's acknowledgement before it is
 *     answered 503
 */
public record HubKafka(
    String bootstrap,
    String group,
    KafkaTopics topics,
    boolean ingestToKafka,
    java.time.Duration publishTimeout) {
  /** How long HTTP ingest waits for Kafka by default. */
  public static final java.time.Duration DEFAULT_PUBLISH_TIMEOUT = java.time.Duration.ofSeconds(30);

  private static final java.util.regex.Pattern BROKERS =
      java.util.regex.Pattern.compile(
          "(\\[[0-9a-fA-F:.]+\\]|[^\\s,:\\[\\]]+):\\d{1,5}"
              + "(,(\\[[0-9a-fA-F:.]+\\]|[^\\s,:\\[\\]]+):\\d{1,5})*");

  private static boolean portsInRange(String bootstrap) {
    for (String broker : bootstrap.split(",")) {
      int port = Integer.parseInt(broker.substring(broker.lastIndexOf(':') + 1));
      if (port < 1 || port > 65_535) {
        return false;
      }
    }
    return true;
  }

  /** The default consumer group. */
  public static final String DEFAULT_GROUP = "hyperlens-hub";

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the field and the value
   */
  public HubKafka {
    if (bootstrap == null || !BROKERS.matcher(bootstrap).matches() || !portsInRange(bootstrap)) {
      throw new IllegalArgumentException(
          "--kafka must name the brokers as host:port[,host:port...] with ports 1 to 65535, got "
              + (bootstrap == null ? "nothing" : "\"" + bootstrap + "\""));
    }
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("--group must not be blank");
    }
    if (topics == null) {
      throw new IllegalArgumentException("topics must not be null");
    }
    if (publishTimeout == null
        || publishTimeout.isNegative()
        || publishTimeout.isZero()
        || publishTimeout.compareTo(java.time.Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException(
          "--kafka-timeout must be positive and at most 10 minutes, got " + publishTimeout);
    }
  }

  /** Consuming {@link KafkaTopics#DEFAULT} in the default group, HTTP ingest to the store. */
  public static HubKafka of(String bootstrap) {
    return new HubKafka(
        bootstrap, DEFAULT_GROUP, KafkaTopics.DEFAULT, false, DEFAULT_PUBLISH_TIMEOUT);
  }
}
