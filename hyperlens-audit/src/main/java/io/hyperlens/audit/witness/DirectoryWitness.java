package io.hyperlens.audit.witness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hyperlens.audit.Checkpoint;
import io.hyperlens.audit.tlog.MerkleProofs;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.Origins;
import io.hyperlens.audit.tlog.SignedNote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Witness} kept in a directory: put it where the log's writer cannot rewrite it (another
 * disk, another machine's share, a bucket synced off the host). For each log it keeps, in {@code
 * <dir>/log-<origin>/checkpoints.jsonl}, every checkpoint it took, the largest last, each line with
 * the log's key at that point; a checkpoint is taken only if it is signed by that key and comes
 * with a consistency proof from the largest one held.
 *
 * <pre>{@code
 * Witness witness = DirectoryWitness.open(Path.of("/mnt/witness"));
 * AuditProofs.witness(store, witness); // or AuditLog.builder().witness(witness)
 * }</pre>
 *
 * <p><b>First use.</b> A log the witness has not seen is taken on first use: its genesis checkpoint
 * (size 0, naming the key it is signed by) must come first, and from then on only that key, and the
 * keys it rotates to, are trusted for it. Pin a log beforehand with {@link #register(NoteKey)} to
 * refuse anyone else, and open with {@code trustOnFirstUse} false to refuse unknown logs.
 *
 * <p>Thread-safe, and safe across processes: each log's check-and-store runs under a file lock.
 */
public final class DirectoryWitness implements Witness {
  private static final String FILE = "checkpoints.jsonl";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Path directory;
  private final boolean trustOnFirstUse;
  private final ReentrantLock lock = new ReentrantLock();

  private DirectoryWitness(Path directory, boolean trustOnFirstUse) {
    this.directory = directory;
    this.trustOnFirstUse = trustOnFirstUse;
  }

  /**
   * The witness in {@code directory} (created if missing), taking new logs on first use.
   *
   * @throws UncheckedIOException if the directory cannot be created
   */
  public static DirectoryWitness open(Path directory) {
    return open(directory, true);
  }

  /**
   * The witness in {@code directory}, which must exist: for reading what it holds, where a mistyped
   * path must not pass for a witness that saw nothing.
   *
   * @throws IllegalArgumentException naming the path if it is not a directory
   */
  public static DirectoryWitness openExisting(Path directory) {
    if (directory == null) {
      throw new IllegalArgumentException("directory must not be null");
    }
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("no witness directory at " + directory);
    }
    return new DirectoryWitness(directory, true);
  }

  /** The witness in {@code directory}; with {@code trustOnFirstUse} false, only registered logs. */
  public static DirectoryWitness open(Path directory, boolean trustOnFirstUse) {
    if (directory == null) {
      throw new IllegalArgumentException("directory must not be null");
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create witness directory " + directory, e);
    }
    return new DirectoryWitness(directory, trustOnFirstUse);
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Registers the log named by {@code key} (its name is the log's origin), to be trusted with that
   * key before its genesis arrives.
   *
   * @throws IllegalStateException if the witness already knows the log
   */
  public void register(NoteKey key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    locked(
        key.name(),
        state -> {
          if (state.key != null) {
            throw new IllegalStateException("the witness already knows log " + key.name());
          }
          state.key = key;
          state.store(null);
          return null;
        });
  }

  @Override
  public void addCheckpoint(long oldSize, List<byte[]> consistencyProof, SignedNote note)
      throws WitnessException {
    if (note == null || consistencyProof == null) {
      throw new WitnessException(
          WitnessException.Reason.BAD_REQUEST, -1, "checkpoint and proof must not be null");
    }
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.of(note, null);
    } catch (IllegalArgumentException e) {
      throw new WitnessException(
          WitnessException.Reason.BAD_REQUEST, -1, "not an audit checkpoint: " + e.getMessage());
    }
    if (oldSize < 0 || oldSize > checkpoint.sequence()) {
      throw new WitnessException(
          WitnessException.Reason.BAD_REQUEST,
          -1,
          "old size must be within 0.." + checkpoint.sequence() + ", got " + oldSize);
    }
    if (consistencyProof.size() > 63) {
      throw new WitnessException(
          WitnessException.Reason.BAD_REQUEST, -1, "a consistency proof has at most 63 hashes");
    }
    WitnessException refused;
    try {
      refused =
          locked(checkpoint.origin(), state -> take(state, oldSize, consistencyProof, checkpoint));
    } catch (UncheckedIOException e) {
      throw new WitnessException("witness " + directory + " cannot keep the checkpoint", e);
    }
    if (refused != null) {
      throw refused;
    }
  }

  private WitnessException take(
      State state, long oldSize, List<byte[]> proof, Checkpoint checkpoint) throws IOException {
    String origin = checkpoint.origin();
    NoteKey named = checkpoint.key().orElse(null);
    if (state.key == null) {
      if (!trustOnFirstUse) {
        return new WitnessException(
            WitnessException.Reason.UNKNOWN_LOG, -1, "this witness does not know log " + origin);
      }
      if (checkpoint.sequence() != 0 || named == null) {
        return new WitnessException(
            WitnessException.Reason.UNKNOWN_LOG,
            -1,
            "this witness does not know log " + origin + "; send its genesis checkpoint first");
      }
      state.key = named;
    }
    if (state.key.check(checkpoint.note()) != NoteKey.Verdict.VERIFIED) {
      return new WitnessException(
          WitnessException.Reason.UNTRUSTED,
          -1,
          "the checkpoint is not signed by the key this witness holds for " + origin);
    }
    long held = state.latest == null ? 0 : state.latest.sequence();
    if (oldSize != held) {
      return new WitnessException(
          WitnessException.Reason.CONFLICT,
          held,
          "this witness holds " + held + " records of " + origin + ", not " + oldSize);
    }
    byte[] heldRoot = state.latest == null ? checkpoint.root() : state.latest.root();
    if (state.latest != null || oldSize > 0) {
      if (checkpoint.sequence() == oldSize) {
        if (!proof.isEmpty() || !java.util.Arrays.equals(heldRoot, checkpoint.root())) {
          return new WitnessException(
              WitnessException.Reason.CONFLICT,
              held,
              "a checkpoint for "
                  + held
                  + " records of "
                  + origin
                  + " with another root than the one this witness holds");
        }
      } else if (!MerkleProofs.verifyConsistency(
          oldSize, checkpoint.sequence(), proof, heldRoot, checkpoint.root())) {
        return new WitnessException(
            WitnessException.Reason.INCONSISTENT,
            held,
            "the checkpoint for "
                + checkpoint.sequence()
                + " records of "
                + origin
                + " is not consistent with the one for "
                + held
                + " this witness holds");
      }
    }
    if (named != null && !named.sameKey(state.key)) {
      if (named.check(checkpoint.note()) != NoteKey.Verdict.VERIFIED) {
        return new WitnessException(
            WitnessException.Reason.UNTRUSTED,
            -1,
            "the rotation of " + origin + " is not signed by the key it names");
      }
      state.key = named;
    }
    if (state.latest == null || !state.latest.note().equals(checkpoint.note())) {
      state.latest = checkpoint;
      state.store(checkpoint.note());
    }
    return null;
  }

  /** Reading writes nothing: a log the witness never saw has no checkpoints. */
  @Override
  public List<SignedNote> checkpoints(String origin) throws WitnessException {
    NoteKey.checkName(origin);
    if (!Files.isRegularFile(logDirectory(origin).resolve(FILE))) {
      return List.of();
    }
    try {
      return locked(origin, state -> List.copyOf(state.notes));
    } catch (UncheckedIOException e) {
      throw new WitnessException(
          "witness " + directory + " cannot be read: " + e.getCause().getMessage(), e);
    }
  }

  private Path logDirectory(String origin) {
    return directory.resolve("log-" + Origins.fileName(origin));
  }

  @Override
  public String description() {
    return "witness " + directory;
  }

  @Override
  public String toString() {
    return description();
  }

  /** Runs {@code body} on the log's state under the process lock and the file lock. */
  private <T> T locked(String origin, Body<T> body) {
    Path dir = logDirectory(origin);
    lock.lock();
    try {
      Files.createDirectories(dir);
      try (FileChannel channel =
          FileChannel.open(
              dir.resolve(FILE),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE)) {
        FileLock fileLock = channel.lock();
        try {
          return body.run(State.read(origin, channel));
        } finally {
          fileLock.release();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("witness " + directory + " failed for " + origin, e);
    } finally {
      lock.unlock();
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T run(State state) throws IOException;
  }

  /** A log as the witness holds it. */
  private static final class State {
    final String origin;
    final FileChannel channel;
    final List<SignedNote> notes = new ArrayList<>();
    NoteKey key;
    Checkpoint latest;

    State(String origin, FileChannel channel) {
      this.origin = origin;
      this.channel = channel;
    }

    static State read(String origin, FileChannel channel) throws IOException {
      State state = new State(origin, channel);
      ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
      while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
        // read it all
      }
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = JSON.readTree(line);
        JsonNode key = node.get("key");
        if (key == null || !key.isTextual()) {
          throw new IOException("witness file for " + origin + " holds a line without its key");
        }
        try {
          state.key = NoteKey.parse(key.textValue());
          JsonNode note = node.get("note");
          if (note != null && !note.isNull()) {
            SignedNote parsed = SignedNote.parse(note.asText());
            state.notes.add(parsed);
            state.latest = Checkpoint.of(parsed, null);
          }
        } catch (IllegalArgumentException e) {
          throw new IOException("witness file for " + origin + " is damaged: " + e.getMessage(), e);
        }
      }
      if (state.key != null && !state.key.name().equals(origin)) {
        throw new IOException("witness file for " + origin + " holds log " + state.key.name());
      }
      return state;
    }

    /** Appends a line with the current key and {@code note} (null to record the key alone). */
    void store(SignedNote note) throws IOException {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("key", key.vkey());
      line.put("note", note == null ? null : note.format());
      byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      long at = channel.size();
      while (buffer.hasRemaining()) {
        at += channel.write(buffer, at);
      }
      channel.force(true);
      if (note != null) {
        notes.add(note);
      }
    }
  }
}
