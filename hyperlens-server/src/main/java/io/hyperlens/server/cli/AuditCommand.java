package io.hyperlens.server.cli;

import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.VerificationReport;
import io.hyperlens.audit.keys.TrustedKeys;
import io.hyperlens.audit.report.ComplianceReport;
import io.hyperlens.audit.report.ReportRequest;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hyperlens audit}: verify an audit trail and make compliance reports from it, offline. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    versionProvider = HyperlensCommand.Version.class,
    description = "Verify an audit trail or make a compliance report from it.",
    subcommands = {AuditCommand.Verify.class, AuditCommand.Report.class})
final class AuditCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** What both subcommands read: the log and the public keys to trust. */
  abstract static class LogOptions {
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "LOG",
        description =
            "The audit directory (holding audit.jsonl and audit-key.pem.pub) or a .jsonl file.")
    Path log;

    @Option(
        names = "--key",
        paramLabel = "PUB",
        description =
            "A trusted public key file (repeatable); default: every *.pub file beside the log.")
    List<Path> keys;

    Path file() {
      return Files.isDirectory(log) ? log.resolve(AuditLog.STORE_FILE) : log;
    }

    TrustedKeys trustedKeys() {
      if (keys != null && !keys.isEmpty()) {
        return TrustedKeys.load(keys.toArray(Path[]::new));
      }
      return TrustedKeys.loadAll(Files.isDirectory(log) ? log : log.toAbsolutePath().getParent());
    }

    /** Runs {@code body}, turning bad input and unreadable files into exit code 2 and a message. */
    int guarded(Callable<Integer> body) throws Exception {
      try {
        if (!Files.exists(file())) {
          spec.commandLine().getErr().println("LOG: no audit file at " + file());
          return 2;
        }
        return body.call();
      } catch (IllegalArgumentException | UncheckedIOException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 2;
      }
    }
  }

  /** {@code hyperlens audit verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description = {
        "Checks every hash, link, sequence and checkpoint signature of an audit trail with the"
            + " public keys alone.",
        "Exit code 0 when intact, 1 when tampering is found (the first failing sequence and its"
            + " kind are printed), 2 on bad input."
      })
  static final class Verify extends LogOptions implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      return guarded(
          () -> {
            try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
              VerificationReport report = AuditVerifier.verify(store, trustedKeys());
              PrintWriter out = spec.commandLine().getOut();
              out.println(report.summary());
              out.flush();
              return report.ok() ? 0 : 1;
            }
          });
    }
  }

  /** {@code hyperlens audit report}. */
  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      versionProvider = HyperlensCommand.Version.class,
      description =
          "Writes a compliance report (summary, violations, statistics and the verification"
              + " result) for a time range of an audit trail.")
  static final class Report extends LogOptions implements Callable<Integer> {
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
        names = "--out",
        description =
            "Where to write it; default compliance-report.<format> in the current directory.")
    Path out;

    @Override
    public Integer call() throws Exception {
      return guarded(
          () -> {
            ReportRequest request =
                ReportRequest.builder().format(format).timeRange(timeRange).build();
            Path target =
                out != null ? out : Path.of("compliance-report." + request.format().value());
            try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file())) {
              VerificationReport verification = AuditVerifier.verify(store, trustedKeys());
              ComplianceReport report =
                  ComplianceReport.generate(store, verification, request, Clock.systemUTC());
              report.save(target);
              PrintWriter printed = spec.commandLine().getOut();
              printed.printf(
                  "%s: %,d records, %,d violations; %s%n",
                  target,
                  report.summary().totalRecords(),
                  report.violationCount(),
                  verification.summary());
              printed.flush();
              return verification.ok() ? 0 : 1;
            }
          });
    }
  }
}
