package io.hyperlens.audit.witness;

import java.util.OptionalLong;

/**
 * A witness's refusal, with the reason C2SP {@code tlog-witness} gives it as an HTTP status, or a
 * witness that could not be reached.
 */
public final class WitnessException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    /** The witness knows no log with the checkpoint's origin (404). */
    UNKNOWN_LOG(404),
    /** The checkpoint is not signed by the key the witness holds for the log (403). */
    UNTRUSTED(403),
    /** The request is malformed, e.g. the old size is past the checkpoint's (400). */
    BAD_REQUEST(400),
    /** The old size is not the one the witness holds, or the same size has another root (409). */
    CONFLICT(409),
    /** The consistency proof does not verify (422). */
    INCONSISTENT(422),
    /** The witness could not be reached or could not keep the checkpoint (503). */
    UNAVAILABLE(503);

    private final int status;

    Reason(int status) {
      this.status = status;
    }

    /** The HTTP status the protocol answers with. */
    public int status() {
      return status;
    }
  }

  private final Reason reason;
  private final long witnessSize;

  /** A refusal; {@code witnessSize} is the size the witness holds for a conflict, or -1. */
  public WitnessException(Reason reason, long witnessSize, String message) {
    super(message);
    this.reason = reason;
    this.witnessSize = witnessSize;
  }

  /** A witness that failed. */
  public WitnessException(String message, Throwable cause) {
    super(message, cause);
    this.reason = Reason.UNAVAILABLE;
    this.witnessSize = -1;
  }

  /** Why. */
  public Reason reason() {
    return reason;
  }

  /** For a {@link Reason#CONFLICT}: the size of the checkpoint the witness holds. */
  public OptionalLong witnessSize() {
    return witnessSize < 0 ? OptionalLong.empty() : OptionalLong.of(witnessSize);
  }
}
