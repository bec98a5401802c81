package io.hyperlens.audit.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of a C2SP {@code tlog-checkpoint}: the log's origin, the tree size, the base64 root hash
 * and optional extension lines, each ending in a newline.
 *
 * <pre>{@code
 * CheckpointBody body = CheckpointBody.parse(note.text());
 * long size = body.size();
 * }</pre>
 *
 * @param origin the log's identity, also the name of its key
 * @param size leaves in the tree
 * @param root the RFC 6962 root at that size
 * @param extensions further lines, each non-empty
 */
public record CheckpointBody(String origin, long size, byte[] root, List<String> extensions) {
  /** Checks every field. */
  public CheckpointBody {
    NoteKey.checkName(origin);
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
    if (root == null || root.length != Rfc6962.HASH_SIZE) {
      throw new IllegalArgumentException("root must be a 32-byte hash");
    }
    root = root.clone();
    extensions = List.copyOf(extensions);
    for (String line : extensions) {
      if (line.isEmpty() || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("extension lines must be single non-empty lines");
      }
    }
  }

  /**
   * Reads a checkpoint's text strictly: a size in plain decimal without leading zeros, a canonical
   * base64 root.
   *
   * @throws IllegalArgumentException saying which line is wrong
   */
  public static CheckpointBody parse(String text) {
    if (text == null || !text.endsWith("\n")) {
      throw new IllegalArgumentException("a checkpoint's text ends in a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new IllegalArgumentException(
          "a checkpoint has an origin, a size and a root line, got " + lines.length + " lines");
    }
    String size = lines[1];
    if (!size.matches("0|[1-9][0-9]{0,18}")) {
      throw new IllegalArgumentException(
          "a checkpoint's size is a decimal without leading zeros, got \"" + size + '"');
    }
    List<String> extensions = new ArrayList<>();
    for (int i = 3; i < lines.length; i++) {
      extensions.add(lines[i]);
    }
    try {
      return new CheckpointBody(
          lines[0],
          Long.parseLong(size),
          Rfc6962.parseBase64("the checkpoint's root", lines[2]),
          extensions);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a checkpoint's size is too large: " + size, e);
    }
  }

  /** The root hash (a copy). */
  @Override
  public byte[] root() {
    return root.clone();
  }

  /** The text as a note signs it. */
  public String format() {
    StringBuilder out = new StringBuilder(128);
    out.append(origin).append('\n').append(size).append('\n');
    out.append(Rfc6962.base64(root)).append('\n');
    for (String line : extensions) {
      out.append(line).append('\n');
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckpointBody && ((CheckpointBody) o).format().equals(format());
  }

  @Override
  public int hashCode() {
    return format().hashCode();
  }

  @Override
  public String toString() {
    return format();
  }
}
