package io.hyperlens.audit;

import static io.hyperlens.audit.Fixtures.checkpoint;
import static io.hyperlens.audit.Fixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.audit.keys.AuditSigner;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.SignedNote;
import io.hyperlens.audit.witness.DirectoryWitness;
import io.hyperlens.audit.witness.WitnessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory witness's refusals and bookkeeping, one by one. */
class WitnessEdgesTest {
  private static final AuditSigner SIGNER = AuditSigner.generate();

  @TempDir Path dir;

  private static WitnessException.Reason reason(ThrowingRunnable body) {
    return refusal(body).reason();
  }

  private static WitnessException refusal(ThrowingRunnable body) {
    try {
      body.run();
    } catch (WitnessException e) {
      return e;
    }
    throw new AssertionError("expected a refusal");
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws WitnessException;
  }

  private Checkpoint genesis(String origin) {
    return Fixtures.sign(origin, new CompactRange(), 10, Fixtures.START, SIGNER, SIGNER);
  }

  @Test
  void badRequestsAreRefusedBeforeAnythingIsRead() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"));
    assertThat(witness.directory()).isEqualTo(dir.resolve("w"));
    assertThat(witness.toString())
        .isEqualTo(witness.description())
        .isEqualTo("witness " + dir.resolve("w"));
    SignedNote genesis = genesis("o").note();
    assertThat(reason(() -> witness.addCheckpoint(0, null, genesis)))
        .isEqualTo(WitnessException.Reason.BAD_REQUEST);
    assertThat(reason(() -> witness.addCheckpoint(0, List.of(), null)))
        .isEqualTo(WitnessException.Reason.BAD_REQUEST);
    assertThat(reason(() -> witness.addCheckpoint(-1, List.of(), genesis)))
        .isEqualTo(WitnessException.Reason.BAD_REQUEST);
    List<byte[]> tooLong = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      tooLong.add(new byte[32]);
    }
    assertThat(reason(() -> witness.addCheckpoint(0, tooLong, genesis)))
        .isEqualTo(WitnessException.Reason.BAD_REQUEST);
    SignedNote notAudit = SignedNote.unsigned("hi\n").with(genesis.signatures().get(0));
    assertThatThrownBy(() -> witness.addCheckpoint(0, List.of(), notAudit))
        .isInstanceOf(WitnessException.class)
        .hasMessageStartingWith("not an audit checkpoint: ");
    assertThat(witness.checkpoints("o")).isEmpty();
    assertThatThrownBy(() -> witness.checkpoints("a b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DirectoryWitness.open(null)).hasMessage("directory must not be null");
    Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> DirectoryWitness.open(dir.resolve("file")))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("cannot create witness directory " + dir.resolve("file"));
  }

  @Test
  void aRegisteredLogIsTrustedOnlyWithItsKeyAndOnlyOnce() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"), false);
    witness.register(SIGNER.noteKey("o"));
    assertThatThrownBy(() -> witness.register(SIGNER.noteKey("o")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the witness already knows log o");
    assertThatThrownBy(() -> witness.register(null)).hasMessage("key must not be null");
    assertThat(witness.checkpoints("o")).isEmpty();
    Checkpoint foreign =
        Fixtures.sign("o", new CompactRange(), 10, Fixtures.START, null, AuditSigner.generate());
    assertThat(reason(() -> witness.addCheckpoint(0, List.of(), foreign.note())))
        .isEqualTo(WitnessException.Reason.UNTRUSTED);
    // A registered log may start from any checkpoint signed by its key, not only its genesis.
    Checkpoint plain = Fixtures.sign("o", new CompactRange(), 10, Fixtures.START, null, SIGNER);
    witness.addCheckpoint(0, List.of(), plain.note());
    assertThat(witness.checkpoints("o")).containsExactly(plain.note());
    witness.addCheckpoint(0, List.of(), plain.note()); // the same again: nothing new kept
    assertThat(witness.checkpoints("o")).hasSize(1);
  }

  @Test
  void logsWithSimilarOriginsAreKeptApart() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"));
    // "a\u02f7" once escaped to the same name as "a/7" (hex of varying length)
    List<String> origins = List.of("a/b", "a_b", "a.b", "A-b", "..", "a~b", "a/7", "a\u02f7");
    for (String origin : origins) {
      witness.addCheckpoint(0, List.of(), genesis(origin).note());
    }
    try (var dirs = Files.list(dir.resolve("w"))) {
      assertThat(dirs.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "log-a_2Fb",
              "log-a_5Fb",
              "log-a.b",
              "log-A-b",
              "log-..",
              "log-a_7Eb",
              "log-a_2F7",
              "log-a_CB_B7");
    }
    for (String origin : origins) {
      assertThat(witness.checkpoints(origin)).singleElement().isEqualTo(genesis(origin).note());
    }
  }

  @Test
  void aSameSizeCheckpointNeedsTheSameRootAndNoProof() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Fixtures.writeLog(file, SIGNER, 5, 10);
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"));
    try (var store = io.hyperlens.audit.store.JsonLinesAuditStore.openReadOnly(file)) {
      AuditProofs.witness(store, witness);
    }
    List<String> lines = lines(file);
    Checkpoint last = checkpoint(lines.get(lines.size() - 1));
    WitnessException conflict =
        refusal(() -> witness.addCheckpoint(5, List.of(new byte[32]), last.note()));
    assertThat(conflict.reason()).isEqualTo(WitnessException.Reason.CONFLICT);
    assertThat(conflict.witnessSize()).hasValue(5);
    WitnessException fromZero =
        refusal(
            () ->
                DirectoryWitness.open(dir.resolve("fresh"))
                    .addCheckpoint(3, List.of(), genesis("z").note()));
    assertThat(fromZero.reason()).isEqualTo(WitnessException.Reason.BAD_REQUEST);
    WitnessException zero =
        new WitnessException(WitnessException.Reason.CONFLICT, 0, "holds nothing");
    assertThat(zero.witnessSize()).hasValue(0);
    assertThat(new WitnessException("down", new RuntimeException()).witnessSize()).isEmpty();
    assertThat(new WitnessException("down", new RuntimeException()).reason().status())
        .isEqualTo(503);
  }

  @Test
  void aDamagedWitnessFileIsAFailureToRead() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"));
    witness.addCheckpoint(0, List.of(), genesis("o").note());
    Path file = dir.resolve("w/log-o/checkpoints.jsonl");
    Files.writeString(file, Files.readString(file).replace("\"key\":\"o+", "\"key\":\"p+"));
    WitnessException e = refusal(() -> witness.checkpoints("o"));
    assertThat(e.reason()).isEqualTo(WitnessException.Reason.UNAVAILABLE);
    assertThat(e)
        .hasMessageStartingWith(
            "witness " + dir.resolve("w") + " cannot be read: witness file for o is damaged: ");
    // the verifier passes the message on as it is, not doubled
    io.hyperlens.audit.store.InMemoryAuditStore store =
        new io.hyperlens.audit.store.InMemoryAuditStore(10);
    AuditLog.builder().store(store).signer(AuditSigner.generate()).origin("o").build().checkpoint();
    assertThatThrownBy(
            () -> AuditVerifier.verify(store, io.hyperlens.audit.keys.TrustAnchor.none(), witness))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage(e.getMessage());
  }

  @Test
  void readingAWitnessWritesNothingAndAMissingOneIsNamed() throws Exception {
    DirectoryWitness witness = DirectoryWitness.open(dir.resolve("w"));
    assertThat(witness.checkpoints("never-seen")).isEmpty();
    try (var entries = Files.list(dir.resolve("w"))) {
      assertThat(entries).isEmpty();
    }
    assertThatThrownBy(() -> DirectoryWitness.openExisting(dir.resolve("typo")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no witness directory at " + dir.resolve("typo"));
    assertThat(Files.exists(dir.resolve("typo"))).isFalse();
    assertThat(DirectoryWitness.openExisting(dir.resolve("w")).checkpoints("o")).isEmpty();
    assertThatThrownBy(() -> DirectoryWitness.openExisting(null))
        .hasMessage("directory must not be null");
  }
}
