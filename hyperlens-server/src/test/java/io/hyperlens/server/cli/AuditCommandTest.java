package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's anchored audit workflow, run through the command line: demo --audit, pin, verify,
 * proof, verify-proof, report and verify-report, tamper, verify fails. Every key and pin lives in
 * the test's own directories, never in the home directory.
 */
class AuditCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;
  private Path log;
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
  void demo() throws Exception {
    log = dir.resolve("audit");
    keys = dir.resolve("keys");
    trust = dir.resolve("trusted-keys");
    int exit =
        run(
            "demo",
            "--duration",
            "500ms",
            "--rate",
            "100",
            "--interval",
            "1s",
            "--breach-rate",
            "1",
            "--audit",
            log.toString(),
            "--key-dir",
            keys.toString());
    assertThat(exit).as(err.toString()).isZero();
    Matcher pin =
        Pattern.compile(
                "audit pin "
                    + Pattern.quote(log.toString())
                    + " --fingerprint (SHA256:[0-9a-f]{64})")
            .matcher(out.toString());
    assertThat(pin.find()).as(out.toString()).isTrue();
    fingerprint = pin.group(1);
    assertThat(out.toString())
        .contains("held in key directory " + keys)
        .contains("signing key " + fingerprint + ", private half in " + keys)
        .contains("(signature " + log.resolve("compliance-report.pdf.sig") + ")");
    try (var files = Files.list(log)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "audit.jsonl", "compliance-report.pdf", "compliance-report.pdf.sig");
    }
  }

  @Test
  void anUnpinnedLogIsUnanchoredWithExitCode3AndSaysHowToPinIt() {
    assertThat(run("audit", "verify", log.toString(), "--trust-store", trust.toString()))
        .isEqualTo(3);
    assertThat(out.toString())
        .startsWith("UNANCHORED: ")
        .contains("nothing in trust store " + trust + " names this log")
        .contains(
            "hyperlens audit pin "
                + log
                + " --fingerprint "
                + fingerprint
                + " --trust-store "
                + trust);
  }

  @Test
  void theAnchoredWorkflowEndToEnd() throws Exception {
    assertThat(
            run(
                "audit",
                "pin",
                log.toString(),
                "--fingerprint",
                fingerprint,
                "--trust-store",
                trust.toString()))
        .as(out.toString() + err)
        .isZero();
    assertThat(out.toString())
        .startsWith("Pinned " + fingerprint + " for log audit.hyperlens.local/");
    assertThat(run("audit", "verify", log.toString(), "--trust-store", trust.toString())).isZero();
    assertThat(out.toString())
        .startsWith("verified: ")
        .contains("pinned for audit.hyperlens.local/");
    assertThat(run("audit", "verify", log.toString(), "--fingerprint", fingerprint)).isZero();

    Path receipt = dir.resolve("entry-3.tlog-proof");
    assertThat(run("audit", "proof", log.toString(), "--seq", "3", "--out", receipt.toString()))
        .isZero();
    assertThat(Files.readString(receipt))
        .startsWith("c2sp.org/tlog-proof@v1\nextra ")
        .contains("\nindex 2\n");
    assertThat(run("audit", "verify-proof", receipt.toString(), "--trust-store", trust.toString()))
        .as(out.toString() + err)
        .isZero();
    assertThat(out.toString()).startsWith("verified: record 3 is in log audit.hyperlens.local/");
    Path publicKey = keys.resolve("audit-" + fingerprint.substring(7, 23) + ".pem.pub");
    assertThat(run("audit", "verify-proof", receipt.toString(), "--key", publicKey.toString()))
        .isZero();
    assertThat(
            run(
                "audit",
                "verify-proof",
                receipt.toString(),
                "--trust-store",
                dir.resolve("empty").toString()))
        .isEqualTo(3);

    // A receipt whose proof was edited fails.
    List<String> proofLines = new ArrayList<>(Files.readAllLines(receipt));
    String hash = proofLines.get(3);
    proofLines.set(3, (hash.charAt(0) == 'A' ? "B" : "A") + hash.substring(1));
    Path edited = dir.resolve("edited.tlog-proof");
    Files.writeString(edited, String.join("\n", proofLines) + "\n");
    assertThat(run("audit", "verify-proof", edited.toString(), "--key", publicKey.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .startsWith("FAILED: the inclusion proof does not lead from record 3");

    // A signed report, checked; then edited.
    Path pdf = dir.resolve("report.pdf");
    assertThat(
            run(
                "audit",
                "report",
                log.toString(),
                "--trust-store",
                trust.toString(),
                "--org",
                "Acme agents",
                "--key-dir",
                keys.toString(),
                "--out",
                pdf.toString()))
        .isZero();
    assertThat(out.toString()).contains("signed by " + fingerprint + ": " + pdf + ".sig");
    assertThat(run("audit", "verify-report", pdf.toString(), "--trust-store", trust.toString()))
        .isZero();
    assertThat(out.toString())
        .startsWith(pdf + ": signature verified, signed by " + fingerprint + " (pinned for log ");
    byte[] bytes = Files.readAllBytes(pdf);
    bytes[bytes.length / 3] ^= 1;
    Files.write(pdf, bytes);
    assertThat(run("audit", "verify-report", pdf.toString(), "--key", publicKey.toString()))
        .isEqualTo(1);

    // Tamper with the trail: verify fails with exit code 1, the receipt stays good.
    Path file = log.resolve("audit.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    int deny = 0;
    while (!lines.get(deny).contains("\"decision\":\"deny\"")) {
      deny++;
    }
    lines.set(deny, lines.get(deny).replace("\"decision\":\"deny\"", "\"decision\":\"allow\""));
    Files.write(file, lines);
    assertThat(run("audit", "verify", log.toString(), "--trust-store", trust.toString()))
        .isEqualTo(1);
    // Line 0 is the genesis checkpoint, so the record on line i has sequence i.
    assertThat(out.toString()).startsWith("FAILED: MODIFIED at sequence " + deny + " ");
    Path csv = dir.resolve("report.csv");
    assertThat(
            run(
                "audit",
                "report",
                log.toString(),
                "--trust-store",
                trust.toString(),
                "--format",
                "csv",
                "--key-dir",
                keys.toString(),
                "--out",
                csv.toString()))
        .isEqualTo(1);
    assertThat(Files.readString(csv)).contains("verification,status,FAILED");
  }

  @Test
  void aLogSwappedForAnotherWithItsKeyBesideItFailsOncePinned() throws Exception {
    Path other = dir.resolve("other");
    assertThat(
            run(
                "demo",
                "--duration",
                "200ms",
                "--audit",
                other.toString(),
                "--key-dir",
                keys.toString()))
        .isZero();
    assertThat(run("audit", "pin", log.toString(), "--trust-store", trust.toString())).isZero();
    assertThat(out.toString()).contains("trusted on first use");
    Files.copy(
        other.resolve("audit.jsonl"),
        log.resolve("audit.jsonl"),
        StandardCopyOption.REPLACE_EXISTING);
    try (var pubs = Files.list(keys)) {
      for (Path pub : (Iterable<Path>) pubs.filter(p -> p.toString().endsWith(".pub"))::iterator) {
        Files.copy(pub, log.resolve("zz-" + pub.getFileName()));
      }
    }
    assertThat(run("audit", "verify", log.toString(), "--trust-store", trust.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .startsWith("FAILED: UNTRUSTED_KEY: trust store " + trust + " pins the log at " + log);
    assertThat(run("audit", "verify", log.toString(), "--fingerprint", fingerprint)).isEqualTo(1);
    assertThat(
            run(
                "audit",
                "verify",
                log.toString(),
                "--trust-store",
                dir.resolve("empty").toString()))
        .isEqualTo(3);
  }

  @Test
  void aWitnessCatchesATailCutWithItsCheckpoint() throws Exception {
    Path witness = dir.resolve("witness");
    assertThat(run("audit", "witness", log.toString(), "--witness", witness.toString())).isZero();
    assertThat(out.toString()).startsWith("witness " + witness + " holds ");
    Path file = log.resolve("audit.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.subList(lines.size() - 3, lines.size()).clear(); // two records and the last checkpoint
    Files.write(file, lines);
    // alone, the records after the checkpoint left are signed by nothing: not proven
    assertThat(run("audit", "verify", log.toString(), "--fingerprint", fingerprint)).isEqualTo(3);
    assertThat(out.toString()).startsWith("UNSIGNED: records ");
    assertThat(
            run(
                "audit",
                "verify",
                log.toString(),
                "--fingerprint",
                fingerprint,
                "--witness",
                witness.toString()))
        .isEqualTo(1);
    assertThat(out.toString()).startsWith("FAILED: TRUNCATED at sequence ");
  }
}
