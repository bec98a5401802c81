package io.hyperlens.store;

/** What {@link PersistentEventSink} does when its queue is full. */
public enum Overflow {
  /** Drops the event at once and counts it in {@link SinkStats#dropped()}: emitters never wait. */
  DROP,
  /**
   * Makes the emitter wait for room up to the configured block timeout, then drops and counts the
   * event. The bus delivers serially, so a blocked sink holds up every emitter meanwhile.
   */
  BLOCK
}
