package io.hyperlens.audit.store;

/** When {@link JsonLinesAuditStore} forces its writes to stable storage. */
public enum FsyncPolicy {
  /**
   * At every checkpoint and on close (the default). Every appended record survives the death of the
   * process at once (it is in the operating system's hands when {@code append} returns); a power
   * loss can take the records written since the last checkpoint.
   */
  PER_CHECKPOINT,
  /** After every record too: nothing appended is lost even to a power loss, at a disk sync each. */
  PER_RECORD
}
