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
  /** A checkpoint's signature does not verify, or its key is not trusted. */
  BAD_SIGNATURE,
  /**
   * A signed checkpoint is missing: the log does not open with one, or records run past the
   * sequence by which the last checkpoint promised the next. Checkpoints were deleted, as someone
   * hiding a rewrite from them would.
   */
  MISSING_CHECKPOINT,
  /** Records a signed checkpoint (or the anchor) vouches for were cut off the end of the log. */
  TRUNCATED,
  /**
   * The chain is consistent but differs from what a signed checkpoint vouches for: records were
   * rewritten and re-hashed by someone without the signing key.
   */
  REWRITTEN
}
