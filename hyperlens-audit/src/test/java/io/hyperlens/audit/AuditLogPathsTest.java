package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.InMemoryAuditStore;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.witness.DirectoryWitness;
import io.hyperlens.audit.witness.Witness;
import io.hyperlens.audit.witness.WitnessException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a log opens, continues, hands its lock back, and keeps a witness up to date. */
class AuditLogPathsTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();

  @TempDir Path dir;

  /** Appending from another thread must not wait: every operation released the lock. */
  private static void appendElsewhere(AuditLog log) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> CompletableFuture.runAsync(() -> log.append(Fixtures.entry(1))).get());
  }

  @Test
  void everyOperationHandsTheLockBack() {
    AuditLog log = AuditLog.builder().store(new InMemoryAuditStore(100)).signer(SIGNER).build();
    log.append(Fixtures.entry(0));
    log.checkpoint();
    appendElsewhere(log);
    log.verify();
    appendElsewhere(log);
    log.rotateKey(AuditSigner.generate());
    appendElsewhere(log);
    log.close();
    assertThatThrownBy(() -> appendElsewhere(log)).hasCauseInstanceOf(IllegalStateException.class);
    log.close(); // a second close is a no-op
  }

  @Test
  void theDefaultKeyDirectoryCanBeMovedForAProcess() {
    String before = System.getProperty(AuditKeys.KEY_DIR_PROPERTY);
    System.setProperty(AuditKeys.KEY_DIR_PROPERTY, dir.resolve("keys").toString());
    try {
      assertThat(AuditKeys.defaultKeyDirectory()).isEqualTo(dir.resolve("keys"));
      String fingerprint;
      try (AuditLog log = AuditLog.open(dir.resolve("log"))) {
        log.append(Fixtures.entry(1));
        fingerprint = log.fingerprint();
        assertThat(log.anchor().description()).isEqualTo("key directory " + dir.resolve("keys"));
      }
      try (AuditLog log = AuditLog.open(dir.resolve("log"), TrustAnchor.fingerprint(fingerprint))) {
        assertThat(log.verify().anchorCheck().detail())
            .isEqualTo("pinned by fingerprint " + fingerprint);
      }
    } finally {
      if (before == null) {
        System.clearProperty(AuditKeys.KEY_DIR_PROPERTY);
      } else {
        System.setProperty(AuditKeys.KEY_DIR_PROPERTY, before);
      }
    }
  }

  @Test
  void twoLogsShareAKeyDirectoryAndEachReopensWithItsOwnKey() {
    Path keys = dir.resolve("keys");
    String a;
    String b;
    try (AuditLog log = AuditLog.open(dir.resolve("a"), keys, null)) {
      log.append(Fixtures.entry(1));
      a = log.fingerprint();
    }
    try (AuditLog log = AuditLog.open(dir.resolve("b"), keys, null)) {
      log.append(Fixtures.entry(1));
      b = log.fingerprint();
    }
    try (AuditLog log = AuditLog.open(dir.resolve("b"), keys, null)) {
      assertThat(log.fingerprint()).isEqualTo(b);
    }
    try (AuditLog log = AuditLog.open(dir.resolve("a"), keys, null)) {
      assertThat(log.fingerprint()).isEqualTo(a);
    }
    assertThatThrownBy(() -> AuditLog.open(dir.resolve("a"), dir.resolve("empty"), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageMatching(
            "the audit log .*/a \\(audit\\.hyperlens\\.local/[0-9a-f]{16}\\) is signed by a key"
                + " \\(signature id [0-9a-f]{8}\\) whose private key is not in .*empty; give the key"
                + " directory that holds it");
    assertThatThrownBy(() -> AuditLog.open(null, keys, null))
        .hasMessage("directory and keyDirectory must not be null");
    assertThatThrownBy(() -> AuditLog.open(dir, null, null))
        .hasMessage("directory and keyDirectory must not be null");
  }

  @Test
  void aReopenedLogContinuesFromItsLastCheckpointWithoutReadingEveryRecord() {
    Path file = dir.resolve("audit.jsonl");
    Fixtures.writeLog(file, SIGNER, 25, 10);
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(SIGNER)
            .checkpointEvery(10)
            .build()) {
      for (int i = 0; i < 3; i++) {
        log.append(Fixtures.entry(i));
      }
    } // killed before a seal would be as good: the tail after the last checkpoint is read back
    CountingStore store = new CountingStore(JsonLinesAuditStore.open(file));
    try (AuditLog log =
        AuditLog.builder().store(store).signer(SIGNER).checkpointEvery(10).build()) {
      assertThat(store.scans.get()).isZero();
      log.append(Fixtures.entry(9));
      assertThat(log.lastSequence()).isEqualTo(29);
      assertThat(log.appendedCount()).isEqualTo(1);
      assertThat(log.verify().ok()).isTrue();
    }
  }

  @Test
  void aTailThatDoesNotContinueTheLastCheckpointIsRebuiltFromEveryRecord() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Fixtures.writeLog(file, SIGNER, 25, 10);
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(SIGNER)
            .checkpointEvery(100)
            .build()) {
      log.append(Fixtures.entry(1));
      log.append(Fixtures.entry(2));
    }
    // Cut the seal at 27, so records 26 and 27 follow the checkpoint at 25.
    List<String> lines = Fixtures.lines(file);
    lines.remove(lines.size() - 1);
    Fixtures.write(file, lines);
    CountingStore store = new CountingStore(JsonLinesAuditStore.open(file));
    try (AuditLog log =
        AuditLog.builder().store(store).signer(SIGNER).checkpointEvery(10).build()) {
      assertThat(store.scans.get()).isZero();
      assertThat(log.append(Fixtures.entry(3)).sequence()).isEqualTo(28);
      assertThat(log.verify().ok()).isTrue();
    }
    // A record missing from the tail: the frontier cannot be continued, every record is read.
    lines = Fixtures.lines(file);
    lines.remove(Fixtures.indexOf(lines, 27));
    Fixtures.write(file, lines);
    CountingStore gap = new CountingStore(new InMemoryCopy(file));
    AuditLog.builder().store(gap).signer(SIGNER).build().verify();
    assertThat(gap.scans.get()).isPositive();
  }

  @Test
  void aWitnessRefusingWithAConflictIsCaughtUpFromTheStore() throws Exception {
    DirectoryWitness real = DirectoryWitness.open(dir.resolve("w"));
    AtomicInteger conflicts = new AtomicInteger();
    Witness once =
        new Witness() {
          @Override
          public void addCheckpoint(long oldSize, List<byte[]> proof, SignedNote note)
              throws WitnessException {
            if (oldSize == 10 && conflicts.getAndIncrement() == 0) {
              throw new WitnessException(WitnessException.Reason.CONFLICT, 0, "holds another size");
            }
            real.addCheckpoint(oldSize, proof, note);
          }

          @Override
          public List<SignedNote> checkpoints(String origin) throws WitnessException {
            return real.checkpoints(origin);
          }

          @Override
          public String description() {
            return "a witness in conflict once";
          }
        };
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
            .signer(SIGNER)
            .checkpointEvery(10)
            .witness(once)
            .build()) {
      for (int i = 1; i <= 30; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.witnessFailures()).isEqualTo(1);
      assertThat(log.witnessedSize()).isEqualTo(30);
    }
    assertThat(
            Fixtures.verify(dir.resolve("audit.jsonl"), TrustAnchor.key(SIGNER.publicKey()), real)
                .witnessedSize())
        .isEqualTo(30);
  }

  @Test
  void aWitnessBacklogOverflowFallsBackToTheStore() throws Exception {
    DirectoryWitness real = DirectoryWitness.open(dir.resolve("w"));
    AtomicInteger downFor = new AtomicInteger(2);
    Witness flaky =
        new Witness() {
          @Override
          public void addCheckpoint(long oldSize, List<byte[]> proof, SignedNote note)
              throws WitnessException {
            if (oldSize > 0 && downFor.getAndDecrement() > 0) {
              throw new WitnessException("down", new java.io.IOException("timeout"));
            }
            real.addCheckpoint(oldSize, proof, note);
          }

          @Override
          public List<SignedNote> checkpoints(String origin) throws WitnessException {
            return real.checkpoints(origin);
          }

          @Override
          public String description() {
            return "a flaky witness";
          }
        };
    String origin;
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
            .signer(SIGNER)
            .checkpointEvery(5)
            .witness(flaky)
            .witnessBacklog(7)
            .build()) {
      origin = log.origin();
      for (int i = 1; i <= 20; i++) {
        log.append(Fixtures.entry(i));
      }
      // Refused at 10 and 15; seven leaves after 5 the backlog overflowed, so the proof from 5 to
      // 20 was built from the store.
      assertThat(log.witnessFailures()).isEqualTo(2);
      assertThat(log.witnessedSize()).isEqualTo(20);
    }
    List<Long> sizes = new ArrayList<>();
    for (SignedNote note : real.checkpoints(origin)) {
      sizes.add(Checkpoint.of(note, null).sequence());
    }
    assertThat(sizes).containsExactly(0L, 5L, 20L);
  }

  @Test
  void openSendsEveryCheckpointToAWitness() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"));
    String origin;
    try (AuditLog log = AuditLog.open(dir.resolve("log"), dir.resolve("keys"), null, witness)) {
      log.append(Fixtures.entry(1));
      origin = log.origin();
    }
    assertThat(witness.checkpoints(origin)).hasSize(2); // genesis, and the seal at 1
  }

  /** Counts full scans of the store. */
  private static final class CountingStore implements AuditStore {
    final AuditStore delegate;
    final AtomicInteger scans = new AtomicInteger();

    CountingStore(AuditStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void append(AuditRecord record) {
      delegate.append(record);
    }

    @Override
    public void append(Checkpoint checkpoint) {
      delegate.append(checkpoint);
    }

    @Override
    public Optional<AuditRecord> lastRecord() {
      return delegate.lastRecord();
    }

    @Override
    public Optional<Checkpoint> lastCheckpoint() {
      return delegate.lastCheckpoint();
    }

    @Override
    public List<AuditRecord> recordsAfter(long sequence) {
      return delegate.recordsAfter(sequence);
    }

    @Override
    public Stream<StoredEntry> entries() {
      scans.incrementAndGet();
      return delegate.entries();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** A store holding a copy of a file's entries, for a log that must not write the file. */
  private static final class InMemoryCopy implements AuditStore {
    private final InMemoryAuditStore copy = new InMemoryAuditStore(1000);

    InMemoryCopy(Path file) {
      try (JsonLinesAuditStore source = JsonLinesAuditStore.openReadOnly(file);
          Stream<StoredEntry> entries = source.entries()) {
        entries.forEach(
            e -> {
              if (e instanceof StoredEntry.StoredRecord) {
                copy.append(((StoredEntry.StoredRecord) e).record());
              } else if (e instanceof StoredEntry.StoredCheckpoint) {
                copy.append(((StoredEntry.StoredCheckpoint) e).checkpoint());
              }
            });
      }
    }

    @Override
    public void append(AuditRecord record) {
      copy.append(record);
    }

    @Override
    public void append(Checkpoint checkpoint) {
      copy.append(checkpoint);
    }

    @Override
    public Optional<AuditRecord> lastRecord() {
      return copy.lastRecord();
    }

    @Override
    public Optional<Checkpoint> lastCheckpoint() {
      return copy.lastCheckpoint();
    }

    @Override
    public Stream<StoredEntry> entries() {
      return copy.entries();
    }

    @Override
    public void close() {}
  }
}
