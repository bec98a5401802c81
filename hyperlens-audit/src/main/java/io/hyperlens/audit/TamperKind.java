package io.hyperlens.audit;

/** Why an audit log failed verification. */
public enum TamperKind {
  /** A record's content no longer matches its hash, or a record was replaced by another. */
  MODIFIED,
  /** Records are missing from the middle of the log. */
  DELETED,
  /** A record appears that was never appended: a second record claims an existing sequence. */
  INSERTED,
  /** Records are all there but out of order. */
  REORDERED,
  /**
   * A checkpoint's signature does not verify, it is not signed by the log's current key, or a key
   * rotation is not signed by the key before it and the key it names.
   */
  BAD_SIGNATURE,
  /**
   * The log's keys are not the ones the verifier's anchor pins: the whole log was replaced, or
   * re-signed with someone else's key.
   */
  UNTRUSTED_KEY,
  /**
   * A signed checkpoint is missing: the log does not open with one, or records run past the
   * sequence by which the last checkpoint promised the next. Checkpoints were deleted, as someone
   * hiding a rewrite from them would.
   */
  MISSING_CHECKPOINT,
  /** Records a signed checkpoint or a witness vouches for were cut off the end of the log. */
  TRUNCATED,
  /**
   * The chain is consistent but differs from what a signed checkpoint, or a checkpoint a witness
   * holds, vouches for: records were rewritten and re-hashed.
   */
  REWRITTEN
}
