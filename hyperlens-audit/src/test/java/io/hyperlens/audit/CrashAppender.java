package io.hyperlens.audit;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of {@link CrashTest}: appends until killed, printing each sequence once {@code
 * append} has returned (the moment the log promises the record is safe from the process's death).
 */
public final class CrashAppender {
  private CrashAppender() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    Path keyFile = dir.resolve("keys/audit-key.pem");
    AuditSigner signer =
        Files.exists(keyFile) ? AuditKeys.load(keyFile) : AuditKeys.generate(keyFile);
    AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("audit.jsonl")))
            .signer(signer)
            .checkpointEvery(100)
            .headDirectory(dir.resolve("keys"))
            .build();
    System.out.println("ready " + log.lastSequence());
    System.out.flush();
    for (int i = 0; ; i++) {
      AuditRecord r = log.append(Fixtures.entry(i));
      System.out.println("appended " + r.sequence());
      System.out.flush();
    }
  }
}
