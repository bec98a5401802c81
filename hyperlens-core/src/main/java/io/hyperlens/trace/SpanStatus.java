package io.hyperlens.trace;

/** How a span ended, as in the seed and OpenTelemetry: {@code unset}, {@code ok}, {@code error}. */
public enum SpanStatus {
  /** Not determined: the span has not been given a status. */
  UNSET("unset"),
  /** The operation succeeded. */
  OK("ok"),
  /** The operation failed; the span's status message says why. */
  ERROR("error");

  private final String value;

  SpanStatus(String value) {
    this.value = value;
  }

  /** The seed's string value, e.g. {@code "ok"}. */
  public String value() {
    return value;
  }
}
