package io.hyperlens.server.cli;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditProofs;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.keys.TrustStore;
import io.hyperlens.audit.report.ComplianceReport;
import io.hyperlens.audit.report.ReportRequest;
import io.hyperlens.audit.report.ReportRequestBuilder;
import io.hyperlens.audit.report.ReportSignature;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.TlogProof;
import io.hyperlens.audit.witness.DirectoryWitness;
import io.hyperlens.audit.witness.WitnessException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hyperlens audit}: verify an audit trail against a key you hold, pin its key, make and
 * check offline receipts, bring a witness up to date, and make and check signed compliance reports.
 * Exit codes: 0 verified, 1 tampered (or a bad signature), 2 bad usage or an unreadable input, 3
 * not proven (unanchored, or records no checkpoint signs).
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    versionProvider = HyperlensCommand.Version.class,
    description = {
      "Verify an audit trail against a key you hold, pin its key, make and check receipts and"
          + " signed compliance reports.",
      "Exit codes: 0 verified, 1 tampered or a bad signature, 2 bad usage or an unreadable"
          + " input, 3 not proven (intact, but no key you trust vouches for it, or records after"
          + " the last checkpoint are signed by nothing yet)."
    },
    subcommands = {
      AuditCommand.Verify.class,
      AuditCommand.Pin.class,
      AuditCommand.Report.class,
      AuditCommand.VerifyReport.class,
      AuditCommand.Proof.class,
      AuditCommand.VerifyProof.class,
      AuditCommand.WitnessCommand.class
    })
final class AuditCommand implements Callable<Integer> {
  static final int VERIFIED = 0;
  static final int TAMPERED = 1;
  static final int USAGE = 2;
  static final int NOT_PROVEN = 3;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("audit: name a subcommand.");
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** Standard output, showing rather than sending what a terminal would act on. */
  static PrintWriter safeOut(CommandSpec spec) {
    return new TerminalSafeWriter(spec.commandLine().getOut());
  }

  /** Standard error, likewise. */
  static PrintWriter safeErr(CommandSpec spec) {
    return new TerminalSafeWriter(spec.commandLine().getErr());
  }

  /** The public key in {@code file}, given with {@code --key}. */
  static PublicKey keyOption(Path file) {
    try {
      return AuditKeys.loadPublic(file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--key: " + e.getMessage().replaceFirst("^publicKeyFile ", ""), e);
    }
  }

  /**
   * {@code set}'s result; a value it refuses is reported under the command-line option ({@code
   * --time-range}), not the Java name ({@code timeRange}) the library uses.
   */
  static <T> T option(String flag, String field, java.util.function.Supplier<T> set) {
    try {
      return set.get();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      throw new IllegalArgumentException(
          message.startsWith(field)
              ? flag + message.substring(field.length())
              : flag + ": " + message,
          e);
    }
  }

  /** The exit code of a verdict. */
  static int exitCode(VerificationReport.Verdict verdict) {
    switch (verdict) {
      case VERIFIED:
        return VERIFIED;
      case UNANCHORED:
      case UNSIGNED:
        return NOT_PROVEN;
      default:
        return TAMPERED;
    }
  }

  /** What a verifier trusts: a key, a fingerprint or a trust store. */
  static final class AnchorOptions {
    @Option(
        names = "--key",
        paramLabel = "FILE",
        description = "Trust this public key (PEM, or a verifier key line as a trust store keeps).")
    Path key;

    @Option(
        names = "--fingerprint",
        paramLabel = "SHA256:HEX",
        description = "Trust the key with this fingerprint, read out to you over another channel.")
    String fingerprint;

    @Option(
        names = "--trust-store",
        paramLabel = "DIR",
        description =
            "Trust the keys pinned here (hyperlens audit pin). Default: $HYPERLENS_TRUST_STORE or"
                + " ~/.hyperlens/trusted-keys. Used when neither --key nor --fingerprint is given.")
    Path trustStore;

    TrustAnchor anchor() {
      if (key != null && fingerprint != null) {
        throw new IllegalArgumentException("give --key or --fingerprint, not both");
      }
      if (key != null) {
        return TrustAnchor.key(keyOption(key));
      }
      if (fingerprint != null) {
        return TrustAnchor.fingerprint(fingerprint);
      }
      return TrustAnchor.trustStore(trustStoreDirectory());
    }

    Path trustStoreDirectory() {
      return trustStore != null ? trustStore : TrustStore.defaultDirectory();
    }
  }

  /** Runs {@code body}, turning bad input and unreadable files into exit code 2 and a message. */
  static int guarded(CommandSpec spec, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      safeErr(spec).println(e.getMessage());
      return USAGE;
    } catch (IOException e) {
      safeErr(spec).println("cannot read or write a file: " + e);
      return USAGE;
    }
  }

