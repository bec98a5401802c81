package io.hyperlens.audit.tlog;

import java.util.Arrays;
import java.util.Base64;

/**
 * One signature line of a {@link SignedNote}: the signer's key name, its 32-bit key ID and the
 * signature bytes.
 *
 * @param name the key name (no spaces, no plus)
 * @param keyId the key ID, the first four bytes of the signature field, big-endian
 * @param signature the signature over the note's text
 */
public record NoteSignature(String name, int keyId, byte[] signature) {
  /** Checks the name and copies the signature. */
  public NoteSignature {
    NoteKey.checkName(name);
    if (signature == null || signature.length == 0) {
      throw new IllegalArgumentException("signature must not be empty");
    }
    signature = signature.clone();
  }

  /** The signature bytes (a copy). */
  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The line as a note holds it, without the newline. */
  public String line() {
    byte[] bytes = new byte[4 + signature.length];
    bytes[0] = (byte) (keyId >>> 24);
    bytes[1] = (byte) (keyId >>> 16);
    bytes[2] = (byte) (keyId >>> 8);
    bytes[3] = (byte) keyId;
    System.arraycopy(signature, 0, bytes, 4, signature.length);
    return "\u2014 " + name + ' ' + Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteSignature
        && ((NoteSignature) o).name.equals(name)
        && ((NoteSignature) o).keyId == keyId
        && Arrays.equals(((NoteSignature) o).signature, signature);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + keyId) + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return line();
  }
}
