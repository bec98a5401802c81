package io.hyperlens.event;

import java.time.Clock;

/**
 * Configures a {@link HypervisorEventBus}. {@code build()} starts no thread and does no I/O. Not
 * thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus =
 *     HypervisorEventBus.builder().maxEvents(1_000_000).clock(Clock.systemUTC()).build();
 * }</pre>
 */
public final class HypervisorEventBusBuilder {
  private int maxEvents = HypervisorEventBus.DEFAULT_MAX_EVENTS;
  private Clock clock = Clock.systemUTC();

  HypervisorEventBusBuilder() {}

  /** Keeps the newest {@code maxEvents} events, evicting older ones (default 100,000). */
  public HypervisorEventBusBuilder maxEvents(int maxEvents) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be positive, got " + maxEvents);
    }
    this.maxEvents = maxEvents;
    return this;
  }

  /** Keeps every event; memory then grows with the log. */
  public HypervisorEventBusBuilder unbounded() {
    this.maxEvents = Integer.MAX_VALUE;
    return this;
  }

  /** The clock that stamps events built by the bus and resolves "now" in time queries. */
  public HypervisorEventBusBuilder clock(Clock clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    this.clock = clock;
    return this;
  }

  public HypervisorEventBus build() {
    return new HypervisorEventBus(maxEvents, clock);
  }
}
