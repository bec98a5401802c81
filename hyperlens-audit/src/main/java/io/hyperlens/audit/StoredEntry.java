package io.hyperlens.audit;

/**
 * One entry of an {@link AuditStore} as read back, in stored order: a record, a checkpoint, or
 * something that could not be read as either. {@code position} is where it sits (the line number in
 * a file store, from 1), for pointing a person at it.
 */
public sealed interface StoredEntry {
  /** Where the entry sits in its store, from 1. */
  long position();

  /** A record as stored. */
  record StoredRecord(long position, AuditRecord record) implements StoredEntry {}

  /** A checkpoint as stored. */
  record StoredCheckpoint(long position, Checkpoint checkpoint) implements StoredEntry {}

  /**
   * An entry that is neither: edited into something unreadable, or, when {@code tornTail}, the
   * unfinished last write of a process that died while appending (bytes after the last newline).
   *
   * @param position where it sits
   * @param problem what is wrong with it
   * @param tornTail whether it is an unfinished last line rather than damage in the middle
   * @param length its length in bytes
   */
  record Damaged(long position, String problem, boolean tornTail, long length)
      implements StoredEntry {}
}
