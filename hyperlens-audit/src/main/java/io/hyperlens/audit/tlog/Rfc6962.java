package io.hyperlens.audit.tlog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The RFC 6962 / RFC 9162 Merkle tree hashes: a leaf is {@code SHA-256(0x00 || data)}, an interior
 * node {@code SHA-256(0x01 || left || right)}, the empty tree {@code SHA-256()}. The domain bytes
 * keep a leaf from ever passing for a node. Thread-safe: one digest per thread.
 */
public final class Rfc6962 {
  /** Bytes in a hash. */
  public static final int HASH_SIZE = 32;

  private static final byte LEAF = 0x00;
  private static final byte NODE = 0x01;
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Rfc6962::sha256);
  private static final byte[] EMPTY = sha256().digest();

  private Rfc6962() {}

  /** {@code SHA-256(0x00 || data)}. */
  public static byte[] leafHash(byte[] data) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    digest.update(LEAF);
    return digest.digest(data);
  }

  /** {@code SHA-256(0x00 || data[offset..offset+length))}. */
  public static byte[] leafHash(byte[] data, int offset, int length) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    digest.update(LEAF);
    digest.update(data, offset, length);
    return digest.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    digest.update(NODE);
    digest.update(left);
    return digest.digest(right);
  }

  /** The root of the empty tree, {@code SHA-256} of nothing. */
  public static byte[] emptyRoot() {
    return EMPTY.clone();
  }

  /** A hash in standard base64, as checkpoints and proofs print it. */
  public static String base64(byte[] hash) {
    return Base64.getEncoder().encodeToString(hash);
  }

  /**
   * Reads a 32-byte hash from canonical standard base64 (44 characters, padded, no stray bits).
   *
   * @throws IllegalArgumentException naming {@code field} and the value otherwise
   */
  public static byte[] parseBase64(String field, String text) {
    byte[] hash;
    try {
      hash = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " must be base64, got \"" + text + '"', e);
    }
    if (hash.length != HASH_SIZE) {
      throw new IllegalArgumentException(
          field + " must be a 32-byte hash, got " + hash.length + " bytes: \"" + text + '"');
    }
    if (!base64(hash).equals(text)) {
      throw new IllegalArgumentException(
          field + " must be canonical base64 (no stray padding bits), got \"" + text + '"');
    }
    return hash;
  }

  /** The largest power of two strictly less than {@code n} (n ≥ 2): where RFC 6962 splits. */
  static long split(long n) {
    return Long.highestOneBit(n - 1);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
