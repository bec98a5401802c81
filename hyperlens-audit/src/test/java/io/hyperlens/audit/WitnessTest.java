package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.checkpoint;
import static io.hyperlens.audit.Fixtures.lines;
import static io.hyperlens.audit.Fixtures.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.MerkleTree;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.witness.DirectoryWitness;
import io.hyperlens.audit.witness.WitnessException;
import io.hyperlens.event.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A witness keeps the largest checkpoint and refuses any that does not extend it. */
class WitnessTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();
  private static final TrustAnchor ANCHOR = TrustAnchor.key(SIGNER.publicKey());

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("audit.jsonl");
  }

  private DirectoryWitness witness() {
    return DirectoryWitness.open(dir.resolve("witness"));
  }

  /** A log of {@code records} written with the witness attached, a checkpoint every 10. */
  private AuditLog writeWitnessed(int records, DirectoryWitness witness) {
    TestClock clock = new TestClock(Fixtures.START);
    AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file()))
            .signer(SIGNER)
            .checkpointEvery(10)
            .clock(clock)
            .witness(witness)
            .build();
    for (int i = 1; i <= records; i++) {
      log.append(Fixtures.entry(i));
      clock.advance(Duration.ofSeconds(1));
    }
    return log;
  }

  private static List<Long> sizes(DirectoryWitness witness, String origin) throws Exception {
    return witness.checkpoints(origin).stream()
        .map(n -> Checkpoint.of(n, null).sequence())
        .toList();
  }

  @Test
  void aWitnessedLogSendsEveryCheckpointWithItsProof() throws Exception {
    DirectoryWitness witness = witness();
    String origin;
    try (AuditLog log = writeWitnessed(25, witness)) {
      origin = log.origin();
      assertThat(log.witnessedSize()).isEqualTo(20);
      assertThat(log.witnessFailures()).isZero();
    }
    assertThat(sizes(witness, origin)).containsExactly(0L, 10L, 20L, 25L);
    VerificationReport report = verify(file(), ANCHOR, witness);
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.witnessedSize()).isEqualTo(25);
    assertThat(report.summary())
        .contains("witness " + dir.resolve("witness") + " vouches up to sequence 25");
  }

  @Test
  void aRewriteByTheKeyHolderIsCaughtAfterTheLastWitnessedCheckpointThatHolds() throws Exception {
    DirectoryWitness witness = witness();
    writeWitnessed(45, witness).close();
    // Whoever holds the key rewrites record 25 and re-signs every checkpoint: consistent alone.
    Fixtures.rehashFrom(file(), 25, SIGNER);
    assertThat(verify(file(), ANCHOR).ok()).isTrue();
    VerificationReport report = verify(file(), ANCHOR, witness);
    Failure failure = report.failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.REWRITTEN);
    assertThat(failure.sequence()).isEqualTo(21);
    assertThat(failure.detail()).startsWith("records 21 to 30 no longer hash to the root witness");
    assertThat(report.verifiedThrough()).isEqualTo(20);
  }

  @Test
  void aLogReplacedUnderTheSameOriginIsCaughtByTheWitness() throws Exception {
    DirectoryWitness witness = witness();
    writeWitnessed(15, witness).close();
    Fixtures.rehashFrom(file(), 1, AuditSigner.generate());
    Failure failure = verify(file(), TrustAnchor.none(), witness).failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.REWRITTEN);
    assertThat(failure.sequence()).isEqualTo(1);
    assertThat(failure.detail()).contains("none of the log's keys signed");
  }

  @Test
  void theWitnessRefusesACheckpointThatDoesNotExtendTheOneItHolds() throws Exception {
    DirectoryWitness witness = witness();
    String origin;
    try (AuditLog log = writeWitnessed(20, witness)) {
      origin = log.origin();
    }
    // The key holder signs a checkpoint for a different history of 30 records.
    MerkleTree other = new MerkleTree();
    for (int i = 0; i < 30; i++) {
      other.append(io.hyperlens.audit.tlog.Rfc6962.leafHash(new byte[] {(byte) i}));
    }
    CompactRange range = new CompactRange();
    for (int i = 0; i < 30; i++) {
      range.append(other.leafHash(i));
    }
    SignedNote forked = Fixtures.sign(origin, range, 40, Fixtures.START, null, SIGNER).note();
    assertThatThrownBy(() -> witness.addCheckpoint(20, other.consistencyProof(20, 30), forked))
        .isInstanceOfSatisfying(
            WitnessException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(WitnessException.Reason.INCONSISTENT);
              assertThat(e.reason().status()).isEqualTo(422);
            });
    assertThatThrownBy(() -> witness.addCheckpoint(10, other.consistencyProof(10, 30), forked))
        .isInstanceOfSatisfying(
            WitnessException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(WitnessException.Reason.CONFLICT);
              assertThat(e.witnessSize()).hasValue(20);
            });
    SignedNote unsigned =
        Fixtures.sign(origin, range, 40, Fixtures.START, null, AuditSigner.generate()).note();
    assertThatThrownBy(() -> witness.addCheckpoint(20, List.of(), unsigned))
        .isInstanceOfSatisfying(
            WitnessException.class,
            e -> assertThat(e.reason()).isEqualTo(WitnessException.Reason.UNTRUSTED));
    CompactRange sameSize = new CompactRange();
    for (int i = 0; i < 20; i++) {
      sameSize.append(other.leafHash(i));
    }
    SignedNote otherRoot = Fixtures.sign(origin, sameSize, 30, Fixtures.START, null, SIGNER).note();
    assertThatThrownBy(() -> witness.addCheckpoint(20, List.of(), otherRoot))
        .isInstanceOfSatisfying(
            WitnessException.class,
            e -> assertThat(e.reason()).isEqualTo(WitnessException.Reason.CONFLICT));
    assertThatThrownBy(() -> witness.addCheckpoint(31, List.of(), forked))
        .isInstanceOfSatisfying(
            WitnessException.class,
            e -> assertThat(e.reason()).isEqualTo(WitnessException.Reason.BAD_REQUEST));
    assertThat(sizes(witness, origin)).containsExactly(0L, 10L, 20L); // nothing taken
  }

  @Test
  void anUnknownLogMustStartWithItsGenesis() throws Exception {
    Fixtures.writeLog(file(), SIGNER, 12, 5);
    List<String> lines = lines(file());
    Checkpoint last = checkpoint(lines.get(lines.size() - 1));
    DirectoryWitness witness = witness();
    assertThatThrownBy(() -> witness.addCheckpoint(0, List.of(), last.note()))
        .isInstanceOfSatisfying(
            WitnessException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(WitnessException.Reason.UNKNOWN_LOG);
              assertThat(e).hasMessageContaining("send its genesis checkpoint first");
            });
    DirectoryWitness closed = DirectoryWitness.open(dir.resolve("closed"), false);
    assertThatThrownBy(() -> closed.addCheckpoint(0, List.of(), checkpoint(lines.get(0)).note()))
        .isInstanceOfSatisfying(
            WitnessException.class,
            e -> assertThat(e.reason()).isEqualTo(WitnessException.Reason.UNKNOWN_LOG));
    closed.register(SIGNER.noteKey(last.origin()));
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
      assertThat(AuditProofs.witness(store, closed)).isEqualTo(12);
      assertThat(AuditProofs.witness(store, closed)).isEqualTo(12); // nothing new: nothing sent
    }
    assertThat(sizes(closed, last.origin())).containsExactly(0L, 12L);
  }

  @Test
  void aReopenedLogCatchesALaggingWitnessUpFromItsStore() throws Exception {
    writeWitnessed(25, witness()).close(); // the witness holds 25
    DirectoryWitness fresh = DirectoryWitness.open(dir.resolve("fresh"));
    String origin;
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file()))
            .signer(SIGNER)
            .checkpointEvery(10)
            .witness(fresh)
            .build()) {
      origin = log.origin();
      for (int i = 26; i <= 40; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.witnessFailures()).isZero();
      assertThat(log.witnessedSize()).isEqualTo(35);
    }
    assertThat(sizes(fresh, origin)).containsExactly(0L, 35L, 40L);
    assertThat(verify(file(), ANCHOR, fresh).ok()).isTrue();
  }

  @Test
  void theWitnessFollowsAKeyRotation() throws Exception {
    DirectoryWitness witness = witness();
    AuditSigner next = AuditSigner.generate();
    String origin;
    try (AuditLog log = writeWitnessed(12, witness)) {
      origin = log.origin();
      log.rotateKey(next);
      for (int i = 0; i < 10; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.witnessFailures()).isZero();
    }
    assertThat(sizes(witness, origin)).containsExactly(0L, 10L, 12L, 12L, 22L);
    assertThat(verify(file(), ANCHOR, witness).ok()).isTrue();
  }

  @Test
  void aWitnessThatCannotBeReachedIsCountedAndNeverFailsAnAppend() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("not-a-dir"), "x");
    io.hyperlens.audit.witness.Witness broken =
        new io.hyperlens.audit.witness.Witness() {
          @Override
          public void addCheckpoint(long oldSize, List<byte[]> proof, SignedNote note)
              throws WitnessException {
            throw new WitnessException("down", new java.io.IOException("connection refused"));
          }

          @Override
          public List<SignedNote> checkpoints(String origin) {
            return List.of();
          }

          @Override
          public String description() {
            return "a broken witness";
          }
        };
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file()))
            .signer(SIGNER)
            .checkpointEvery(5)
            .witness(broken)
            .build()) {
      for (int i = 1; i <= 12; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.lastSequence()).isEqualTo(12);
      assertThat(log.witnessFailures()).isEqualTo(3); // genesis, 5 and 10
      assertThat(log.witnessedSize()).isEqualTo(-1);
    }
    assertThat(verify(file(), ANCHOR).ok()).isTrue();
  }
}
