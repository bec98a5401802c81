package io.hyperlens.trace;

/**
 * The role of a span in a request, as in the seed and OpenTelemetry: {@code internal}, {@code
 * server}, {@code client}, {@code producer}, {@code consumer}.
 */
public enum SpanKind {
  /** An operation inside one service. */
  INTERNAL("internal"),
  /** The server side of a synchronous call. */
  SERVER("server"),
  /** The client side of a synchronous call. */
  CLIENT("client"),
  /** The sender of an asynchronous message. */
  PRODUCER("producer"),
  /** The receiver of an asynchronous message. */
  CONSUMER("consumer");

  private final String value;

  SpanKind(String value) {
    this.value = value;
  }

  /** The seed's string value, e.g. {@code "internal"}. */
  public String value() {
    return value;
  }
}
