package io.hyperlens.audit.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.tlog.NoteKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each anchor trusts, says and holds; where keys and pins live by default. */
class AnchorsTest {
  @TempDir Path dir;

  private final AuditSigner first = AuditSigner.generate();
  private final AuditSigner second = AuditSigner.generate();
  private final List<NoteKey> chain = List.of(first.noteKey("o"), second.noteKey("o"));

  @Test
  void aPinnedKeyTrustsAnyKeyOfTheChainAndNamesTheMismatch() {
    TrustAnchor byFirst = TrustAnchor.key(first.publicKey());
    assertThat(byFirst.check("o", chain, null).status()).isEqualTo(TrustAnchor.Status.TRUSTED);
    assertThat(TrustAnchor.key(second.publicKey()).check("o", chain, null).fingerprint())
        .isEqualTo(second.fingerprint());
    AuditSigner other = AuditSigner.generate();
    TrustAnchor.Check mismatch = TrustAnchor.key(other.publicKey()).check("o", chain, null);
    assertThat(mismatch.status()).isEqualTo(TrustAnchor.Status.MISMATCH);
    assertThat(mismatch.fingerprint()).isEqualTo(other.fingerprint());
    assertThat(mismatch.detail())
        .isEqualTo(
            "the log is signed by "
                + second.fingerprint()
                + " (and 1 earlier keys), not by "
                + other.fingerprint()
                + " (the key given)");
    assertThat(TrustAnchor.key(other.publicKey()).check("o", chain.subList(0, 1), null).detail())
        .isEqualTo(
            "the log is signed by "
                + first.fingerprint()
                + ", not by "
                + other.fingerprint()
                + " (the key given)");
    assertThat(byFirst.check("o", List.of(), null).status()).isEqualTo(TrustAnchor.Status.UNKNOWN);
    assertThat(byFirst.check("o", null, null).detail()).isEqualTo("the log names no key");
    assertThat(byFirst.keysFor("anything")).containsExactly(first.publicKey());
    assertThat(byFirst.toString()).isEqualTo("TrustAnchor[the key given]");
    assertThatThrownBy(() -> TrustAnchor.key(null)).hasMessage("publicKey must not be null");
  }

  @Test
  void aKeyFileAnchorReadsPemAndVerifierKeys() throws Exception {
    Path pem = dir.resolve("k.pem");
    AuditSigner fromFile = AuditKeys.generate(pem);
    TrustAnchor anchor = TrustAnchor.keyFile(AuditKeys.publicKeyFile(pem));
    assertThat(anchor.description()).isEqualTo("key file " + AuditKeys.publicKeyFile(pem));
    assertThat(anchor.check("o", List.of(fromFile.noteKey("o")), null).detail())
        .isEqualTo("pinned by key file " + AuditKeys.publicKeyFile(pem));
    assertThat(anchor.keysFor("o")).containsExactly(fromFile.publicKey());
    Path vkey = dir.resolve("k.vkey");
    Files.writeString(vkey, fromFile.noteKey("o").vkey() + "\n");
    assertThat(TrustAnchor.keyFile(vkey).check("o", List.of(fromFile.noteKey("o")), null).status())
        .isEqualTo(TrustAnchor.Status.TRUSTED);
    assertThat(TrustAnchor.fingerprint(fromFile.fingerprint()).keysFor("o")).isEmpty();
  }

  @Test
  void noneAndHeldKeysAndSigners() {
    TrustAnchor none = TrustAnchor.none();
    assertThat(none.check("o", chain, null))
        .isEqualTo(new TrustAnchor.Check(TrustAnchor.Status.UNKNOWN, null, "no anchor"));
    assertThat(none.keysFor("o")).isEmpty();
    assertThat(none.description()).isEqualTo("no anchor");

    Path keys = dir.resolve("keys");
    AuditSigner held = AuditKeys.generateIn(keys);
    TrustAnchor heldKeys = TrustAnchor.heldKeys(keys);
    assertThat(heldKeys.description()).isEqualTo("key directory " + keys);
    TrustAnchor.Check check =
        heldKeys.check("o", List.of(first.noteKey("o"), held.noteKey("o")), null);
    assertThat(check.status()).isEqualTo(TrustAnchor.Status.TRUSTED);
    assertThat(check.fingerprint()).isEqualTo(held.fingerprint());
    assertThat(heldKeys.check("o", chain, null))
        .isEqualTo(
            new TrustAnchor.Check(
                TrustAnchor.Status.UNKNOWN, null, "no key of this log is held in " + keys));
    assertThat(heldKeys.keysFor("o")).containsExactly(held.publicKey());
    assertThatThrownBy(() -> TrustAnchor.heldKeys(null))
        .hasMessage("keyDirectory must not be null");

    TrustAnchor signers = TrustAnchor.signers(List.of(second));
    assertThat(signers.check("o", chain, null).fingerprint()).isEqualTo(second.fingerprint());
    assertThat(signers.check("o", chain.subList(0, 1), null))
        .isEqualTo(
            new TrustAnchor.Check(
                TrustAnchor.Status.UNKNOWN, null, "the log is not signed by its writer's keys"));
    assertThat(signers.keysFor("o")).containsExactly(second.publicKey());
  }

