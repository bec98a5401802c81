package io.hyperlens.audit;

import java.util.Optional;

/**
 * What {@link AuditVerifier} found: whether the log is intact, and if not, the first failure (its
 * kind, the sequence it concerns and where it sits); how many records and checkpoints were checked;
 * the last valid checkpoint the chain rests on; how many records come after it (intact but not yet
 * signed); and a torn last line left by a crash, which is reported but is not tampering.
 *
 * <p>Immutable and thread-safe.
 */
public final class VerificationReport {
  /**
   * The first thing wrong with a log.
   *
   * @param kind what is wrong
   * @param sequence the first sequence concerned
   * @param position where in the store it was found (line number in a file store)
   * @param detail a sentence for a person
   */
  public record Failure(TamperKind kind, long sequence, long position, String detail) {
    @Override
    public String toString() {
      return kind + " at sequence " + sequence + " (entry " + position + "): " + detail;
    }
  }

  private final Failure failure;
  private final long recordsVerified;
  private final long checkpointsVerified;
  private final Checkpoint lastCheckpoint;
  private final long lastSequence;
  private final StoredEntry.Damaged tornTail;

  VerificationReport(
      Failure failure,
      long recordsVerified,
      long checkpointsVerified,
      Checkpoint lastCheckpoint,
      long lastSequence,
      StoredEntry.Damaged tornTail) {
    this.failure = failure;
    this.recordsVerified = recordsVerified;
    this.checkpointsVerified = checkpointsVerified;
    this.lastCheckpoint = lastCheckpoint;
    this.lastSequence = lastSequence;
    this.tornTail = tornTail;
  }

  /** Whether no tampering was found (a torn tail alone still counts as intact). */
  public boolean ok() {
    return failure == null;
  }

  /** The first failure, if any. */
  public Optional<Failure> failure() {
    return Optional.ofNullable(failure);
  }

  /** Records whose hash and link were checked and found sound (before the failure, if any). */
  public long recordsVerified() {
    return recordsVerified;
  }

  /** Checkpoints whose signature and hash were checked and found sound. */
  public long checkpointsVerified() {
    return checkpointsVerified;
  }

  /** The last sound checkpoint: the signed statement the verified chain rests on. */
  public Optional<Checkpoint> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  /** The sequence of the last sound record, 0 when there is none. */
  public long lastSequence() {
    return lastSequence;
  }

  /**
   * Sound records after the last sound checkpoint: intact as a chain, but no signature vouches for
   * them yet, so cutting them off would go unnoticed without an anchor.
   */
  public long unsealedRecords() {
    return lastSequence - (lastCheckpoint == null ? 0 : lastCheckpoint.sequence());
  }

  /** An unfinished last line left by a process that died mid-write, if there is one. */
  public Optional<StoredEntry.Damaged> tornTail() {
    return Optional.ofNullable(tornTail);
  }

  /** One line for a person. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    if (failure == null) {
      out.append("verified: ").append(count(recordsVerified, "record"));
    } else {
      out.append("FAILED: ").append(failure).append("; ");
      out.append(count(recordsVerified, "record")).append(" verified before it");
    }
    if (lastCheckpoint == null) {
      out.append(", no signed checkpoint");
    } else {
      out.append(", ")
          .append(count(checkpointsVerified, "signed checkpoint"))
          .append(", the last at sequence ")
          .append(lastCheckpoint.sequence())
          .append(" by ")
          .append(lastCheckpoint.keyId());
    }
    if (failure == null && unsealedRecords() > 0) {
      out.append("; ").append(count(unsealedRecords(), "record")).append(" not yet signed");
    }
    if (tornTail != null) {
      out.append("; torn last line at entry ")
          .append(tornTail.position())
          .append(" (")
          .append(tornTail.length())
          .append(" bytes, an unfinished write)");
    }
    return out.toString();
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  @Override
  public String toString() {
    return summary();
  }
}
