package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.lines;
import static io.hyperlens.audit.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.VerificationReport.Verdict;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.Origins;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records after the last checkpoint are signed by nothing: a log whose closing checkpoints were
 * deleted, or cut in half, and whose tail was rewritten, must not verify, and its writer must not
 * sign it on reopening. Each case is an attack found by running the CLI against forged logs.
 */
class UnsignedTailTest {
  @TempDir Path dir;
  private Path logDir;
  private Path keyDir;
  private Path file;
  private TrustAnchor anchor;

  @BeforeEach
  void writeALog() {
    logDir = dir.resolve("audit");
    keyDir = dir.resolve("keys");
    try (AuditLog log = AuditLog.open(logDir, keyDir, null)) {
      for (int i = 0; i < 88; i++) {
        log.append(Fixtures.entry(i));
      }
      anchor = TrustAnchor.fingerprint(log.fingerprint());
    }
    file = logDir.resolve(AuditLog.STORE_FILE);
  }

  /** Drops the closing checkpoint and turns every denial into an allow, re-hashing the chain. */
  private void forgeTheTail() throws Exception {
    List<String> lines = lines(file);
    lines.remove(lines.size() - 1);
    write(file, lines);
    Fixtures.rehashFrom(file, 1, null);
  }

  @Test
  void aLogWhoseClosingCheckpointWasDeletedAndTailRewrittenIsNotVerified() throws Exception {
    forgeTheTail();
    VerificationReport report = Fixtures.verify(file, anchor);
    assertThat(report.ok()).isFalse();
    assertThat(report.verdict()).isEqualTo(Verdict.UNSIGNED);
    assertThat(report.intact()).isTrue();
    assertThat(report.unsealedRecords()).isEqualTo(88);
    assertThat(report.verifiedThrough()).isZero();
    assertThat(report.summary())
        .startsWith(
            "UNSIGNED: records 1 to 88 are signed by no checkpoint, so nothing proves they are as"
                + " written (the writer is still running, stopped without closing the log, or the checkpoints after them were deleted); no"
                + " record is signed yet");
  }

  @Test
  void aClosingCheckpointCutInHalfLeavesTheTailUnsigned() throws Exception {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int lastLine = text.lastIndexOf('\n', text.length() - 2);
    Files.writeString(file, text.substring(0, lastLine + 1 + 40), StandardCharsets.UTF_8);
    VerificationReport report = Fixtures.verify(file, anchor);
    assertThat(report.tornTail()).isPresent();
    assertThat(report.verdict()).isEqualTo(Verdict.UNSIGNED);
  }

  @Test
  void theWriterRefusesToSignALogWhoseLastCheckpointsWereDeleted() throws Exception {
    forgeTheTail();
    String before = Files.readString(file);
    assertThatThrownBy(() -> AuditLog.open(logDir, keyDir, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ends with the checkpoint for 0, but this writer signed one for 88")
        .hasMessageContaining(
            "checkpoints were deleted, or the log was restored from an older copy")
        .hasMessageEndingWith("to go on from what it holds, delete " + headFile(logOrigin()));
    assertThat(Files.readString(file)).isEqualTo(before); // nothing signed, nothing written
  }

  @Test
  void theWriterRefusesALogRestoredFromAnOlderCopy() throws Exception {
    Path copy = dir.resolve("copy.jsonl");
    Files.copy(file, copy);
    try (AuditLog log = AuditLog.open(logDir, keyDir, null)) {
      log.append(Fixtures.entry(100));
    }
    Files.copy(copy, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> AuditLog.open(logDir, keyDir, null))
        .hasMessageContaining("ends with the checkpoint for 88, but this writer signed one for 89");
  }

  @Test
  void theWriterRefusesAnotherLogOfTheSameSizeUnderItsOrigin() throws Exception {
    // Another log of 88 records, signed by the same key under the same origin, put in its place.
    AuditSigner signer = AuditKeys.loadAll(keyDir).get(0);
    Path other = dir.resolve("other.jsonl");
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(other))
            .signer(signer)
            .origin(logOrigin())
            .build()) {
      for (int i = 0; i < 88; i++) {
        log.append(Fixtures.entry(i + 1000));
      }
    }
    Files.copy(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> AuditLog.open(logDir, keyDir, null))
        .hasMessageContaining("no longer holds the records this writer signed at 88");
  }

