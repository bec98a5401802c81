package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.VerificationReport.Failure;
import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.keys.TrustAnchor;
import io.hyperlens.audit.store.JsonLinesAuditStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verification reads lines and re-hashes records ahead, a chunk at a time and in parallel; what it
 * reports is still what a one-by-one walk reports: the first failure at its position, across the
 * edges of the chunks, and a read error only where the walk reaches it.
 */
class ChunkedVerificationTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();
  private static final TrustAnchor KEYS = TrustAnchor.key(SIGNER.publicKey());
  private static Path pristine;
  private static List<StoredEntry> entries;

  @TempDir static Path shared;
  @TempDir Path dir;

  @BeforeAll
  static void writeOnce() {
    pristine = shared.resolve("pristine.jsonl");
    Fixtures.writeLog(pristine, SIGNER, 1500, 1000);
    try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(pristine);
        Stream<StoredEntry> all = store.entries()) {
      entries = all.toList();
    }
  }

  @Test
  void theEntriesReadInChunksAreTheLinesInOrder() throws IOException {
    List<String> lines = Fixtures.lines(pristine);
    assertThat(entries).hasSize(lines.size()); // 1500 records and checkpoints at 0, 1000, 1500
    for (int i = 0; i < lines.size(); i++) {
      StoredEntry entry = entries.get(i);
      assertThat(entry.position()).isEqualTo(i + 1);
      Object expected = AuditJson.parseLine(lines.get(i));
      Object read =
          entry instanceof StoredEntry.StoredRecord
              ? ((StoredEntry.StoredRecord) entry).record()
              : ((StoredEntry.StoredCheckpoint) entry).checkpoint();
      assertThat(read).isEqualTo(expected);
    }
  }

  @Test
  void aDamagedLineAtEachChunkEdgeIsNamedAtItsPosition() throws IOException {
    for (int index : new int[] {1, 255, 256, 511, 512, 513, 767, 1023, 1024}) {
      List<String> lines = Fixtures.lines(pristine);
      lines.set(index, "{\"not\":\"a record\"");
      Path file = dir.resolve("damaged-" + index + ".jsonl");
      Fixtures.write(file, lines);
      Failure failure = Fixtures.verify(file, KEYS).failure().orElseThrow();
      long sequence = index <= 1000 ? index : index - 1; // line 1001 holds the checkpoint at 1000
      assertThat(failure.kind()).isEqualTo(TamperKind.MODIFIED);
      assertThat(failure.sequence()).isEqualTo(sequence);
      assertThat(failure.position()).isEqualTo(index + 1);
      assertThat(failure.detail())
          .startsWith("entry " + (index + 1) + " is not a readable record or checkpoint: not JSON");
    }
  }

  @Test
  void anEditedRecordAtEachChunkEdgeIsModifiedAtItsSequence() throws IOException {
    for (int index : new int[] {255, 256, 257, 511, 512, 1499}) {
      List<String> lines = Fixtures.lines(pristine);
      lines.set(index, lines.get(index).replace("\"ok\":", "\"OK\":"));
      Path file = dir.resolve("edited-" + index + ".jsonl");
      Fixtures.write(file, lines);
      long sequence = index <= 1000 ? index : index - 1;
      assertThat(Fixtures.verify(file, KEYS).failure().orElseThrow())
          .isEqualTo(
              new Failure(
                  TamperKind.MODIFIED,
                  sequence,
                  index + 1,
                  "the record at sequence " + sequence + " no longer matches its hash"));
    }
  }

  @Test
  void aReadErrorAfterTheFirstFailureLeavesThatFailure() {
    // A damaged entry fails the walk on the spot (an edited record would read on to tell an
    // insertion from an edit, and so reach the error, one by one as well as in chunks).
    List<StoredEntry> edited = new ArrayList<>(entries);
    edited.set(300, new StoredEntry.Damaged(301, "not JSON: cut", false, 12));
    VerificationReport report = verify(failingAt(edited, 400));
    assertThat(report.failure().orElseThrow())
        .isEqualTo(
            new Failure(
                TamperKind.MODIFIED,
                300,
                301,
                "entry 301 is not a readable record or checkpoint: not JSON: cut"));
  }

  @Test
  void aReadErrorIsThrownWhenTheWalkReachesIt() {
    assertThatThrownBy(() -> verify(failingAt(entries, 400)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage("cannot read entry 400");
  }

  private static VerificationReport verify(Iterator<StoredEntry> source) {
    return AuditVerifier.verify(source, KEYS, origin -> List.of(), null, null);
  }

  /** The entries, with reading failing at index {@code at}. */
  private static Iterator<StoredEntry> failingAt(List<StoredEntry> list, int at) {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        if (next == at) {
          throw new UncheckedIOException("cannot read entry " + at, new IOException("disk"));
        }
        return next < list.size();
      }

      @Override
      public StoredEntry next() {
        hasNext();
        return list.get(next++);
      }
    };
  }

  @Test
  void aPristineCopyVerifiesWhole() throws IOException {
    Path file = dir.resolve("copy.jsonl");
    Files.copy(pristine, file);
    VerificationReport report = Fixtures.verify(file, KEYS);
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.recordsVerified()).isEqualTo(1500);
  }
}
