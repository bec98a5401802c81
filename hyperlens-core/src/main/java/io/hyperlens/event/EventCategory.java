package io.hyperlens.event;

/**
 * The eight families of {@link EventType}; {@link #value()} is the prefix of their dotted values.
 */
public enum EventCategory {
  SESSION("session"),
  RING("ring"),
  LIABILITY("liability"),
  SAGA("saga"),
  VFS("vfs"),
  SECURITY("security"),
  AUDIT("audit"),
  VERIFICATION("verification");

  private final String value;

  EventCategory(String value) {
    this.value = value;
  }

  /** The lowercase name used as the prefix of event values, e.g. {@code "ring"}. */
  public String value() {
    return value;
  }
}
