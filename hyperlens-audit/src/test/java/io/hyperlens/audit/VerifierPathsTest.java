package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.checkpoint;
import static io.hyperlens.audit.Fixtures.indexOf;
import static io.hyperlens.audit.Fixtures.indexOfCheckpoint;
import static io.hyperlens.audit.Fixtures.lines;
import static io.hyperlens.audit.Fixtures.record;
import static io.hyperlens.audit.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.Rfc6962;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.witness.Witness;
import io.hyperlens.event.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier's rarer paths on a small log written in two sessions: records 1 to 5 sealed on close
 * (checkpoints at 0 and 5), then 6 to 30 with checkpoints every 10 (at 15 and 25) and 30.
 */
class VerifierPathsTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();
  private static final TrustAnchor KEY = TrustAnchor.key(SIGNER.publicKey());

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void twoSessions() {
    file = dir.resolve("audit.jsonl");
    TestClock clock = new TestClock(Fixtures.START);
    for (int[] range : new int[][] {{1, 5}, {6, 30}}) {
      try (AuditLog log =
          AuditLog.builder()
              .store(JsonLinesAuditStore.open(file))
              .signer(SIGNER)
              .checkpointEvery(10)
              .clock(clock)
              .build()) {
        for (int i = range[0]; i <= range[1]; i++) {
          log.append(Fixtures.entry(i));
          clock.advance(Duration.ofSeconds(1));
        }
      }
    }
  }

  private Failure failure() {
    VerificationReport report = Fixtures.verify(file, KEY);
    assertThat(report.intact()).as("tampering must be caught").isFalse();
    return report.failure().orElseThrow();
  }

  private Failure assertFailure(TamperKind kind, long sequence, String detail) {
    Failure failure = failure();
    assertThat(failure.kind()).as(failure.toString()).isEqualTo(kind);
    assertThat(failure.sequence()).as(failure.toString()).isEqualTo(sequence);
    if (detail != null) {
      assertThat(failure.detail()).isEqualTo(detail);
    }
    return failure;
  }

  @Test
  void theLogAsWrittenVerifies() throws Exception {
    VerificationReport report = Fixtures.verify(file, KEY);
    assertThat(report.ok()).as(report.summary()).isTrue();
    List<Long> sizes = new ArrayList<>();
    for (String line : lines(file)) {
      if (checkpoint(line) != null) {
        sizes.add(checkpoint(line).sequence());
      }
    }
    assertThat(sizes).containsExactly(0L, 5L, 15L, 25L, 30L);
  }

  @Test
  void aRecordSlippedInBeforeASealIsInsertedAndTwoAreARange() throws Exception {
    List<String> lines = lines(file);
    AuditRecord six = record(lines.get(indexOf(lines, 6)));
    lines.add(
        indexOfCheckpoint(lines, 5),
        AuditJson.toLine(Fixtures.forged(six, "forged", six.prevHash())));
    write(file, lines);
    assertFailure(TamperKind.INSERTED, 6, "record 6 stands between record 5 and its checkpoint");
    lines = lines(file);
    AuditRecord forged = record(lines.get(indexOfCheckpoint(lines, 5) - 1));
    AuditRecord seven = record(lines.get(indexOf(lines, 7)));
    AuditRecord forgedSeven =
        Fixtures.forged(
            new AuditRecord(
                seven.id(),
                seven.timestamp(),
                seven.agentId(),
                seven.action(),
                seven.resource(),
                seven.decision(),
                seven.reason(),
                seven.ruleId(),
                seven.context(),
                7,
                forged.hash(),
                seven.hash()),
            "forged too",
            forged.hash());
    lines.add(indexOfCheckpoint(lines, 5), AuditJson.toLine(forgedSeven));
    write(file, lines);
    assertFailure(
        TamperKind.INSERTED, 6, "records 6 to 7 stand between record 5 and its checkpoint");
  }

  @Test
  void aSealMovedAfterTheNextRecordIsReordered() throws Exception {
    List<String> lines = lines(file);
    String seal = lines.remove(indexOfCheckpoint(lines, 5));
    lines.add(indexOf(lines, 6) + 1, seal);
    write(file, lines);
    assertFailure(TamperKind.REORDERED, 6, "the checkpoint for 5 stands after record 6");
  }

  @Test
  void aCheckpointMovedBeforeItsRecordIsReordered() throws Exception {
    List<String> lines = lines(file);
    String c15 = lines.remove(indexOfCheckpoint(lines, 15));
    lines.add(indexOf(lines, 15), c15);
    write(file, lines);
    assertFailure(TamperKind.REORDERED, 15, "the checkpoint for 15 stands before record 15");
  }

  @Test
  void theGenesisMovedAfterTheFirstRecordsIsReordered() throws Exception {
    List<String> lines = lines(file);
    String genesis = lines.remove(0);
    lines.add(2, genesis);
    write(file, lines);
    assertFailure(TamperKind.REORDERED, 1, "the checkpoint for 0 stands after record 1");
  }

  @Test
  void theGenesisRepeatedLaterIsModified() throws Exception {
    List<String> lines = lines(file);
    lines.add(indexOf(lines, 3) + 1, lines.get(0));
    write(file, lines);
    assertFailure(TamperKind.MODIFIED, 0, "entry 5 repeats the checkpoint for 0");
  }

  @Test
  void theGenesisRepeatedAtOnceIsNamedAsTheGenesis() throws Exception {
    List<String> lines = lines(file);
    lines.add(1, lines.get(0));
    write(file, lines);
    assertFailure(TamperKind.MODIFIED, 0, "entry 2 repeats the genesis checkpoint");
  }

  @Test
  void aLostCheckpointIsMissingEvenWithAnEarlierOneRepeated() throws Exception {
    List<String> lines = lines(file);
    String c5 = lines.get(indexOfCheckpoint(lines, 5));
    lines.remove(indexOfCheckpoint(lines, 15));
    lines.add(indexOf(lines, 17) + 1, c5);
    write(file, lines);
    Failure failure = assertFailure(TamperKind.MISSING_CHECKPOINT, 6, null);
    assertThat(failure.detail())
        .isEqualTo(
            "record 16 runs past sequence 15, by which the checkpoint at 5 promised the next;"
                + " records from 6 on are vouched for by nothing");
  }

  @Test
  void twoMissingRecordsAreARangeAndAReplacedFirstRecordIsNamed() throws Exception {
    List<String> lines = lines(file);
    lines.remove(indexOf(lines, 12));
    lines.remove(indexOf(lines, 13));
    write(file, lines);
    assertFailure(TamperKind.DELETED, 12, "records 12 to 13 are missing before record 14");
    twoSessions();
    lines = lines(dir.resolve("audit.jsonl"));
    AuditRecord first = record(lines.get(indexOf(lines, 1)));
    lines.set(
        indexOf(lines, 1),
        AuditJson.toLine(Fixtures.forged(first, first.reason(), "1".repeat(64))));
    write(file, lines);
    assertFailure(TamperKind.MODIFIED, 1, "the first record does not start from the genesis hash");
  }

  @Test
  void aReplacedRecordIsNamedAtItsSequenceAndPosition() throws Exception {
    List<String> lines = lines(file);
    int at = indexOf(lines, 9);
    AuditRecord nine = record(lines.get(at));
    lines.set(at, AuditJson.toLine(Fixtures.forged(nine, "replaced", nine.prevHash())));
    write(file, lines);
    Failure failure =
        assertFailure(
            TamperKind.MODIFIED, 9, "record 9 was replaced: record 10 links to a different hash");
    assertThat(failure.position()).isEqualTo(at + 1);
  }

  @Test
  void aCheckpointOfAnotherLogIsABadSignature() throws Exception {
    List<String> lines = lines(file);
    Checkpoint c15 = checkpoint(lines.get(indexOfCheckpoint(lines, 15)));
    CompactRange tree = CompactRange.of(15, c15.frontier().orElseThrow());
    lines.set(
        indexOfCheckpoint(lines, 15),
        AuditJson.toLine(
            Fixtures.sign("audit.example.com/other", tree, 25, c15.timestamp(), null, SIGNER)));
    write(file, lines);
    assertFailure(
        TamperKind.BAD_SIGNATURE,
        15,
        "a checkpoint of log audit.example.com/other stands in log " + c15.origin());
  }

  @Test
  void aRotationRepeatedIsModified() throws Exception {
    AuditSigner next = AuditSigner.generate();
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(SIGNER)
            .checkpointEvery(10)
            .build()) {
      log.rotateKey(next);
    }
    List<String> lines = lines(file);
    lines.add(lines.get(lines.size() - 1));
    write(file, lines);
    assertFailure(
        TamperKind.MODIFIED,
        30,
        "entry " + lines.size() + " repeats the rotation to " + next.fingerprint());
  }

  @Test
  void aGenesisThatNamesNoKeyOrAnotherKeyOrATreeIsRefused() throws Exception {
    List<String> lines = lines(file);
    Checkpoint genesis = checkpoint(lines.get(0));
    lines.set(
        0,
        AuditJson.toLine(
            Fixtures.sign(
                genesis.origin(), new CompactRange(), 10, genesis.timestamp(), null, SIGNER)));
    write(file, lines);
    assertFailure(
        TamperKind.MISSING_CHECKPOINT,
        1,
        "the log does not open with a genesis checkpoint naming its key");

    AuditSigner other = AuditSigner.generate();
    lines.set(
        0,
        AuditJson.toLine(
            Fixtures.sign(
                genesis.origin(), new CompactRange(), 10, genesis.timestamp(), other, SIGNER)));
    write(file, lines);
    assertFailure(
        TamperKind.BAD_SIGNATURE,
        0,
        "the genesis checkpoint is not signed by the key it names, " + other.fingerprint());

    CompactRange notEmpty = new CompactRange();
    notEmpty.append(Rfc6962.leafHash(new byte[] {1}));
    SignedNote note =
        SignedNote.unsigned(
            Checkpoint.text(
                genesis.origin(),
                0,
                notEmpty.root(),
                10,
                genesis.timestamp(),
                SIGNER.noteKey(genesis.origin())));
    note = note.with(SIGNER.noteKey(genesis.origin()).signature(SIGNER.sign(note.signedBytes())));
    // Written by hand: its frontier (none, for size 0) cannot lead to a non-empty root.
    String line =
        "{\"type\":\"checkpoint\",\"note\":"
            + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(note.format())
            + ",\"frontier\":[]}";
    lines.set(0, line);
    write(file, lines);
    assertFailure(TamperKind.MODIFIED, 1, null);
    try (Stream<StoredEntry> entries =
        Stream.of((StoredEntry) new StoredEntry.StoredCheckpoint(1, Checkpoint.of(note, null)))) {
      VerificationReport report =
          AuditVerifier.verify(entries.iterator(), KEY, o -> List.of(), null, null);
      assertThat(report.failure().orElseThrow().detail())
          .isEqualTo("the genesis checkpoint's tree is not empty");
      assertThat(report.failure().orElseThrow().sequence()).isZero();
    }
  }

  @Test
  void aTornTailFollowedByMoreEntriesIsModified() throws Exception {
    List<StoredEntry> entries = new ArrayList<>();
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      try (Stream<StoredEntry> s = store.entries()) {
        s.limit(4).forEach(entries::add);
      }
    }
    entries.add(2, new StoredEntry.Damaged(3, "unfinished", true, 10));
    VerificationReport report =
        AuditVerifier.verify(entries.iterator(), KEY, o -> List.of(), null, null);
    Failure failure = report.failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.MODIFIED);
    assertThat(failure.detail())
        .isEqualTo("entry 3 is not a readable record or checkpoint: unfinished");
  }

  @Test
  void aWitnessAnsweringOutOfOrderIsStillReadInOrder() throws Exception {
    List<SignedNote> held = new ArrayList<>();
    for (String line : lines(file)) {
      Checkpoint c = checkpoint(line);
      if (c != null) {
        held.add(0, c.note()); // largest first: the wrong way round
      }
    }
    Witness backwards =
        new Witness() {
          @Override
          public void addCheckpoint(long oldSize, List<byte[]> proof, SignedNote note) {
            throw new UnsupportedOperationException();
          }

          @Override
          public List<SignedNote> checkpoints(String origin) {
            return held;
          }

          @Override
          public String description() {
            return "a witness answering backwards";
          }
        };
    VerificationReport report = Fixtures.verify(file, KEY, backwards);
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.witnessedSize()).isEqualTo(30);
  }

  @Test
  void aWitnessCheckpointBeyondTheEndNotSignedByTheLogIsARewrite() throws Exception {
    CompactRange bigger = new CompactRange();
    for (int i = 0; i < 40; i++) {
      bigger.append(Rfc6962.leafHash(new byte[] {(byte) i}));
    }
    String origin = checkpoint(lines(file).get(0)).origin();
    Checkpoint foreign =
        Fixtures.sign(origin, bigger, 50, Fixtures.START, null, AuditSigner.generate());
    Checkpoint ours = Fixtures.sign(origin, bigger, 50, Fixtures.START, null, SIGNER);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      Failure rewrite = verifyAgainst(store, foreign).failure().orElseThrow();
      assertThat(rewrite.kind()).isEqualTo(TamperKind.REWRITTEN);
      assertThat(rewrite.sequence()).isEqualTo(1);
      assertThat(rewrite.detail())
          .isEqualTo("w holds a checkpoint for this log's origin that none of its keys signed");
      Failure truncated = verifyAgainst(store, ours).failure().orElseThrow();
      assertThat(truncated.kind()).isEqualTo(TamperKind.TRUNCATED);
      assertThat(truncated.sequence()).isEqualTo(31);
      assertThat(truncated.position()).isEqualTo(lines(file).size());
      assertThat(truncated.detail())
          .isEqualTo("the log ends at sequence 30 but w holds a checkpoint for 40");
    }
  }

  private static VerificationReport verifyAgainst(JsonLinesAuditStore store, Checkpoint observed) {
    try (Stream<StoredEntry> entries = store.entries()) {
      Iterator<StoredEntry> it = entries.iterator();
      return AuditVerifier.verify(it, KEY, o -> List.of(observed), null, "w");
    }
  }

  @Test
  void aWitnessedRewriteIsReportedWhereTheWitnessedCheckpointWasReached() throws Exception {
    List<String> before = lines(file);
    List<Checkpoint> witnessed = new ArrayList<>();
    for (String line : before) {
      if (checkpoint(line) != null) {
        witnessed.add(Checkpoint.of(checkpoint(line).note(), null));
      }
    }
    Fixtures.rehashFrom(file, 20, SIGNER); // the key holder rewrites from 20 and re-signs
    List<String> after = lines(file);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file);
        Stream<StoredEntry> entries = store.entries()) {
      Failure failure =
          AuditVerifier.verify(entries.iterator(), KEY, o -> witnessed, null, "w")
              .failure()
              .orElseThrow();
      assertThat(failure.kind()).isEqualTo(TamperKind.REWRITTEN);
      assertThat(failure.sequence()).isEqualTo(16);
      // Found when the log's own checkpoint at 25 was reached: at record 25's line.
      assertThat(failure.position()).isEqualTo(indexOf(after, 25) + 1);
    }
    assertThat(NoteKey.class).isNotNull();
  }
}
