package io.hyperlens.saga;

import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.spi.SpanSink;
import java.time.Clock;
import java.time.Duration;

/**
 * Configures a {@link SagaSpanExporter}. Setters validate at once and throw {@link
 * IllegalArgumentException} naming the field and the value. Not thread-safe.
 *
 * <pre>{@code
 * SagaSpanExporter exporter =
 *     SagaSpanExporter.builder(bus)
 *         .sink(mySink)
 *         .maxSpans(50_000)
 *         .openSpanTimeout(Duration.ofMinutes(30))
 *         .build();
 * }</pre>
 */
public final class SagaSpanExporterBuilder {
  final HypervisorEventBus bus;
  SpanSink sink;
  int maxSpans = SagaSpanExporter.DEFAULT_MAX_SPANS;
  int maxOpenSpans = 10_000;
  Duration openSpanTimeout = Duration.ofHours(1);
  Clock clock;

  SagaSpanExporterBuilder(HypervisorEventBus bus) {
    if (bus == null) {
      throw new IllegalArgumentException("bus must not be null");
    }
    this.bus = bus;
  }

  /** Forwards finished spans to {@code sink}; {@code null} for none. */
  public SagaSpanExporterBuilder sink(SpanSink sink) {
    this.sink = sink;
    return this;
  }

  /** How many finished spans the buffer keeps (the newest); default 10,000. */
  public SagaSpanExporterBuilder maxSpans(int maxSpans) {
    if (maxSpans < 1) {
      throw new IllegalArgumentException("maxSpans must be positive, got " + maxSpans);
    }
    this.maxSpans = maxSpans;
    return this;
  }

  /** How many open steps, fan-outs and sagas (each) are tracked; default 10,000. */
  public SagaSpanExporterBuilder maxOpenSpans(int maxOpenSpans) {
    if (maxOpenSpans < 1) {
      throw new IllegalArgumentException("maxOpenSpans must be positive, got " + maxOpenSpans);
    }
    this.maxOpenSpans = maxOpenSpans;
    return this;
  }

  /** How long a step, fan-out or saga may stay open before it is dropped; default one hour. */
  public SagaSpanExporterBuilder openSpanTimeout(Duration openSpanTimeout) {
    if (openSpanTimeout == null || openSpanTimeout.isNegative() || openSpanTimeout.isZero()) {
      throw new IllegalArgumentException(
          "openSpanTimeout must be positive, got " + openSpanTimeout);
    }
    this.openSpanTimeout = openSpanTimeout;
    return this;
  }

  /** The clock that ages open spans; default the bus's clock. */
  public SagaSpanExporterBuilder clock(Clock clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    this.clock = clock;
    return this;
  }

  /** Builds the exporter and subscribes it to the bus. */
  public SagaSpanExporter build() {
    return new SagaSpanExporter(this);
  }
}
