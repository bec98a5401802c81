package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.report.ReportFormat;
import io.hyperlens.audit.report.ReportRequest;
import io.hyperlens.audit.store.InMemoryAuditStore;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.event.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The value types' checks, each at its edge, and their printed forms. */
class AuditValuesTest {
  private static final Instant T = Instant.parse("2026-01-28T17:45:00.123Z");
  private static final String H = "ab".repeat(32);

  private static AuditRecord record(String hash, long sequence) {
    return new AuditRecord(
        "id", T, "agent", "act", null, Decision.ALLOW, null, null, Map.of(), sequence, H, hash);
  }

  @Test
  void namesAndTextsStopAtTheirLengths() {
    AuditEntry.checkText("f", "x".repeat(256), AuditEntry.MAX_NAME_LENGTH, false);
    assertThatThrownBy(
            () -> AuditEntry.checkText("f", "x".repeat(257), AuditEntry.MAX_NAME_LENGTH, false))
        .hasMessageStartingWith("f must be at most 256 characters, got 257: \"xxxx");
    AuditEntry.checkText("f", "x".repeat(8192), AuditEntry.MAX_TEXT_LENGTH, true);
    assertThatThrownBy(
            () -> AuditEntry.checkText("f", "x".repeat(8193), AuditEntry.MAX_TEXT_LENGTH, true))
        .hasMessageStartingWith("f must be at most 8192 characters, got 8193");
    assertThat(AuditEntry.checkText("f", null, 10, true)).isNull();
    assertThatThrownBy(() -> AuditEntry.checkText("f", null, 10, false))
        .hasMessage("f must not be null");
    assertThatThrownBy(() -> AuditEntry.checkText("f", " ", 10, false))
        .hasMessage("f must not be blank, got \" \"");
    assertThat(AuditEntry.checkText("f", " ", 10, true)).isEqualTo(" ");
    assertThatThrownBy(
            () -> AuditEntry.checkText("f", "a\u0000b", AuditEntry.MAX_NAME_LENGTH, false))
        .hasMessage("f must not hold a NUL character, got one at index 1");
    assertThat(AuditEntry.checkText("f", "a\u0000b", AuditEntry.MAX_TEXT_LENGTH, false)).hasSize(3);
    AuditEntry.checkUnicode("f", "\ud83d\ude00");
    assertThatThrownBy(() -> AuditEntry.checkUnicode("f", "ab\ud83d"))
        .hasMessage("f must be valid Unicode, got a lone surrogate at index 2");
    assertThatThrownBy(() -> AuditEntry.checkUnicode("f", "\ud83d\ud83d"))
        .hasMessage("f must be valid Unicode, got a lone surrogate at index 0");
    assertThatThrownBy(() -> AuditEntry.checkUnicode("f", "\ude00\ud83d\ude00"))
        .hasMessage("f must be valid Unicode, got a lone surrogate at index 0");
    assertThatThrownBy(() -> AuditEntry.checkUnicode("f", "\ud83d\ude00\ude00"))
        .hasMessage("f must be valid Unicode, got a lone surrogate at index 2");
  }

