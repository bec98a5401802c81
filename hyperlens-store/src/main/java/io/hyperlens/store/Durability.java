package io.hyperlens.store;

/** What {@link PersistentEventSink} promises about an emitted event. */
public enum Durability {
  /**
   * Written behind: {@code emit} returns once the event is queued. The queue holds at most the
   * configured capacity of events not yet committed (queued or in the batch being written), so a
   * crash loses at most that many. When it is full the {@link Overflow} policy applies. A batch the
   * store refuses for being down is retried with backoff (up to the configured retry time), then
   * counted as failed. A {@link JdbcStore} commits these batches without waiting for the disk: once
   * committed they survive a crash of the process, but a power loss or an operating-system crash
   * (SQLite, {@code synchronous=NORMAL} in WAL mode) or a crash of the database server (PostgreSQL,
   * {@code synchronous_commit=off}) may lose the last few commits, whole.
   */
  ASYNC,
  /**
   * Acknowledged: {@code emit} returns only after the transaction holding the event has committed
   * (SQLite: synced to disk). Many threads emitting at once share one commit (group commit). If the
   * event cannot be committed within the commit timeout (the store is down, the queue is full, the
   * event cannot be stored), {@code emit} throws {@link
   * io.hyperlens.event.EventNotAcknowledgedException}: nothing returns normally unless stored.
   */
  SYNC
}