  @Test
  void aTrustStoreTrustsItsPinsByKeyAndMismatchesByOriginOrLocation() throws Exception {
    TrustStore store = TrustStore.open(dir.resolve("trust"));
    assertThat(store.pins()).isEmpty();
    assertThat(store.toString()).isEqualTo("trust store " + dir.resolve("trust"));
    TrustAnchor anchor = TrustAnchor.trustStore(store.directory());
    assertThat(anchor.check("o", chain, "/logs/a").status()).isEqualTo(TrustAnchor.Status.UNKNOWN);
    store.pin(second.noteKey("o"), "/logs/a");
    TrustAnchor.Check trusted = anchor.check("o", chain, "/logs/a");
    assertThat(trusted.status()).isEqualTo(TrustAnchor.Status.TRUSTED);
    assertThat(trusted.fingerprint()).isEqualTo(second.fingerprint());
    assertThat(trusted.detail()).isEqualTo("pinned for o in trust store " + store.directory());
    AuditSigner other = AuditSigner.generate();
    List<NoteKey> otherChain = List.of(other.noteKey("p"));
    TrustAnchor.Check byLocation = anchor.check("p", otherChain, "/logs/a");
    assertThat(byLocation.status()).isEqualTo(TrustAnchor.Status.MISMATCH);
    assertThat(byLocation.detail())
        .contains("pins the log at /logs/a to key " + second.fingerprint());
    assertThat(anchor.check("p", otherChain, "/logs/b").status())
        .isEqualTo(TrustAnchor.Status.UNKNOWN);
    assertThat(anchor.check("p", otherChain, null).status()).isEqualTo(TrustAnchor.Status.UNKNOWN);
    assertThat(anchor.check("o", List.of(other.noteKey("o")), null).status())
        .isEqualTo(TrustAnchor.Status.MISMATCH);
    assertThatThrownBy(() -> store.pin(null, null)).hasMessage("key must not be null");
    assertThatThrownBy(() -> store.pin(other.noteKey("q"), "a\nb"))
        .hasMessage("location must be one line, got a\nb");
    assertThatThrownBy(() -> store.pin(other.noteKey("q"), "a\rb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrustStore.open(null)).hasMessage("directory must not be null");
    java.nio.file.Path file = dir.resolve("a-file");
    java.nio.file.Files.writeString(file, "x");
    assertThatThrownBy(() -> TrustStore.open(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trust store " + file + " is a file, not a directory");
    assertThat(store.pinsFor("nobody")).isEmpty();
    // a log pinned at its own place, copied over another pinned log, fails by the place
    TrustStore two = TrustStore.open(dir.resolve("two"));
    AuditSigner prod = AuditSigner.generate();
    AuditSigner staging = AuditSigner.generate();
    two.pin(prod.noteKey("prod"), "/logs/prod");
    two.pin(staging.noteKey("staging"), "/logs/staging");
    TrustAnchor both = TrustAnchor.trustStore(two.directory());
    assertThat(both.check("staging", List.of(staging.noteKey("staging")), "/logs/staging").status())
        .isEqualTo(TrustAnchor.Status.TRUSTED);
    TrustAnchor.Check copied =
        both.check("staging", List.of(staging.noteKey("staging")), "/logs/prod");
    assertThat(copied.status()).isEqualTo(TrustAnchor.Status.MISMATCH);
    assertThat(copied.detail())
        .isEqualTo(
            "trust store "
                + two.directory()
                + " pins the log at /logs/prod to key "
                + prod.fingerprint()
                + ", which does not sign this log");
    // a file in the store that is not text is named
    java.nio.file.Files.write(two.directory().resolve("bad.vkey"), new byte[] {(byte) 0xff, 0});
    assertThatThrownBy(two::pins)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "trust store file " + two.directory().resolve("bad.vkey") + " cannot be read as text");
    assertThat(store.pinsFor("o")).extracting(TrustStore.Pin::location).containsExactly("/logs/a");
  }

  @Test
  void aTrustStoreFileNamesEachOriginAndReadsOnlyVkeyFiles() throws Exception {
    TrustStore store = TrustStore.open(dir.resolve("trust"));
    String origin = "A-z.0_9/x:y~";
    Path file = store.pin(first.noteKey(origin), null);
    assertThat(file.getFileName().toString()).isEqualTo("A-z.0_5F9_2Fx_3Ay_7E.vkey");
    assertThat(store.pin(second.noteKey("az09AZ.-"), null).getFileName().toString())
        .isEqualTo("az09AZ.-.vkey");
    assertThat(store.pin(second.noteKey("@[`{"), null).getFileName().toString())
        .isEqualTo("_40_5B_60_7B.vkey");
    Files.writeString(dir.resolve("trust/notes.txt"), "not a pin\n");
    assertThat(store.pins()).hasSize(3);
    Files.writeString(dir.resolve("trust/bad.vkey"), "# comment\n\nnot-a-key\n");
    assertThatThrownBy(store::pins)
        .hasMessageStartingWith("trust store file " + dir.resolve("trust/bad.vkey") + " line 3: ");
  }

  @Test
  void defaultDirectoriesAreUnderTheHomeDirectoryUnlessTheEnvironmentSaysOtherwise() {
    String home = System.getProperty("user.home");
    String keyEnv = System.getenv(AuditKeys.KEY_DIR_ENV);
    assertThat(AuditKeys.defaultKeyDirectory())
        .isEqualTo(
            keyEnv == null || keyEnv.isBlank()
                ? Path.of(home, ".hyperlens", "keys")
                : Path.of(keyEnv));
    String trustEnv = System.getenv(TrustStore.TRUST_STORE_ENV);
    assertThat(TrustStore.defaultDirectory())
        .isEqualTo(
            trustEnv == null || trustEnv.isBlank()
                ? Path.of(home, ".hyperlens", "trusted-keys")
                : Path.of(trustEnv));
    assertThat(TrustAnchor.defaultTrustStore().description())
        .isEqualTo("trust store " + TrustStore.defaultDirectory());
  }

  @Test
  void keyFilesRefuseNullsAndSignersRefuseOtherAlgorithms() throws Exception {
    assertThatThrownBy(() -> AuditKeys.generate(null))
        .hasMessage("privateKeyFile must not be null");
    assertThatThrownBy(() -> AuditKeys.load(null)).hasMessage("privateKeyFile must not be null");
    assertThatThrownBy(() -> AuditKeys.loadPublic(null))
        .hasMessage("publicKeyFile must not be null");
    assertThatThrownBy(() -> AuditKeys.generateIn(null))
        .hasMessage("keyDirectory must not be null");
    assertThat(AuditKeys.publicKeysIn(null)).isEmpty();
    assertThat(AuditKeys.loadAll(null)).isEmpty();
    assertThat(AuditKeys.publicKeysIn(dir.resolve("none"))).isEmpty();
    Path key = dir.resolve("k.pem");
    AuditKeys.generate(key);
    Files.delete(key);
    assertThatThrownBy(() -> AuditKeys.generate(key))
        .hasMessageContaining("public key file " + AuditKeys.publicKeyFile(key) + " exists");
    assertThatThrownBy(() -> AuditSigner.of(null)).hasMessage("keyPair must not be null");
    KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
    assertThatThrownBy(() -> AuditSigner.of(ec))
        .hasMessage("keyPair must be an Ed25519 key pair, got EC/EC");
    assertThatThrownBy(() -> AuditSigner.of(new KeyPair(null, null)))
        .hasMessage("keyPair must be an Ed25519 key pair, got no private key/no public key");
    KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
    assertThatThrownBy(() -> AuditSigner.of(ed448))
        .hasMessage("keyPair must be an Ed25519 key pair, got EdDSA/EdDSA");
    assertThat(first.toString()).isEqualTo("AuditSigner[" + first.keyId() + "]");
    Path dirAsFile = dir.resolve("file");
    Files.writeString(dirAsFile, "x");
    assertThatThrownBy(() -> AuditKeys.generateIn(dirAsFile.resolve("sub")))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageStartingWith("cannot create key directory ");
  }
}
