package io.hyperlens.audit.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.TamperKind;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysTest {
  @TempDir Path dir;

  private static AuditEntry entry(int i) {
    return AuditEntry.builder()
        .agentId("agent-" + i)
        .action("act")
        .decision(Decision.ALLOW)
        .build();
  }

  @Test
  void aGeneratedPrivateKeyFileIsOwnerOnlyAndItsPublicHalfSitsBesideIt() throws Exception {
    Path key = dir.resolve("keys/audit.pem");
    AuditSigner signer = AuditKeys.generate(key);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(key)).contains("-----BEGIN PRIVATE KEY-----");
    Path pub = dir.resolve("keys/audit.pem.pub");
    assertThat(Files.readString(pub))
        .startsWith("-----BEGIN PUBLIC KEY-----")
        .doesNotContain("PRIVATE");
    assertThat(AuditKeys.keyId(AuditKeys.loadPublic(pub))).isEqualTo(signer.keyId());
    assertThat(signer.keyId()).matches("ed25519:[0-9a-f]{16}");
    AuditSigner loaded = AuditKeys.load(key);
    assertThat(loaded.keyId()).isEqualTo(signer.keyId());
    assertThat(loaded.publicKey()).isEqualTo(signer.publicKey());
  }

  @Test
  void aKeyIsNeverOverwritten() {
    Path key = dir.resolve("audit.pem");
    AuditKeys.generate(key);
    assertThatThrownBy(() -> AuditKeys.generate(key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exists; a key is never overwritten");
  }

  @Test
  void aPrivateKeyFileOthersCanReadIsRefused() throws Exception {
    Path key = dir.resolve("audit.pem");
    AuditKeys.generate(key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> AuditKeys.load(key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is open to others (rw-r--r--); run chmod 600 on it");
  }

  @Test
  void aFileWithoutAKeyIsRefusedByName() throws Exception {
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "hello");
    Files.setPosixFilePermissions(junk, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> AuditKeys.load(junk))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("junk.pem holds no PEM PRIVATE KEY block");
  }

  @Test
  void rotatedKeysEachSignTheirPartAndVerificationNeedsBothPublicKeys() {
    AuditSigner old = AuditKeys.generate(dir.resolve("2025.pem"));
    AuditSigner next = AuditKeys.generate(dir.resolve("2026.pem"));
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(old)
            .checkpointEvery(5)
            .build()) {
      for (int i = 1; i <= 7; i++) {
        log.append(entry(i));
      }
      log.rotateKey(next);
      assertThat(log.latestCheckpoint().orElseThrow().sequence()).isEqualTo(7);
      assertThat(log.latestCheckpoint().orElseThrow().keyId()).isEqualTo(old.keyId());
      for (int i = 8; i <= 12; i++) {
        log.append(entry(i));
      }
      assertThat(log.latestCheckpoint().orElseThrow().keyId()).isEqualTo(next.keyId());
      assertThat(log.verify().ok()).isTrue();
    }
    TrustedKeys both = TrustedKeys.load(dir.resolve("2025.pem.pub"), dir.resolve("2026.pem.pub"));
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      VerificationReport report = AuditVerifier.verify(store, both);
      assertThat(report.ok()).as(report.summary()).isTrue();
      // the opening one; 5; 7 on rotation; 12, five records after the last checkpoint
      assertThat(report.checkpointsVerified()).isEqualTo(4);
      VerificationReport newOnly =
          AuditVerifier.verify(store, TrustedKeys.load(dir.resolve("2026.pem.pub")));
      assertThat(newOnly.failure().orElseThrow().kind()).isEqualTo(TamperKind.BAD_SIGNATURE);
      assertThat(newOnly.failure().orElseThrow().sequence()).isZero();
    }
  }

  @Test
  void aMismatchedKeyPairIsRefused() {
    AuditSigner a = AuditSigner.generate();
    AuditSigner b = AuditSigner.generate();
    assertThatThrownBy(
            () ->
                AuditSigner.of(
                    new java.security.KeyPair(b.publicKey(), AuditKeysAccess.privateKey(a))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match its private key");
  }
}
