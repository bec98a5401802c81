package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A million appends to the file store, then one full verification of every hash and signature. */
class MillionRecordsTest {
  @TempDir Path dir;

  @Test
  void aMillionRecordsAppendAndVerify() throws Exception {
    AuditSigner signer = AuditSigner.generate();
    Path file = dir.resolve("audit.jsonl");
    long start = System.nanoTime();
    Fixtures.writeLog(file, signer, 1_000_000, 1000);
    long appended = System.nanoTime();
    VerificationReport report = Fixtures.verify(file, TrustAnchor.key(signer.publicKey()));
    long verified = System.nanoTime();
    System.out.printf(
        "1,000,000 records (%,d bytes): appended in %.1f s, verified in %.1f s%n",
        Files.size(file), (appended - start) / 1e9, (verified - appended) / 1e9);
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.recordsVerified()).isEqualTo(1_000_000);
    assertThat(report.checkpointsVerified()).isEqualTo(1001); // the opening one and every 1000th
    assertThat(report.lastCheckpoint().orElseThrow().sequence()).isEqualTo(1_000_000);
  }
}
