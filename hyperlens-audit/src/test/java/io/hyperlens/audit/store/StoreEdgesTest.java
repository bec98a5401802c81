package io.hyperlens.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.StoredEntry;
import io.hyperlens.audit.keys.AuditSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store at its limits: line lengths, chunk edges, missing newlines, empty files. */
class StoreEdgesTest {
  private static final int MAX = JsonLinesAuditStore.MAX_LINE_BYTES;

  @TempDir Path dir;
  private final AuditSigner signer = AuditSigner.generate();

  private Path log(int records) {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(file))
            .signer(signer)
            .checkpointEvery(1000)
            .build()) {
      for (int i = 0; i < records; i++) {
        log.append(
            AuditEntry.builder().agentId("a" + i).action("x").decision(Decision.ALLOW).build());
      }
    }
    return file;
  }

  private static List<StoredEntry> entries(Path file) {
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file);
        Stream<StoredEntry> entries = store.entries()) {
      return entries.collect(Collectors.toList());
    }
  }

  @Test
  void aLineOfExactlyTheLimitIsReadAndOneByteMoreIsTooLong() throws Exception {
    Path file = log(1);
    byte[] exact = new byte[MAX];
    java.util.Arrays.fill(exact, (byte) 'x');
    Files.write(file, exact, StandardOpenOption.APPEND);
    Files.write(file, new byte[] {'\n'}, StandardOpenOption.APPEND);
    byte[] over = new byte[MAX + 1];
    java.util.Arrays.fill(over, (byte) 'y');
    Files.write(file, over, StandardOpenOption.APPEND);
    Files.write(file, new byte[] {'\n'}, StandardOpenOption.APPEND);
    List<StoredEntry> entries = entries(file);
    StoredEntry.Damaged exactLine = (StoredEntry.Damaged) entries.get(3);
    assertThat(exactLine.problem()).startsWith("not JSON");
    assertThat(exactLine.length()).isEqualTo(MAX);
    assertThat(exactLine.tornTail()).isFalse();
    StoredEntry.Damaged overLine = (StoredEntry.Damaged) entries.get(4);
    assertThat(overLine.problem()).isEqualTo("line longer than " + MAX + " bytes");
    assertThat(overLine.length()).isEqualTo(MAX + 1);
    assertThat(overLine.position()).isEqualTo(5);
    assertThatThrownBy(() -> JsonLinesAuditStore.open(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "cannot continue audit file " + file + ": an entry near its end is damaged");
    byte[] huge = new byte[2 * MAX];
    java.util.Arrays.fill(huge, (byte) 'w');
    Files.write(file, huge, StandardOpenOption.APPEND);
    Files.write(file, new byte[] {'\n'}, StandardOpenOption.APPEND);
    assertThatThrownBy(() -> JsonLinesAuditStore.open(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "cannot continue audit file "
                + file
                + ": an entry near its end is damaged (a line over "
                + MAX
                + " bytes); verify it with AuditVerifier");
    // read-only, it is one damaged entry the verifier reports, and the tail behind it is found
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThat(store.lastRecord()).isPresent();
      assertThat(entries(file).get(5)).isInstanceOf(StoredEntry.Damaged.class);
    }
  }

  @Test
  void anOverlongUnfinishedLastLineIsATornTail() throws Exception {
    Path file = log(1);
    byte[] over = new byte[MAX + 10];
    java.util.Arrays.fill(over, (byte) 'z');
    Files.write(file, over, StandardOpenOption.APPEND);
    List<StoredEntry> entries = entries(file);
    StoredEntry.Damaged last = (StoredEntry.Damaged) entries.get(entries.size() - 1);
    assertThat(last.tornTail()).isTrue();
    assertThat(last.length()).isEqualTo(MAX + 10);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.open(file)) {
      assertThat(store.repairedTail().orElseThrow().length()).isEqualTo(MAX + 10);
    }
    assertThat(entries(file)).hasSize(3);
  }

  @Test
  void aWholeLastEntryWithoutItsNewlineIsKeptAndGivenOne() throws Exception {
    Path file = log(2);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    try (JsonLinesAuditStore store = JsonLinesAuditStore.open(file)) {
      assertThat(store.repairedTail()).isEmpty();
      assertThat(store.lastCheckpoint().orElseThrow().sequence()).isEqualTo(2);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("audit.jsonl");
    }
  }

  @Test
  void aFileHoldingOnlyItsGenesisIsReadFromItsFirstByte() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log =
        AuditLog.builder().store(JsonLinesAuditStore.open(file)).signer(signer).build()) {
      log.checkpoint();
    }
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThat(store.lastCheckpoint().orElseThrow().sequence()).isZero();
      assertThat(store.lastRecord()).isEmpty();
      assertThat(store.recordsAfter(0)).isEmpty();
      assertThat(store.file()).isEqualTo(file);
      assertThat(store.location()).isEqualTo(dir.toAbsolutePath().toString());
      assertThat(store.toString()).isEqualTo("JsonLinesAuditStore[" + file + ", PER_CHECKPOINT]");
    }
    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "");
    assertThat(entries(empty)).isEmpty();
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(empty)) {
      assertThat(store.lastCheckpoint()).isEmpty();
    }
  }

  @Test
  void entriesOnBothSidesOfEveryChunkEdgeReadTheSameForwardsAndBackwards() throws Exception {
    // Records of about 300 bytes: 64 KiB chunks fall inside lines at many different offsets.
    Path file = log(700);
    List<StoredEntry> forwards = entries(file);
    assertThat(forwards).hasSize(702); // the genesis, 700 records and the seal on close
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(file)) {
      assertThat(store.recordsAfter(0)).hasSize(700);
      assertThat(store.recordsAfter(350)).hasSize(350);
      assertThat(store.recordsAfter(350).get(0).sequence()).isEqualTo(351);
    }
    long size = Files.size(file);
    assertThat(size).isGreaterThan(3 * 64 * 1024);
  }

  @Test
  void aBlankLineIsDamageInTheMiddle() throws Exception {
    Path file = log(2);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    lines.add(2, "");
    Files.write(file, lines, StandardCharsets.UTF_8);
    StoredEntry blank = entries(file).get(2);
    assertThat(blank).isInstanceOf(StoredEntry.Damaged.class);
    assertThat(((StoredEntry.Damaged) blank).position()).isEqualTo(3);
  }

  @Test
  void storesRefuseNullsAndWritesAfterClose() {
    assertThatThrownBy(() -> JsonLinesAuditStore.open(null))
        .hasMessage("file and fsync must not be null");
    assertThatThrownBy(() -> JsonLinesAuditStore.open(dir.resolve("a.jsonl"), null))
        .hasMessage("file and fsync must not be null");
    assertThatThrownBy(() -> JsonLinesAuditStore.openReadOnly(null))
        .hasMessage("file must not be null");
    assertThatThrownBy(() -> JsonLinesAuditStore.openReadOnly(dir.resolve("missing.jsonl")))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("cannot open audit file " + dir.resolve("missing.jsonl"));
    JsonLinesAuditStore store = JsonLinesAuditStore.open(dir.resolve("a.jsonl"));
    store.close();
    store.close();
    try (JsonLinesAuditStore again = JsonLinesAuditStore.open(dir.resolve("a.jsonl"))) {
      assertThat(again.lastRecord()).isEmpty(); // the first store let go of its lock
    }
    try (AuditLog log =
        AuditLog.builder()
            .store(JsonLinesAuditStore.open(dir.resolve("b.jsonl")))
            .signer(signer)
            .build()) {
      log.append(AuditEntry.builder().agentId("a").action("x").decision(Decision.ALLOW).build());
    }
    JsonLinesAuditStore closed = JsonLinesAuditStore.open(dir.resolve("b.jsonl"));
    var record = closed.lastRecord().orElseThrow();
    closed.close();
    assertThatThrownBy(() -> closed.append(record))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("audit store " + dir.resolve("b.jsonl") + " is closed");
  }
}
