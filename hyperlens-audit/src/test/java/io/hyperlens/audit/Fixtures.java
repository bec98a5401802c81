package io.hyperlens.audit;

import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.witness.Witness;
import io.hyperlens.event.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Logs to tamper with, and the file surgery tests do on them. */
final class Fixtures {
  static final Instant START = Instant.parse("2026-01-28T17:45:00.123Z");

  private Fixtures() {}

  /** A varied, deterministic entry: three agents, every decision, some context. */
  static AuditEntry entry(int i) {
    Decision decision = i % 10 == 0 ? Decision.DENY : i % 7 == 0 ? Decision.AUDIT : Decision.ALLOW;
    return AuditEntry.builder()
        .agentId("agent-" + (i % 3))
        .action(i % 2 == 0 ? "file_write" : "tool_call")
        .resource("/data/item-" + i)
        .decision(decision)
        .reason(decision == Decision.DENY ? "Production writes blocked" : "within policy")
        .ruleId("rule-" + (i % 5))
        .context(Map.of("session_id", "sess-" + (i % 4), "attempt", i % 3, "ok", i % 2 == 0))
        .build();
  }

  /** Writes {@code records} records with a checkpoint every {@code every}, then closes the log. */
  static void writeLog(Path file, AuditSigner signer, int records, int every) {
    TestClock clock = new TestClock(START);
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(signer)
            .checkpointEvery(every)
            .clock(clock)
            .build()) {
      for (int i = 1; i <= records; i++) {
        log.append(entry(i));
        clock.advance(Duration.ofSeconds(1));
      }
    }
  }

  static VerificationReport verify(Path file, TrustAnchor anchor) {
    return verify(file, anchor, null);
  }

  static VerificationReport verify(Path file, TrustAnchor anchor, Witness witness) {
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      return AuditVerifier.verify(store, anchor, witness);
    }
  }

  /** The checkpoint a line holds, or null for a record. */
  static Checkpoint checkpoint(String line) {
    Object entry = AuditJson.parseLine(line);
    return entry instanceof Checkpoint ? (Checkpoint) entry : null;
  }

  /** The index in {@code lines} of the first checkpoint line for {@code size}. */
  static int indexOfCheckpoint(List<String> lines, long size) {
    for (int i = 0; i < lines.size(); i++) {
      Checkpoint c = checkpoint(lines.get(i));
      if (c != null && c.sequence() == size) {
        return i;
      }
    }
    throw new AssertionError("no checkpoint " + size);
  }

  /**
   * A checkpoint as a log would sign it: {@code signers} sign in order, the first under {@code
   * origin}; {@code key} is named (genesis or rotation) when not null.
   */
  static Checkpoint sign(
      String origin,
      CompactRange tree,
      long nextBy,
      Instant time,
      AuditSigner key,
      AuditSigner... signers) {
    NoteKey named = key == null ? null : key.noteKey(origin);
    SignedNote note =
        SignedNote.unsigned(Checkpoint.text(origin, tree.size(), tree.root(), nextBy, time, named));
    for (AuditSigner s : signers) {
      note = note.with(s.noteKey(origin).signature(s.sign(note.signedBytes())));
    }
    return Checkpoint.of(note, tree.hashes());
  }

  static List<String> lines(Path file) throws IOException {
    return new java.util.ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static void write(Path file, List<String> lines) throws IOException {
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /** The index in {@code lines} of the record line with {@code sequence}. */
  static int indexOf(List<String> lines, long sequence) {
    for (int i = 0; i < lines.size(); i++) {
      Object entry = AuditJson.parseLine(lines.get(i));
      if (entry instanceof AuditRecord && ((AuditRecord) entry).sequence() == sequence) {
        return i;
      }
    }
    throw new AssertionError("no record " + sequence);
  }

  static AuditRecord record(String line) {
    return (AuditRecord) AuditJson.parseLine(line);
  }

  /**
   * Edits record {@code from} (when at least 1) and re-hashes every record after it so the chain is
   * consistent; with a signer, re-signs every checkpoint over the new tree too (someone with a key
   * of their own: the genesis then names that key).
   */
  static void rehashFrom(Path file, long from, AuditSigner resigner) throws IOException {
    List<String> lines = lines(file);
    String prev = null;
    CompactRange tree = new CompactRange();
    for (int i = 0; i < lines.size(); i++) {
      Object entry = AuditJson.parseLine(lines.get(i));
      if (entry instanceof AuditRecord) {
        AuditRecord r = (AuditRecord) entry;
        if (from >= 1 && r.sequence() >= from) {
          String reason = r.sequence() == from ? "rewritten" : r.reason();
          r = forged(r, reason, prev == null ? r.prevHash() : prev);
          lines.set(i, AuditJson.toLine(r));
        }
        prev = r.hash();
        tree.append(java.util.HexFormat.of().parseHex(r.hash()));
      } else if (resigner != null) {
        Checkpoint c = (Checkpoint) entry;
        lines.set(
            i,
            AuditJson.toLine(
                sign(
                    c.origin(),
                    tree,
                    c.nextBy(),
                    c.timestamp(),
                    c.sequence() == 0 ? resigner : null,
                    resigner)));
      }
    }
    write(file, lines);
  }

  /** {@code r} with another reason, re-hashed (as someone without the key would forge it). */
  static AuditRecord forged(AuditRecord r, String reason, String prevHash) {
    AuditRecord unhashed =
        new AuditRecord(
            r.id(),
            r.timestamp(),
            r.agentId(),
            r.action(),
            r.resource(),
            r.decision(),
            reason,
            r.ruleId(),
            r.context(),
            r.sequence(),
            prevHash,
            r.hash());
    return unhashed.withHash(AuditJson.hash(unhashed));
  }
}
