package io.hyperlens.audit;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.keys.TrustedKeys;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Checks an audit log end to end with nothing but public keys: every record's hash against its
 * content, every link ({@code prev_hash}) against the record before, sequences 1, 2, 3, ... in
 * order, and every checkpoint's Ed25519 signature and the hash it vouches for. It stops at the
 * first failure and names its kind and sequence:
 *
 * <ul>
 *   <li>{@link TamperKind#MODIFIED}: a record's content no longer hashes to its {@code hash} (that
 *       record), or a record was replaced by one with a fresh hash (the replaced record: the next
 *       one still links to the original); an unreadable line in the middle (the sequence it
 *       replaces).
 *   <li>{@link TamperKind#DELETED}: sequences missing from the middle (the first missing one).
 *   <li>{@link TamperKind#INSERTED}: a second record claims an existing sequence (that sequence).
 *   <li>{@link TamperKind#REORDERED}: a record stands where an earlier one belongs, and the earlier
 *       one appears later (the first sequence out of place).
 *   <li>{@link TamperKind#BAD_SIGNATURE}: a checkpoint whose signature fails or whose key is not
 *       trusted (the checkpoint's sequence).
 *   <li>{@link TamperKind#REWRITTEN}: records re-hashed into a consistent chain that a signed
 *       checkpoint contradicts (the first sequence after the last checkpoint that still holds).
 *   <li>{@link TamperKind#MISSING_CHECKPOINT}: no signed checkpoint opens the log, or records run
 *       past the sequence by which the last checkpoint promised the next (the first sequence no
 *       checkpoint vouches for).
 *   <li>{@link TamperKind#TRUNCATED}: the log ends before a checkpoint or the anchor says it should
 *       (the first missing sequence).
 * </ul>
 *
 * <p>Records after the last checkpoint are intact as a chain but not yet signed; cutting them off
 * is only detectable against an <em>anchor</em>, a checkpoint kept where the log's writer cannot
 * change it. {@link AuditLog#verify()} uses the live log's own head as the anchor. A torn last line
 * (a process killed mid-write) is reported, not counted as tampering.
 *
 * <pre>{@code
 * try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(Path.of("audit.jsonl"))) {
 *   VerificationReport report =
 *       AuditVerifier.verify(store, TrustedKeys.load(Path.of("audit-key.pem.pub")));
 *   System.out.println(report.summary());
 * }
 * }</pre>
 *
 * <p>Thread-safe: stateless; memory stays constant however long the log.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /** Verifies {@code store} against {@code keys}, without an anchor. */
  public static VerificationReport verify(AuditStore store, TrustedKeys keys) {
    return verify(store, keys, null);
  }

  /**
   * Verifies {@code store} against {@code keys}; with an {@code anchor} (a checkpoint kept
   * elsewhere), the log must also reach it and agree with it.
   */
  public static VerificationReport verify(AuditStore store, TrustedKeys keys, Checkpoint anchor) {
    if (store == null || keys == null) {
      throw new IllegalArgumentException("store and keys must not be null");
    }
    try (Stream<StoredEntry> entries = store.entries()) {
      return verify(entries.iterator(), keys, anchor);
    }
  }

  /** Verifies entries in stored order; see the class comment. */
  public static VerificationReport verify(
      Iterator<StoredEntry> entries, TrustedKeys keys, Checkpoint anchor) {
    return new Walk(entries, keys, anchor).run();
  }

  /** One pass over a log. */
  private static final class Walk {
    private final Iterator<StoredEntry> entries;
    private final TrustedKeys keys;
    private final Checkpoint anchor;

    private long lastSequence;
    private long dueBy;
    private String lastHash = AuditRecord.GENESIS_HASH;
    private long lastPosition;
    private long records;
    private long checkpoints;
    private Checkpoint lastCheckpoint;
    private StoredEntry.Damaged tornTail;

    Walk(Iterator<StoredEntry> entries, TrustedKeys keys, Checkpoint anchor) {
      this.entries = entries;
      this.keys = keys;
      this.anchor = anchor;
    }

    VerificationReport run() {
      if (anchor != null && !keys.verifies(anchor)) {
        return fail(
            TamperKind.BAD_SIGNATURE,
            anchor.sequence(),
            0,
            "the anchor checkpoint's signature by " + anchor.keyId() + " does not verify");
      }
      while (entries.hasNext()) {
        StoredEntry entry = entries.next();
        Failure failure;
        if (tornTail != null) {
          failure = damaged(tornTail);
        } else if (entry instanceof StoredEntry.StoredRecord) {
          failure = record((StoredEntry.StoredRecord) entry);
        } else if (entry instanceof StoredEntry.StoredCheckpoint) {
          failure = checkpoint((StoredEntry.StoredCheckpoint) entry);
        } else {
          StoredEntry.Damaged d = (StoredEntry.Damaged) entry;
          if (d.tornTail()) {
            tornTail = d;
            failure = null;
          } else {
            failure = damaged(d);
          }
        }
        if (failure != null) {
          return report(failure);
        }
      }
      if (anchor != null && lastSequence < anchor.sequence()) {
        return fail(
            TamperKind.TRUNCATED,
            lastSequence + 1,
            lastPosition + 1,
            "the log ends at sequence "
                + lastSequence
                + " but the anchor checkpoint vouches for "
                + anchor.sequence());
      }
      return report(null);
    }

    private Failure record(StoredEntry.StoredRecord stored) {
      AuditRecord record = stored.record();
      long expected = lastSequence + 1;
      long sequence = record.sequence();
      if (!AuditJson.hash(record).equals(record.hash())) {
        // A bad hash on a sequence already passed, or on one whose record still follows, is a
        // record slipped in. Otherwise the record standing here was edited (the sequence field
        // is content too).
        if (sequence < expected || (sequence == expected && recordFollows(sequence))) {
          return failure(
              TamperKind.INSERTED,
              sequence,
              stored.position(),
              "a record that was never appended claims sequence " + sequence);
        }
        return failure(
            TamperKind.MODIFIED,
            expected,
            stored.position(),
            "the record at sequence " + expected + " no longer matches its hash");
      }
      if (sequence > expected) {
        if (recordFollows(expected)) {
          return failure(
              TamperKind.REORDERED,
              expected,
              stored.position(),
              "record "
                  + sequence
                  + " stands where "
                  + expected
                  + " belongs; "
                  + expected
                  + " comes later");
        }
        return failure(
            TamperKind.DELETED,
            expected,
            stored.position(),
            (sequence - expected == 1
                    ? "record " + expected + " is missing"
                    : "records " + expected + " to " + (sequence - 1) + " are missing")
                + " before record "
                + sequence);
      }
      if (sequence < expected) {
        return failure(
            TamperKind.INSERTED,
            sequence,
            stored.position(),
            "a second record claims sequence " + sequence);
      }
      if (!record.prevHash().equals(lastHash)) {
        if (sequence == 1) {
          return failure(
              TamperKind.MODIFIED,
              1,
              stored.position(),
              "the first record does not start from the genesis hash");
        }
        return failure(
            TamperKind.MODIFIED,
            sequence - 1,
            lastPosition,
            "record "
                + (sequence - 1)
                + " was replaced: record "
                + sequence
                + " links to a different hash");
      }
      if (sequence > dueBy) {
        long firstUnvouched = lastCheckpoint == null ? 1 : lastCheckpoint.sequence() + 1;
        long moved = checkpointFollows(firstUnvouched - 1, dueBy);
        if (moved >= 0) {
          return failure(
              TamperKind.REORDERED,
              moved + 1,
              stored.position(),
              "the checkpoint for " + moved + " stands after record " + sequence);
        }
        return failure(
            TamperKind.MISSING_CHECKPOINT,
            firstUnvouched,
            stored.position(),
            lastCheckpoint == null
                ? "no signed checkpoint opens the log"
                : "record "
                    + sequence
                    + " runs past sequence "
                    + dueBy
                    + ", by which the checkpoint at "
                    + lastCheckpoint.sequence()
                    + " promised the next; records from "
                    + firstUnvouched
                    + " on are vouched for by nothing");
      }
      lastSequence = sequence;
      lastHash = record.hash();
      lastPosition = stored.position();
      records++;
      if (anchor != null && sequence == anchor.sequence() && !anchor.hash().equals(lastHash)) {
        return rewritten(anchor, stored.position(), "the anchor checkpoint");
      }
      return null;
    }

    private Failure checkpoint(StoredEntry.StoredCheckpoint stored) {
      Checkpoint c = stored.checkpoint();
      if (!keys.verifies(c)) {
        return failure(
            TamperKind.BAD_SIGNATURE,
            c.sequence(),
            stored.position(),
            keys.find(c.keyId()).isEmpty()
                ? "the checkpoint is signed by " + c.keyId() + ", which is not a trusted key"
                : "the checkpoint's signature by " + c.keyId() + " does not verify");
      }
      if (c.sequence() > lastSequence) {
        long missing = lastSequence + 1;
        if (!entries.hasNext()) {
          return failure(
              TamperKind.TRUNCATED,
              missing,
              stored.position(),
              "a checkpoint vouches for records up to "
                  + c.sequence()
                  + " but the log ends at "
                  + lastSequence);
        }
        if (recordFollows(missing)) {
          return failure(
              TamperKind.REORDERED,
              missing,
              stored.position(),
              "the checkpoint for " + c.sequence() + " stands before record " + missing);
        }
        return failure(
            TamperKind.DELETED,
            missing,
            stored.position(),
            "records " + missing + " to " + c.sequence() + " are missing before their checkpoint");
      }
      if (c.sequence() < lastSequence) {
        return failure(
            TamperKind.REORDERED,
            c.sequence() + 1,
            stored.position(),
            "the checkpoint for " + c.sequence() + " stands after record " + lastSequence);
      }
      if (!c.hash().equals(lastHash)) {
        return rewritten(c, stored.position(), "the checkpoint");
      }
      checkpoints++;
      lastCheckpoint = c;
      dueBy = c.nextBy();
      return null;
    }

    private Failure rewritten(Checkpoint c, long position, String which) {
      long firstUnvouched = lastCheckpoint == null ? 1 : lastCheckpoint.sequence() + 1;
      records = firstUnvouched - 1; // what came after the last sound checkpoint is not verified
      return failure(
          TamperKind.REWRITTEN,
          firstUnvouched,
          position,
          "records "
              + firstUnvouched
              + " to "
              + c.sequence()
              + " were rewritten: they no longer hash to what "
              + which
              + " signed by "
              + c.keyId()
              + " at "
              + AuditJson.formatTimestamp(c.timestamp())
              + " vouches for");
    }

    private Failure damaged(StoredEntry.Damaged d) {
      return failure(
          TamperKind.MODIFIED,
          lastSequence + 1,
          d.position(),
          "entry " + d.position() + " is not a readable record or checkpoint: " + d.problem());
    }

    /**
     * Reads on (the walk is over) for a checkpoint covering {@code from..to}; its sequence, or -1.
     */
    private long checkpointFollows(long from, long to) {
      while (entries.hasNext()) {
        StoredEntry next = entries.next();
        if (next instanceof StoredEntry.StoredCheckpoint) {
          long s = ((StoredEntry.StoredCheckpoint) next).checkpoint().sequence();
          if (s >= from && s <= to) {
            return s;
          }
        }
      }
      return -1;
    }

    /** Reads on (the walk is over) to see whether a record with {@code sequence} comes later. */
    private boolean recordFollows(long sequence) {
      while (entries.hasNext()) {
        StoredEntry next = entries.next();
        if (next instanceof StoredEntry.StoredRecord
            && ((StoredEntry.StoredRecord) next).record().sequence() == sequence) {
          return true;
        }
      }
      return false;
    }

    private Failure failure(TamperKind kind, long sequence, long position, String detail) {
      return new Failure(kind, sequence, position, detail);
    }

    private VerificationReport fail(TamperKind kind, long sequence, long position, String detail) {
      return report(failure(kind, sequence, position, detail));
    }

    private VerificationReport report(Failure failure) {
      return new VerificationReport(
          failure, records, checkpoints, lastCheckpoint, lastSequence, tornTail);
    }
  }
}