  @Test
  void anEntryBuilderChecksEachSetter() {
    AuditEntry entry =
        AuditEntry.builder()
            .id("custom-id")
            .agentId("a")
            .action("b")
            .decision("DENY")
            .context("k", 1)
            .context(Map.of("m", "n"))
            .build();
    assertThat(entry.id()).isEqualTo("custom-id");
    assertThat(entry.optionalId()).contains("custom-id");
    assertThat(entry.decision()).isEqualTo(Decision.DENY);
    assertThat(entry.context()).containsEntry("k", 1L).containsEntry("m", "n");
    assertThatThrownBy(() -> AuditEntry.builder().timestamp(null))
        .hasMessage("timestamp must not be null");
    assertThatThrownBy(() -> AuditEntry.builder().decision((Decision) null))
        .hasMessage("decision must not be null (allow|deny|audit)");
    assertThatThrownBy(() -> AuditEntry.builder().context(null))
        .hasMessage("context must not be null");
    assertThatThrownBy(() -> AuditEntry.builder().agentId("a").action("b").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decisionsReadTheirNamesInAnyCase() {
    assertThat(Decision.of("Allow")).isEqualTo(Decision.ALLOW);
    assertThat(Decision.of("AUDIT")).isEqualTo(Decision.AUDIT);
    assertThat(Decision.of("deny").toString()).isEqualTo("deny");
    assertThatThrownBy(() -> Decision.of(null))
        .hasMessage("decision must be one of allow|deny|audit, got null");
    assertThatThrownBy(() -> Decision.of("maybe"))
        .hasMessage("decision must be one of allow|deny|audit, got \"maybe\"");
  }

  @Test
  void aRecordChecksItsShape() {
    assertThat(record(H, 1).sequence()).isEqualTo(1);
    assertThatThrownBy(() -> record(H, 0)).hasMessage("sequence must be at least 1, got 0");
    assertThatThrownBy(() -> record(H.toUpperCase(), 1))
        .hasMessage(
            "hash must be 64 lowercase hex digits (SHA-256), got \"" + H.toUpperCase() + '"');
    assertThatThrownBy(() -> record("g".repeat(64), 1))
        .hasMessageStartingWith("hash must be 64 lowercase hex");
    assertThatThrownBy(() -> record("/".repeat(64), 1))
        .hasMessageStartingWith("hash must be 64 lowercase hex");
    assertThatThrownBy(() -> record(":".repeat(64), 1))
        .hasMessageStartingWith("hash must be 64 lowercase hex");
    assertThatThrownBy(() -> record("`".repeat(64), 1))
        .hasMessageStartingWith("hash must be 64 lowercase hex");
    assertThat(record("0123456789abcdef".repeat(4), 1).hash()).hasSize(64);
    assertThatThrownBy(() -> record("ab", 1))
        .hasMessage("hash must be 64 lowercase hex digits (SHA-256), got \"ab\"");
    assertThatThrownBy(() -> record(null, 1))
        .hasMessage("hash must be 64 lowercase hex digits (SHA-256), got null");
    assertThatThrownBy(
            () ->
                new AuditRecord(
                    "id", T, "a", "b", null, Decision.ALLOW, null, null, Map.of(), 1, "x", H))
        .hasMessage("prevHash must be 64 lowercase hex digits (SHA-256), got \"x\"");
    assertThatThrownBy(
            () -> new AuditRecord("id", T, "a", "b", null, null, null, null, Map.of(), 1, H, H))
        .hasMessage("decision must not be null");
    assertThatThrownBy(
            () ->
                new AuditRecord(
                    "id",
                    T.plusNanos(1000),
                    "a",
                    "b",
                    null,
                    Decision.ALLOW,
                    null,
                    null,
                    Map.of(),
                    1,
                    H,
                    H))
        .hasMessageStartingWith("timestamp must be a whole number of milliseconds");
    assertThatThrownBy(
            () ->
                new AuditRecord(
                    "id", null, "a", "b", null, Decision.ALLOW, null, null, Map.of(), 1, H, H))
        .hasMessageStartingWith("timestamp must be a whole number of milliseconds");
    assertThat(record(H, 1).isViolation()).isFalse();
  }

  @Test
  void queriesPrintAndRefuseAnUnresolvedMatch() {
    AuditQuery q =
        AuditQuery.builder()
            .decision(Decision.DENY)
            .agentId("a")
            .action("b")
            .from(T)
            .to(T.plusSeconds(1))
            .limit(1)
            .build();
    assertThat(q.decision()).contains(Decision.DENY);
    assertThat(q.agentId()).contains("a");
    assertThat(q.action()).contains("b");
    assertThat(q.from()).contains(T);
    assertThat(q.to()).contains(T.plusSeconds(1));
    assertThat(q.within()).isEmpty();
    assertThat(q.limit()).isEqualTo(1);
    assertThat(q.toString())
        .isEqualTo(
            "AuditQuery{decision=deny, agentId=a, action=b, from="
                + T
                + ", to="
                + T.plusSeconds(1)
                + ", within=null, limit=1}");
    AuditQuery relative = AuditQuery.builder().timeRange("last_2h").build();
    assertThat(relative.within()).contains(Duration.ofHours(2));
    assertThatThrownBy(() -> relative.matches(record(H, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("resolve(clock) the relative time range first: AuditQuery{");
    assertThat(relative.resolve(Clock.fixed(T, java.time.ZoneOffset.UTC)).matches(record(H, 1)))
        .isTrue();
    assertThat(AuditQuery.all().matches(record(H, 1))).isTrue();
    assertThatThrownBy(() -> AuditQuery.builder().within(Duration.ZERO))
        .hasMessage("within must be a positive duration, got PT0S");
    assertThatThrownBy(() -> AuditQuery.builder().within(Duration.ofSeconds(-1)))
        .hasMessage("within must be a positive duration, got PT-1S");
    assertThatThrownBy(() -> AuditQuery.builder().within(null))
        .hasMessage("within must be a positive duration, got null");
    assertThatThrownBy(() -> AuditQuery.parseTimeRange(null))
        .hasMessage("timeRange must look like last_24h, last_7_days or last_30_days, got null");
    assertThat(AuditQuery.builder().decision(Decision.ALLOW).build().matches(record(H, 1)))
        .isTrue();
    assertThat(AuditQuery.builder().decision(Decision.AUDIT).build().matches(record(H, 1)))
        .isFalse();
  }

  @Test
  void aLogBuilderNamesWhatItRefuses() {
    assertThatThrownBy(() -> AuditLog.builder().store(null)).hasMessage("store must not be null");
    assertThatThrownBy(() -> AuditLog.builder().signer(null)).hasMessage("signer must not be null");
    assertThatThrownBy(() -> AuditLog.builder().anchor(null)).hasMessage("anchor must not be null");
    assertThatThrownBy(() -> AuditLog.builder().witness(null))
        .hasMessage("witness must not be null");
    assertThatThrownBy(() -> AuditLog.builder().clock(null)).hasMessage("clock must not be null");
    assertThatThrownBy(() -> AuditLog.builder().eventBus(null))
        .hasMessage("eventBus must not be null");
    assertThatThrownBy(() -> AuditLog.builder().origin("has space"))
        .hasMessageStartingWith("a key name must not hold spaces");
    assertThatThrownBy(() -> AuditLog.builder().checkpointEvery(0))
        .hasMessage("checkpointEvery must be at least 1, got 0");
    assertThatThrownBy(() -> AuditLog.builder().build()).hasMessage("store is required");
    assertThatThrownBy(() -> AuditLog.builder().store(new InMemoryAuditStore(9)).build())
        .hasMessage("signer is required");
    AuditSigner signer = AuditSigner.generate();
    InMemoryAuditStore store = new InMemoryAuditStore(100);
    try (AuditLog log =
        AuditLog.builder()
            .store(store)
            .signer(signer)
            .checkpointEvery(1)
            .origin("audit.example.com/x")
            .anchor(TrustAnchor.key(signer.publicKey()))
            .build()) {
      log.append(Fixtures.entry(1));
      log.append(Fixtures.entry(2));
      assertThat(log.origin()).isEqualTo("audit.example.com/x");
      assertThat(log.checkpointCount()).isEqualTo(3); // genesis, 1, 2
      assertThat(log.appendedCount()).isEqualTo(2);
      assertThat(log.anchor().description()).isEqualTo("the key given");
      assertThat(log.toString())
          .isEqualTo(
              "AuditLog[audit.example.com/x, "
                  + store
                  + ", sequence 2, key "
                  + signer.keyId()
                  + "]");
      assertThat(log.checkpoint().orElseThrow().sequence()).isEqualTo(2);
      assertThat(log.verify().ok()).isTrue();
    }
    assertThatThrownBy(
            () ->
                AuditLog.builder()
                    .store(store)
                    .signer(signer)
                    .origin("audit.example.com/other")
                    .build())
        .hasMessage(
            "origin must be the log's own, audit.example.com/x, got audit.example.com/other");
  }

  @Test
  void aStoreWithRecordsButNoCheckpointIsNotContinued() {
    InMemoryAuditStore store = new InMemoryAuditStore(10);
    store.append(record(H, 1));
    assertThatThrownBy(() -> AuditLog.builder().store(store).signer(AuditSigner.generate()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the audit store "
                + store
                + " holds records but no checkpoint; verify it with AuditVerifier");
  }

  @Test
  void inMemoryStoresCountPositionsAndRefuseWhenFull() {
    assertThatThrownBy(() -> new InMemoryAuditStore(0))
        .hasMessage("capacity must be at least 1, got 0");
    InMemoryAuditStore one = new InMemoryAuditStore(1);
    one.append(record(H, 1));
    assertThat(one.size()).isEqualTo(1);
    assertThat(one.lastRecord()).contains(record(H, 1));
    assertThat(one.lastCheckpoint()).isEmpty();
    assertThatThrownBy(() -> one.append(record(H, 2)))
        .hasMessage("in-memory audit store is full (capacity 1); nothing was recorded");
    InMemoryAuditStore two = new InMemoryAuditStore(3);
    two.append(record(H, 1));
    two.append(record(H, 2));
    assertThat(two.entries().map(StoredEntry::position)).containsExactly(1L, 2L);
    assertThat(two.recordsAfter(1)).extracting(AuditRecord::sequence).containsExactly(2L);
    assertThat(two.location()).isNull();
  }

  @Test
  void checkpointsPrintWhatTheySignAndCompareByTheirNote() {
    AuditSigner signer = AuditSigner.generate();
    CompactRange tree = new CompactRange();
    Checkpoint genesis = Fixtures.sign("o", tree, 5, T, signer, signer);
    Map<String, Object> map = genesis.toMap();
    assertThat(map)
        .containsEntry("origin", "o")
        .containsEntry("sequence", 0L)
        .containsEntry("next_by", 5L)
        .containsEntry("timestamp", "2026-01-28T17:45:00.123Z")
        .containsEntry("key", signer.noteKey("o").vkey())
        .containsEntry("note", genesis.note().format());
    Checkpoint plain = Fixtures.sign("o", tree, 5, T, null, signer);
    assertThat(plain.toMap()).doesNotContainKey("key");
    assertThat(genesis)
        .isEqualTo(Checkpoint.of(genesis.note(), null))
        .isNotEqualTo(plain)
        .isNotEqualTo("o");
    assertThat(genesis.hashCode()).isEqualTo(Checkpoint.of(genesis.note(), null).hashCode());
    assertThat(genesis.toString()).isEqualTo("Checkpoint[o 0 " + genesis.rootBase64() + "]");
    assertThat(Checkpoint.of(genesis.note(), null).frontier()).isEmpty();
    assertThat(genesis.frontier().orElseThrow()).isEmpty();
    assertThatThrownBy(() -> Checkpoint.of(null, null)).hasMessage("note must not be null");
    assertThatThrownBy(() -> AuditJson.toLine(Checkpoint.of(plain.note(), null)))
        .hasMessage("a stored checkpoint needs its frontier");
  }

  @Test
  void checkpointExtensionLinesAreReadStrictly() {
    AuditSigner signer = AuditSigner.generate();
    String root =
        io.hyperlens.audit.tlog.Rfc6962.base64(io.hyperlens.audit.tlog.Rfc6962.emptyRoot());
    for (String[] bad :
        new String[][] {
          {
            "o\n0\n" + root + "\nnext 5\n",
            "an audit checkpoint has the lines next, time and, for a key, key; got 1 extension lines"
          },
          {
            "o\n0\n" + root + "\nnext 5\ntime 2026-01-28T17:45:00.123Z\nkey x\nmore\n",
            "an audit checkpoint has the lines next, time and, for a key, key; got 4 extension lines"
          },
          {
            "o\n0\n" + root + "\nnext 5\nwhen 2026\n",
            "the second extension line is time, got when 2026"
          },
          {
            "o\n0\n" + root + "\nnext 5\ntime 2026-01-28T17:45:00.123Z\nkeys x\n",
            "the third extension line is key, got keys x"
          },
          {
            "o\n0\n"
                + root
                + "\nnext 5\ntime 2026-01-28T17:45:00.123Z\nkey "
                + signer.noteKey("p").vkey()
                + "\n",
            "the key a checkpoint names must be named by the log's origin o, got p"
          },
          {
            "o\n0\n" + root + "\nnext 9999999999999999999\ntime 2026-01-28T17:45:00.123Z\n",
            "next is too large: next 9999999999999999999"
          },
          {
            "o\n3\n" + root + "\nnext 3\ntime 2026-01-28T17:45:00.123Z\n",
            "next must be after the size 3, got 3"
          },
        }) {
      io.hyperlens.audit.tlog.SignedNote note =
          io.hyperlens.audit.tlog.SignedNote.unsigned(bad[0])
              .with(signer.noteKey("o").signature(new byte[64]));
      assertThatThrownBy(() -> Checkpoint.of(note, null)).as(bad[1]).hasMessage(bad[1]);
    }
    io.hyperlens.audit.tlog.SignedNote ok =
        io.hyperlens.audit.tlog.SignedNote.unsigned(
                "o\n3\n" + root + "\nnext 4\ntime 2026-01-28T17:45:00.123Z\n")
            .with(signer.noteKey("o").signature(new byte[64]));
    assertThat(Checkpoint.of(ok, null).nextBy()).isEqualTo(4);
  }

  @Test
  void reportSummariesCountInTheSingularAndThePlural() {
    AuditSigner signer = AuditSigner.generate();
    TestClock clock = new TestClock(T);
    InMemoryAuditStore store = new InMemoryAuditStore(100);
    try (AuditLog log = AuditLog.builder().store(store).signer(signer).clock(clock).build()) {
      log.append(Fixtures.entry(1));
      VerificationReport one = log.verify();
      assertThat(one.summary())
          .startsWith("verified: 1 record, 1 signed checkpoint, the last at sequence 0; log ")
          .contains("; the live log vouches up to sequence 1");
      assertThat(one.toString()).isEqualTo(one.summary());
      assertThat(one.unsealedRecords()).isZero(); // the live head signs it
      assertThat(one.signedThrough()).isEqualTo(1);
      assertThat(one.root())
          .isEqualTo(
              io.hyperlens.audit.tlog.Rfc6962.leafHash(
                  AuditJson.canonicalBytes(store.lastRecord().orElseThrow())));
      VerificationReport unsigned =
          AuditVerifier.verify(store, TrustAnchor.signers(List.of(signer)));
      assertThat(unsigned.verdict()).isEqualTo(VerificationReport.Verdict.UNSIGNED);
      assertThat(unsigned.summary())
          .startsWith(
              "UNSIGNED: record 1 is signed by no checkpoint, so nothing proves it is as written"
                  + " (the writer is still running, stopped without closing the log, or the checkpoints after them were deleted); no record"
                  + " is signed yet, 1 signed checkpoint, the last at sequence 0; log ");
      assertThat(unsigned.verifiedThrough()).isZero();
      log.append(Fixtures.entry(2));
      log.checkpoint();
      VerificationReport two = log.verify();
      assertThat(two.summary())
          .startsWith("verified: 2 records, 2 signed checkpoints, the last at sequence 2;");
      assertThat(two.unsealedRecords()).isZero();
      assertThat(two.anchor()).isEqualTo("the log's signing keys");
    }
    VerificationReport empty =
        AuditVerifier.verify(new InMemoryAuditStore(1), TrustAnchor.key(signer.publicKey()));
    assertThat(empty.verdict()).isEqualTo(VerificationReport.Verdict.TAMPERED);
    assertThat(empty.summary())
        .isEqualTo(
            "FAILED: MISSING_CHECKPOINT at sequence 1 (entry 1): the log has no genesis checkpoint"
                + " naming its key: every audit log opens with one, so this one was emptied or its"
                + " start cut off; 0 records verified before it, no signed checkpoint");
    assertThat(empty.anchorCheck().detail())
        .isEqualTo("the log has no genesis checkpoint naming a key");
    assertThat(empty.origin()).isEmpty();
    assertThat(empty.unsealedRecords()).isZero();
    assertThat(empty.witness()).isEmpty();
    assertThatThrownBy(() -> AuditVerifier.verify(null, TrustAnchor.none()))
        .hasMessage("store and anchor must not be null");
    assertThatThrownBy(() -> AuditVerifier.verify(new InMemoryAuditStore(1), null))
        .hasMessage("store and anchor must not be null");
  }

  @Test
  void reportRequestsNameWhatTheyRefuse() {
    assertThatThrownBy(
            () ->
                new ReportRequest(null, null, null, Duration.ofDays(1), true, true, true, 1, null))
        .hasMessage("format must not be null (pdf|csv|json)");
    assertThatThrownBy(
            () -> new ReportRequest(ReportFormat.PDF, T, null, null, true, true, true, 1, null))
        .hasMessageStartingWith("give either timeRange/within or both from and to");
    assertThatThrownBy(
            () -> new ReportRequest(ReportFormat.PDF, null, T, null, true, true, true, 1, null))
        .hasMessageStartingWith("give either timeRange/within or both from and to");
    assertThatThrownBy(
            () ->
                new ReportRequest(
                    ReportFormat.PDF, T, T, Duration.ofDays(1), true, true, true, 1, null))
        .hasMessageStartingWith("give either timeRange/within or both from and to");
    assertThatThrownBy(
            () ->
                new ReportRequest(
                    ReportFormat.PDF, T.plusSeconds(1), T, null, true, true, true, 1, null))
        .hasMessageStartingWith("from must not be after to");
    assertThat(new ReportRequest(ReportFormat.PDF, T, T, null, true, true, true, 1, null).from())
        .isEqualTo(T);
    assertThat(
            new ReportRequest(
                    ReportFormat.PDF,
                    null,
                    null,
                    Duration.ofDays(1),
                    true,
                    true,
                    true,
                    1,
                    "x".repeat(200))
                .organization())
        .hasSize(200);
    assertThatThrownBy(
            () ->
                new ReportRequest(
                    ReportFormat.PDF,
                    null,
                    null,
                    Duration.ofDays(1),
                    true,
                    true,
                    true,
                    1,
                    "x".repeat(201)))
        .hasMessageStartingWith("organization must be 1 to 200 characters on one line");
    assertThatThrownBy(
            () ->
                new ReportRequest(
                    ReportFormat.PDF, null, null, Duration.ofDays(1), true, true, true, 1, " "))
        .hasMessageStartingWith("organization must be 1 to 200 characters on one line");
    assertThatThrownBy(
            () ->
                new ReportRequest(
                    ReportFormat.PDF,
                    null,
                    null,
                    Duration.ofDays(1),
                    true,
                    true,
                    true,
                    1,
                    "a\u007fb"))
        .hasMessageStartingWith("organization must be 1 to 200 characters on one line");
    assertThat(ReportRequest.builder().between(T, T.plusSeconds(5)).build().within()).isNull();
    assertThat(ReportRequest.builder().includeSummary(false).build().includeSummary()).isFalse();
    assertThat(ReportRequest.builder().maxViolations(1).build().maxViolations()).isEqualTo(1);
    assertThatThrownBy(() -> ReportRequest.builder().between(null, T))
        .hasMessage("from and to must not be null, got null, " + T);
    assertThatThrownBy(() -> ReportRequest.builder().between(T, null))
        .hasMessage("from and to must not be null, got " + T + ", null");
    assertThatThrownBy(() -> ReportRequest.builder().format((ReportFormat) null))
        .hasMessage("format must not be null (pdf|csv|json)");
    assertThat(ReportFormat.of("CSV")).isEqualTo(ReportFormat.CSV);
    assertThat(ReportFormat.JSON.value()).isEqualTo("json");
    assertThatThrownBy(() -> ReportFormat.of(null))
        .hasMessageStartingWith("format must be one of pdf|csv|json, got");
  }

  @Test
  void aLogAnnouncesNothingWithoutABusAndQueriesNeedAQuery() {
    try (AuditLog log =
        AuditLog.builder()
            .store(new InMemoryAuditStore(10))
            .signer(AuditSigner.generate())
            .build()) {
      assertThatThrownBy(() -> log.query(null)).hasMessage("query must not be null");
      assertThatThrownBy(() -> log.append(null)).hasMessage("entry must not be null");
      assertThatThrownBy(() -> log.generateReport(null)).hasMessage("request must not be null");
      log.append(Fixtures.entry(3));
      assertThat(log.query(null, null, null, null, null, 0)).hasSize(1);
      assertThat(log.query(Decision.DENY, null, null, T, T.plusSeconds(1), 1)).isEmpty();
      assertThat(log.latestCheckpoint()).isPresent();
      assertThat(log.witnessedSize()).isEqualTo(-1);
      assertThat(log.witnessFailures()).isZero();
      assertThat(log.checkpointFailures()).isZero();
      assertThat(List.of(log.keyId())).allMatch(k -> k.startsWith("ed25519:"));
    }
  }
}
