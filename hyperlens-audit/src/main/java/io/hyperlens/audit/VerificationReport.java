package io.hyperlens.audit;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.Rfc6962;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link AuditVerifier} found. The {@link #verdict()} is one of four:
 *
 * <ul>
 *   <li>{@link Verdict#VERIFIED}: the log is intact, every record is signed by a checkpoint (or a
 *       witness's), and its keys hang from a key the verifier's {@link TrustAnchor} trusts;
 *   <li>{@link Verdict#TAMPERED}: something is wrong, and {@link #failure()} names the first thing,
 *       its kind and sequence;
 *   <li>{@link Verdict#UNANCHORED}: the log is intact as far as it goes, but nothing the verifier
 *       trusts names its key, so anyone could have written and signed it. Never read this as
 *       verified: pin the key ({@link #fingerprints()}) and verify again;
 *   <li>{@link Verdict#UNSIGNED}: intact and anchored through {@link #signedThrough()}, but the
 *       records after it carry no signature yet (the writer is still running, or stopped without
 *       closing the log), so nothing proves they are as written. Records a report rests on end at
 *       {@link #verifiedThrough()}.
 * </ul>
 *
 * <p>Beside the verdict: how many records and checkpoints were checked, the last sound checkpoint
 * and the tree size and root it rests on, the log's origin and key chain, what the anchor said, how
 * far a witness vouched, and a torn last line left by a crash (reported, not tampering).
 *
 * <p>Immutable and thread-safe.
 */
public final class VerificationReport {
  /** The outcome. */
  public enum Verdict {
    /** Intact, and anchored in a key the verifier trusts. */
    VERIFIED,
    /** Something was edited, cut, inserted, re-signed or replaced. */
    TAMPERED,
    /** Intact as far as it goes, but signed by a key nothing trusted vouches for. */
    UNANCHORED,
    /** Intact and anchored, but records after the last signature are signed by nothing yet. */
    UNSIGNED
  }

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
  private final String origin;
  private final List<NoteKey> keys;
  private final TrustAnchor.Check anchorCheck;
  private final String anchor;
  private final byte[] root;
  private final long witnessedSize;
  private final String witness;
  private final long signedThrough;

  VerificationReport(
      Failure failure,
      long recordsVerified,
      long checkpointsVerified,
      Checkpoint lastCheckpoint,
      long lastSequence,
      StoredEntry.Damaged tornTail,
      String origin,
      List<NoteKey> keys,
      TrustAnchor.Check anchorCheck,
      String anchor,
      byte[] root,
      long witnessedSize,
      String witness,
      long signedThrough) {
    this.failure = failure;
    this.recordsVerified = recordsVerified;
    this.checkpointsVerified = checkpointsVerified;
    this.lastCheckpoint = lastCheckpoint;
    this.lastSequence = lastSequence;
    this.tornTail = tornTail;
    this.origin = origin;
    this.keys = List.copyOf(keys);
    this.anchorCheck = anchorCheck;
    this.anchor = anchor;
    this.root = root.clone();
    this.witnessedSize = witnessedSize;
    this.witness = witness;
    this.signedThrough = signedThrough;
  }

  /** Verified, tampered, unanchored or unsigned. */
  public Verdict verdict() {
    if (failure != null) {
      return Verdict.TAMPERED;
    }
    if (anchorCheck.status() != TrustAnchor.Status.TRUSTED) {
      return Verdict.UNANCHORED;
    }
    return unsealedRecords() > 0 ? Verdict.UNSIGNED : Verdict.VERIFIED;
  }

  /** Whether the log was {@link Verdict#VERIFIED}: intact, signed throughout and anchored. */
  public boolean ok() {
    return verdict() == Verdict.VERIFIED;
  }

  /** Whether no tampering was found, anchored or not (a torn tail alone still counts as intact). */
  public boolean intact() {
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

  /** Checkpoints whose signature and root were checked and found sound. */
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
   * The records a report may rest on: 1 to this. The records a sound signature covers, and of
   * those, when the log did not verify, only what comes before the first failure.
   */
  public long verifiedThrough() {
    return failure == null
        ? signedThrough
        : Math.max(0, Math.min(signedThrough, failure.sequence() - 1));
  }

  /**
   * The largest tree size a sound signature vouches for: a checkpoint of the log's, or one a
   * witness (or the live log, in {@link AuditLog#verify()}) holds.
   */
  public long signedThrough() {
    return signedThrough;
  }

  /**
   * Sound records after {@link #signedThrough()}: intact as a chain, but no signature vouches for
   * them yet, so they could have been rewritten, or cut off, without a trace.
   */
  public long unsealedRecords() {
    return Math.max(0, lastSequence - signedThrough);
  }

  /** An unfinished last line left by a process that died mid-write, if there is one. */
  public Optional<StoredEntry.Damaged> tornTail() {
    return Optional.ofNullable(tornTail);
  }

  /** The log's origin, from its genesis checkpoint; empty when it has none. */
  public Optional<String> origin() {
    return Optional.ofNullable(origin);
  }

  /** The log's keys, first (named by the genesis) to current, as far as they were verified. */
  public List<NoteKey> keys() {
    return keys;
  }

  /** The fingerprints of {@link #keys()}, {@code SHA256:<hex>}. */
  public List<String> fingerprints() {
    List<String> out = new ArrayList<>(keys.size());
    for (NoteKey key : keys) {
      out.add(AuditKeys.fingerprint(key.publicKey()));
    }
    return out;
  }

  /** What the anchor said of the log's keys. */
  public TrustAnchor.Check anchorCheck() {
    return anchorCheck;
  }

  /** The anchor verification used, for a person. */
  public String anchor() {
    return anchor;
  }

  /** The tree size of the sound records, {@link #lastSequence()}. */
  public long treeSize() {
    return lastSequence;
  }

  /** The RFC 6962 root of the sound records (a copy). */
  public byte[] root() {
    return root.clone();
  }

  /** {@link #root()} in base64. */
  public String rootBase64() {
    return Rfc6962.base64(root);
  }

  /** The largest size a witness held a matching checkpoint for, 0 when none. */
  public long witnessedSize() {
    return witnessedSize;
  }

  /** The witness consulted, for a person, or empty when none was. */
  public Optional<String> witness() {
    return Optional.ofNullable(witness);
  }

  /** One paragraph for a person. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    switch (verdict()) {
      case VERIFIED:
        out.append("verified: ").append(count(recordsVerified, "record"));
        break;
      case UNANCHORED:
        out.append("UNANCHORED: ").append(count(recordsVerified, "record")).append(" intact");
        break;
      case UNSIGNED:
        out.append("UNSIGNED: ")
            .append(unsealedRecords() == 1 ? "record " : "records ")
            .append(signedThrough + 1)
            .append(unsealedRecords() == 1 ? "" : " to " + lastSequence)
            .append(unsealedRecords() == 1 ? " is" : " are")
            .append(" signed by no checkpoint, so nothing proves ")
            .append(unsealedRecords() == 1 ? "it is" : "they are")
            .append(" as written (the writer is still running, stopped without closing the log,")
            .append(" or the checkpoints after them were deleted); ")
            .append(
                signedThrough == 0
                    ? "no record is signed yet"
                    : (signedThrough == 1 ? "record 1" : "records 1 to " + signedThrough)
                        + " verified");
        break;
      default:
        if (failure.kind() == TamperKind.UNTRUSTED_KEY) {
          out.append("FAILED: UNTRUSTED_KEY: ")
              .append(failure.detail())
              .append("; its ")
              .append(count(lastSequence, "record"))
              .append(" and ")
              .append(count(checkpointsVerified, "checkpoint"))
              .append(" hold together, but are signed by keys you do not trust");
          appendKeys(out);
          return out.toString();
        }
        out.append("FAILED: ").append(failure).append("; ");
        out.append(count(recordsVerified, "record")).append(" verified before it");
        break;
    }
    if (lastCheckpoint == null) {
      out.append(", no signed checkpoint");
    } else {
      out.append(", ")
          .append(count(checkpointsVerified, "signed checkpoint"))
          .append(", the last at sequence ")
          .append(lastCheckpoint.sequence());
    }
    if (failure == null && unsealedRecords() > 0 && verdict() != Verdict.UNSIGNED) {
      out.append("; ").append(count(unsealedRecords(), "record")).append(" not yet signed");
    }
    appendKeys(out);
    if (verdict() == Verdict.UNANCHORED) {
      out.append("; but no key you trust vouches for them (")
          .append(anchorCheck.detail())
          .append(')');
    } else if (failure == null) {
      out.append("; ").append(anchorCheck.detail());
    }
    if (witness != null && failure == null) {
      out.append("; ")
          .append(witness)
          .append(
              witnessedSize > 0 ? " vouches up to sequence " + witnessedSize : " holds nothing");
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

  private void appendKeys(StringBuilder out) {
    if (origin != null) {
      out.append("; log ").append(origin).append(", key ");
      List<String> fingerprints = fingerprints();
      out.append(fingerprints.get(fingerprints.size() - 1));
      if (fingerprints.size() > 1) {
        out.append(" (rotated from ").append(fingerprints.get(0)).append(')');
      }
    }
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  @Override
  public String toString() {
    return summary();
  }
}
