package io.hyperlens.kafka;

import java.util.regex.Pattern;

/**
 * The topics Hyperlens uses: events (JSON, keyed by session id), spans (OTLP protobuf, keyed by
 * trace id), and a dead-letter topic beside each ({@code <topic>.dlq}) for records a hub could not
 * decode or validate.
 *
 * <pre>{@code
 * KafkaTopics topics = KafkaTopics.DEFAULT; // hyperlens.events, hyperlens.spans
 * KafkaTopics staging = new KafkaTopics("staging.hyperlens.events", "staging.hyperlens.spans");
 * }</pre>
 *
 * @param events the events topic
 * @param spans the spans topic
 */
public record KafkaTopics(String events, String spans) {
  // before DEFAULT, which is checked against it
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,245}");

  /** {@code hyperlens.events} and {@code hyperlens.spans}. */
  public static final KafkaTopics DEFAULT = new KafkaTopics("hyperlens.events", "hyperlens.spans");

  /** The suffix of a dead-letter topic. */
  public static final String DEAD_LETTER_SUFFIX = ".dlq";

  /**
   * Validates the names as Kafka does (letters, digits, {@code . _ -}), leaving room for the
   * dead-letter suffix.
   *
   * @throws IllegalArgumentException naming the field and the value
   */
  public KafkaTopics {
    requireName("events", events);
    requireName("spans", spans);
    if (events.equals(spans)) {
      throw new IllegalArgumentException(
          "events and spans must be different topics, both are \"" + events + "\"");
    }
  }

  static String requireName(String field, String topic) {
    if (topic == null
        || !LEGAL.matcher(topic).matches()
        || topic.equals(".")
        || topic.equals("..")) {
      throw new IllegalArgumentException(
          field
              + " must be a Kafka topic name (1 to 245 of a-z A-Z 0-9 . _ -), got "
              + (topic == null ? "null" : "\"" + topic + "\""));
    }
    if (topic.endsWith(DEAD_LETTER_SUFFIX)) {
      throw new IllegalArgumentException(
          field
              + " must not end in "
              + DEAD_LETTER_SUFFIX
              + ", the suffix of the dead-letter topics, got \""
              + topic
              + "\"");
    }
    return topic;
  }

  /** The dead-letter topic of {@code topic}: {@code topic + ".dlq"}. */
  public static String deadLetter(String topic) {
    return topic + DEAD_LETTER_SUFFIX;
  }
}
