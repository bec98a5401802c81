package io.hyperlens.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditVerifier;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines longer than the store's 64 KiB read chunk, read forwards and backwards. */
class LongLinesTest {
  @TempDir Path dir;
  private final AuditSigner signer = AuditSigner.generate();

  private static AuditEntry big(int i) {
    return AuditEntry.builder()
        .agentId("agent-" + i)
        .action("upload")
        .decision(Decision.ALLOW)
        .context(Map.of("blob", Character.toString('a' + i % 26).repeat(60_000), "i", i))
        .build();
  }

  private AuditLog log(JsonLinesAuditStore store, int every) {
    return AuditLog.builder().store(store).signer(signer).checkpointEvery(every).build();
  }

  @Test
  void aLogOfLinesLongerThanAChunkReopensContinuesAndVerifies() {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = log(JsonLinesAuditStore.open(file), 4)) {
      for (int i = 1; i <= 10; i++) {
        log.append(big(i));
      }
    }
    try (JsonLinesAuditStore store = JsonLinesAuditStore.open(file)) {
      assertThat(store.lastRecord().orElseThrow().sequence()).isEqualTo(10);
      assertThat(store.lastCheckpoint().orElseThrow().sequence()).isEqualTo(10);
      assertThat(store.recordsAfter(7))
          .extracting(AuditRecord::sequence)
          .containsExactly(8L, 9L, 10L);
      assertThat(store.recordsAfter(0)).hasSize(10);
      assertThat(store.recordsAfter(10)).isEmpty();
      try (AuditLog log = log(store, 4)) {
        assertThat(log.append(big(11)).sequence()).isEqualTo(11);
        assertThat(log.verify().ok()).isTrue();
      }
    }
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThat(AuditVerifier.verify(store, TrustAnchor.key(signer.publicKey())).recordsVerified())
          .isEqualTo(11);
    }
  }

  @Test
  void aTornLongLineIsSetAsideAndTheLogContinues() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = log(JsonLinesAuditStore.open(file), 3)) {
      for (int i = 1; i <= 4; i++) {
        log.append(big(i));
      }
    }
    byte[] torn =
        ("{\"id\":\"audit-x\",\"context\":\"" + "z".repeat(100_000))
            .getBytes(StandardCharsets.UTF_8);
    Files.write(file, torn, StandardOpenOption.APPEND);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.open(file)) {
      assertThat(store.repairedTail().orElseThrow().length()).isEqualTo(torn.length);
      try (AuditLog log = log(store, 3)) {
        assertThat(log.append(big(5)).sequence()).isEqualTo(5);
        assertThat(log.verify().ok()).isTrue();
      }
    }
  }

  @Test
  void aDamagedLineNearTheEndStopsAWriterButNotAReader() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = log(JsonLinesAuditStore.open(file), 3)) {
      for (int i = 1; i <= 4; i++) {
        log.append(big(i));
      }
    }
    Files.write(file, "{not json}\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    assertThatThrownBy(() -> JsonLinesAuditStore.open(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("an entry near its end is damaged");
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThat(store.lastRecord().orElseThrow().sequence()).isEqualTo(4);
      assertThat(store.recordsAfter(2)).extracting(AuditRecord::sequence).containsExactly(3L, 4L);
      assertThatThrownBy(() -> store.append(store.lastRecord().orElseThrow()))
          .hasMessageContaining("is open read-only");
    }
  }
}
