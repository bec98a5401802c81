package io.hyperlens.audit.tlog;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 public key under a name, as C2SP signed notes use it: the key ID is the first four
 * bytes of {@code SHA-256(name || 0x0A || 0x01 || 32-byte public key)}, and the verifier key text
 * (a "vkey") is {@code <name>+<key ID, 8 hex>+base64(0x01 || public key)}. An audit log's key is
 * named by the log's origin.
 *
 * <pre>{@code
 * NoteKey key = NoteKey.parse("example.com/log+3e9c1f0a+AWp3...");
 * if (key.check(SignedNote.parse(text)) == NoteKey.Verdict.VERIFIED) { ... }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class NoteKey {
  /** What a key says of a note. */
  public enum Verdict {
    /** A signature line with this key's name and ID verifies. */
    VERIFIED,
    /** No signature line carries this key's name and ID. */
    NOT_SIGNED,
    /** A signature line carries this key's name and ID but does not verify. */
    BAD_SIGNATURE
  }

  private static final byte ED25519 = 0x01;

  /** The X.509 SubjectPublicKeyInfo prefix of every Ed25519 key (RFC 8410). */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private final String name;
  private final byte[] raw;
  private final PublicKey publicKey;
  private final int keyId;

  /** BouncyCastle's form of the key, computed on first use: see {@link FastEd25519}. */
  private volatile FastKey fastKey;

  /** The key as {@link FastEd25519} takes it; null {@code point} when it is left to the JDK. */
  private record FastKey(org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point) {}

  private NoteKey(String name, byte[] raw, PublicKey publicKey) {
    this.name = name;
    this.raw = raw;
    this.publicKey = publicKey;
    this.keyId = computeKeyId(name, raw);
  }

  /**
   * {@code publicKey} under {@code name}.
   *
   * @throws IllegalArgumentException if the name has a space or a plus, or the key is not Ed25519
   */
  public static NoteKey of(String name, PublicKey publicKey) {
    checkName(name);
    return new NoteKey(name, raw(publicKey), publicKey);
  }

  /**
   * Reads a vkey, {@code <name>+<8 hex>+<base64(0x01 || key)>}.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static NoteKey parse(String vkey) {
    if (vkey == null) {
      throw new IllegalArgumentException("vkey must not be null");
    }
    String[] parts = vkey.split("\\+", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "a verifier key is <name>+<key id>+<base64 key>, got \"" + vkey + '"');
    }
    checkName(parts[0]);
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key of verifier key " + parts[0] + " is not base64");
    }
    if (bytes.length != 33 || bytes[0] != ED25519) {
      throw new IllegalArgumentException(
          "verifier key " + parts[0] + " is not an Ed25519 key (type 0x01 and 32 bytes)");
    }
    NoteKey key = new NoteKey(parts[0], Arrays.copyOfRange(bytes, 1, 33), null);
    if (!key.vkey().equals(vkey)) {
      throw new IllegalArgumentException(
          "verifier key "
              + parts[0]
              + " has key id "
              + parts[1]
              + " but its key gives "
              + key.hex());
    }
    return key;
  }

  /** The key name. */
  public String name() {
    return name;
  }

  /** The 32-bit key ID. */
  public int keyId() {
    return keyId;
  }

  /** The public key. */
  public PublicKey publicKey() {
    return publicKey != null ? publicKey : fromRaw(raw);
  }

  /** The verifier key text, {@code <name>+<key ID>+<base64(0x01 || key)>}. */
  public String vkey() {
    byte[] typed = new byte[33];
    typed[0] = ED25519;
    System.arraycopy(raw, 0, typed, 1, 32);
    return name + '+' + hex() + '+' + Base64.getEncoder().encodeToString(typed);
  }

  /** This key's signature line for {@code signature}, made over a note's text. */
  public NoteSignature signature(byte[] signature) {
    return new NoteSignature(name, keyId, signature);
  }

  /** Whether {@code note} carries a valid signature by this key; see {@link Verdict}. */
  public Verdict check(SignedNote note) {
    Verdict verdict = Verdict.NOT_SIGNED;
    for (NoteSignature s : note.signatures()) {
      if (s.keyId() == keyId && s.name().equals(name)) {
        if (!verify(note.signedBytes(), s.signature())) {
          return Verdict.BAD_SIGNATURE;
        }
        verdict = Verdict.VERIFIED;
      }
    }
    return verdict;
  }

  /** Whether this key's name and key material equal {@code other}'s. */
  public boolean sameKey(NoteKey other) {
    return other != null && name.equals(other.name) && Arrays.equals(raw, other.raw);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteKey && sameKey((NoteKey) o);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return vkey();
  }

  /** The 32 raw bytes of an Ed25519 public key. */
  public static byte[] raw(PublicKey publicKey) {
    if (publicKey == null) {
      throw new IllegalArgumentException("publicKey must not be null");
    }
    byte[] spki = publicKey.getEncoded();
    if (spki == null
        || spki.length != SPKI_PREFIX.length + 32
        || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      throw new IllegalArgumentException(
          "publicKey must be an Ed25519 key, got " + publicKey.getAlgorithm());
    }
    return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
  }

  /** The Ed25519 public key with these 32 raw bytes. */
  public static PublicKey fromRaw(byte[] raw) {
    if (raw == null || raw.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
    }
    byte[] spki = new byte[SPKI_PREFIX.length + 32];
    System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
    System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, 32);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
    }
  }

  /**
   * Checks a key name (or a log origin, which names the log's key): non-empty, at most 255
   * characters, no Unicode space, no plus, no control character.
   */
  public static void checkName(String name) {
    if (name == null || name.isEmpty() || name.length() > 255) {
      throw new IllegalArgumentException(
          "a key name must be 1 to 255 characters, got "
              + (name == null ? "null" : "\"" + name + '"'));
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '+'
          || c < 0x20
          || c == 0x7f
          || Character.isWhitespace(c)
          || Character.isSpaceChar(c)) {
        throw new IllegalArgumentException(
            "a key name must not hold spaces, plus signs or control characters, got \""
                + name
                + '"');
      }
    }
  }

  private String hex() {
    return String.format("%08x", keyId);
  }

  /**
   * Whether {@code signature} verifies: BouncyCastle where its "valid" is the JDK's (see {@link
   * FastEd25519}), the JDK's verdict otherwise, so what verifies is exactly what the JDK accepts.
   */
  boolean verify(byte[] data, byte[] signature) {
    FastKey fast = fastKey;
    if (fast == null) {
      fast = new FastKey(FastEd25519.key(raw));
      fastKey = fast;
    }
    return FastEd25519.verifies(fast.point(), data, signature) || jdkVerifies(data, signature);
  }

  /** The JDK 17 provider's verdict. */
  boolean jdkVerifies(byte[] data, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey());
      verifier.update(data);
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false; // malformed signature bytes: simply not valid
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot verify Ed25519", e);
    }
  }

  private static int computeKeyId(String name, byte[] raw) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(name.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
      digest.update(ED25519);
      byte[] h = digest.digest(raw);
      return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
