package io.hyperlens.kafka;

/** Kafka did not acknowledge a publish in time: nothing may be assumed stored; retry later. */
public final class KafkaUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message saying what was not acknowledged, and why. */
  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
