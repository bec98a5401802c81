package io.hyperlens.event;

/**
 * Thrown by {@link HypervisorEventBus#emit} when an {@link AcknowledgedHandler} did not acknowledge
 * the event: a durable sink could not commit it in time, or refused it. The event was still
 * appended to the bus and delivered to every subscriber; what failed is the promise the handler
 * makes (for a store: the event may not be stored). To retry, call {@link
 * HypervisorEventBus#redeliverAcknowledged} with the same event: it goes to the acknowledged
 * subscribers only, and a store keeps its id once. Emitting it again would append a second copy to
 * the bus and deliver it to every subscriber twice.
 */
public final class EventNotAcknowledgedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String eventId;

  EventNotAcknowledgedException(String eventId, String message, Throwable cause) {
    super(message, cause);
    this.eventId = eventId;
  }

  /** The id of the event that was not acknowledged (the first, when several were not). */
  public String eventId() {
    return eventId;
  }
}
