package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.checkpoint;
import static io.hyperlens.audit.Fixtures.lines;
import static io.hyperlens.audit.Fixtures.verify;
import static io.hyperlens.audit.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.VerificationReport.Verdict;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.keys.TrustStore;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.NoteKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where trust comes from: key rotation hanging from the genesis key, and pinned keys. */
class TrustTest {
  @TempDir Path dir;

  private Path rotatedLog(AuditSigner first, AuditSigner second) {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(first)
            .checkpointEvery(5)
            .build()) {
      for (int i = 1; i <= 7; i++) {
        log.append(Fixtures.entry(i));
      }
      log.rotateKey(second);
      assertThat(
              log.latestCheckpoint()
                  .orElseThrow()
                  .key()
                  .orElseThrow()
                  .sameKey(second.noteKey(log.origin())))
          .isTrue();
      for (int i = 8; i <= 12; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.verify().ok()).isTrue();
    }
    return file;
  }

  @Test
  void aRotationSignedByThePreviousKeyIsFollowedFromEitherKey() {
    AuditSigner first = AuditSigner.generate();
    AuditSigner second = AuditSigner.generate();
    Path file = rotatedLog(first, second);
    for (AuditSigner pinned : List.of(first, second)) {
      VerificationReport report = verify(file, TrustAnchor.key(pinned.publicKey()));
      assertThat(report.ok()).as(report.summary()).isTrue();
      assertThat(report.fingerprints()).containsExactly(first.fingerprint(), second.fingerprint());
      // genesis; 5; 7 sealed; 7 rotation; 12 on close
      assertThat(report.checkpointsVerified()).isEqualTo(5);
      assertThat(report.summary()).contains("(rotated from " + first.fingerprint() + ")");
    }
    assertThat(
            verify(file, TrustAnchor.key(AuditSigner.generate().publicKey()))
                .failure()
                .orElseThrow()
                .kind())
        .isEqualTo(TamperKind.UNTRUSTED_KEY);
  }

  @Test
  void aRotationSignedByAnyOtherKeyIsRejected() throws Exception {
    AuditSigner first = AuditSigner.generate();
    Path file = dir.resolve("audit.jsonl");
    Fixtures.writeLog(file, first, 12, 5);
    AuditSigner attacker = AuditSigner.generate();
    List<String> lines = lines(file);
    Checkpoint last = checkpoint(lines.get(lines.size() - 1));
    CompactRange tree = CompactRange.of(12, last.frontier().orElseThrow());
    // A rotation to the attacker's key, signed by the attacker and not by the log's key.
    lines.add(
        AuditJson.toLine(
            Fixtures.sign(
                last.origin(), tree, 17, last.timestamp(), attacker, attacker, attacker)));
    write(file, lines);
    Failure failure = verify(file, TrustAnchor.key(first.publicKey())).failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.BAD_SIGNATURE);
    assertThat(failure.sequence()).isEqualTo(12);
    assertThat(failure.detail())
        .isEqualTo("the checkpoint is not signed by the log's key " + first.fingerprint());
  }

  @Test
  void aRotationNotSignedByTheKeyItNamesIsRejected() throws Exception {
    AuditSigner first = AuditSigner.generate();
    Path file = dir.resolve("audit.jsonl");
    Fixtures.writeLog(file, first, 12, 5);
    AuditSigner named = AuditSigner.generate();
    List<String> lines = lines(file);
    Checkpoint last = checkpoint(lines.get(lines.size() - 1));
    CompactRange tree = CompactRange.of(12, last.frontier().orElseThrow());
    lines.add(
        AuditJson.toLine(Fixtures.sign(last.origin(), tree, 17, last.timestamp(), named, first)));
    write(file, lines);
    Failure failure = verify(file, TrustAnchor.key(first.publicKey())).failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.BAD_SIGNATURE);
    assertThat(failure.detail())
        .isEqualTo("the rotation to key " + named.fingerprint() + " is not signed by that key");
  }

  @Test
  void aRotationLineDeletedLeavesTheNewKeysCheckpointsUnsigned() throws Exception {
    AuditSigner first = AuditSigner.generate();
    AuditSigner second = AuditSigner.generate();
    Path file = rotatedLog(first, second);
    List<String> lines = lines(file);
    int rotation = -1;
    for (int i = 0; i < lines.size(); i++) {
      Checkpoint c = checkpoint(lines.get(i));
      if (c != null && c.sequence() > 0 && c.key().isPresent()) {
        rotation = i;
      }
    }
    lines.remove(rotation);
    write(file, lines);
    Failure failure = verify(file, TrustAnchor.key(first.publicKey())).failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.BAD_SIGNATURE);
    assertThat(failure.sequence()).isEqualTo(12);
  }

  @Test
  void aLogReopenedFromItsDirectoryAfterARotationSignsWithTheNewKey() {
    Path logDir = dir.resolve("log");
    Path keys = dir.resolve("keys");
    AuditSigner next;
    try (AuditLog log = AuditLog.open(logDir, keys, null)) {
      log.append(Fixtures.entry(1));
      next = AuditKeys.generateIn(keys);
      log.rotateKey(next);
      log.append(Fixtures.entry(2));
    }
    try (AuditLog log = AuditLog.open(logDir, keys, null)) {
      assertThat(log.fingerprint()).isEqualTo(next.fingerprint());
      log.append(Fixtures.entry(3));
      assertThat(log.verify().ok()).isTrue();
    }
  }

  @Test
  void aLogSwappedForAnotherWithItsKeyBesideItFailsAgainstThePinnedKey() throws Exception {
    // The outside run's attack: log B and B's public key copied into A's directory.
    Path a = dir.resolve("A");
    Path b = dir.resolve("B");
    Path keys = dir.resolve("keys");
    try (AuditLog log = AuditLog.open(a, keys, null)) {
      log.append(Fixtures.entry(1));
    }
    String bKey;
    try (AuditLog log = AuditLog.open(b, keys, null)) {
      log.append(Fixtures.entry(2));
      bKey = log.keyId().substring(8);
    }
    TrustStore store = TrustStore.open(dir.resolve("trusted"));
    String origin;
    try (JsonLinesAuditStore s = JsonLinesAuditStore.openReadOnly(a.resolve(AuditLog.STORE_FILE))) {
      VerificationReport unpinned =
          AuditVerifier.verify(s, TrustAnchor.trustStore(store.directory()));
      assertThat(unpinned.verdict()).isEqualTo(Verdict.UNANCHORED);
      origin = unpinned.origin().orElseThrow();
      store.pin(unpinned.keys().get(0), s.location());
      assertThat(AuditVerifier.verify(s, TrustAnchor.trustStore(store.directory())).ok()).isTrue();
    }
    Files.copy(
        b.resolve(AuditLog.STORE_FILE),
        a.resolve(AuditLog.STORE_FILE),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(keys.resolve("audit-" + bKey + ".pem.pub"), a.resolve("zz-extra.pub"));
    VerificationReport report =
        verify(a.resolve(AuditLog.STORE_FILE), TrustAnchor.trustStore(store.directory()));
    assertThat(report.verdict()).isEqualTo(Verdict.TAMPERED);
    Failure failure = report.failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.UNTRUSTED_KEY);
    assertThat(failure.detail())
        .contains("pins the log at " + a.toAbsolutePath())
        .contains("which does not sign this log");
    // Nothing pinned: unanchored, never verified.
    assertThat(verify(a.resolve(AuditLog.STORE_FILE), TrustAnchor.none()).verdict())
        .isEqualTo(Verdict.UNANCHORED);
    assertThat(origin).startsWith("audit.hyperlens.local/");
  }

  @Test
  void aTrustStorePinIsAVerifierKeyLineWithWhereAndWhen() throws Exception {
    AuditSigner signer = AuditSigner.generate();
    NoteKey key = signer.noteKey("audit.example.com/payments");
    TrustStore store = TrustStore.open(dir.resolve("trusted"));
    Path file = store.pin(key, "/var/lib/audit");
    assertThat(file.getFileName().toString()).isEqualTo("audit.example.com_2Fpayments.vkey");
    assertThat(Files.readAllLines(file)).hasSize(3).element(2).isEqualTo(key.vkey());
    assertThat(store.pin(key, "/elsewhere")).isEqualTo(file);
    assertThat(Files.readAllLines(file)).hasSize(3); // pinned once
    assertThat(store.pins())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.key()).isEqualTo(key);
              assertThat(p.location()).isEqualTo("/var/lib/audit");
            });
    assertThat(TrustAnchor.trustStore(store.directory()).keysFor("audit.example.com/payments"))
        .containsExactly(signer.publicKey());
    assertThat(TrustAnchor.trustStore(store.directory()).keysFor("other")).isEmpty();
  }

  @Test
  void aSecondKeyPinnedForAnOriginIsAMismatchWhenItDoesNotSign() {
    AuditSigner signer = AuditSigner.generate();
    Path file = dir.resolve("audit.jsonl");
    Fixtures.writeLog(file, signer, 3, 5);
    String origin = verify(file, TrustAnchor.none()).origin().orElseThrow();
    TrustStore store = TrustStore.open(dir.resolve("trusted"));
    AuditSigner other = AuditSigner.generate();
    store.pin(other.noteKey(origin), null);
    Failure failure =
        verify(file, TrustAnchor.trustStore(store.directory())).failure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(TamperKind.UNTRUSTED_KEY);
    assertThat(failure.detail())
        .isEqualTo(
            "trust store "
                + store.directory()
                + " pins log "
                + origin
                + " to key "
                + other.fingerprint()
                + ", which does not sign this log");
  }

  @Test
  void theDefaultAnchorOfABuiltLogIsItsOwnSigner() {
    AuditSigner signer = AuditSigner.generate();
    try (AuditLog log =
        AuditLog.builder()
            .store(new io.hyperlens.audit.store.InMemoryAuditStore(100))
            .signer(signer)
            .build()) {
      log.append(Fixtures.entry(1));
      VerificationReport report = log.verify();
      assertThat(report.ok()).isTrue();
      assertThat(report.anchorCheck().detail()).isEqualTo("the log's own signing key");
      assertThat(TrustAnchor.none().check(log.origin(), report.keys(), null).status())
          .isEqualTo(TrustAnchor.Status.UNKNOWN);
    }
  }
}
