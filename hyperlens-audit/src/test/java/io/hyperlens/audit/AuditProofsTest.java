package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.lines;
import static io.hyperlens.audit.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.AuditProofs.ReceiptCheck;
import io.hyperlens.audit.VerificationReport.Verdict;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.MerkleTree;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.tlog.TlogProof;
import io.hyperlens.audit.witness.DirectoryWitness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline receipts for one record, and what spoils them. */
class AuditProofsTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();
  private static final TrustAnchor KEY = TrustAnchor.key(SIGNER.publicKey());

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void write37() {
    file = dir.resolve("audit.jsonl");
    Fixtures.writeLog(file, SIGNER, 37, 10);
  }

  private TlogProof receipt(long sequence) {
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      return AuditProofs.receipt(store, sequence);
    }
  }

  @Test
  void aReceiptProvesItsRecordAgainstTheLastCheckpoint() {
    for (long s : new long[] {1, 2, 19, 36, 37}) {
      TlogProof receipt = receipt(s);
      assertThat(receipt.index()).isEqualTo(s - 1);
      ReceiptCheck check = AuditProofs.verifyReceipt(TlogProof.parse(receipt.format()), null, KEY);
      assertThat(check.verdict()).as(check.detail()).isEqualTo(Verdict.VERIFIED);
      assertThat(check.record().sequence()).isEqualTo(s);
      assertThat(check.checkpoint().sequence()).isEqualTo(37);
      assertThat(check.fingerprint()).isEqualTo(SIGNER.fingerprint());
      assertThat(check.detail())
          .startsWith(
              "record " + s + " is in log " + check.checkpoint().origin() + " of 37 records")
          .endsWith("signed by " + SIGNER.fingerprint() + " (the key given)");
    }
    TlogProof receipt = receipt(5);
    AuditRecord record = AuditProofs.verifyReceipt(receipt, null, KEY).record();
    TlogProof bare = new TlogProof(null, receipt.index(), receipt.proof(), receipt.checkpoint());
    assertThat(AuditProofs.verifyReceipt(bare, record, KEY).verdict()).isEqualTo(Verdict.VERIFIED);
    assertThat(AuditProofs.verifyReceipt(receipt, record, KEY).verdict())
        .isEqualTo(Verdict.VERIFIED);
  }

  @Test
  void whatSpoilsAReceiptIsNamed() throws Exception {
    TlogProof receipt = receipt(12);
    AuditRecord record = AuditProofs.verifyReceipt(receipt, null, KEY).record();
    AuditRecord other = AuditProofs.verifyReceipt(receipt(13), null, KEY).record();
    TlogProof bare = new TlogProof(null, 11, receipt.proof(), receipt.checkpoint());
    assertThat(AuditProofs.verifyReceipt(bare, null, KEY).detail())
        .isEqualTo("the receipt carries no record and none was given");
    assertThat(AuditProofs.verifyReceipt(receipt, other, KEY).detail())
        .isEqualTo("the record given differs from the one the receipt carries");
    assertThat(AuditProofs.verifyReceipt(bare, other, KEY).detail())
        .isEqualTo("the receipt is for index 11 but the record is sequence 13");
    AuditRecord edited =
        new AuditRecord(
            record.id(),
            record.timestamp(),
            record.agentId(),
            record.action(),
            record.resource(),
            record.decision(),
            "edited",
            record.ruleId(),
            record.context(),
            record.sequence(),
            record.prevHash(),
            record.hash());
    ReceiptCheck check = AuditProofs.verifyReceipt(bare, edited, KEY);
    assertThat(check.verdict()).isEqualTo(Verdict.TAMPERED);
    assertThat(check.detail()).isEqualTo("the record no longer matches its hash");
    List<byte[]> proof = new ArrayList<>(receipt.proof());
    proof.set(1, proof.get(0));
    TlogProof wrongPath = new TlogProof(receipt.extra(), 11, proof, receipt.checkpoint());
    assertThat(AuditProofs.verifyReceipt(wrongPath, null, KEY).detail())
        .isEqualTo(
            "the inclusion proof does not lead from record 12 to the root of the checkpoint at 37");
    TlogProof notARecord =
        new TlogProof(
            "{}".getBytes(StandardCharsets.UTF_8), 11, receipt.proof(), receipt.checkpoint());
    assertThat(AuditProofs.verifyReceipt(notARecord, null, KEY).detail())
        .startsWith("the receipt's record is unreadable: ");
    String checkpointLine = lines(file).get(0); // the genesis checkpoint's line
    TlogProof checkpointAsExtra =
        new TlogProof(
            checkpointLine.getBytes(StandardCharsets.UTF_8),
            11,
            receipt.proof(),
            receipt.checkpoint());
    assertThat(AuditProofs.verifyReceipt(checkpointAsExtra, null, KEY).detail())
        .isEqualTo("the receipt's extra data is not a record");
    SignedNote notACheckpoint =
        SignedNote.unsigned("hello\n").with(receipt.checkpoint().signatures().get(0));
    assertThat(
            AuditProofs.verifyReceipt(
                    new TlogProof(null, 11, receipt.proof(), notACheckpoint), record, KEY)
                .detail())
        .startsWith("the receipt's checkpoint is not an audit checkpoint: ");
  }

  @Test
  void aReceiptSignedByAnotherKeyIsUnanchoredAndABadSignatureFails() {
    TlogProof receipt = receipt(3);
    AuditSigner other = AuditSigner.generate();
    ReceiptCheck unanchored =
        AuditProofs.verifyReceipt(receipt, null, TrustAnchor.key(other.publicKey()));
    assertThat(unanchored.verdict()).isEqualTo(Verdict.UNANCHORED);
    assertThat(unanchored.fingerprint()).isNull();
    assertThat(unanchored.detail()).doesNotContain("fingerprint");
    ReceiptCheck byPrint =
        AuditProofs.verifyReceipt(receipt, null, TrustAnchor.fingerprint(SIGNER.fingerprint()));
    assertThat(byPrint.verdict()).isEqualTo(Verdict.UNANCHORED);
    assertThat(byPrint.detail())
        .isEqualTo(
            "the proof holds, but fingerprint "
                + SIGNER.fingerprint()
                + " holds no public key for "
                + unanchored.checkpoint().origin()
                + " to check the checkpoint's signature with: give the log's public key, or pin"
                + " it");
    byte[] sig = receipt.checkpoint().signatures().get(0).signature();
    sig[20] ^= 1;
    SignedNote forged =
        SignedNote.unsigned(receipt.checkpoint().text())
            .with(SIGNER.noteKey(unanchored.checkpoint().origin()).signature(sig));
    ReceiptCheck bad =
        AuditProofs.verifyReceipt(
            new TlogProof(receipt.extra(), 2, receipt.proof(), forged), null, KEY);
    assertThat(bad.verdict()).isEqualTo(Verdict.TAMPERED);
    assertThat(bad.detail())
        .isEqualTo("the checkpoint's signature by " + SIGNER.fingerprint() + " does not verify");
    assertThatThrownBy(() -> AuditProofs.verifyReceipt(null, null, KEY))
        .hasMessage("receipt and anchor must not be null");
    assertThatThrownBy(() -> AuditProofs.verifyReceipt(receipt, null, null))
        .hasMessage("receipt and anchor must not be null");
  }

  @Test
  void receiptsAreRefusedWhereNothingCanBeProved() throws Exception {
    assertThatThrownBy(() -> receipt(0)).hasMessage("sequence must be at least 1, got 0");
    assertThatThrownBy(() -> receipt(38))
        .hasMessage("sequence must be within 1..37 (the log's records), got 38");
    assertThatThrownBy(() -> AuditProofs.receipt(null, 1)).hasMessage("store must not be null");
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(SIGNER)
            .checkpointEvery(10)
            .build()) {
      log.append(Fixtures.entry(1));
      log.append(Fixtures.entry(2));
      try (JsonLinesAuditStore read = JsonLinesAuditStore.openReadOnly(file)) {
        assertThatThrownBy(() -> AuditProofs.receipt(read, 38))
            .hasMessage(
                "record 38 is not yet covered by a checkpoint (the last is at 37); its writer signs one every so many records and when it closes the log");
      }
    }
    // a record edited in place (its hash left as it was) gets no receipt
    List<String> lines = Fixtures.lines(file);
    int at = Fixtures.indexOf(lines, 18);
    String edited = lines.get(at).replace("\"decision\":\"deny\"", "\"decision\":\"allow\"");
    edited = edited.equals(lines.get(at)) ? edited.replace("\"agent-", "\"agent-x") : edited;
    assertThat(edited).isNotEqualTo(lines.get(at));
    List<String> tampered = new java.util.ArrayList<>(lines);
    tampered.set(at, edited);
    Fixtures.write(file, tampered);
    assertThatThrownBy(() -> receipt(18))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "record 18 no longer matches its hash; verify the log before making receipts from it");
    assertThat(receipt(17).index()).isEqualTo(16);
    Fixtures.write(file, lines);
    Fixtures.rehashFrom(file, 20, null);
    assertThatThrownBy(() -> receipt(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the log's records do not match its last checkpoint at 39; verify the log before making"
                + " receipts from it");
    Path empty = dir.resolve("empty.jsonl");
    java.nio.file.Files.writeString(empty, "");
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(empty)) {
      assertThatThrownBy(() -> AuditProofs.receipt(store, 1))
          .hasMessage("the log has no checkpoint to prove anything against");
      assertThatThrownBy(() -> AuditProofs.witness(store, DirectoryWitness.open(dir.resolve("w"))))
          .hasMessage("the log has no genesis checkpoint to witness");
    }
  }

  @Test
  void theTreeOfAStoreNeedsItsRecordsInSequence() throws Exception {
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      MerkleTree tree = AuditProofs.tree(store, 37);
      assertThat(tree.size()).isEqualTo(37);
      assertThat(AuditProofs.tree(store, 10).size()).isEqualTo(10);
      assertThatThrownBy(() -> AuditProofs.tree(store, 38))
          .hasMessage("the audit store holds records 1 to 37 in sequence, not 38");
    }
    List<String> lines = lines(file);
    lines.remove(Fixtures.indexOf(lines, 5));
    write(file, lines);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThatThrownBy(() -> AuditProofs.tree(store, 10))
          .hasMessage("the audit store holds records 1 to 4 in sequence, not 10");
    }
  }

  @Test
  void aWitnessAheadOfTheLogIsReported() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"));
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThat(AuditProofs.witness(store, witness)).isEqualTo(37);
    }
    List<String> lines = lines(file);
    lines.subList(Fixtures.indexOf(lines, 31), lines.size()).clear();
    write(file, lines);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThatThrownBy(() -> AuditProofs.witness(store, witness))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("witness " + dir.resolve("w") + " holds 37 records of ")
          .hasMessageContaining(
              "but the log's last checkpoint is at 30: verify the log against the witness");
      assertThatThrownBy(() -> AuditProofs.witness(null, witness))
          .hasMessage("store and witness must not be null");
      assertThatThrownBy(() -> AuditProofs.witness(store, null))
          .hasMessage("store and witness must not be null");
    }
  }
}
