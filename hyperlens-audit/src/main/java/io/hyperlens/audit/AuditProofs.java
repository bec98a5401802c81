package io.hyperlens.audit;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.tlog.MerkleProofs;
import io.hyperlens.audit.tlog.MerkleTree;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.tlog.TlogProof;
import io.hyperlens.audit.witness.Witness;
import io.hyperlens.audit.witness.WitnessException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Proofs over a stored audit log: offline receipts that one record is in the log (C2SP {@code
 * tlog-proof}, the record carried as its extra data), their verification with nothing but the
 * receipt and a public key, and bringing a {@link Witness} up to date with consistency proofs.
 *
 * <pre>{@code
 * try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(Path.of("audit/audit.jsonl"))) {
 *   TlogProof receipt = AuditProofs.receipt(store, 42);
 *   Files.writeString(Path.of("entry-42.tlog-proof"), receipt.format());
 * }
 * AuditProofs.ReceiptCheck check =
 *     AuditProofs.verifyReceipt(
 *         TlogProof.parse(Files.readString(Path.of("entry-42.tlog-proof"))),
 *         null,
 *         TrustAnchor.keyFile(Path.of("audit.pub")));
 * }</pre>
 *
 * <p>Building a receipt reads the whole store and holds its tree in memory, 64 bytes a record.
 * Thread-safe: stateless.
 */
public final class AuditProofs {
  private AuditProofs() {}

  /**
   * What checking a receipt found.
   *
   * @param verdict verified, invalid or unanchored (no trusted key signed its checkpoint)
   * @param record the record the receipt is for, when it could be read
   * @param checkpoint the checkpoint it leads to, when it could be read
   * @param fingerprint the key that signed the checkpoint, when a trusted one did
   * @param detail one sentence for a person
   */
  public record ReceiptCheck(
      VerificationReport.Verdict verdict,
      AuditRecord record,
      Checkpoint checkpoint,
      String fingerprint,
      String detail) {}

