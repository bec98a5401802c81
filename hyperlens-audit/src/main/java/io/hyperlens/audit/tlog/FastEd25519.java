package io.hyperlens.audit.tlog;

import java.math.BigInteger;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 verification on BouncyCastle (about 8 times the JDK 17 provider's speed), used only where
 * its "valid" is provably the JDK's "valid", so a log's verdicts do not depend on which one ran.
 *
 * <p>Both implement the same RFC 8032 equation, {@code [S]B = R + [k]A} with {@code k = SHA-512(R
 * || A || M) mod L}; the JDK checks it without the cofactor (it computes {@code [S]B - [k]A} and
 * compares its encoding with R's bytes), BouncyCastle with a multiple of it, so the two can differ
 * only on points with a small-order component, on non-canonical encodings, or on a non-reduced S.
 * This answers {@code true} only for a signature whose S is below the group order L and whose R,
 * like the public key A, is canonically encoded and in the prime-order subgroup (BouncyCastle's
 * full point validation): then {@code [S]B - [k]A - R} lies in that subgroup too, where every
 * multiple the check can use is nonzero, so BouncyCastle's check holds exactly when the JDK's does.
 * Anything else, including every invalid signature, answers {@code false}, and the caller asks the
 * JDK, whose verdict stands ({@code NoteKeyVerificationTest} holds the two equal on the RFC 8032
 * vectors, on corrupted and non-canonical signatures, and on keys and commitments with a
 * small-order component).
 *
 * <p>Thread-safe: stateless.
 */
final class FastEd25519 {
  /**
   * The order of the prime-order subgroup, {@code 2^252 + 27742317777372353535851937790883648493}.
   */
  static final BigInteger L =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

  private FastEd25519() {}

  /**
   * The key for {@link #verifies}, or null when {@code raw} is not a canonical encoding of a point
   * in the prime-order subgroup (such a key is left to the JDK). Costs about one verification.
   */
  static Ed25519.PublicPoint key(byte[] raw) {
    if (raw == null || raw.length != Ed25519.PUBLIC_KEY_SIZE) {
      return null;
    }
    return Ed25519.validatePublicKeyFullExport(raw, 0);
  }

  /**
   * Whether {@code signature} is a valid Ed25519 signature of {@code data} by {@code key} that the
   * JDK also accepts; false means "ask the JDK", not "invalid".
   */
  static boolean verifies(Ed25519.PublicPoint key, byte[] data, byte[] signature) {
    if (key == null || signature == null || signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    if (!reduced(signature) || !Ed25519.validatePublicKeyFull(signature, 0)) {
      return false; // S not below L, or R non-canonical, small-order or with a torsion component
    }
    return Ed25519.verify(signature, 0, key, data, 0, data.length);
  }

  /** Whether the signature's S (its last 32 bytes, little-endian) is below L. */
  static boolean reduced(byte[] signature) {
    byte[] bigEndian = new byte[33]; // a leading zero keeps it positive
    for (int i = 0; i < 32; i++) {
      bigEndian[32 - i] = signature[32 + i];
    }
    return new BigInteger(bigEndian).compareTo(L) < 0;
  }
}
