package io.hyperlens.ring;

import io.hyperlens.event.HypervisorEventBus;
import java.time.Clock;

/**
 * Configures a {@link RingMetricsCollector}. Setters validate at once and throw {@link
 * IllegalArgumentException} naming the field and the value. Not thread-safe.
 *
 * <pre>{@code
 * RingMetricsCollector collector =
 *     RingMetricsCollector.builder(bus).maxSeriesPerMetric(50_000).build();
 * }</pre>
 */
public final class RingMetricsCollectorBuilder {
  final HypervisorEventBus bus;
  Clock clock;
  int maxSeriesPerMetric = RingMetricsCollector.DEFAULT_MAX_SERIES_PER_METRIC;

  RingMetricsCollectorBuilder(HypervisorEventBus bus) {
    if (bus == null) {
      throw new IllegalArgumentException("bus must not be null");
    }
    this.bus = bus;
  }

  /** The clock that measures open elevations; default the bus's clock. */
  public RingMetricsCollectorBuilder clock(Clock clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    this.clock = clock;
    return this;
  }

  /**
   * The most series (label sets) each metric keeps; what exceeds it goes to the {@code
   * __overflow__} series. Default 10,000.
   */
  public RingMetricsCollectorBuilder maxSeriesPerMetric(int maxSeriesPerMetric) {
    if (maxSeriesPerMetric < 1) {
      throw new IllegalArgumentException(
          "maxSeriesPerMetric must be positive, got " + maxSeriesPerMetric);
    }
    this.maxSeriesPerMetric = maxSeriesPerMetric;
    return this;
  }

  /** Builds the collector and subscribes it to the bus. */
  public RingMetricsCollector build() {
    return new RingMetricsCollector(this);
  }
}
