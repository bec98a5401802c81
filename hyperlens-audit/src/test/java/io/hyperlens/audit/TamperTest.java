package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.checkpoint;
import static io.hyperlens.audit.Fixtures.indexOf;
import static io.hyperlens.audit.Fixtures.indexOfCheckpoint;
import static io.hyperlens.audit.Fixtures.lines;
import static io.hyperlens.audit.Fixtures.record;
import static io.hyperlens.audit.Fixtures.verify;
import static io.hyperlens.audit.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.witness.DirectoryWitness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way of editing a log, each caught and named with its exact sequence. The log: 2,500 records,
 * checkpoints signed at 1000, 2000 and (on close) 2500.
 */
class TamperTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();
  private static final TrustAnchor KEYS = TrustAnchor.key(SIGNER.publicKey());
  private static Path pristine;

  @TempDir static Path shared;
  @TempDir Path dir;
  private Path file;

  @BeforeAll
  static void writeOnce() {
    pristine = shared.resolve("pristine.jsonl");
    Fixtures.writeLog(pristine, SIGNER, 2500, 1000);
  }

  @BeforeEach
  void copy() throws IOException {
    file = dir.resolve("audit.jsonl");
    Files.copy(pristine, file);
  }

  @Test
  void anUntouchedLogVerifies() {
    VerificationReport report = verify(file, KEYS);
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.verdict()).isEqualTo(VerificationReport.Verdict.VERIFIED);
    assertThat(report.recordsVerified()).isEqualTo(2500);
    assertThat(report.fingerprints()).containsExactly(SIGNER.fingerprint());
    assertThat(report.summary()).contains("verified: 2500 records").contains("pinned by the key");
    assertThat(report.checkpointsVerified()).isEqualTo(4); // the opening one, 1000, 2000, 2500
    assertThat(report.lastCheckpoint().orElseThrow().sequence()).isEqualTo(2500);
    assertThat(report.unsealedRecords()).isZero();
    assertThat(report.tornTail()).isEmpty();
  }

  @Test
  void anEditedFieldIsModifiedAtThatSequence() throws IOException {
    editRecord(1230, line -> line.replace("\"decision\":\"deny\"", "\"decision\":\"allow\""));
    assertFailure(TamperKind.MODIFIED, 1230);
  }

  @Test
  void anEditedRecordWithAFreshHashIsModifiedAtThatSequence() throws IOException {
    editRecord(
        1234,
        line -> {
          AuditRecord original = record(line);
          return AuditJson.toLine(Fixtures.forged(original, "nothing to see", original.prevHash()));
        });
    assertFailure(TamperKind.MODIFIED, 1234);
  }

  @Test
  void anEditedSequenceNumberIsModifiedWhereItStands() throws IOException {
    editRecord(1234, line -> line.replace("\"sequence\":1234", "\"sequence\":7000"));
    assertFailure(TamperKind.MODIFIED, 1234);
  }

  @Test
  void anUnreadableLineIsModifiedAtTheSequenceItReplaces() throws IOException {
    editRecord(1234, line -> line.substring(0, 40));
    assertFailure(TamperKind.MODIFIED, 1234);
  }

  @Test
  void aDeletedRecordIsDeletedAtItsSequence() throws IOException {
    List<String> lines = lines(file);
    lines.remove(indexOf(lines, 1500));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.DELETED, 1500);
    assertThat(failure.detail()).contains("record 1500 is missing");
  }

  @Test
  void deletedRecordsBeforeTheirCheckpointAreDeleted() throws IOException {
    List<String> lines = lines(file);
    int at = indexOf(lines, 1998);
    lines.subList(at, at + 3).clear(); // 1998, 1999, 2000; the checkpoint for 2000 stays
    write(file, lines);
    assertFailure(TamperKind.DELETED, 1998);
  }

  @Test
  void aCopiedRecordIsInsertedAtItsSequence() throws IOException {
    List<String> lines = lines(file);
    int at = indexOf(lines, 1500);
    lines.add(at + 1, lines.get(at));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.INSERTED, 1500);
    assertThat(failure.detail()).contains("second record claims sequence 1500");
  }

  @Test
  void aForgedRecordSlippedIntoTheChainIsInsertedAtTheSequenceItClaims() throws IOException {
    List<String> lines = lines(file);
    int at = indexOf(lines, 1501);
    AuditRecord next = record(lines.get(at));
    // A well-formed record with a correct hash, linked to record 1500, claiming 1501.
    lines.add(at, AuditJson.toLine(Fixtures.forged(next, "forged approval", next.prevHash())));
    write(file, lines);
    assertFailure(TamperKind.INSERTED, 1501);
  }

  @Test
  void aForgedRecordWithABadHashBeforeTheRealOneIsInserted() throws IOException {
    List<String> lines = lines(file);
    int at = indexOf(lines, 1501);
    lines.add(at, lines.get(at).replace("within policy", "forged approval"));
    write(file, lines);
    assertFailure(TamperKind.INSERTED, 1501);
  }

  @Test
  void swappedRecordsAreReorderedAtTheFirstOutOfPlace() throws IOException {
    List<String> lines = lines(file);
    Collections.swap(lines, indexOf(lines, 1500), indexOf(lines, 1501));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.REORDERED, 1500);
    assertThat(failure.detail()).contains("record 1501 stands where 1500 belongs");
  }

  @Test
  void aMovedCheckpointIsReordered() throws IOException {
    List<String> lines = lines(file);
    int checkpoint = indexOf(lines, 1000) + 1;
    String line = lines.remove(checkpoint);
    lines.add(indexOf(lines, 1005) + 1, line);
    write(file, lines);
    assertFailure(TamperKind.REORDERED, 1001);
  }

  @Test
  void aDamagedSignatureIsABadSignatureAtItsCheckpoint() throws IOException {
    List<String> lines = lines(file);
    int at = indexOfCheckpoint(lines, 2000);
    String line = lines.get(at);
    int sig = line.lastIndexOf(' ') + 10; // inside the signature, past its key id
    char c = line.charAt(sig);
    lines.set(at, line.substring(0, sig) + (c == 'A' ? 'B' : 'A') + line.substring(sig + 1));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.BAD_SIGNATURE, 2000);
    assertThat(failure.detail()).contains("does not verify");
  }

  @Test
  void aLogNotSignedByThePinnedKeyIsUntrusted() {
    AuditSigner other = AuditSigner.generate();
    VerificationReport report = verify(file, TrustAnchor.key(other.publicKey()));
    assertThat(report.verdict()).isEqualTo(VerificationReport.Verdict.TAMPERED);
    Failure failure = report.failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.UNTRUSTED_KEY);
    assertThat(failure.sequence()).isEqualTo(1);
    assertThat(failure.detail())
        .isEqualTo(
            "the log is signed by "
                + SIGNER.fingerprint()
                + ", not by "
                + other.fingerprint()
                + " (the key given)");
    assertThat(report.recordsVerified()).isZero();
    assertThat(report.verifiedThrough()).isZero();
    assertThat(report.summary())
        .isEqualTo(
            "FAILED: UNTRUSTED_KEY: "
                + failure.detail()
                + "; its 2500 records and 4 checkpoints hold together, but are signed by keys you"
                + " do not trust; log "
                + report.origin().orElseThrow()
                + ", key "
                + SIGNER.fingerprint());
  }

  @Test
  void withoutAnAnchorAnIntactLogIsUnanchoredNeverVerified() {
    VerificationReport report = verify(file, TrustAnchor.none());
    assertThat(report.verdict()).isEqualTo(VerificationReport.Verdict.UNANCHORED);
    assertThat(report.ok()).isFalse();
    assertThat(report.intact()).isTrue();
    assertThat(report.failure()).isEmpty();
    assertThat(report.recordsVerified()).isEqualTo(2500);
    assertThat(report.verifiedThrough()).isEqualTo(2500);
    assertThat(report.summary())
        .startsWith(
            "UNANCHORED: 2500 records intact, 4 signed checkpoints, the last at sequence 2500")
        .endsWith("; but no key you trust vouches for them (no anchor)")
        .contains(SIGNER.fingerprint())
        .doesNotContain("verified:");
  }

  @Test
  void aFingerprintAnchorsTheLogInEitherCase() {
    String hex = SIGNER.fingerprint().substring(7);
    assertThat(verify(file, TrustAnchor.fingerprint("SHA256:" + hex.toUpperCase())).verdict())
        .isEqualTo(VerificationReport.Verdict.VERIFIED);
    assertThat(verify(file, TrustAnchor.fingerprint(hex)).anchorCheck().detail())
        .isEqualTo("pinned by fingerprint " + SIGNER.fingerprint());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrustAnchor.fingerprint("SHA256:abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fingerprint must be SHA256: and 64 hex digits, got \"SHA256:abc\"");
  }

  @Test
  void aChainRewrittenFromTheMiddleIsRewrittenAfterTheLastCheckpointThatHolds() throws IOException {
    Fixtures.rehashFrom(file, 1500, null);
    Failure failure = assertFailure(TamperKind.REWRITTEN, 1001);
    assertThat(failure.detail()).contains("records 1001 to 2000 were rewritten");
  }

  @Test
  void aLogRewrittenAndResignedWholeWithAnotherKeyIsUntrusted() throws IOException {
    AuditSigner attacker = AuditSigner.generate();
    Fixtures.rehashFrom(file, 1, attacker);
    // Consistent in itself: only an anchor tells it from the real log.
    assertThat(verify(file, TrustAnchor.key(attacker.publicKey())).ok()).isTrue();
    assertThat(verify(file, TrustAnchor.none()).verdict())
        .isEqualTo(VerificationReport.Verdict.UNANCHORED);
    assertFailure(TamperKind.UNTRUSTED_KEY, 1);
  }

  @Test
  void aCheckpointResignedWithAnotherKeyInTheMiddleIsABadSignature() throws IOException {
    AuditSigner attacker = AuditSigner.generate();
    List<String> lines = lines(file);
    int at = indexOfCheckpoint(lines, 1000);
    Checkpoint c = checkpoint(lines.get(at));
    io.hyperlens.audit.tlog.CompactRange tree =
        io.hyperlens.audit.tlog.CompactRange.of(1000, c.frontier().orElseThrow());
    lines.set(
        at,
        AuditJson.toLine(
            Fixtures.sign(c.origin(), tree, c.nextBy(), c.timestamp(), null, attacker)));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.BAD_SIGNATURE, 1000);
    assertThat(failure.detail())
        .isEqualTo("the checkpoint is not signed by the log's key " + SIGNER.fingerprint());
  }

  @Test
  void recordsCutOffAfterTheirCheckpointAreTruncated() throws IOException {
    List<String> lines = lines(file);
    int at = indexOf(lines, 2401);
    lines.subList(at, lines.size() - 1).clear(); // keep the closing checkpoint for 2500
    write(file, lines);
    Failure failure = assertFailure(TamperKind.TRUNCATED, 2401);
    assertThat(failure.detail()).contains("vouches for records up to 2500");
  }

  @Test
  void aTailCutBackToAnEarlierCheckpointIsTruncatedAgainstAWitness() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("witness"));
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThat(AuditProofs.witness(store, witness)).isEqualTo(2500);
    }
    List<String> lines = lines(file);
    lines.subList(indexOf(lines, 2301), lines.size()).clear();
    write(file, lines);
    // Without the witness the cut log looks like one that stopped at 2300 without closing:
    // intact, but 2001 to 2300 are signed by nothing, so it is not verified.
    VerificationReport alone = verify(file, KEYS);
    assertThat(alone.verdict()).isEqualTo(VerificationReport.Verdict.UNSIGNED);
    assertThat(alone.unsealedRecords()).isEqualTo(300);
    assertThat(alone.verifiedThrough()).isEqualTo(2000);
    VerificationReport report = verify(file, KEYS, witness);
    Failure failure = report.failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.TRUNCATED);
    assertThat(failure.sequence()).isEqualTo(2301);
    assertThat(failure.detail())
        .isEqualTo(
            "the log ends at sequence 2300 but witness "
                + dir.resolve("witness")
                + " holds a checkpoint for 2500");
  }

  @Test
  void aTailCutWithItsLastCheckpointAndRewrittenIsRewrittenAfterTheLastCheckpointThatHolds()
      throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("witness"));
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      AuditProofs.witness(store, witness);
    }
    List<String> lines = lines(file);
    lines.remove(lines.size() - 1); // the checkpoint for 2500: records 2001.. are unsigned now
    write(file, lines);
    Fixtures.rehashFrom(file, 2200, null);
    // alone, a log with 500 unsigned records: intact as a chain, but not verified
    VerificationReport alone = verify(file, KEYS);
    assertThat(alone.verdict()).isEqualTo(VerificationReport.Verdict.UNSIGNED);
    assertThat(alone.summary())
        .startsWith(
            "UNSIGNED: records 2001 to 2500 are signed by no checkpoint, so nothing proves they are"
                + " as written (the writer is still running, stopped without closing the log, or the checkpoints after them were deleted);"
                + " records 1 to 2000 verified, 3 signed checkpoints, the last at sequence 2000;");
    VerificationReport report = verify(file, KEYS, witness);
    Failure failure = report.failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.REWRITTEN);
    assertThat(failure.sequence()).isEqualTo(2001);
    assertThat(report.verifiedThrough()).isEqualTo(2000);
    assertThat(failure.detail())
        .startsWith("records 2001 to 2500 no longer hash to the root witness");
  }

  @Test
  void aLiveLogCatchesATruncatedFileAgainstItsOwnHead() throws IOException {
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(SIGNER)
            .checkpointEvery(1000)
            .build()) {
      for (int i = 0; i < 10; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.verify().ok()).isTrue();
      List<String> lines = lines(file);
      lines.subList(indexOf(lines, 2505), lines.size()).clear();
      write(file, lines);
      VerificationReport report = log.verify();
      assertThat(report.failure().orElseThrow().kind()).isEqualTo(TamperKind.TRUNCATED);
      assertThat(report.failure().orElseThrow().sequence()).isEqualTo(2505);
    }
  }

  @Test
  void aTornLastLineIsReportedAndTheRestVerifies() throws IOException {
    String whole = AuditJson.toLine(record(lines(file).get(5)));
    Files.write(
        file, whole.substring(0, 100).getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    VerificationReport report = verify(file, KEYS);
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.verdict()).isEqualTo(VerificationReport.Verdict.VERIFIED);
    assertThat(report.recordsVerified()).isEqualTo(2500);
    assertThat(report.fingerprints()).containsExactly(SIGNER.fingerprint());
    assertThat(report.summary()).contains("verified: 2500 records").contains("pinned by the key");
    assertThat(report.tornTail().orElseThrow().length()).isEqualTo(100);
    assertThat(report.summary()).contains("torn last line");
  }

  @Test
  void reopeningATornLogSetsTheTornBytesAsideAndContinuesTheChain() throws IOException {
    Files.write(
        file, "{\"id\":\"audit-".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.open(file);
        AuditLog log = AuditLog.builder().store(store).signer(SIGNER).build()) {
      assertThat(store.repairedTail().orElseThrow().length()).isEqualTo(13);
      assertThat(log.append(Fixtures.entry(1)).sequence()).isEqualTo(2501);
      assertThat(log.verify().ok()).isTrue();
    }
    try (var files = Files.list(dir)) {
      Path aside =
          files
              .filter(p -> p.getFileName().toString().startsWith("audit.jsonl.torn-"))
              .findFirst()
              .orElseThrow();
      assertThat(Files.readString(aside)).isEqualTo("{\"id\":\"audit-");
    }
    assertThat(verify(file, KEYS).ok()).isTrue();
  }

  @Test
  void contentSmuggledAfterARecordOnItsLineIsModified() throws IOException {
    editRecord(1500, line -> line + "{\"decision\":\"allow\",\"note\":\"smuggled\"}");
    assertFailure(TamperKind.MODIFIED, 1500);
  }

  @Test
  void aValueSpelledDifferentlyIsModified() throws IOException {
    editRecord(1230, line -> line.replace("\"decision\":\"deny\"", "\"decision\":\"DENY\""));
    assertFailure(TamperKind.MODIFIED, 1230);
    Files.copy(pristine, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    editRecord(1230, line -> line.replace("\"agent_id\":\"agent-", "\"agent_id\":\"\\u0061gent-"));
    assertFailure(TamperKind.MODIFIED, 1230);
  }

  @Test
  void anInvalidUtf8ByteIsModified() throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.UTF_8);
    int at = text.indexOf("\"sequence\":42,") - 20; // inside record 42's line, ASCII so far
    bytes[at] = (byte) 0xFF;
    Files.write(file, bytes);
    assertFailure(TamperKind.MODIFIED, 42);
  }

  @Test
  void anEditedCopyInsertedAfterTheOriginalIsInserted() throws IOException {
    List<String> lines = lines(file);
    int at = indexOf(lines, 1500);
    lines.add(at + 1, lines.get(at).replace("within policy", "within budget"));
    write(file, lines);
    assertFailure(TamperKind.INSERTED, 1500);
  }

  @Test
  void checkpointsDeletedToHideARewriteAreMissing() throws IOException {
    Fixtures.rehashFrom(file, 1500, null);
    List<String> lines = lines(file);
    lines.removeIf(
        line ->
            checkpoint(line) != null
                && checkpoint(line).sequence() != 1000
                && checkpoint(line).sequence() != 0);
    write(file, lines);
    Failure failure = assertFailure(TamperKind.MISSING_CHECKPOINT, 1001);
    assertThat(failure.detail()).contains("runs past sequence 2000");
  }

  @Test
  void aLogStrippedOfEveryCheckpointIsMissingItsOpeningOne() throws IOException {
    List<String> lines = lines(file);
    lines.removeIf(line -> checkpoint(line) != null);
    write(file, lines);
    Failure failure = assertFailure(TamperKind.MISSING_CHECKPOINT, 1);
    assertThat(failure.detail()).isEqualTo("no signed genesis checkpoint opens the log");
  }

  @Test
  void aWholeCheckpointWithoutItsNewlineStillCounts() throws IOException {
    Fixtures.rehashFrom(file, 2400, null);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1)); // drop the last newline
    assertFailure(TamperKind.REWRITTEN, 2001);
  }

  @Test
  void aForgedCheckpointAtTheEndIsNotContinuedFrom() throws IOException {
    Checkpoint real;
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      real = store.lastCheckpoint().orElseThrow();
    }
    io.hyperlens.audit.tlog.CompactRange tree =
        io.hyperlens.audit.tlog.CompactRange.of(2500, real.frontier().orElseThrow());
    Checkpoint forged =
        Fixtures.sign(
            real.origin(), tree, Long.MAX_VALUE, real.timestamp(), null, AuditSigner.generate());
    Files.writeString(file, AuditJson.toLine(forged) + "\n", StandardOpenOption.APPEND);
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(SIGNER)
            .checkpointEvery(3)
            .build()) {
      for (int i = 0; i < 10; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.checkpointCount())
          .isEqualTo(4); // the overdue one first, then 2503, 2506, 2509
      assertThat(log.latestCheckpoint().orElseThrow().sequence()).isEqualTo(2509);
      // The forgery itself is still reported.
      assertThat(log.verify().failure().orElseThrow().kind()).isEqualTo(TamperKind.BAD_SIGNATURE);
    }
  }

  @Test
  void aCheckpointLostInACrashIsWrittenBeforeTheNextRecord() throws IOException {
    List<String> lines = lines(file);
    // Killed after writing record 2000, before its checkpoint: the file ends at the due record.
    lines.subList(indexOf(lines, 2000) + 1, lines.size()).clear();
    write(file, lines);
    assertThat(verify(file, KEYS).verdict()).isEqualTo(VerificationReport.Verdict.UNSIGNED);
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(SIGNER)
            .checkpointEvery(1000)
            .build()) {
      log.append(Fixtures.entry(1));
      log.append(Fixtures.entry(2));
    }
    VerificationReport report = verify(file, KEYS);
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.lastSequence()).isEqualTo(2002);
    assertThat(checkpoint(lines(file).get(indexOf(lines(file), 2000) + 1)).sequence())
        .isEqualTo(2000);
  }

  @Test
  void aDuplicatedCheckpointLineIsModified() throws IOException {
    List<String> lines = lines(file);
    int at = indexOfCheckpoint(lines, 2000);
    lines.add(at + 1, lines.get(at));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.MODIFIED, 2000);
    assertThat(failure.detail())
        .isEqualTo("entry " + (at + 2) + " repeats the checkpoint for 2000");
  }

  @Test
  void aCheckpointLineRepeatedLaterIsModified() throws IOException {
    List<String> lines = lines(file);
    String copy = lines.get(indexOfCheckpoint(lines, 1000));
    lines.add(indexOf(lines, 1500) + 1, copy);
    write(file, lines);
    assertFailure(TamperKind.MODIFIED, 1000);
  }

  @Test
  void aSignatureInNonCanonicalBase64IsModified() throws IOException {
    List<String> lines = lines(file);
    int at = indexOfCheckpoint(lines, 2000);
    String line = lines.get(at);
    // The signature field is 68 bytes: its last base64 group is "xy z=" and z has two spare bits.
    int pad = line.lastIndexOf("=\\n");
    char last = line.charAt(pad - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char stray = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    lines.set(at, line.substring(0, pad - 1) + stray + line.substring(pad));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.MODIFIED, 2001);
    assertThat(failure.detail()).contains("not canonical base64");
  }

  @Test
  void aForgedRecordBetweenARecordAndItsCheckpointIsInserted() throws IOException {
    List<String> lines = lines(file);
    AuditRecord next = record(lines.get(indexOf(lines, 2001)));
    lines.add(
        indexOfCheckpoint(lines, 2000),
        AuditJson.toLine(Fixtures.forged(next, "forged approval", next.prevHash())));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.INSERTED, 2001);
    assertThat(failure.detail())
        .isEqualTo("record 2001 stands between record 2000 and its checkpoint");
  }

  @Test
  void aForgedRecordBeforeTheLastCheckpointIsInserted() throws IOException {
    List<String> lines = lines(file);
    AuditRecord last = record(lines.get(indexOf(lines, 2500)));
    AuditRecord unhashed =
        new AuditRecord(
            "audit-forged",
            last.timestamp(),
            "agent-9",
            "file_write",
            "/etc/passwd",
            Decision.ALLOW,
            "forged",
            null,
            java.util.Map.of(),
            2501,
            last.hash(),
            last.hash());
    lines.add(lines.size() - 1, AuditJson.toLine(unhashed.withHash(AuditJson.hash(unhashed))));
    write(file, lines);
    assertFailure(TamperKind.INSERTED, 2501);
  }

  /** Replaces record {@code sequence}'s line by {@code edit} of it, which must change it. */
  private void editRecord(long sequence, UnaryOperator<String> edit) throws IOException {
    List<String> lines = lines(file);
    int at = indexOf(lines, sequence);
    String edited = edit.apply(lines.get(at));
    assertThat(edited).as("the edit must change record %d", sequence).isNotEqualTo(lines.get(at));
    lines.set(at, edited);
    write(file, lines);
  }

  private Failure assertFailure(TamperKind kind, long sequence) {
    VerificationReport report = verify(file, KEYS);
    assertThat(report.ok()).as("tampering must be caught").isFalse();
    Failure failure = report.failure().orElseThrow();
    assertThat(failure.kind()).as(failure.toString()).isEqualTo(kind);
    assertThat(failure.sequence()).as(failure.toString()).isEqualTo(sequence);
    return failure;
  }
}