  @Test
  void aHeadLeftBehindByACrashIsCheckedAgainstTheTreeAtItsSize() throws Exception {
    String head88 = Files.readString(headFile(logOrigin()));
    try (AuditLog log = AuditLog.open(logDir, keyDir, null)) {
      log.append(Fixtures.entry(100));
    }
    // killed after storing the checkpoint for 89, before remembering it
    Files.writeString(headFile(logOrigin()), head88);
    try (AuditLog log = AuditLog.open(logDir, keyDir, null)) {
      assertThat(log.lastSequence()).isEqualTo(89);
    }
    // but a log rewritten before 88 is caught by that older head too
    Files.writeString(headFile(logOrigin()), head88);
    List<String> lines = lines(file);
    Fixtures.rehashFrom(file, 5, AuditKeys.loadAll(keyDir).get(0));
    assertThat(lines(file)).isNotEqualTo(lines);
    assertThatThrownBy(() -> AuditLog.open(logDir, keyDir, null))
        .hasMessageContaining("no longer holds the records this writer signed at 88");
  }

  @Test
  void aCrashedWritersUnsignedTailIsContinuedAndSealed() throws Exception {
    List<String> lines = lines(file);
    lines.remove(lines.size() - 1); // killed before closing: its head is the genesis
    write(file, lines);
    Files.writeString(
        headFile(logOrigin()),
        "open\n" + ((Checkpoint) AuditJson.parseLine(lines.get(0))).note().format());
    try (AuditLog log = AuditLog.open(logDir, keyDir, null)) {
      assertThat(log.lastSequence()).isEqualTo(88);
    }
    assertThat(Fixtures.verify(file, anchor).verdict()).isEqualTo(Verdict.VERIFIED);
  }

  @Test
  void recordsAppendedAfterTheWriterClosedTheLogAreRefused() throws Exception {
    assertThat(Files.readString(headFile(logOrigin()))).startsWith("closed\n");
    // someone without the key appends three records that chain on from the last one
    List<String> lines = lines(file);
    AuditRecord last = (AuditRecord) AuditJson.parseLine(lines.get(lines.size() - 2));
    String prev = last.hash();
    StringBuilder appended = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      AuditRecord forged =
          Fixtures.forged(
              new AuditRecord(
                  "forged-" + i,
                  last.timestamp(),
                  "did:mesh:attacker",
                  "file_write",
                  "/prod/secrets",
                  Decision.ALLOW,
                  null,
                  null,
                  java.util.Map.of(),
                  88 + i,
                  prev,
                  AuditRecord.GENESIS_HASH),
              null,
              prev);
      appended.append(AuditJson.toLine(forged)).append('\n');
      prev = forged.hash();
    }
    Files.writeString(file, appended, java.nio.file.StandardOpenOption.APPEND);
    assertThat(Fixtures.verify(file, anchor).verdict()).isEqualTo(Verdict.UNSIGNED);
    assertThatThrownBy(() -> AuditLog.open(logDir, keyDir, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "holds records 89 to 91 after the checkpoint this writer signed when it closed the log"
                + " at 88: they were added by someone else");
  }

  @Test
  void theKeyDirectoryMayNotBeTheLogsDirectoryOrInsideIt() throws Exception {
    assertThatThrownBy(() -> AuditLog.open(logDir, logDir.resolve("keys"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("keyDirectory must not be the log's directory or inside it");
    assertThatThrownBy(() -> AuditLog.open(logDir, logDir, null))
        .isInstanceOf(IllegalArgumentException.class);
    Path link = dir.resolve("link");
    Files.createSymbolicLink(link, logDir);
    assertThatThrownBy(() -> AuditLog.open(logDir, link.resolve("k"), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDamagedHeadIsNamedAndAnUnwritableOneIsCounted() throws Exception {
    Files.writeString(headFile(logOrigin()), "not a note");
    assertThatThrownBy(() -> AuditLog.open(logDir, keyDir, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(headFile(logOrigin()) + " is damaged (")
        .hasMessageEndingWith("delete it to trust the log as it is");
    Files.delete(headFile(logOrigin()));
    Path notADirectory = dir.resolve("file");
    Files.writeString(notADirectory, "x");
    AuditSigner signer = AuditKeys.loadAll(keyDir).get(0);
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(signer)
            .headDirectory(notADirectory)
            .build()) {
      log.append(Fixtures.entry(1));
      log.checkpoint();
      assertThat(log.headFailures()).isEqualTo(1);
      assertThat(log.lastSequence()).isEqualTo(89);
    }
  }

  private String logOrigin() throws Exception {
    return ((Checkpoint) AuditJson.parseLine(lines(file).get(0))).origin();
  }

  private Path headFile(String origin) {
    return keyDir.resolve(Origins.fileName(origin) + ".head");
  }
}
