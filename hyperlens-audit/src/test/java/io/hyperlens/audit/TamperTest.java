package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.indexOf;
import static io.hyperlens.audit.Fixtures.lines;
import static io.hyperlens.audit.Fixtures.record;
import static io.hyperlens.audit.Fixtures.verify;
import static io.hyperlens.audit.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustedKeys;
import io.hyperlens.audit.store.JsonLinesAuditStore;
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
  private static final TrustedKeys KEYS = TrustedKeys.of(SIGNER.publicKey());
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
    assertThat(report.recordsVerified()).isEqualTo(2500);
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
    int at = indexOf(lines, 2000) + 1;
    String line = lines.get(at);
    int sig = line.indexOf("\"signature\":\"") + 13;
    char c = line.charAt(sig + 5);
    lines.set(at, line.substring(0, sig + 5) + (c == 'A' ? 'B' : 'A') + line.substring(sig + 6));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.BAD_SIGNATURE, 2000);
    assertThat(failure.detail()).contains("does not verify");
  }

  @Test
  void anUntrustedKeyIsABadSignatureAtTheFirstCheckpoint() {
    VerificationReport report = verify(file, TrustedKeys.of(AuditSigner.generate().publicKey()));
    assertThat(report.failure().orElseThrow().kind()).isEqualTo(TamperKind.BAD_SIGNATURE);
    assertThat(report.failure().orElseThrow().sequence()).isZero(); // the opening checkpoint
    assertThat(report.failure().orElseThrow().detail()).contains("not a trusted key");
  }

  @Test
  void aChainRewrittenFromTheMiddleIsRewrittenAfterTheLastCheckpointThatHolds() throws IOException {
    rehashFrom(1500, null);
    Failure failure = assertFailure(TamperKind.REWRITTEN, 1001);
    assertThat(failure.detail()).contains("records 1001 to 2000 were rewritten");
  }

  @Test
  void aChainRewrittenAndResignedWithAnotherKeyIsABadSignature() throws IOException {
    rehashFrom(1, AuditSigner.generate());
    assertFailure(TamperKind.BAD_SIGNATURE, 0);
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
  void aTailCutBackToAnEarlierCheckpointIsTruncatedAgainstTheAnchor() throws IOException {
    Checkpoint anchor = JsonLinesAuditStore.openReadOnly(file).lastCheckpoint().orElseThrow();
    List<String> lines = lines(file);
    lines.subList(indexOf(lines, 2301), lines.size()).clear();
    write(file, lines);
    // Without an anchor the cut log looks like one that stopped at 2300: intact, 300 unsigned.
    VerificationReport unanchored = verify(file, KEYS);
    assertThat(unanchored.ok()).isTrue();
    assertThat(unanchored.unsealedRecords()).isEqualTo(300);
    VerificationReport report = verify(file, KEYS, anchor);
    assertThat(report.failure().orElseThrow().kind()).isEqualTo(TamperKind.TRUNCATED);
    assertThat(report.failure().orElseThrow().sequence()).isEqualTo(2301);
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
    assertThat(report.recordsVerified()).isEqualTo(2500);
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
    rehashFrom(1500, null);
    List<String> lines = lines(file);
    lines.removeIf(
        line ->
            line.contains("\"type\":\"checkpoint\"")
                && !line.contains("\"sequence\":1000,")
                && !line.contains("\"sequence\":0,"));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.MISSING_CHECKPOINT, 1001);
    assertThat(failure.detail()).contains("runs past sequence 2000");
  }

  @Test
  void aLogStrippedOfEveryCheckpointIsMissingItsOpeningOne() throws IOException {
    List<String> lines = lines(file);
    lines.removeIf(line -> line.contains("\"type\":\"checkpoint\""));
    write(file, lines);
    Failure failure = assertFailure(TamperKind.MISSING_CHECKPOINT, 1);
    assertThat(failure.detail()).contains("no signed checkpoint opens the log");
  }

  @Test
  void aWholeCheckpointWithoutItsNewlineStillCounts() throws IOException {
    rehashFrom(2400, null);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1)); // drop the last newline
    assertFailure(TamperKind.REWRITTEN, 2001);
  }

  @Test
  void aForgedCheckpointAtTheEndIsNotContinuedFrom() throws IOException {
    Checkpoint real = JsonLinesAuditStore.openReadOnly(file).lastCheckpoint().orElseThrow();
    Files.writeString(
        file,
        AuditJson.toLine(
                new Checkpoint(
                    Long.MAX_VALUE - 1,
                    real.hash(),
                    Long.MAX_VALUE,
                    real.timestamp(),
                    real.keyId(),
                    "AAAA"))
            + "\n",
        StandardOpenOption.APPEND);
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
    assertThat(verify(file, KEYS).ok()).isTrue();
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
    assertThat(lines(file).get(indexOf(lines(file), 2000) + 1)).contains("\"sequence\":2000,");
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

  /**
   * Edits record {@code from} and re-hashes every record after it so the chain is consistent; with
   * a signer, re-signs every checkpoint too (someone with a key of their own).
   */
  private void rehashFrom(long from, AuditSigner resigner) throws IOException {
    List<String> lines = lines(file);
    String prev = null;
    for (int i = 0; i < lines.size(); i++) {
      Object entry = AuditJson.parseLine(lines.get(i));
      if (entry instanceof AuditRecord) {
        AuditRecord r = (AuditRecord) entry;
        if (r.sequence() >= from) {
          String reason = r.sequence() == from ? "rewritten" : r.reason();
          r = Fixtures.forged(r, reason, prev == null ? r.prevHash() : prev);
          lines.set(i, AuditJson.toLine(r));
        }
        prev = r.hash();
      } else if (resigner != null) {
        Checkpoint c = (Checkpoint) entry;
        String hash = prev == null ? c.hash() : prev;
        Checkpoint unsigned =
            new Checkpoint(c.sequence(), hash, c.nextBy(), c.timestamp(), resigner.keyId(), "");
        String signature =
            java.util.Base64.getEncoder()
                .encodeToString(resigner.sign(AuditJson.signedBytes(unsigned)));
        lines.set(
            i,
            AuditJson.toLine(
                new Checkpoint(
                    c.sequence(), hash, c.nextBy(), c.timestamp(), resigner.keyId(), signature)));
      }
    }
    write(file, lines);
  }
}
