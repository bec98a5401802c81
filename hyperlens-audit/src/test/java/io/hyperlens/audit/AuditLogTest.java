package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.store.FsyncPolicy;
import io.hyperlens.audit.store.InMemoryAuditStore;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.TestClock;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AuditLogTest {
  @TempDir Path dir;
  private final AuditSigner signer = AuditSigner.generate();
  private final TestClock clock = new TestClock(Fixtures.START);

  private AuditLog open(int checkpointEvery) {
    return AuditLog.builder()
        .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
        .signer(signer)
        .checkpointEvery(checkpointEvery)
        .clock(clock)
        .build();
  }

  @Test
  void appendsChainRecordsWithStrictlyIncreasingSequences() {
    try (AuditLog log = open(1000)) {
      AuditRecord first = log.append(Fixtures.entry(1));
      clock.advance(Duration.ofMillis(1500));
      AuditRecord second = log.append(Fixtures.entry(2));
      assertThat(first.sequence()).isEqualTo(1);
      assertThat(first.prevHash()).isEqualTo(AuditRecord.GENESIS_HASH);
      assertThat(first.hash()).isEqualTo(AuditJson.hash(first));
      assertThat(first.id()).startsWith("audit-");
      assertThat(first.timestamp()).isEqualTo(Fixtures.START);
      assertThat(second.sequence()).isEqualTo(2);
      assertThat(second.prevHash()).isEqualTo(first.hash());
      assertThat(second.timestamp()).isEqualTo(Fixtures.START.plusMillis(1500));
      assertThat(log.lastSequence()).isEqualTo(2);
    }
  }

  @Test
  void timestampsAreKeptToTheMillisecond() {
    try (AuditLog log = open(1000)) {
      Instant precise = Instant.parse("2026-01-28T17:45:00.123456789Z");
      AuditRecord r =
          log.append(
              AuditEntry.builder()
                  .agentId("a")
                  .action("x")
                  .decision(Decision.ALLOW)
                  .timestamp(precise)
                  .build());
      assertThat(r.timestamp()).isEqualTo(Instant.parse("2026-01-28T17:45:00.123Z"));
      assertThat(log.verify().ok()).isTrue();
    }
  }

  @Test
  void secretsAreRedactedFromResourceReasonAndContextBeforeHashing() throws Exception {
    String key = "sk-proj-abcdefghijklmnopqrstuvwx1234";
    AuditRecord r;
    try (AuditLog log = open(1000)) {
      r =
          log.append(
              AuditEntry.builder()
                  .agentId("agent-001")
                  .action("http_call")
                  .resource("https://admin:hunter2secret@db.internal/prod")
                  .decision(Decision.DENY)
                  .reason("blocked call with key " + key)
                  .context(
                      Map.of(
                          "password", "plain words",
                          "nested", Map.of("header", "Authorization: Bearer " + key),
                          "list", List.of("AKIAIOSFODNN7EXAMPLE")))
                  .build());
      assertThat(log.verify().ok()).isTrue();
    }
    assertThat(r.resource()).doesNotContain("hunter2secret").contains("[REDACTED:");
    assertThat(r.reason()).isEqualTo("blocked call with key [REDACTED:openai_key]");
    assertThat(r.context().get("password")).isEqualTo("[REDACTED:credential]");
    assertThat(r.context().toString()).doesNotContain(key).doesNotContain("AKIAIOSFODNN7EXAMPLE");
    String stored = Files.readString(dir.resolve("audit.jsonl"));
    assertThat(stored)
        .doesNotContain(key)
        .doesNotContain("hunter2secret")
        .doesNotContain("plain words")
        .doesNotContain("AKIAIOSFODNN7EXAMPLE");
    assertThat(r.hash()).isEqualTo(AuditJson.hash(r));
  }

  @Test
  void badInputNamesTheFieldAndRecordsNothing() {
    try (AuditLog log = open(1000)) {
      log.append(Fixtures.entry(1));
      assertThatThrownBy(() -> AuditEntry.builder().agentId(" ").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("agentId must not be blank");
      assertThatThrownBy(
              () ->
                  AuditEntry.builder()
                      .agentId("a\u0000b")
                      .action("x")
                      .decision(Decision.ALLOW)
                      .build())
          .hasMessageContaining("agentId must not hold a NUL character, got one at index 1");
      assertThatThrownBy(() -> AuditEntry.builder().agentId("a").action("x").build())
          .hasMessageContaining("decision must not be null");
      assertThatThrownBy(() -> AuditEntry.builder().decision("maybe"))
          .hasMessageContaining("decision must be one of allow|deny|audit, got \"maybe\"");
      assertThatThrownBy(() -> AuditEntry.builder().context("n", 1L << 60))
          .hasMessageContaining("context.n is 1152921504606846976, beyond ±2^53");
      assertThatThrownBy(() -> AuditEntry.builder().context("x", Double.NaN))
          .hasMessageContaining("context.x must be a finite number");
      assertThatThrownBy(() -> AuditEntry.builder().context("when", Instant.EPOCH))
          .hasMessageContaining("context.when must be a string, boolean, number");
      assertThatThrownBy(() -> AuditEntry.builder().resource("r".repeat(10_000)))
          .hasMessageContaining("resource must be at most 8192 characters, got 10000");
      assertThatThrownBy(() -> log.append(null)).hasMessageContaining("entry must not be null");
      assertThat(log.lastSequence()).isEqualTo(1);
      assertThat(log.append(Fixtures.entry(2)).sequence()).isEqualTo(2);
    }
  }

  @Test
  void checkpointsAreSignedEveryNRecordsAndOnClose() {
    try (AuditLog log = open(10)) {
      for (int i = 1; i <= 25; i++) {
        log.append(Fixtures.entry(i));
      }
      assertThat(log.checkpointCount()).isEqualTo(3); // the opening one, 10, 20
      assertThat(log.latestCheckpoint().orElseThrow().sequence()).isEqualTo(20);
    }
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(dir.resolve("audit.jsonl"))) {
      List<Long> sealed;
      try (Stream<StoredEntry> entries = store.entries()) {
        sealed =
            entries
                .filter(e -> e instanceof StoredEntry.StoredCheckpoint)
                .map(e -> ((StoredEntry.StoredCheckpoint) e).checkpoint().sequence())
                .collect(Collectors.toList());
      }
      assertThat(sealed).containsExactly(0L, 10L, 20L, 25L);
      Checkpoint last = store.lastCheckpoint().orElseThrow();
      assertThat(signer.noteKey(last.origin()).check(last.note()))
          .isEqualTo(io.hyperlens.audit.tlog.NoteKey.Verdict.VERIFIED);
      assertThat(last.root()).isEqualTo(AuditProofs.tree(store, 25).root());
    }
  }

  @Test
  void aReopenedLogContinuesTheChain() {
    try (AuditLog log = open(1000)) {
      log.append(Fixtures.entry(1));
      log.append(Fixtures.entry(2));
    }
    try (AuditLog log = open(1000)) {
      assertThat(log.lastSequence()).isEqualTo(2);
      AuditRecord third = log.append(Fixtures.entry(3));
      assertThat(third.sequence()).isEqualTo(3);
      VerificationReport report = log.verify();
      assertThat(report.ok()).as(report.summary()).isTrue();
      assertThat(report.recordsVerified()).isEqualTo(3);
    }
  }

  @Test
  void aSecondWriterOnTheSameFileIsRefused() {
    try (AuditLog log = open(1000)) {
      log.append(Fixtures.entry(1));
      assertThatThrownBy(() -> JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already open for writing");
    }
  }

  @Test
  void concurrentAppendsGetEverySequenceOnceAndTheChainVerifies() throws Exception {
    int threads = 8;
    int each = 2_000;
    try (AuditLog log = open(500)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t * each;
        futures.add(
            pool.submit(
                () -> {
                  List<Long> mine = new ArrayList<>();
                  for (int i = 0; i < each; i++) {
                    mine.add(log.append(Fixtures.entry(offset + i)).sequence());
                  }
                  return mine;
                }));
      }
      Set<Long> sequences = new HashSet<>();
      for (Future<List<Long>> f : futures) {
        List<Long> mine = f.get(60, TimeUnit.SECONDS);
        for (int i = 1; i < mine.size(); i++) {
          assertThat(mine.get(i)).isGreaterThan(mine.get(i - 1));
        }
        sequences.addAll(mine);
      }
      pool.shutdown();
      assertThat(sequences).hasSize(threads * each);
      assertThat(sequences).allMatch(s -> s >= 1 && s <= threads * each);
      VerificationReport report = log.verify();
      assertThat(report.ok()).as(report.summary()).isTrue();
      assertThat(report.recordsVerified()).isEqualTo(threads * each);
    }
  }

  @Test
  void eachCommittedRecordIsAnnouncedOnTheEventBus() {
    HypervisorEventBus bus = new HypervisorEventBus();
    List<HypervisorEvent> seen = new CopyOnWriteArrayList<>();
    bus.subscribe(EventType.AUDIT_COMMITTED, seen::add);
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
            .signer(signer)
            .checkpointEvery(2)
            .clock(clock)
            .eventBus(bus)
            .build()) {
      AuditRecord first = log.append(Fixtures.entry(10));
      log.append(Fixtures.entry(11));
      assertThat(seen).hasSize(2);
      HypervisorEvent event = seen.get(0);
      assertThat(event.agentDid()).contains(first.agentId());
      assertThat(event.sessionId()).contains("sess-2");
      assertThat(event.timestamp()).isEqualTo(first.timestamp());
      assertThat(event.payload())
          .containsEntry("audit_id", first.id())
          .containsEntry("sequence", 1L)
          .containsEntry("hash", first.hash())
          .containsEntry("decision", "deny")
          .containsEntry("action", "file_write")
          .doesNotContainKey("checkpoint");
      @SuppressWarnings("unchecked")
      Map<String, Object> checkpoint =
          (Map<String, Object>) seen.get(1).payload().get("checkpoint");
      assertThat(checkpoint)
          .containsEntry("sequence", 2L)
          .containsEntry("origin", "audit.hyperlens.local/" + signer.keyId().substring(8))
          .containsKey("root");
      assertThat(
              signer
                  .noteKey((String) checkpoint.get("origin"))
                  .check(io.hyperlens.audit.tlog.SignedNote.parse((String) checkpoint.get("note"))))
          .isEqualTo(io.hyperlens.audit.tlog.NoteKey.Verdict.VERIFIED);
    }
  }

  @Test
  void aThrowingSubscriberNeverFailsAnAppend() {
    HypervisorEventBus bus = new HypervisorEventBus();
    bus.subscribeAll(
        e -> {
          throw new IllegalStateException("subscriber down");
        });
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
            .signer(signer)
            .eventBus(bus)
            .build()) {
      assertThat(log.append(Fixtures.entry(1)).sequence()).isEqualTo(1);
      assertThat(bus.failedDeliveries()).isEqualTo(1);
    }
  }

  @Test
  void aFailingStoreThrowsAndLeavesTheLogAsItWas() {
    FailingStore store = new FailingStore(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")));
    try (AuditLog log = AuditLog.builder().store(store).signer(signer).build()) {
      log.append(Fixtures.entry(1));
      store.failing = true;
      assertThatThrownBy(() -> log.append(Fixtures.entry(2)))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("disk full");
      assertThat(log.lastSequence()).isEqualTo(1);
      store.failing = false;
      assertThat(log.append(Fixtures.entry(3)).sequence()).isEqualTo(2);
      assertThat(log.verify().ok()).isTrue();
    }
  }

  @Test
  void aDueCheckpointThatFailsIsCountedAndWrittenBeforeTheNextRecord() {
    FailingStore store = new FailingStore(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")));
    try (AuditLog log = AuditLog.builder().store(store).signer(signer).checkpointEvery(2).build()) {
      log.append(Fixtures.entry(1));
      store.failingCheckpoints = true;
      assertThat(log.append(Fixtures.entry(2)).sequence()).isEqualTo(2); // the record stands
      assertThat(log.checkpointFailures()).isEqualTo(1);
      // Still failing: record 3 may not run past the promised checkpoint, so it is refused.
      assertThatThrownBy(() -> log.append(Fixtures.entry(3)))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("sync failed");
      assertThat(log.lastSequence()).isEqualTo(2);
      store.failingCheckpoints = false;
      assertThat(log.append(Fixtures.entry(3)).sequence()).isEqualTo(3);
      assertThat(log.latestCheckpoint().orElseThrow().sequence()).isEqualTo(2);
      VerificationReport report = log.verify();
      assertThat(report.ok()).as(report.summary()).isTrue();
    }
  }

  @Test
  void aFullInMemoryStoreRefusesTheRecordAndTheLogStaysAsItWas() {
    AuditLog log = AuditLog.builder().store(new InMemoryAuditStore(3)).signer(signer).build();
    log.append(Fixtures.entry(1)); // the opening checkpoint and record 1
    log.append(Fixtures.entry(2));
    assertThatThrownBy(() -> log.append(Fixtures.entry(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in-memory audit store is full (capacity 3)");
    assertThat(log.lastSequence()).isEqualTo(2);
    assertThat(log.appendedCount()).isEqualTo(2);
    // Nor is there room for the closing checkpoint: close says so rather than pretend.
    assertThatThrownBy(log::close).hasMessageContaining("is full");
  }

  @ParameterizedTest
  @EnumSource(FsyncPolicy.class)
  void eitherFsyncPolicyKeepsAVerifiableLogAcrossReopening(FsyncPolicy fsync) {
    Path file = dir.resolve("audit-" + fsync + ".jsonl");
    for (int round = 0; round < 2; round++) {
      try (AuditLog log =
          AuditLog.builder()
              .store(JsonLinesAuditStore.open(file, fsync))
              .signer(signer)
              .checkpointEvery(3)
              .build()) {
        for (int i = 0; i < 5; i++) {
          log.append(Fixtures.entry(i));
        }
      }
    }
    VerificationReport report =
        Fixtures.verify(file, io.hyperlens.audit.keys.TrustAnchor.key(signer.publicKey()));
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.lastSequence()).isEqualTo(10);
  }

  @Test
  void appendAfterCloseIsRefused() {
    AuditLog log = open(1000);
    log.close();
    log.close();
    assertThatThrownBy(() -> log.append(Fixtures.entry(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the audit log is closed");
    assertThatThrownBy(log::checkpoint)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the audit log is closed");
    assertThatThrownBy(() -> log.rotateKey(AuditSigner.generate()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the audit log is closed");
    assertThatThrownBy(() -> log.rotateKey(signer)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rotatingToTheKeyInUseIsRefused() {
    try (AuditLog log = open(1000)) {
      assertThatThrownBy(() -> log.rotateKey(signer))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("next must be a new key, got the one in use " + signer.fingerprint());
      assertThatThrownBy(() -> log.rotateKey(null)).hasMessage("next must not be null");
    }
  }

  @Test
  void queriesFilterByEveryCriterionAndKeepTheNewestMatches() {
    try (AuditLog log = open(1000)) {
      for (int i = 1; i <= 100; i++) {
        log.append(Fixtures.entry(i));
        clock.advance(Duration.ofHours(1));
      }
      List<AuditRecord> denies = log.query(AuditQuery.builder().decision(Decision.DENY).build());
      assertThat(denies).hasSize(10).allMatch(r -> r.decision() == Decision.DENY);
      List<AuditRecord> newest = log.query(Decision.DENY, null, null, null, null, 3);
      assertThat(newest).extracting(AuditRecord::sequence).containsExactly(80L, 90L, 100L);
      List<AuditRecord> combined = log.query(Decision.ALLOW, "agent-1", "tool_call", null, null, 0);
      assertThat(combined)
          .isNotEmpty()
          .allMatch(
              r ->
                  r.decision() == Decision.ALLOW
                      && r.agentId().equals("agent-1")
                      && r.action().equals("tool_call"));
      Instant from = Fixtures.START.plus(Duration.ofHours(10));
      Instant to = Fixtures.START.plus(Duration.ofHours(19));
      assertThat(log.query(null, null, null, from, to, 0))
          .extracting(AuditRecord::sequence)
          .containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
      // The clock stands at START + 100h; the last 24 hours hold records 77..100.
      List<AuditRecord> lastDay = log.query(AuditQuery.builder().timeRange("last_24h").build());
      assertThat(lastDay).extracting(AuditRecord::sequence).first().isEqualTo(77L);
      assertThat(lastDay).hasSize(24);
      assertThat(log.query(AuditQuery.builder().timeRange("last_30_days").build())).hasSize(100);
    }
  }

  @Test
  void timeRangeShorthandsAreTheSeeds() {
    assertThat(AuditQuery.parseTimeRange("last_24h")).isEqualTo(Duration.ofHours(24));
    assertThat(AuditQuery.parseTimeRange("last_30_days")).isEqualTo(Duration.ofDays(30));
    assertThat(AuditQuery.parseTimeRange("last_7d")).isEqualTo(Duration.ofDays(7));
    assertThat(AuditQuery.parseTimeRange("last_15_minutes")).isEqualTo(Duration.ofMinutes(15));
    assertThat(AuditQuery.parseTimeRange("last_2_weeks")).isEqualTo(Duration.ofDays(14));
    assertThatThrownBy(() -> AuditQuery.parseTimeRange("yesterday"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got \"yesterday\"");
    assertThatThrownBy(() -> AuditQuery.parseTimeRange("last_0h")).hasMessageContaining("last_0h");
    assertThatThrownBy(() -> AuditQuery.builder().limit(0))
        .hasMessageContaining("limit must be at least 1, got 0");
    assertThatThrownBy(() -> AuditQuery.builder().from(Instant.MAX).to(Instant.EPOCH).build())
        .hasMessageContaining("from must not be after to");
  }

  @Test
  void openGeneratesAKeyOutsideTheLogDirectoryOnceAndReusesIt() throws Exception {
    Path logDir = dir.resolve("log");
    Path keys = dir.resolve("keys");
    String keyId;
    try (AuditLog log = AuditLog.open(logDir, keys, null)) {
      log.append(Fixtures.entry(1));
      keyId = log.keyId();
      assertThat(log.origin()).isEqualTo("audit.hyperlens.local/" + keyId.substring(8));
    }
    try (AuditLog log = AuditLog.open(logDir, keys, null)) {
      assertThat(log.keyId()).isEqualTo(keyId);
      log.append(Fixtures.entry(2));
      VerificationReport report = log.verify();
      assertThat(report.ok()).as(report.summary()).isTrue();
      assertThat(report.anchorCheck().detail()).isEqualTo("held in key directory " + keys);
    }
    try (var files = java.nio.file.Files.list(logDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("audit.jsonl");
    }
    Path privateKey = keys.resolve("audit-" + keyId.substring(8) + ".pem");
    assertThat(java.nio.file.Files.getPosixFilePermissions(keys))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
            java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
    assertThat(privateKey).exists();
  }

  @Test
  void aLogWhoseKeyTheKeyDirectoryDoesNotHoldIsRefusedByName() {
    Path logDir = dir.resolve("log");
    try (AuditLog log = AuditLog.open(logDir, dir.resolve("keys-a"), null)) {
      log.append(Fixtures.entry(1));
    }
    assertThatThrownBy(() -> AuditLog.open(logDir, dir.resolve("keys-b"), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("whose private key is not in " + dir.resolve("keys-b"));
    // The refused open released the file: another open works.
    try (AuditLog log = AuditLog.open(logDir, dir.resolve("keys-a"), null)) {
      assertThat(log.lastSequence()).isEqualTo(1);
    }
  }

  @Test
  void aBuilderGivenAnotherSignerThanTheLogsIsRefused() {
    try (AuditLog log = open(1000)) {
      log.append(Fixtures.entry(1));
    }
    assertThatThrownBy(
            () ->
                AuditLog.builder()
                    .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
                    .signer(AuditSigner.generate())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not signed by this signer's key");
  }

  /** A store whose writes can be made to fail. */
  private static final class FailingStore implements AuditStore {
    private final AuditStore delegate;
    volatile boolean failing;
    volatile boolean failingCheckpoints;

    FailingStore(AuditStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void append(AuditRecord record) {
      if (failing) {
        throw new UncheckedIOException(new java.io.IOException("disk full"));
      }
      delegate.append(record);
    }

    @Override
    public void append(Checkpoint checkpoint) {
      if (failingCheckpoints) {
        throw new UncheckedIOException(new java.io.IOException("sync failed"));
      }
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
    public Stream<StoredEntry> entries() {
      return delegate.entries();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
