package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What an attacker who can write the log's directory, but holds no private key, tried against the
 * command line, and what each now gets: the verdict, the exit code and a sentence that names the
 * problem. Every key and pin lives in the test's own directories.
 */
class AuditAttacksTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;
  private Path log;
  private Path file;
  private Path keys;
  private Path trust;
  private String fingerprint;

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return new CommandLine(new HyperlensCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @BeforeEach
  void aClosedLogOfFortyDecisions() {
    log = dir.resolve("audit");
    file = log.resolve(AuditLog.STORE_FILE);
    keys = dir.resolve("keys");
    trust = dir.resolve("trust");
    try (AuditLog audit = AuditLog.open(log, keys, null)) {
      for (int i = 1; i <= 40; i++) {
        audit.append(
            io.hyperlens.audit.AuditEntry.builder()
                .agentId("agent-" + i)
                .action("file_write")
                .resource("/prod/config-" + i)
                .decision(i % 4 == 0 ? Decision.DENY : Decision.ALLOW)
                .reason("rule " + i)
                .build());
      }
      fingerprint = audit.fingerprint();
    }
  }

  /** Drops the closing checkpoint and turns every denial into an allow, re-hashing the chain. */
  private void forgeTheTail() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.remove(lines.size() - 1);
    String prev = AuditRecord.GENESIS_HASH;
    for (int i = 0; i < lines.size(); i++) {
      Object entry = AuditJson.parseLine(lines.get(i));
      if (entry instanceof AuditRecord) {
        AuditRecord r = (AuditRecord) entry;
        AuditRecord forged =
            new AuditRecord(
                r.id(),
                r.timestamp(),
                r.agentId(),
                r.action(),
                r.resource(),
                Decision.ALLOW,
                r.reason(),
                r.ruleId(),
                r.context(),
                r.sequence(),
                prev,
                AuditRecord.GENESIS_HASH);
        forged = forged.withHash(AuditJson.hash(forged));
        lines.set(i, AuditJson.toLine(forged));
        prev = forged.hash();
      }
    }
    Files.write(file, lines);
  }

  @Test
  void aRewriteBehindDeletedCheckpointsIsNotProvenAndTheWriterWillNotSignIt() throws Exception {
    forgeTheTail();
    assertThat(run("audit", "verify", log.toString(), "--fingerprint", fingerprint)).isEqualTo(3);
    assertThat(out.toString())
        .startsWith("UNSIGNED: records 1 to 40 are signed by no checkpoint, so nothing proves");
    String forged = Files.readString(file);
    assertThat(
            run(
                "demo",
                "--duration",
                "200ms",
                "--audit",
                log.toString(),
                "--key-dir",
                keys.toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("ends with the checkpoint for 0, but this writer signed one for 40");
    assertThat(Files.readString(file)).isEqualTo(forged);
  }

  @Test
  void pinningTakesTheKeyOfTheFingerprintAndNeverRepinsAnotherOnTrust() throws Exception {
    AuditSigner next = AuditKeys.generateIn(keys);
    try (AuditLog audit =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(
                AuditKeys.loadAll(keys).stream()
                    .filter(k -> k.fingerprint().equals(fingerprint))
                    .findFirst()
                    .orElseThrow())
            .build()) {
      audit.rotateKey(next);
    }
    // told the second key's fingerprint: that key is pinned, not the first of the chain
    assertThat(
            run(
                "audit",
                "pin",
                log.toString(),
                "--fingerprint",
                next.fingerprint(),
                "--trust-store",
                trust.toString()))
        .isZero();
    assertThat(out.toString()).startsWith("Pinned " + next.fingerprint() + " for log ");
    String pins = pinsText();
    assertThat(pins).contains(next.noteKey(origin()).vkey()).doesNotContain(genesisKey());
    assertThat(run("audit", "pin", log.toString(), "--trust-store", trust.toString())).isZero();
    assertThat(out.toString()).startsWith("Already pinned: ");

    // another log under the same origin, signed by a stranger's key: not pinned on trust
    AuditSigner stranger = AuditSigner.generate();
    Path other = dir.resolve("other");
    try (AuditLog audit =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(other.resolve(AuditLog.STORE_FILE)))
            .signer(stranger)
            .origin(origin())
            .build()) {
      audit.checkpoint();
    }
    assertThat(run("audit", "pin", other.toString(), "--trust-store", trust.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .startsWith("Not pinned: trust store " + trust + " pins log " + origin() + " to key ")
        .contains("pin it with --fingerprint");
    assertThat(pinsText()).isEqualTo(pins);
    assertThat(run("audit", "verify", other.toString(), "--trust-store", trust.toString()))
        .isEqualTo(1);
  }

  @Test
  void damagedInputsAreNamedWithExitCode2AndNoStackTrace() throws Exception {
    Path receipt = dir.resolve("r.tlog-proof");
    assertThat(run("audit", "proof", log.toString(), "--seq", "3", "--out", receipt.toString()))
        .isZero();
    Path junk = dir.resolve("junk.bin");
    Files.write(junk, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3});
    assertThat(run("audit", "verify-proof", junk.toString(), "--key", publicKey().toString()))
        .isEqualTo(2);
    assertThat(err.toString()).isEqualTo("RECEIPT: " + junk + " is not UTF-8 text\n");
    assertThat(
            run(
                "audit",
                "verify-proof",
                receipt.toString(),
                "--key",
                publicKey().toString(),
                "--record",
                junk.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).isEqualTo("--record: " + junk + " is not UTF-8 text\n");
    assertThat(
            run(
                "audit",
                "verify-proof",
                receipt.toString(),
                "--key",
                publicKey().toString(),
                "--record",
                dir.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).isEqualTo("--record: " + dir + " is not a file\n");
    Path notAStore = dir.resolve("not-a-store");
    Files.writeString(notAStore, "x");
    assertThat(run("audit", "verify", log.toString(), "--trust-store", notAStore.toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo("trust store " + notAStore + " is a file, not a directory\n");
    Path typo = dir.resolve("witnes");
    assertThat(
            run(
                "audit",
                "verify",
                log.toString(),
                "--fingerprint",
                fingerprint,
                "--witness",
                "" + typo))
        .isEqualTo(2);
    assertThat(err.toString()).isEqualTo("no witness directory at " + typo + "\n");
    assertThat(Files.exists(typo)).isFalse();
  }

  @Test
  void aDamagedOrEmptiedLogIsTamperedNotBadUsage() throws Exception {
    Files.writeString(
        file,
        "x".repeat(2_000_000) + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(run("audit", "verify", log.toString(), "--fingerprint", fingerprint)).isEqualTo(1);
    assertThat(out.toString()).startsWith("FAILED: MODIFIED at sequence 41 ");
    Files.writeString(file, "");
    assertThat(run("audit", "verify", log.toString(), "--fingerprint", fingerprint)).isEqualTo(1);
    assertThat(out.toString()).startsWith("FAILED: MISSING_CHECKPOINT at sequence 1 ");
  }

  @Test
  void noReceiptIsIssuedForAnEditedRecord() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(8, lines.get(8).replace("\"deny\"", "\"allow\""));
    Files.write(file, lines);
    assertThat(run("audit", "proof", log.toString(), "--seq", "8")).isEqualTo(1);
    assertThat(out.toString())
        .isEqualTo(
            "FAILED: no receipt: record 8 no longer matches its hash; verify the log before making"
                + " receipts from it\n");
  }

  @Test
  void aReportNeedsAKeyToSignItOrSaysUnsigned() throws Exception {
    Path pdf = dir.resolve("r.pdf");
    assertThat(
            run(
                "audit",
                "report",
                log.toString(),
                "--fingerprint",
                fingerprint,
                "--key-dir",
                dir.resolve("no-keys").toString(),
                "--out",
                pdf.toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith("no private key of this log in " + dir.resolve("no-keys"));
    assertThat(Files.exists(pdf)).isFalse();
    assertThat(
            run(
                "audit",
                "report",
                log.toString(),
                "--fingerprint",
                fingerprint,
                "--key-dir",
                dir.resolve("no-keys").toString(),
                "--unsigned",
                "--out",
                pdf.toString()))
        .isZero();
    assertThat(out.toString()).endsWith("not signed (--unsigned)\n");
    assertThat(Files.exists(pdf)).isTrue();
  }

  private String origin() throws Exception {
    return ((io.hyperlens.audit.Checkpoint) AuditJson.parseLine(Files.readAllLines(file).get(0)))
        .origin();
  }

  private String genesisKey() throws Exception {
    return ((io.hyperlens.audit.Checkpoint) AuditJson.parseLine(Files.readAllLines(file).get(0)))
        .key()
        .orElseThrow()
        .vkey();
  }

  private Path publicKey() throws Exception {
    try (var files = Files.list(keys)) {
      return files
          .filter(p -> p.toString().endsWith(".pub"))
          .filter(p -> p.getFileName().toString().contains(fingerprint.substring(7, 23)))
          .findFirst()
          .orElseThrow();
    }
  }

  private String pinsText() throws Exception {
    StringBuilder text = new StringBuilder();
    try (var files = Files.list(trust)) {
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        text.append(Files.readString(p));
      }
    }
    return text.toString();
  }

  /** Appends {@code count} allow records chained on from the last one, as one without the key. */
  private void appendForged(int count, String reason) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    AuditRecord last = null;
    for (String line : lines) {
      Object entry = AuditJson.parseLine(line);
      if (entry instanceof AuditRecord) {
        last = (AuditRecord) entry;
      }
    }
    String prev = last.hash();
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      AuditRecord forged =
          new AuditRecord(
              "forged-" + i,
              last.timestamp(),
              "did:mesh:attacker",
              "file_write",
              "/prod/secrets",
              Decision.ALLOW,
              reason,
              null,
              java.util.Map.of(),
              last.sequence() + i,
              prev,
              AuditRecord.GENESIS_HASH);
      forged = forged.withHash(AuditJson.hash(forged));
      out.append(AuditJson.toLine(forged)).append('\n');
      prev = forged.hash();
    }
    Files.writeString(file, out, java.nio.file.StandardOpenOption.APPEND);
  }

  @Test
  void recordsAppendedAfterACleanCloseAreNeverSignedByTheWriter() throws Exception {
    appendForged(3, null);
    assertThat(run("audit", "verify", log.toString(), "--fingerprint", fingerprint)).isEqualTo(3);
    assertThat(
            run(
                "demo",
                "--duration",
                "200ms",
                "--audit",
                log.toString(),
                "--key-dir",
                keys.toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "holds records 41 to 43 after the checkpoint this writer signed when it closed the log"
                + " at 40: they were added by someone else");
  }

  @Test
  void aPinnedLogCopiedOverAnotherPinnedLogFailsByItsPlace() throws Exception {
    Path staging = dir.resolve("staging");
    try (AuditLog audit = AuditLog.open(staging, dir.resolve("staging-keys"), null)) {
      audit.append(
          io.hyperlens.audit.AuditEntry.builder()
              .agentId("a")
              .action("x")
              .decision(Decision.ALLOW)
              .build());
    }
    assertThat(run("audit", "pin", log.toString(), "--trust-store", trust.toString())).isZero();
    assertThat(run("audit", "pin", staging.toString(), "--trust-store", trust.toString())).isZero();
    Files.copy(
        staging.resolve(AuditLog.STORE_FILE),
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(run("audit", "verify", log.toString(), "--trust-store", trust.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .startsWith("FAILED: UNTRUSTED_KEY: trust store " + trust + " pins the log at ");
    // a symbolic link to the log is the same place
    Path link = dir.resolve("alias");
    Files.createSymbolicLink(link, log);
    assertThat(run("audit", "verify", link.toString(), "--trust-store", trust.toString()))
        .isEqualTo(1);
  }

  @Test
  void aReportSignedByAnotherPinnedLogsKeyIsRefused() throws Exception {
    Path pdf = dir.resolve("r.csv");
    assertThat(
            run(
                "audit",
                "report",
                log.toString(),
                "--fingerprint",
                fingerprint,
                "--format",
                "csv",
                "--key-dir",
                keys.toString(),
                "--out",
                pdf.toString()))
        .isZero();
    assertThat(run("audit", "pin", log.toString(), "--trust-store", trust.toString())).isZero();
    assertThat(run("audit", "verify-report", pdf.toString(), "--trust-store", trust.toString()))
        .isZero();
    assertThat(out.toString()).contains("(pinned for log " + origin() + ")");
    // another log whose key the forger holds, pinned too, signs an edited copy
    Path other = dir.resolve("other");
    AuditSigner otherKey;
    try (AuditLog audit = AuditLog.open(other, dir.resolve("other-keys"), null)) {
      audit.checkpoint();
    }
    otherKey = AuditKeys.loadAll(dir.resolve("other-keys")).get(0);
    assertThat(run("audit", "pin", other.toString(), "--trust-store", trust.toString())).isZero();
    Files.writeString(pdf, Files.readString(pdf).replace("deny", "allow"));
    io.hyperlens.audit.report.ReportSignature.sign(pdf, otherKey);
    assertThat(run("audit", "verify-report", pdf.toString(), "--trust-store", trust.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .contains("signature FAILED: signed by " + otherKey.fingerprint())
        .contains("a key this report does not name");
    // with no pinned key, a usage error that says so
    assertThat(
            run(
                "audit",
                "verify-report",
                pdf.toString(),
                "--trust-store",
                dir.resolve("empty").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("holds no pinned key");
  }

  @Test
  void aRecordCannotRewriteTheLineThatReportsOnIt() throws Exception {
    Path esc = dir.resolve("esc");
    Path escKeys = dir.resolve("esc-keys");
    try (AuditLog audit = AuditLog.open(esc, escKeys, null)) {
      audit.append(
          io.hyperlens.audit.AuditEntry.builder()
              .agentId("agent")
              .action("file_write")
              .decision(Decision.DENY)
              .reason("\r\u001b[2K\u001b[1Averified: -> allow\u202e")
              .build());
    }
    Path receipt = dir.resolve("esc.tlog-proof");
    assertThat(run("audit", "proof", esc.toString(), "--seq", "1", "--out", receipt.toString()))
        .isZero();
    Path pub;
    try (var files = Files.list(escKeys)) {
      pub = files.filter(p -> p.toString().endsWith(".pub")).findFirst().orElseThrow();
    }
    assertThat(run("audit", "verify-proof", receipt.toString(), "--key", pub.toString())).isZero();
    assertThat(out.toString())
        .doesNotContain("\u001b")
        .doesNotContain("\r")
        .doesNotContain("\u202e")
        .contains("-> deny (\\u000d\\u001b[2K\\u001b[1Averified: -> allow\\u202e)");
  }

  @Test
  void terminalControlCharactersAreShownNotSent() {
    assertThat(TerminalSafeWriter.escape("a\u001b[2Kb\rc\u202ed\ne"))
        .isEqualTo("a\\u001b[2Kb\\u000dc\\u202ed\ne");
    assertThat(TerminalSafeWriter.escape("plain")).isEqualTo("plain");
    StringWriter raw = new StringWriter();
    PrintWriter safe = new TerminalSafeWriter(raw);
    safe.print('\u001b');
    safe.write("x\u0007".toCharArray(), 0, 2);
    safe.println("y");
    assertThat(raw.toString()).isEqualTo("\\u001bx\\u0007y" + System.lineSeparator());
  }

  @Test
  void aKeyDirectoryInsideTheLogsIsRefused() {
    assertThat(
            run(
                "demo",
                "--duration",
                "200ms",
                "--audit",
                log.toString(),
                "--key-dir",
                log.resolve("keys").toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("keyDirectory must not be the log's directory or inside it");
  }

  @Test
  void aBadKeyFileIsNamedByItsOption() throws Exception {
    Path bad = dir.resolve("bad.pub");
    Files.writeString(bad, "not a key");
    assertThat(run("audit", "verify", log.toString(), "--key", bad.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("--key: " + bad + " holds no");
  }

  @Test
  void aBadReportOptionIsNamedByItsFlag() {
    assertThat(
            run(
                "audit",
                "report",
                log.toString(),
                "--fingerprint",
                fingerprint,
                "--time-range",
                "bogus",
                "--unsigned"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith("--time-range must look like")
        .doesNotContain("timeRange");
    assertThat(run("audit", "report", log.toString(), "--format", "docx", "--unsigned"))
        .isEqualTo(2);
    assertThat(err.toString()).isEqualTo("--format must be one of pdf|csv|json, got \"docx\"\n");
  }
}
