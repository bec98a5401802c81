package io.hyperlens.audit;

import io.hyperlens.audit.tlog.CheckpointBody;
import io.hyperlens.audit.tlog.CompactRange;
import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.Rfc6962;
import io.hyperlens.audit.tlog.SignedNote;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A signed statement that the log held {@code sequence} records whose RFC 6962 Merkle tree has root
 * {@code root}, and that the next checkpoint comes no later than record {@code nextBy}: the seed's
 * tamper-proof {@code signature}, made real. It is a C2SP {@code tlog-checkpoint} signed note,
 * Ed25519, under the log's origin:
 *
 * <pre>{@code
 * audit.hyperlens.local/5f3a9c01d2e4b7a8
 * 2500
 * q1ul+S2gKBVxbwlm8Z5Fd3mGr1nD0iC3k2UMDJGwJHk=
 * next 3500
 * time 2026-01-28T18:26:40.123Z
 *
 * — audit.hyperlens.local/5f3a9c01d2e4b7a8 PpwfCj8MzMxz...
 * }</pre>
 *
 * <p>The log opens with a <em>genesis</em> checkpoint at size 0 whose {@code key} line names the
 * key that signs it; a key rotation is a checkpoint whose {@code key} line names the next key,
 * signed by the key before it and by the next one. So the keys form a chain from the first, and
 * trusting any of them (see {@link io.hyperlens.audit.keys.TrustAnchor}) vouches for the log.
 * Because a root covers every record from the first, one valid checkpoint vouches for the whole log
 * up to its size; because each one promises the next, deleting checkpoints from the middle to hide
 * a rewrite is caught too. Records after the last checkpoint are signed by nothing, and a verifier
 * says so ({@link VerificationReport.Verdict#UNSIGNED}).
 *
 * <p>Stored beside the note, unsigned, is the tree's {@code frontier} (the roots of its perfect
 * subtrees, {@link CompactRange}), so a reopened log continues its tree without reading every
 * record; it must lead to the signed root, or the entry is refused as damaged.
 *
 * <p>Immutable and thread-safe.
 */
public final class Checkpoint {
  private final SignedNote note;
  private final CheckpointBody body;
  private final long nextBy;
  private final Instant timestamp;
  private final NoteKey key;
  private final List<byte[]> frontier;

  private Checkpoint(
      SignedNote note,
      CheckpointBody body,
      long nextBy,
      Instant timestamp,
      NoteKey key,
      List<byte[]> frontier) {
    this.note = note;
    this.body = body;
    this.nextBy = nextBy;
    this.timestamp = timestamp;
    this.key = key;
    this.frontier = frontier;
  }

  /**
   * Reads a checkpoint from its note, and the frontier stored beside it (null when not known, as
   * for a checkpoint a witness kept).
   *
   * @throws IllegalArgumentException saying what is wrong with either
   */
  public static Checkpoint of(SignedNote note, List<byte[]> frontier) {
    if (note == null) {
      throw new IllegalArgumentException("note must not be null");
    }
    CheckpointBody body = CheckpointBody.parse(note.text());
    List<String> ext = body.extensions();
    if (ext.size() < 2 || ext.size() > 3) {
      throw new IllegalArgumentException(
          "an audit checkpoint has the lines next, time and, for a key, key; got "
              + ext.size()
              + " extension lines");
    }
    long nextBy = parseNext(ext.get(0));
    if (nextBy <= body.size()) {
      throw new IllegalArgumentException(
          "next must be after the size " + body.size() + ", got " + nextBy);
    }
    if (!ext.get(1).startsWith("time ")) {
      throw new IllegalArgumentException("the second extension line is time, got " + ext.get(1));
    }
    Instant timestamp = AuditJson.parseTimestamp(ext.get(1).substring("time ".length()));
    NoteKey key = null;
    if (ext.size() == 3) {
      if (!ext.get(2).startsWith("key ")) {
        throw new IllegalArgumentException("the third extension line is key, got " + ext.get(2));
      }
      key = NoteKey.parse(ext.get(2).substring("key ".length()));
      if (!key.name().equals(body.origin())) {
        throw new IllegalArgumentException(
            "the key a checkpoint names must be named by the log's origin "
                + body.origin()
                + ", got "
                + key.name());
      }
    }
    List<byte[]> copy = null;
    if (frontier != null) {
      CompactRange range = CompactRange.of(body.size(), frontier);
      if (!java.util.Arrays.equals(range.root(), body.root())) {
        throw new IllegalArgumentException("the checkpoint's frontier does not lead to its root");
      }
      copy = range.hashes();
    }
    return new Checkpoint(note, body, nextBy, timestamp, key, copy);
  }

  /**
   * The text of a checkpoint: origin, size, base64 root, then {@code next}, {@code time} and, for a
   * genesis or a rotation, {@code key}.
   */
  static String text(
      String origin, long size, byte[] root, long nextBy, Instant timestamp, NoteKey key) {
    List<String> ext = new ArrayList<>(3);
    ext.add("next " + nextBy);
    ext.add("time " + AuditJson.formatTimestamp(timestamp));
    if (key != null) {
      ext.add("key " + key.vkey());
    }
    return new CheckpointBody(origin, size, root, ext).format();
  }

  private static long parseNext(String line) {
    if (!line.matches("next (0|[1-9][0-9]{0,18})")) {
      throw new IllegalArgumentException(
          "the first extension line is next and a decimal, got " + line);
    }
    try {
      return Long.parseLong(line.substring("next ".length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("next is too large: " + line, e);
    }
  }

  /** The log's identity, first line of the note and name of its key. */
  public String origin() {
    return body.origin();
  }

  /** The tree size: the last record covered, 0 for the genesis checkpoint. */
  public long sequence() {
    return body.size();
  }

  /** The RFC 6962 root of the first {@link #sequence()} records (a copy). */
  public byte[] root() {
    return body.root();
  }

  /** The root in base64, as the note has it. */
  public String rootBase64() {
    return Rfc6962.base64(body.root());
  }

  /** The sequence by which the next checkpoint is due. */
  public long nextBy() {
    return nextBy;
  }

  /** When the checkpoint was signed, to the millisecond. */
  public Instant timestamp() {
    return timestamp;
  }

  /** The key this checkpoint names: the log's first key (genesis) or its next (rotation). */
  public Optional<NoteKey> key() {
    return Optional.ofNullable(key);
  }

  /** The signed note. */
  public SignedNote note() {
    return note;
  }

  /** The frontier stored beside the note, if known (copies). */
  public Optional<List<byte[]>> frontier() {
    if (frontier == null) {
      return Optional.empty();
    }
    List<byte[]> out = new ArrayList<>(frontier.size());
    for (byte[] hash : frontier) {
      out.add(hash.clone());
    }
    return Optional.of(out);
  }

  /**
   * The checkpoint for event payloads and reports: {@code origin}, {@code sequence}, {@code root}
   * (base64), {@code next_by}, {@code timestamp}, {@code key} (when it names one) and {@code note}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("origin", origin());
    out.put("sequence", sequence());
    out.put("root", rootBase64());
    out.put("next_by", nextBy);
    out.put("timestamp", AuditJson.formatTimestamp(timestamp));
    if (key != null) {
      out.put("key", key.vkey());
    }
    out.put("note", note.format());
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint && ((Checkpoint) o).note.equals(note);
  }

  @Override
  public int hashCode() {
    return note.hashCode();
  }

  @Override
  public String toString() {
    return "Checkpoint[" + origin() + " " + sequence() + " " + rootBase64() + "]";
  }
}
