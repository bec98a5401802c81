package io.hyperlens.audit;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.witness.Witness;
import io.hyperlens.audit.witness.WitnessException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Checks an audit log end to end with nothing but public keys: every record's hash against its
 * content, every link ({@code prev_hash}) against the record before, sequences 1, 2, 3, ... in
 * order, the Merkle root every checkpoint signs, every checkpoint's signature by the log's current
 * key, and every key rotation. Trust comes from a {@link TrustAnchor} the caller holds, never from
 * the log: without one that names a key of the log's chain, an intact log is {@link
 * VerificationReport.Verdict#UNANCHORED}, not verified. It stops at the first failure and names its
 * kind and sequence:
 *
 * <ul>
 *   <li>{@link TamperKind#MODIFIED}: a record's content no longer hashes to its {@code hash} (that
 *       record), or a record was replaced by one with a fresh hash (the replaced record: the next
 *       one still links to the original); an unreadable line, a non-canonical signature or a
 *       duplicated checkpoint.
 *   <li>{@link TamperKind#DELETED}: sequences missing from the middle (the first missing one).
 *   <li>{@link TamperKind#INSERTED}: a second record claims an existing sequence, or a record
 *       stands between a record and its checkpoint (that sequence).
 *   <li>{@link TamperKind#REORDERED}: a record or checkpoint stands where another belongs.
 *   <li>{@link TamperKind#BAD_SIGNATURE}: a checkpoint not signed by the log's current key, or a
 *       rotation not signed by both keys (the checkpoint's sequence).
 *   <li>{@link TamperKind#UNTRUSTED_KEY}: the anchor pins this log to keys it is not signed by.
 *   <li>{@link TamperKind#REWRITTEN}: records re-hashed into a consistent chain that a signed
 *       checkpoint, or one a witness holds, contradicts (the first sequence after the last
 *       checkpoint that still holds).
 *   <li>{@link TamperKind#MISSING_CHECKPOINT}: no genesis checkpoint opens the log, or records run
 *       past the sequence by which the last checkpoint promised the next.
 *   <li>{@link TamperKind#TRUNCATED}: the log ends before a checkpoint, or a witness, says it
 *       should (the first missing sequence).
 * </ul>
 *
 * <p>Records after the last checkpoint are intact as a chain but signed by nothing: the verdict is
 * then {@link VerificationReport.Verdict#UNSIGNED}, never verified, since whoever can write the
 * file could have rewritten them, or deleted the checkpoints after an earlier one, and re-hashed
 * the chain. A {@link Witness} that saw later checkpoints catches both; {@link AuditLog#verify()}
 * uses the live log's own head the same way. A torn last line (a process killed mid-write) is
 * reported, not counted as tampering.
 *
 * <pre>{@code
 * try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(Path.of("audit/audit.jsonl"))) {
 *   VerificationReport report =
 *       AuditVerifier.verify(store, TrustAnchor.fingerprint("SHA256:5f3a9c01..."));
 *   System.out.println(report.verdict() + ": " + report.summary());
 * }
 * }</pre>
 *
 * <p>Each record's own work (its hash, and for {@link io.hyperlens.audit.store.JsonLinesAuditStore}
 * reading its line) runs ahead in bounded chunks on the common fork-join pool, the calling thread
 * taking part; the chain, the tree and the signatures are checked in stored order on the calling
 * thread, so the verdict, its sequence and its message are those of a one-by-one walk.
 *
 * <p>Thread-safe: stateless; memory stays O(log n) in the records, plus a long per checkpoint and a
 * chunk of entries read ahead (at most {@value HashedEntries#CHUNK}).
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /** Verifies {@code store} against {@code anchor}. */
  public static VerificationReport verify(AuditStore store, TrustAnchor anchor) {
    return verify(store, anchor, null);
  }

  /**
   * Verifies {@code store} against {@code anchor} and the checkpoints {@code witness} holds for the
   * log (null for none): the log must reach each of them and agree with it.
   */
  public static VerificationReport verify(AuditStore store, TrustAnchor anchor, Witness witness) {
    if (store == null || anchor == null) {
      throw new IllegalArgumentException("store and anchor must not be null");
    }
    Function<String, List<Checkpoint>> observed =
        witness == null ? origin -> List.of() : origin -> witnessed(witness, origin);
    try (Stream<StoredEntry> entries = store.entries()) {
      return new Walk(
              entries.iterator(),
              anchor,
              observed,
              store.location(),
              witness == null ? null : witness.description())
          .run();
    }
  }

  /**
   * Verifies entries in stored order against {@code anchor}; {@code observed} gives, for the log's
   * origin, checkpoints kept elsewhere that the log must agree with; see the class comment.
   */
  static VerificationReport verify(
      Iterator<StoredEntry> entries,
      TrustAnchor anchor,
      Function<String, List<Checkpoint>> observed,
      String location,
      String witness) {
    return new Walk(entries, anchor, observed, location, witness).run();
  }

  private static List<Checkpoint> witnessed(Witness witness, String origin) {
    List<SignedNote> notes;
    try {
      notes = witness.checkpoints(origin);
    } catch (WitnessException e) {
      throw new java.io.UncheckedIOException(e.getMessage(), new java.io.IOException(e));
    }
    List<Checkpoint> out = new ArrayList<>(notes.size());
    for (SignedNote note : notes) {
      out.add(Checkpoint.of(note, null));
    }
    out.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
    return out;
  }

  /** A checkpoint kept elsewhere, and the root the log had at its size. */
  private record Pending(Checkpoint observed, byte[] logRoot, long vouchedBefore) {}

  /** One pass over a log. */
  private static final class Walk {
    private final HashedEntries entries;
    private final TrustAnchor anchor;
    private final Function<String, List<Checkpoint>> observedFor;
    private final String location;
    private final String witness;

    private long lastSequence;
    private String lastHash = AuditRecord.GENESIS_HASH;
    private long lastPosition;
    private long records;
    private long checkpoints;
    private long dueBy;
    private Checkpoint lastCheckpoint;
    private StoredEntry.Damaged tornTail;

    private String origin;
    private final List<NoteKey> keys = new ArrayList<>();
    private NoteKey current;
    private final CompactRange tree = new CompactRange();
    private long[] seenSizes = new long[16];
    private int seenCount;

    private List<Checkpoint> observed = List.of();
    private int nextObserved;
    private final List<Pending> pending = new ArrayList<>();

    /** The largest size a sound checkpoint, the log's or a witness's, vouches for. */
    private long vouched;

    private long witnessedSize;
    private TrustAnchor.Check check;

    Walk(
        Iterator<StoredEntry> entries,
        TrustAnchor anchor,
        Function<String, List<Checkpoint>> observedFor,
        String location,
        String witness) {
      this.entries = new HashedEntries(entries);
      this.anchor = anchor;
      this.observedFor = observedFor;
      this.location = location;
      this.witness = witness;
    }

    VerificationReport run() {
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
      Failure failure = resolvePending(true);
      if (failure == null && nextObserved < observed.size()) {
        failure = beyondTheEnd(observed.get(observed.size() - 1));
      }
      if (failure == null && origin == null) {
        failure =
            failure(
                TamperKind.MISSING_CHECKPOINT,
                1,
                lastPosition + 1,
                "the log has no genesis checkpoint naming its key: every audit log opens with one,"
                    + " so this one was emptied or its start cut off");
      }
      if (failure == null && origin != null) {
        check = anchor.check(origin, keys, location);
        if (check.status() == TrustAnchor.Status.MISMATCH) {
          records = 0;
          failure = failure(TamperKind.UNTRUSTED_KEY, 1, 1, check.detail());
        }
      }
      return report(failure);
    }

    private Failure record(StoredEntry.StoredRecord stored) {
      AuditRecord record = stored.record();
      long expected = lastSequence + 1;
      long sequence = record.sequence();
      if (!entries.hashMatches(record)) {
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
        long moved =
            checkpointFollows(lastCheckpoint == null ? -1 : lastCheckpoint.sequence(), dueBy);
        if (moved >= 0 && recordFollowsWithin(moved + 1, sequence)) {
          return failure(
              TamperKind.INSERTED,
              moved + 1,
              stored.position(),
              "record " + (moved + 1) + " stands between record " + moved + " and its checkpoint");
        }
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
                ? "no signed genesis checkpoint opens the log"
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
      tree.append(HexFormat.of().parseHex(lastHash));
      while (nextObserved < observed.size()
          && observed.get(nextObserved).sequence() <= lastSequence) {
        // Witnessed checkpoints come in size order; one at this size is compared once the keys
        // that may have signed it are known (at the next checkpoint, or at the end).
        pending.add(new Pending(observed.get(nextObserved++), tree.root(), vouched));
      }
      return null;
    }

    private Failure checkpoint(StoredEntry.StoredCheckpoint stored) {
      Checkpoint c = stored.checkpoint();
      if (origin == null) {
        return genesis(stored);
      }
      if (!c.origin().equals(origin)) {
        return failure(
            TamperKind.BAD_SIGNATURE,
            c.sequence(),
            stored.position(),
            "a checkpoint of log " + c.origin() + " stands in log " + origin);
      }
      NoteKey.Verdict signed = current.check(c.note());
      if (signed != NoteKey.Verdict.VERIFIED) {
        return failure(
            TamperKind.BAD_SIGNATURE,
            c.sequence(),
            stored.position(),
            signed == NoteKey.Verdict.NOT_SIGNED
                ? "the checkpoint is not signed by the log's key " + fingerprint(current)
                : "the checkpoint's signature by " + fingerprint(current) + " does not verify");
      }
      NoteKey next = c.key().orElse(null);
      if (next != null && next.check(c.note()) != NoteKey.Verdict.VERIFIED) {
        return failure(
            TamperKind.BAD_SIGNATURE,
            c.sequence(),
            stored.position(),
            "the rotation to key " + fingerprint(next) + " is not signed by that key");
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
        if (seen(c.sequence())) {
          return failure(
              TamperKind.MODIFIED,
              c.sequence(),
              stored.position(),
              "entry " + stored.position() + " repeats the checkpoint for " + c.sequence());
        }
        long first = c.sequence() + 1;
        if (!entries.hasNext() || recordFollowsWithin(first, lastSequence)) {
          // A checkpoint always follows the record it covers: records between are slipped in.
          return failure(
              TamperKind.INSERTED,
              first,
              stored.position(),
              (lastSequence == first
                      ? "record " + first + " stands"
                      : "records " + first + " to " + lastSequence + " stand")
                  + " between record "
                  + c.sequence()
                  + " and its checkpoint");
        }
        return failure(
            TamperKind.REORDERED,
            first,
            stored.position(),
            "the checkpoint for " + c.sequence() + " stands after record " + lastSequence);
      }
      if (next == null && lastCheckpoint != null && lastCheckpoint.sequence() == c.sequence()) {
        return failure(
            TamperKind.MODIFIED,
            c.sequence(),
            stored.position(),
            "entry " + stored.position() + " repeats the checkpoint for " + c.sequence());
      }
      if (next != null && next.sameKey(current)) {
        return failure(
            TamperKind.MODIFIED,
            c.sequence(),
            stored.position(),
            "entry "
                + stored.position()
                + (c.sequence() == 0
                    ? " repeats the genesis checkpoint"
                    : " repeats the rotation to " + fingerprint(next)));
      }
      if (!Arrays.equals(c.root(), tree.root())) {
        return rewritten(
            c.sequence(),
            stored.position(),
            "the checkpoint signed at " + AuditJson.formatTimestamp(c.timestamp()));
      }
      if (next != null) {
        keys.add(next);
        current = next;
      }
      Failure failure = resolvePending(false);
      if (failure != null) {
        return failure;
      }
      accept(c);
      return null;
    }

    private Failure genesis(StoredEntry.StoredCheckpoint stored) {
      Checkpoint c = stored.checkpoint();
      NoteKey key = c.key().orElse(null);
      if (c.sequence() != 0 || key == null) {
        return failure(
            TamperKind.MISSING_CHECKPOINT,
            1,
            stored.position(),
            "the log does not open with a genesis checkpoint naming its key");
      }
      if (key.check(c.note()) != NoteKey.Verdict.VERIFIED) {
        return failure(
            TamperKind.BAD_SIGNATURE,
            0,
            stored.position(),
            "the genesis checkpoint is not signed by the key it names, " + fingerprint(key));
      }
      if (!Arrays.equals(c.root(), tree.root())) {
        return failure(
            TamperKind.MODIFIED,
            0,
            stored.position(),
            "the genesis checkpoint's tree is not empty");
      }
      origin = c.origin();
      keys.add(key);
      current = key;
      observed = observedFor.apply(origin);
      while (nextObserved < observed.size() && observed.get(nextObserved).sequence() == 0) {
        pending.add(new Pending(observed.get(nextObserved++), tree.root(), 0));
      }
      accept(c);
      return null;
    }

    private void accept(Checkpoint c) {
      checkpoints++;
      lastCheckpoint = c;
      dueBy = c.nextBy();
      vouched = Math.max(vouched, c.sequence());
      if (seenCount == seenSizes.length) {
        seenSizes = Arrays.copyOf(seenSizes, seenCount * 2);
      }
      seenSizes[seenCount++] = c.sequence();
    }

    /**
     * Compares the witnessed checkpoints reached so far whose signing key the chain now holds; one
     * signed by a key a later rotation brings stays pending, until {@code last}, when a checkpoint
     * none of the log's keys signed means the log was replaced.
     */
    private Failure resolvePending(boolean last) {
      for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
        Pending p = it.next();
        Checkpoint w = p.observed();
        if (!signedByChain(w)) {
          if (!last) {
            continue;
          }
          return failure(
              TamperKind.REWRITTEN,
              1,
              lastPosition,
              witness
                  + " holds a checkpoint for "
                  + w.sequence()
                  + " of this log's origin that none of the log's keys signed: the log was"
                  + " replaced");
        }
        if (!MessageDigest.isEqual(w.root(), p.logRoot())) {
          long first = p.vouchedBefore() + 1;
          records = p.vouchedBefore();
          return failure(
              TamperKind.REWRITTEN,
              first,
              lastPosition,
              "records "
                  + first
                  + " to "
                  + w.sequence()
                  + " no longer hash to the root "
                  + witness
                  + " holds for sequence "
                  + w.sequence()
                  + " (signed "
                  + AuditJson.formatTimestamp(w.timestamp())
                  + ")");
        }
        vouched = Math.max(vouched, w.sequence());
        witnessedSize = Math.max(witnessedSize, w.sequence());
        it.remove();
      }
      return null;
    }

    private Failure beyondTheEnd(Checkpoint w) {
      if (!signedByChain(w)) {
        return failure(
            TamperKind.REWRITTEN,
            1,
            lastPosition,
            witness + " holds a checkpoint for this log's origin that none of its keys signed");
      }
      return failure(
          TamperKind.TRUNCATED,
          lastSequence + 1,
          lastPosition + 1,
          "the log ends at sequence "
              + lastSequence
              + " but "
              + witness
              + " holds a checkpoint for "
              + w.sequence());
    }

    private boolean signedByChain(Checkpoint w) {
      if (!w.origin().equals(origin)) {
        return false;
      }
      for (NoteKey key : keys) {
        if (key.check(w.note()) == NoteKey.Verdict.VERIFIED) {
          return true;
        }
      }
      return false;
    }

    private boolean seen(long size) {
      return Arrays.binarySearch(seenSizes, 0, seenCount, size) >= 0;
    }

    private Failure rewritten(long size, long position, String which) {
      long firstUnvouched = vouched + 1;
      records = vouched; // what came after the last sound checkpoint is not verified
      return failure(
          TamperKind.REWRITTEN,
          firstUnvouched,
          position,
          "records "
              + firstUnvouched
              + " to "
              + size
              + " were rewritten: they no longer hash to the root "
              + which
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
     * Reads on (the walk is over) for a checkpoint after {@code from}, up to {@code to}; its
     * sequence, or -1.
     */
    private long checkpointFollows(long from, long to) {
      while (entries.hasNext()) {
        StoredEntry next = entries.next();
        if (next instanceof StoredEntry.StoredCheckpoint) {
          long s = ((StoredEntry.StoredCheckpoint) next).checkpoint().sequence();
          if (s > from && s <= to) {
            return s;
          }
        }
      }
      return -1;
    }

    /** Reads on (the walk is over) to see whether a record with {@code sequence} comes later. */
    private boolean recordFollows(long sequence) {
      return recordFollowsWithin(sequence, sequence);
    }

    /** Reads on (the walk is over) for a record with a sequence in {@code from..to}. */
    private boolean recordFollowsWithin(long from, long to) {
      while (entries.hasNext()) {
        StoredEntry next = entries.next();
        if (next instanceof StoredEntry.StoredRecord) {
          long s = ((StoredEntry.StoredRecord) next).record().sequence();
          if (s >= from && s <= to) {
            return true;
          }
        }
      }
      return false;
    }

    private Failure failure(TamperKind kind, long sequence, long position, String detail) {
      return new Failure(kind, sequence, position, detail);
    }

    private VerificationReport report(Failure failure) {
      if (check == null) {
        check =
            origin == null
                ? new TrustAnchor.Check(
                    TrustAnchor.Status.UNKNOWN,
                    null,
                    "the log has no genesis checkpoint naming a key")
                : anchor.check(origin, keys, location);
      }
      return new VerificationReport(
          failure,
          records,
          checkpoints,
          lastCheckpoint,
          lastSequence,
          tornTail,
          origin,
          keys,
          check,
          anchor.description(),
          tree.root(),
          witnessedSize,
          witness,
          Math.min(vouched, lastSequence));
    }

    private static String fingerprint(NoteKey key) {
      return AuditKeys.fingerprint(key.publicKey());
    }
  }
}
