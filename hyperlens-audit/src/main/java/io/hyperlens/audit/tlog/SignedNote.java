package io.hyperlens.audit.tlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note: a text ending in a newline, a blank line, and one or more signature lines
 * {@code — <key name> base64(key ID || signature)}. Checkpoints, key statements and witness
 * cosignatures are all notes. Parsing is strict: the note must be exactly what {@link #format()}
 * would print, so no ASCII control character but newline, no empty or non-canonical base64, no key
 * name with a space or a plus.
 *
 * <pre>{@code
 * SignedNote note = SignedNote.parse(text);
 * NoteKey.Verdict verdict = key.check(note);
 * }</pre>
 *
 * @param text the signed text, ending in a newline
 * @param signatures the signature lines, in order
 */
public record SignedNote(String text, List<NoteSignature> signatures) {
  /** The longest note accepted, in characters. */
  public static final int MAX_LENGTH = 64 * 1024;

  /** The most signatures accepted on one note (C2SP asks for at least 16). */
  public static final int MAX_SIGNATURES = 64;

  private static final String DASH = "\u2014 ";

  /** Checks the text and copies the signatures. */
  public SignedNote {
    checkText(text);
    if (signatures == null) {
      throw new IllegalArgumentException("signatures must not be null");
    }
    signatures = List.copyOf(signatures);
    if (signatures.size() > MAX_SIGNATURES) {
      throw new IllegalArgumentException(
          "a note carries at most " + MAX_SIGNATURES + " signatures, got " + signatures.size());
    }
  }

  /**
   * Reads a note.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static SignedNote parse(String note) {
    if (note == null) {
      throw new IllegalArgumentException("note must not be null");
    }
    if (note.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "a note is at most " + MAX_LENGTH + " characters, got " + note.length());
    }
    int split = note.lastIndexOf("\n\n");
    if (split < 0 || !note.endsWith("\n")) {
      throw new IllegalArgumentException("a note is a text, a blank line and signature lines");
    }
    String text = note.substring(0, split + 1);
    if (split + 2 >= note.length()) {
      throw new IllegalArgumentException("a note must carry at least one signature");
    }
    List<NoteSignature> signatures = new ArrayList<>();
    for (String line : note.substring(split + 2, note.length() - 1).split("\n", -1)) {
      signatures.add(parseSignature(line));
    }
    SignedNote parsed = new SignedNote(text, signatures);
    if (!parsed.format().equals(note)) {
      throw new IllegalArgumentException("the note is not in canonical form");
    }
    return parsed;
  }

  /** An unsigned note of {@code text}, to add signatures to. */
  public static SignedNote unsigned(String text) {
    return new SignedNote(text, List.of());
  }

  /** This note with {@code signature} added last. */
  public SignedNote with(NoteSignature signature) {
    if (signature == null) {
      throw new IllegalArgumentException("signature must not be null");
    }
    List<NoteSignature> out = new ArrayList<>(signatures);
    out.add(signature);
    return new SignedNote(text, out);
  }

  /** The bytes signatures are made over: the text, UTF-8. */
  public byte[] signedBytes() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The note as text: the signed text, a blank line, a line per signature. */
  public String format() {
    if (signatures.isEmpty()) {
      throw new IllegalStateException("an unsigned note cannot be written out");
    }
    StringBuilder out = new StringBuilder(text.length() + 120 * signatures.size());
    out.append(text).append('\n');
    for (NoteSignature s : signatures) {
      out.append(s.line()).append('\n');
    }
    return out.toString();
  }

  /** {@link #format()}. */
  @Override
  public String toString() {
    return signatures.isEmpty() ? text : format();
  }

  private static void checkText(String text) {
    if (text == null || text.isEmpty() || !text.endsWith("\n")) {
      throw new IllegalArgumentException("a note's text must end in a newline");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw new IllegalArgumentException(
            "a note must not hold control character U+" + String.format("%04X", (int) c));
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(++i)))) {
        throw new IllegalArgumentException("a note must be valid UTF-8 (a lone surrogate)");
      }
    }
  }

  private static NoteSignature parseSignature(String line) {
    if (!line.startsWith(DASH)) {
      throw new IllegalArgumentException("a signature line starts with an em dash and a space");
    }
    int space = line.indexOf(' ', DASH.length());
    if (space < 0) {
      throw new IllegalArgumentException("a signature line is a key name, a space and base64");
    }
    String name = line.substring(DASH.length(), space);
    String base64 = line.substring(space + 1);
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the signature of " + name + " is not base64", e);
    }
    if (bytes.length < 5) {
      throw new IllegalArgumentException("the signature of " + name + " is too short");
    }
    if (!Base64.getEncoder().encodeToString(bytes).equals(base64)) {
      throw new IllegalArgumentException(
          "the signature of " + name + " is not canonical base64 (stray padding bits)");
    }
    int keyId =
        ((bytes[0] & 0xff) << 24)
            | ((bytes[1] & 0xff) << 16)
            | ((bytes[2] & 0xff) << 8)
            | (bytes[3] & 0xff);
    byte[] signature = new byte[bytes.length - 4];
    System.arraycopy(bytes, 4, signature, 0, signature.length);
    return new NoteSignature(name, keyId, signature);
  }
}
