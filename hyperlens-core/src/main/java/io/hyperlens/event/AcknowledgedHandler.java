package io.hyperlens.event;

import java.util.concurrent.CompletionStage;

/**
 * A subscriber whose work on an event finishes after delivery, and whose emitters wait for it: a
 * durable sink acknowledges an event once it is committed. Register it with {@link
 * HypervisorEventBus#subscribeAcknowledged}.
 *
 * <p>{@link #accept} runs during delivery, serialized with every other subscriber, so it must only
 * take the event (queue it) and return at once. The emitting thread waits for the returned stage
 * after the bus has released its delivery lock: many threads emitting at once wait together, and a
 * store can commit all their events in one transaction (group commit). The stage must complete,
 * normally or exceptionally, within a bounded time; an exceptional completion makes {@link
 * HypervisorEventBus#emit} throw {@link EventNotAcknowledgedException}.
 *
 * <pre>{@code
 * AcknowledgedHandler committing = event -> writer.enqueue(event); // completes on commit
 * bus.subscribeAcknowledged(null, committing);
 * bus.emit(event); // returns once the writer has committed the event
 * }</pre>
 */
@FunctionalInterface
public interface AcknowledgedHandler {
  /** Takes {@code event} without blocking; the returned stage completes when it is acknowledged. */
  CompletionStage<?> accept(HypervisorEvent event);
}
