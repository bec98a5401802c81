package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ChildJvm;
import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends in a loop and is killed with SIGKILL; every record it reported appended is in
 * the file, and the file is intact (a torn last line at most, and records after the last checkpoint
 * unsigned). Then a second child continues the same log, which its writer's remembered head allows,
 * is killed too, and the whole log is still intact.
 */
class CrashTest {
  @TempDir Path dir;

  @Test
  void recordsReportedAppendedSurviveSigkill() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    long reported = 0;
    for (int round = 0; round < 2; round++) {
      long before = reported;
      reported = runAndKill(before + 3000);
      TrustAnchor keys =
          TrustAnchor.keyFile(AuditKeys.publicKeyFile(dir.resolve("keys/audit-key.pem")));
      try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
        VerificationReport report = AuditVerifier.verify(store, keys);
        // intact and anchored; what came after the last checkpoint is signed by nothing yet
        assertThat(report.intact()).as(report.summary()).isTrue();
        assertThat(report.verdict())
            .as(report.summary())
            .isIn(VerificationReport.Verdict.VERIFIED, VerificationReport.Verdict.UNSIGNED);
        assertThat(report.lastSequence()).isGreaterThanOrEqualTo(reported);
        Set<Long> present = new HashSet<>();
        try (Stream<StoredEntry> entries = store.entries()) {
          for (Iterator<StoredEntry> it = entries.iterator(); it.hasNext(); ) {
            StoredEntry e = it.next();
            if (e instanceof StoredEntry.StoredRecord) {
              present.add(((StoredEntry.StoredRecord) e).record().sequence());
            }
          }
        }
        for (long s = 1; s <= reported; s++) {
          assertThat(present).as("record %d was reported appended", s).contains(s);
        }
        System.out.printf(
            "round %d: killed after %d reported, %d in the file; %s%n",
            round, reported, present.size(), report.summary());
      }
    }
  }

  /**
   * Starts a child, lets it report at least {@code atLeast} appended and run on for a random few
   * milliseconds, SIGKILLs it, and returns the last sequence it reported.
   */
  private long runAndKill(long atLeast) throws Exception {
    AtomicLong last = new AtomicLong();
    ChildJvm.runAndKill(
        CrashAppender.class,
        List.of(dir.toString()),
        line -> {
          if (line.startsWith("appended ")) {
            last.set(Long.parseLong(line.substring(9)));
          }
        },
        () -> last.get() >= atLeast,
        Duration.ofSeconds(60));
    return last.get();
  }
}
