package io.hyperlens.audit.tlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An offline receipt in the C2SP {@code tlog-proof} format: a checkpoint signed by the log, the
 * zero-based index of an entry and its inclusion proof, with optional opaque extra data (an audit
 * receipt carries the record itself there). Whoever holds the log's public key can check it without
 * the log.
 *
 * <pre>{@code
 * c2sp.org/tlog-proof@v1
 * extra eyJpZCI6ImF1ZGl0LTZm...
 * index 41
 * 2nHUzq3ZXwiYb5bxqQ8x2vM7bm8cXRUFq1S1sHbp3iE=
 * ...
 *
 * audit.hyperlens.local/5f3a9c01d2e4b7a8
 * 2500
 * ...
 * }</pre>
 *
 * @param extra the extra data, or null
 * @param index the entry's zero-based index in the log
 * @param proof the inclusion proof, from the leaf's sibling up
 * @param checkpoint the checkpoint the proof leads to
 */
public record TlogProof(byte[] extra, long index, List<byte[]> proof, SignedNote checkpoint) {
  /** The first line of every proof. */
  public static final String HEADER = "c2sp.org/tlog-proof@v1";

  /** Checks the fields and copies them. */
  public TlogProof {
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative, got " + index);
    }
    if (proof == null || checkpoint == null) {
      throw new IllegalArgumentException("proof and checkpoint must not be null");
    }
    if (proof.size() > 63) {
      throw new IllegalArgumentException("an inclusion proof has at most 63 hashes");
    }
    List<byte[]> copy = new ArrayList<>(proof.size());
    for (byte[] hash : proof) {
      if (hash == null || hash.length != Rfc6962.HASH_SIZE) {
        throw new IllegalArgumentException("proof hashes must be 32 bytes");
      }
      copy.add(hash.clone());
    }
    proof = List.copyOf(copy);
    extra = extra == null ? null : extra.clone();
  }

  /**
   * Reads a proof.
   *
   * @throws IllegalArgumentException saying which line is wrong
   */
  public static TlogProof parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("proof must not be null");
    }
    int blank = text.indexOf("\n\n");
    if (blank < 0) {
      throw new IllegalArgumentException("a proof ends in a blank line and a checkpoint");
    }
    String[] lines = text.substring(0, blank).split("\n", -1);
    if (!HEADER.equals(lines[0])) {
      throw new IllegalArgumentException("a proof starts with the line " + HEADER);
    }
    int next = 1;
    byte[] extra = null;
    if (next < lines.length && lines[next].startsWith("extra ")) {
      String encoded = lines[next++].substring("extra ".length());
      try {
        extra = Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the proof's extra data is not base64", e);
      }
      if (!Base64.getEncoder().encodeToString(extra).equals(encoded)) {
        throw new IllegalArgumentException("the proof's extra data is not canonical base64");
      }
    }
    if (next >= lines.length || !lines[next].matches("index (0|[1-9][0-9]{0,18})")) {
      throw new IllegalArgumentException(
          "a proof names its entry with \"index N\" (no leading zeros) after the header");
    }
    long index;
    try {
      index = Long.parseLong(lines[next++].substring("index ".length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the proof's index is too large", e);
    }
    List<byte[]> proof = new ArrayList<>();
    for (; next < lines.length; next++) {
      proof.add(Rfc6962.parseBase64("proof hash " + (proof.size() + 1), lines[next]));
    }
    return new TlogProof(extra, index, proof, SignedNote.parse(text.substring(blank + 2)));
  }

  /** The proof as text. */
  public String format() {
    StringBuilder out = new StringBuilder(1024);
    out.append(HEADER).append('\n');
    if (extra != null) {
      out.append("extra ").append(Base64.getEncoder().encodeToString(extra)).append('\n');
    }
    out.append("index ").append(index).append('\n');
    for (byte[] hash : proof) {
      out.append(Rfc6962.base64(hash)).append('\n');
    }
    out.append('\n').append(checkpoint.format());
    return out.toString();
  }

  /** The extra data (a copy), or null. */
  @Override
  public byte[] extra() {
    return extra == null ? null : extra.clone();
  }

  /** The extra data as UTF-8 text, or null. */
  public String extraText() {
    return extra == null ? null : new String(extra, StandardCharsets.UTF_8);
  }

  /** The proof hashes (copies). */
  @Override
  public List<byte[]> proof() {
    List<byte[]> out = new ArrayList<>(proof.size());
    for (byte[] hash : proof) {
      out.add(hash.clone());
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlogProof && ((TlogProof) o).format().equals(format());
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
