package io.hyperlens.event;

/**
 * A handle on one subscriber of a {@link HypervisorEventBus}. Closing it unsubscribes: no event
 * emitted after {@code close()} returns reaches the handler. Thread-safe; closing twice is a no-op.
 */
public interface Subscription extends AutoCloseable {
  /** Unsubscribes. */
  @Override
  void close();

  /** Whether the handler still receives events. */
  boolean isActive();

  /** How many times this handler has thrown. */
  long failures();
}