  /**
   * The text of {@code file}, given as {@code label}.
   *
   * @throws IllegalArgumentException naming the option and the file if it is not a readable UTF-8
   *     text file
   */
  static String readText(String label, Path file) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(label + ": no such file " + file);
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(label + ": " + file + " is not a file");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalArgumentException(label + ": " + file + " is not UTF-8 text", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(label + ": cannot read " + file + ": " + e, e);
    }
  }

  /** What the commands on a log read: the log. */
  abstract static class LogCommand {
    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "LOG",
        description = "The audit directory (holding audit.jsonl) or a .jsonl file.")
    Path log;

    Path file() {
      Path file = Files.isDirectory(log) ? log.resolve(AuditLog.STORE_FILE) : log;
      if (!Files.exists(file)) {
        throw new IllegalArgumentException("LOG: no audit file at " + file);
      }
      return file;
    }

    PrintWriter out() {
      return safeOut(spec);
    }
  }

  /** {@code hyperlens audit verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Checks every hash, link, sequence, Merkle root, checkpoint signature and key rotation of"
            + " an audit trail, trusting only the key you give or have pinned.",
        "Exit code 0 verified, 1 tampered (the first failing sequence and its kind are printed),"
            + " 2 bad usage or an unreadable input, 3 not proven (intact, but signed by a key"
            + " you have not pinned, or records after the last checkpoint are signed by nothing)."
      })
  static final class Verify extends LogCommand implements Callable<Integer> {
    @Mixin AnchorOptions anchor;

    @Option(
        names = "--witness",
        paramLabel = "DIR",
        description = "Also check the log against the checkpoints this directory witness holds.")
    Path witness;

    @Override
    public Integer call() throws Exception {
      return guarded(
          spec,
          () -> {
            try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
              VerificationReport report =
                  AuditVerifier.verify(
                      store,
                      anchor.anchor(),
                      witness == null ? null : DirectoryWitness.openExisting(witness));
              out().println(report.summary());
              if (report.verdict() == VerificationReport.Verdict.UNANCHORED) {
                printPinHint(out(), log, report, anchor.trustStore);
              }
              out().flush();
              return exitCode(report.verdict());
            }
          });
    }
  }

  static void printPinHint(PrintWriter out, Path log, VerificationReport report, Path trustStore) {
    List<String> fingerprints = report.fingerprints();
    if (fingerprints.isEmpty()) {
      return;
    }
    String first = fingerprints.get(fingerprints.size() - 1);
    out.println(
        "The log's key is "
            + first
            + ". Check this fingerprint with whoever keeps the log, then pin it:");
    out.println(
        "  hyperlens audit pin "
            + log
            + " --fingerprint "
            + first
            + (trustStore == null ? "" : " --trust-store " + trustStore));
    out.println(
        "or verify against it once: hyperlens audit verify " + log + " --fingerprint " + first);
  }

  /** {@code hyperlens audit pin}. */
  @Command(
      name = "pin",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Pins an intact log's key in a trust store, so that later verification trusts it and"
            + " refuses a log at this place signed by another key.",
        "Give the fingerprint you were told (--fingerprint) to pin only that key; without it the"
            + " key is trusted on first use, unless the trust store already pins the log to another"
            + " key.",
        "Exit code 0 pinned, 1 the log is tampered or its key is not the fingerprint, 2 bad usage."
      })
  static final class Pin extends LogCommand implements Callable<Integer> {
    @Option(
        names = "--fingerprint",
        paramLabel = "SHA256:HEX",
        description = "The fingerprint the log's key must have.")
    String fingerprint;

    @Option(
        names = "--trust-store",
        paramLabel = "DIR",
        description = "Where to pin. Default: $HYPERLENS_TRUST_STORE or ~/.hyperlens/trusted-keys.")
    Path trustStore;

    @Override
    public Integer call() throws Exception {
      return guarded(
          spec,
          () -> {
            String expected =
                fingerprint == null ? null : AuditKeys.normalizeFingerprint(fingerprint);
            try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
              VerificationReport report = AuditVerifier.verify(store, TrustAnchor.none());
              if (!report.intact() || report.keys().isEmpty()) {
                out().println(report.summary());
                out().println("Not pinned: only an intact log's key can be pinned.");
                out().flush();
                return TAMPERED;
              }
              List<String> fingerprints = report.fingerprints();
              if (expected != null && !fingerprints.contains(expected)) {
                out()
                    .println(
                        "Not pinned: log "
                            + report.origin().orElseThrow()
                            + " is signed by "
                            + String.join(", then ", fingerprints)
                            + ", not by "
                            + expected);
                out().flush();
                return TAMPERED;
              }
              // the key you were told, or else the key that signs the log now
              NoteKey key =
                  report
                      .keys()
                      .get(
                          expected != null
                              ? fingerprints.indexOf(expected)
                              : fingerprints.size() - 1);
              String keyFingerprint = AuditKeys.fingerprint(key.publicKey());
              Path storeDirectory = trustStore != null ? trustStore : TrustStore.defaultDirectory();
              TrustAnchor.Check known =
                  TrustAnchor.trustStore(storeDirectory)
                      .check(key.name(), report.keys(), store.location());
              if (known.status() == TrustAnchor.Status.TRUSTED) {
                out()
                    .println(
                        "Already pinned: " + known.detail() + " (" + known.fingerprint() + ")");
                out().flush();
                return VERIFIED;
              }
              if (known.status() == TrustAnchor.Status.MISMATCH && expected == null) {
                // known_hosts: a log that changed keys is not re-pinned on trust
                out()
                    .println(
                        "Not pinned: "
                            + known.detail()
                            + ". If the log's key really changed, check "
                            + keyFingerprint
                            + " with whoever keeps the log and pin it with --fingerprint.");
                out().flush();
                return TAMPERED;
              }
              Path pinned = TrustStore.open(storeDirectory).pin(key, store.location());
              out()
                  .println(
                      "Pinned "
                          + keyFingerprint
                          + " for log "
                          + key.name()
                          + " in "
                          + pinned
                          + (expected == null
                              ? " (trusted on first use: check this fingerprint with whoever keeps"
                                  + " the log)"
                              : "")
                          + (report.unsealedRecords() > 0
                              ? "; note that "
                                  + report.unsealedRecords()
                                  + " of its records are signed by no checkpoint yet"
                              : ""));
              out().flush();
              return VERIFIED;
            }
          });
    }
  }

  /** {@code hyperlens audit report}. */
  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Writes a compliance report (summary, violations, statistics, and the verification with"
            + " what it rests on) for a time range of an audit trail, with a detached Ed25519"
            + " signature beside it (<report>.sig).",
        "Exit code as for verify: the report is written either way, and says so. Without a"
            + " private key to sign it, nothing is written unless --unsigned is given."
      })
  static final class Report extends LogCommand implements Callable<Integer> {
    @Mixin AnchorOptions anchor;

    @Option(
        names = "--format",
        defaultValue = "pdf",
        description = "pdf, csv or json. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
        names = "--time-range",
        defaultValue = "last_30_days",
        description = "last_24h, last_7_days, last_30_days, ... Default: ${DEFAULT-VALUE}.")
    String timeRange;

    @Option(
        names = "--org",
        paramLabel = "NAME",
        description = "The organisation or system the report is for, printed in its header.")
    String organization;

    @Option(
        names = "--witness",
        paramLabel = "DIR",
        description = "Also check the log against this directory witness.")
    Path witness;

    @Option(
        names = "--signing-key",
        paramLabel = "FILE",
        description =
            "The private key (PEM) to sign the report with. Default: the log's own key, if the"
                + " key directory holds it.")
    Path signingKey;

    @Option(
        names = "--key-dir",
        paramLabel = "DIR",
        description =
            "Where to look for the log's private key. Default: $HYPERLENS_KEY_DIR or"
                + " ~/.hyperlens/keys.")
    Path keyDir;

    @Option(
        names = "--out",
        description =
            "Where to write it; default compliance-report.<format> in the current directory.")
    Path out;

    @Option(
        names = "--unsigned",
        description = "Write the report even without a private key to sign it.")
    boolean unsigned;

    @Override
    public Integer call() throws Exception {
      return guarded(
          spec,
          () -> {
            ReportRequestBuilder builder = ReportRequest.builder();
            option("--format", "format", () -> builder.format(format));
            option("--time-range", "timeRange", () -> builder.timeRange(timeRange));
            option("--org", "organization", () -> builder.organization(organization));
            ReportRequest request = builder.build();
            Path target =
                out != null ? out : Path.of("compliance-report." + request.format().value());
            try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
              VerificationReport verification =
                  AuditVerifier.verify(
                      store,
                      anchor.anchor(),
                      witness == null ? null : DirectoryWitness.openExisting(witness));
              Optional<AuditSigner> signer = signer(verification);
              if (signer.isEmpty() && !unsigned) {
                throw new IllegalArgumentException(
                    "no private key of this log in "
                        + keyDirectory()
                        + " to sign the report with: give --signing-key FILE or --key-dir DIR, or"
                        + " --unsigned to write it unsigned");
              }
              ComplianceReport report =
                  ComplianceReport.generate(store, verification, request, Clock.systemUTC());
              report.save(target);
              PrintWriter printed = out();
              printed.printf(
                  "%s: %,d records, %,d violations; %s%n",
                  target,
                  report.summary().totalRecords(),
                  report.violationCount(),
                  verification.summary());
              if (signer.isPresent()) {
                Path sig = ReportSignature.sign(target, signer.get());
                printed.println("signed by " + signer.get().fingerprint() + ": " + sig);
              } else {
                printed.println("not signed (--unsigned)");
              }
              printed.flush();
              return exitCode(verification.verdict());
            }
          });
    }

    private Path keyDirectory() {
      return keyDir != null ? keyDir : AuditKeys.defaultKeyDirectory();
    }

    private Optional<AuditSigner> signer(VerificationReport verification) {
      if (signingKey != null) {
        return Optional.of(AuditKeys.load(signingKey));
      }
      List<String> logKeys = verification.fingerprints();
      for (AuditSigner held : AuditKeys.loadAll(keyDirectory())) {
        if (!logKeys.isEmpty() && held.fingerprint().equals(logKeys.get(logKeys.size() - 1))) {
          return Optional.of(held);
        }
      }
      return Optional.empty();
    }
  }

  /** {@code hyperlens audit verify-report}. */
  @Command(
      name = "verify-report",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Checks a report's detached signature (<report>.sig) with a key you hold.",
        "Exit code 0 signed by that key, 1 not (edited, or signed by another key), 2 bad usage."
      })
  static final class VerifyReport implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "REPORT", description = "The report file.")
    Path report;

    @Option(
        names = "--sig",
        paramLabel = "FILE",
        description = "The signature file. Default: REPORT.sig.")
    Path sig;

    @Option(
        names = "--key",
        paramLabel = "FILE",
        description = "The public key (PEM or verifier key line). Default: every pinned key.")
    Path key;

    @Option(
        names = "--trust-store",
        paramLabel = "DIR",
        description = "Where pinned keys are. Default: ~/.hyperlens/trusted-keys.")
    Path trustStore;

    @Override
    public Integer call() throws Exception {
      return guarded(
          spec,
          () -> {
            Path signature = sig != null ? sig : ReportSignature.signatureFile(report);
            for (Path file : List.of(report, signature)) {
              if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no such file: " + file);
              }
            }
            List<PublicKey> keys = new ArrayList<>();
            List<TrustStore.Pin> pins = List.of();
            if (key != null) {
              keys.add(keyOption(key));
            } else {
              Path store = trustStore != null ? trustStore : TrustStore.defaultDirectory();
              pins = TrustStore.open(store).pins();
              if (pins.isEmpty()) {
                throw new IllegalArgumentException(
                    "trust store "
                        + store
                        + " holds no pinned key: give the log's public key (--key FILE), or pin"
                        + " the log (hyperlens audit pin)");
              }
              pins.forEach(pin -> keys.add(pin.key().publicKey()));
            }
            Optional<PublicKey> by = ReportSignature.verify(report, signature, keys);
            PrintWriter out = safeOut(spec);
            if (by.isPresent() && key == null) {
              // A pinned key vouches only for reports on its own log: the report must name it.
              String signer = AuditKeys.fingerprint(by.get());
              Set<String> named = ReportSignature.namedKeys(report);
              List<String> logs = new ArrayList<>();
              for (TrustStore.Pin pin : pins) {
                if (AuditKeys.fingerprint(pin.key().publicKey()).equals(signer)) {
                  logs.add(pin.key().name());
                }
              }
              if (!named.contains(signer)) {
                out.println(
                    report
                        + ": signature FAILED: signed by "
                        + signer
                        + " (pinned for log "
                        + String.join(", ", logs)
                        + "), a key this report does not name"
                        + (named.isEmpty() ? "" : "; it names " + String.join(", ", named)));
                out.flush();
                return TAMPERED;
              }
              out.println(
                  report
                      + ": signature verified, signed by "
                      + signer
                      + " (pinned for log "
                      + String.join(", ", logs)
                      + ")");
            } else if (by.isPresent()) {
              out.println(
                  report + ": signature verified, signed by " + AuditKeys.fingerprint(by.get()));
            } else {
              out.println(
                  report
                      + ": signature FAILED: not signed by "
                      + (key != null ? AuditKeys.fingerprint(keys.get(0)) : "any pinned key")
                      + " (edited, or signed by another key)");
            }
            out.flush();
            return by.isPresent() ? VERIFIED : TAMPERED;
          });
    }
  }

  /** {@code hyperlens audit proof}. */
  @Command(
      name = "proof",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Prints an offline receipt (C2SP tlog-proof) that one record is in the log: the record,"
            + " its Merkle inclusion proof and the log's last signed checkpoint.",
        "Check it anywhere with: hyperlens audit verify-proof FILE --key PUBLIC-KEY"
      })
  static final class Proof extends LogCommand implements Callable<Integer> {
    @Option(
        names = "--seq",
        required = true,
        paramLabel = "N",
        description = "The record's sequence.")
    long sequence;

    @Option(names = "--out", paramLabel = "FILE", description = "Write it here, not to stdout.")
    Path outFile;

    @Override
    public Integer call() throws Exception {
      return guarded(
          spec,
          () -> {
            if (sequence < 1) {
              throw new IllegalArgumentException("--seq must be at least 1, got " + sequence);
            }
            TlogProof receipt;
            try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
              receipt = AuditProofs.receipt(store, sequence);
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--seq: " + e.getMessage(), e);
            } catch (IllegalStateException e) {
              out().println("FAILED: no receipt: " + e.getMessage());
              out().flush();
              return TAMPERED;
            }
            if (outFile != null) {
              Files.writeString(outFile, receipt.format(), StandardCharsets.UTF_8);
            } else {
              out().print(receipt.format());
              out().flush();
            }
            return VERIFIED;
          });
    }
  }

  /** {@code hyperlens audit verify-proof}. */
  @Command(
      name = "verify-proof",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Checks an offline receipt with nothing but it and the log's public key: the record"
            + " hashes to its leaf, the proof leads to the checkpoint's root, and the checkpoint"
            + " is signed by the key.",
        "Exit code 0 verified, 1 invalid, 2 bad usage, 3 no key you trust signed it."
      })
  static final class VerifyProof implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "RECEIPT", description = "The .tlog-proof file.")
    Path receipt;

    @Option(
        names = "--record",
        paramLabel = "FILE",
        description = "The record's JSON line, if the receipt does not carry it.")
    Path record;

    @Option(
        names = "--key",
        paramLabel = "FILE",
        description = "The log's public key (PEM or verifier key line).")
    Path key;

    @Option(
        names = "--trust-store",
        paramLabel = "DIR",
        description =
            "Where pinned keys are, used without --key. Default: ~/.hyperlens/trusted-keys.")
    Path trustStore;

    @Override
    public Integer call() throws Exception {
      return guarded(
          spec,
          () -> {
            String text = readText("RECEIPT", receipt);
            TlogProof proof;
            try {
              proof = TlogProof.parse(text);
            } catch (IllegalArgumentException e) {
              PrintWriter out = safeOut(spec);
              out.println("FAILED: " + receipt + " is not a receipt: " + e.getMessage());
              out.flush();
              return TAMPERED;
            }
            AuditRecord given = null;
            if (record != null) {
              Object entry;
              try {
                entry = AuditJson.parseLine(readText("--record", record).strip());
              } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith("--record")
                    ? e
                    : new IllegalArgumentException(
                        "--record: " + record + " holds no record: " + e.getMessage(), e);
              }
              if (!(entry instanceof AuditRecord)) {
                throw new IllegalArgumentException("--record: " + record + " holds no record");
              }
              given = (AuditRecord) entry;
            }
            TrustAnchor anchor =
                key != null
                    ? TrustAnchor.key(keyOption(key))
                    : TrustAnchor.trustStore(
                        trustStore != null ? trustStore : TrustStore.defaultDirectory());
            AuditProofs.ReceiptCheck check = AuditProofs.verifyReceipt(proof, given, anchor);
            PrintWriter out = safeOut(spec);
            String verdict =
                check.verdict() == VerificationReport.Verdict.VERIFIED
                    ? "verified"
                    : check.verdict() == VerificationReport.Verdict.UNANCHORED
                        ? "UNANCHORED"
                        : "FAILED";
            out.println(verdict + ": " + check.detail());
            if (check.record() != null && check.verdict() == VerificationReport.Verdict.VERIFIED) {
              AuditRecord r = check.record();
              out.println(
                  "  "
                      + AuditJson.formatTimestamp(r.timestamp())
                      + " "
                      + r.agentId()
                      + " "
                      + r.action()
                      + " "
                      + (r.resource() == null ? "" : r.resource() + " ")
                      + "-> "
                      + r.decision().value()
                      + (r.reason() == null ? "" : " (" + r.reason() + ")"));
            }
            out.flush();
            return exitCode(check.verdict());
          });
    }
  }

  /** {@code hyperlens audit witness}. */
  @Command(
      name = "witness",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Brings a directory witness up to the log's last checkpoint, with consistency proofs; a"
            + " witness new to the log takes its genesis first (trust on first use).",
        "Exit code 0 done, 1 the witness refused (the log does not extend what it saw), 2 bad"
            + " usage."
      })
  static final class WitnessCommand extends LogCommand implements Callable<Integer> {
    @Option(
        names = "--witness",
        required = true,
        paramLabel = "DIR",
        description = "The witness directory (keep it where the log's writer cannot write).")
    Path witness;

    @Override
    public Integer call() throws Exception {
      return guarded(
          spec,
          () -> {
            DirectoryWitness w = DirectoryWitness.open(witness);
            try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
              long size = AuditProofs.witness(store, w);
              out().println(w.description() + " holds " + size + " records of this log");
              out().flush();
              return VERIFIED;
            } catch (WitnessException e) {
              out().println(w.description() + " refused (" + e.reason() + "): " + e.getMessage());
              out().flush();
              return TAMPERED;
            } catch (IllegalStateException e) {
              // the witness holds more of the log than the log does
              out().println(w.description() + " refused: " + e.getMessage());
              out().flush();
              return TAMPERED;
            }
          });
    }
  }
}
