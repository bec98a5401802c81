package io.hyperlens.audit.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysTest {
  @TempDir Path dir;

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
  void aFingerprintIsTheSha256OfTheX509EncodingAndTheKeyIdItsPrefix() throws Exception {
    AuditSigner signer = AuditKeys.generate(dir.resolve("k.pem"));
    String hex =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(signer.publicKey().getEncoded()));
    assertThat(signer.fingerprint()).isEqualTo("SHA256:" + hex);
    assertThat(signer.keyId()).isEqualTo("ed25519:" + hex.substring(0, 16));
    assertThat(AuditKeys.normalizeFingerprint(" sha256:" + hex.toUpperCase() + " "))
        .isEqualTo("SHA256:" + hex);
  }

  @Test
  void generateInMakesAnOwnerOnlyDirectoryAndLoadAllFindsTheKeys() throws Exception {
    Path keys = dir.resolve("home/.hyperlens/keys");
    AuditSigner a = AuditKeys.generateIn(keys);
    AuditSigner b = AuditKeys.generateIn(keys);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)))
        .isEqualTo("rwx------");
    assertThat(keys.resolve("audit-" + a.keyId().substring(8) + ".pem")).exists();
    assertThat(AuditKeys.loadAll(keys))
        .extracting(AuditSigner::fingerprint)
        .containsExactlyInAnyOrder(a.fingerprint(), b.fingerprint());
    assertThat(AuditKeys.publicKeysIn(keys)).hasSize(2);
    assertThat(AuditKeys.loadAll(dir.resolve("missing"))).isEmpty();
  }

  @Test
  void aVerifierKeyFileLoadsAsAPublicKey() throws Exception {
    AuditSigner signer = AuditSigner.generate();
    Path vkey = dir.resolve("log.vkey");
    Files.writeString(vkey, "# a comment\n" + signer.noteKey("example.com/log").vkey() + "\n");
    assertThat(AuditKeys.loadPublic(vkey)).isEqualTo(signer.publicKey());
    Files.writeString(vkey, "example.com/log+00000000+AAAA\n");
    assertThatThrownBy(() -> AuditKeys.loadPublic(vkey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds no Ed25519 public key");
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