  /**
   * The tree of the first {@code size} records of {@code store}.
   *
   * @throws IllegalStateException if the store holds fewer records in sequence
   */
  public static MerkleTree tree(AuditStore store, long size) {
    MerkleTree tree = new MerkleTree();
    try (Stream<StoredEntry> entries = store.entries()) {
      for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext() && tree.size() < size; ) {
        StoredEntry entry = it.next();
        if (entry instanceof StoredEntry.StoredRecord) {
          AuditRecord record = ((StoredEntry.StoredRecord) entry).record();
          if (record.sequence() == tree.size() + 1) {
            tree.append(HexFormat.of().parseHex(record.hash()));
          }
        }
      }
    }
    if (tree.size() < size) {
      throw new IllegalStateException(
          "the audit store holds records 1 to " + tree.size() + " in sequence, not " + size);
    }
    return tree;
  }

  /**
   * A receipt for the record with {@code sequence}, against the store's last checkpoint.
   *
   * @throws IllegalArgumentException if there is no such record, or no checkpoint covers it yet
   * @throws IllegalStateException if the log does not match its last checkpoint (verify it)
   */
  public static TlogProof receipt(AuditStore store, long sequence) {
    if (store == null) {
      throw new IllegalArgumentException("store must not be null");
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be at least 1, got " + sequence);
    }
    Scan scan = Scan.of(store);
    if (scan.last == null) {
      throw new IllegalArgumentException("the log has no checkpoint to prove anything against");
    }
    if (sequence > scan.records) {
      throw new IllegalArgumentException(
          "sequence must be within 1.." + scan.records + " (the log's records), got " + sequence);
    }
    long size = scan.last.sequence();
    if (sequence > size) {
      throw new IllegalArgumentException(
          "record "
              + sequence
              + " is not yet covered by a checkpoint (the last is at "
              + size
              + "); its writer signs one every so many records and when it closes the log");
    }
    MerkleTree tree = tree(store, size);
    if (!java.util.Arrays.equals(tree.root(), scan.last.root())) {
      throw new IllegalStateException(
          "the log's records do not match its last checkpoint at "
              + size
              + "; verify the log before making receipts from it");
    }
    AuditRecord record = record(store, sequence);
    if (!AuditJson.hash(record).equals(record.hash())) {
      throw new IllegalStateException(
          "record "
              + sequence
              + " no longer matches its hash; verify the log before making receipts from it");
    }
    return new TlogProof(
        AuditJson.toLine(record).getBytes(StandardCharsets.UTF_8),
        sequence - 1,
        tree.inclusionProof(sequence - 1, size),
        scan.last.note());
  }

  /**
   * Checks {@code receipt}: the record (from the receipt's extra data, or {@code record} when
   * given, which must then agree) hashes to its leaf, the inclusion proof leads from that leaf at
   * index {@code sequence - 1} to the checkpoint's root, and the checkpoint is signed by a key
   * {@code anchor} holds for the log. A fingerprint alone cannot check a receipt: give the key.
   */
  public static ReceiptCheck verifyReceipt(
      TlogProof receipt, AuditRecord record, TrustAnchor anchor) {
    if (receipt == null || anchor == null) {
      throw new IllegalArgumentException("receipt and anchor must not be null");
    }
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.of(receipt.checkpoint(), null);
    } catch (IllegalArgumentException e) {
      return invalid(
          null, null, "the receipt's checkpoint is not an audit checkpoint: " + e.getMessage());
    }
    AuditRecord carried = null;
    if (receipt.extra() != null) {
      try {
        Object entry = AuditJson.parseLine(receipt.extraText());
        if (!(entry instanceof AuditRecord)) {
          return invalid(null, checkpoint, "the receipt's extra data is not a record");
        }
        carried = (AuditRecord) entry;
      } catch (IllegalArgumentException e) {
        return invalid(null, checkpoint, "the receipt's record is unreadable: " + e.getMessage());
      }
    }
    if (record != null && carried != null && !record.equals(carried)) {
      return invalid(
          record, checkpoint, "the record given differs from the one the receipt carries");
    }
    AuditRecord r = record != null ? record : carried;
    if (r == null) {
      return invalid(null, checkpoint, "the receipt carries no record and none was given");
    }
    if (!AuditJson.hash(r).equals(r.hash())) {
      return invalid(r, checkpoint, "the record no longer matches its hash");
    }
    if (receipt.index() != r.sequence() - 1) {
      return invalid(
          r,
          checkpoint,
          "the receipt is for index "
              + receipt.index()
              + " but the record is sequence "
              + r.sequence());
    }
    if (!MerkleProofs.verifyInclusion(
        HexFormat.of().parseHex(r.hash()),
        receipt.index(),
        checkpoint.sequence(),
        receipt.proof(),
        checkpoint.root())) {
      return invalid(
          r,
          checkpoint,
          "the inclusion proof does not lead from record "
              + r.sequence()
              + " to the root of the checkpoint at "
              + checkpoint.sequence());
    }
    List<PublicKey> keys = anchor.keysFor(checkpoint.origin());
    for (PublicKey key : keys) {
      NoteKey.Verdict verdict = NoteKey.of(checkpoint.origin(), key).check(receipt.checkpoint());
      if (verdict == NoteKey.Verdict.BAD_SIGNATURE) {
        return invalid(
            r,
            checkpoint,
            "the checkpoint's signature by " + AuditKeys.fingerprint(key) + " does not verify");
      }
      if (verdict == NoteKey.Verdict.VERIFIED) {
        String fingerprint = AuditKeys.fingerprint(key);
        return new ReceiptCheck(
            VerificationReport.Verdict.VERIFIED,
            r,
            checkpoint,
            fingerprint,
            "record "
                + r.sequence()
                + " is in log "
                + checkpoint.origin()
                + " of "
                + checkpoint.sequence()
                + " records (root "
                + checkpoint.rootBase64()
                + "), signed by "
                + fingerprint
                + " ("
                + anchor.description()
                + ")");
      }
    }
    return new ReceiptCheck(
        VerificationReport.Verdict.UNANCHORED,
        r,
        checkpoint,
        null,
        keys.isEmpty()
            ? "the proof holds, but "
                + anchor.description()
                + " holds no public key for "
                + checkpoint.origin()
                + " to check the checkpoint's signature with: give the log's public key, or pin it"
            : "the proof holds, but no key "
                + anchor.description()
                + " holds for "
                + checkpoint.origin()
                + " signed the checkpoint");
  }

  /**
   * Brings {@code witness} up to the log's last checkpoint: a witness new to the log takes its
   * genesis first; then each key rotation it has not seen and the last checkpoint follow, each with
   * a consistency proof from the size before.
   *
   * @return the size the witness now holds
   * @throws WitnessException if the witness refuses a checkpoint
   * @throws IllegalStateException if the witness holds more of the log than the log does
   */
  public static long witness(AuditStore store, Witness witness) throws WitnessException {
    if (store == null || witness == null) {
      throw new IllegalArgumentException("store and witness must not be null");
    }
    Scan scan = Scan.of(store);
    if (scan.genesis == null) {
      throw new IllegalArgumentException("the log has no genesis checkpoint to witness");
    }
    String origin = scan.genesis.origin();
    List<SignedNote> held = witness.checkpoints(origin);
    long size;
    if (held.isEmpty()) {
      witness.addCheckpoint(0, List.of(), scan.genesis.note());
      size = 0;
    } else {
      size = Checkpoint.of(held.get(held.size() - 1), null).sequence();
    }
    if (size > scan.last.sequence()) {
      throw new IllegalStateException(
          witness.description()
              + " holds "
              + size
              + " records of "
              + origin
              + " but the log's last checkpoint is at "
              + scan.last.sequence()
              + ": verify the log against the witness");
    }
    MerkleTree tree = tree(store, scan.last.sequence());
    List<Checkpoint> due = new ArrayList<>();
    for (Checkpoint rotation : scan.rotations) {
      if (rotation.sequence() >= size) {
        due.add(rotation);
      }
    }
    if (due.isEmpty() || !due.get(due.size() - 1).equals(scan.last)) {
      due.add(scan.last);
    }
    for (Checkpoint c : due) {
      if (c.sequence() == size && c.key().isEmpty() && !held.isEmpty()) {
        continue; // the witness holds this size already
      }
      witness.addCheckpoint(size, tree.consistencyProof(size, c.sequence()), c.note());
      size = c.sequence();
    }
    return size;
  }

  private static AuditRecord record(AuditStore store, long sequence) {
    try (Stream<StoredEntry> entries = store.entries()) {
      for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext(); ) {
        StoredEntry entry = it.next();
        if (entry instanceof StoredEntry.StoredRecord
            && ((StoredEntry.StoredRecord) entry).record().sequence() == sequence) {
          return ((StoredEntry.StoredRecord) entry).record();
        }
      }
    }
    throw new IllegalArgumentException("the log holds no record " + sequence);
  }

  private static ReceiptCheck invalid(AuditRecord record, Checkpoint checkpoint, String detail) {
    return new ReceiptCheck(VerificationReport.Verdict.TAMPERED, record, checkpoint, null, detail);
  }

  /** The checkpoints that matter for proofs, and how many records, in one pass. */
  private static final class Scan {
    Checkpoint genesis;
    Checkpoint last;
    final List<Checkpoint> rotations = new ArrayList<>();
    long records;

    static Scan of(AuditStore store) {
      Scan scan = new Scan();
      try (Stream<StoredEntry> entries = store.entries()) {
        for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext(); ) {
          StoredEntry entry = it.next();
          if (entry instanceof StoredEntry.StoredRecord) {
            scan.records =
                Math.max(scan.records, ((StoredEntry.StoredRecord) entry).record().sequence());
          } else if (entry instanceof StoredEntry.StoredCheckpoint) {
            Checkpoint c = ((StoredEntry.StoredCheckpoint) entry).checkpoint();
            if (scan.genesis == null) {
              scan.genesis = c;
            } else if (c.key().isPresent()) {
              scan.rotations.add(c);
            }
            scan.last = c;
          }
        }
      }
      return scan;
    }
  }
}
