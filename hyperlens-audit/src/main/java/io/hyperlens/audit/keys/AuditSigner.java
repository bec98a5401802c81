package io.hyperlens.audit.keys;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 private key with its public half and id: what signs the audit log's checkpoints. Use
 * {@link AuditKeys#generate(java.nio.file.Path)} for a key kept in a file, {@link #generate()} for
 * one that lives only as long as the process.
 *
 * <pre>{@code
 * AuditSigner signer = AuditKeys.generate(Path.of("/etc/hyperlens/keys/audit-key.pem"));
 * // later runs:
 * AuditSigner same = AuditKeys.load(Path.of("/etc/hyperlens/keys/audit-key.pem"));
 * }</pre>
 *
 * <p>Thread-safe: {@link #sign(byte[])} uses a fresh signer per call.
 */
public final class AuditSigner {
  static final String ALGORITHM = "Ed25519";

  /** The PKCS#8 encoding of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
  private static final byte[] PKCS8_PREFIX =
      java.util.HexFormat.of().parseHex("302e020100300506032b657004220420");

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;

  /** The seed for BouncyCastle's signer, or null when the key's encoding is not the plain one. */
  private final Ed25519PrivateKeyParameters seed;

  private AuditSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = AuditKeys.keyId(publicKey);
    this.seed = seed(privateKey);
  }

  private static Ed25519PrivateKeyParameters seed(PrivateKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null
        || encoded.length != PKCS8_PREFIX.length + Ed25519PrivateKeyParameters.KEY_SIZE
        || !java.util.Arrays.equals(
            encoded, 0, PKCS8_PREFIX.length, PKCS8_PREFIX, 0, PKCS8_PREFIX.length)) {
      return null; // e.g. a PKCS#8 v2 encoding with the public key: the JDK signs it
    }
    return new Ed25519PrivateKeyParameters(encoded, PKCS8_PREFIX.length);
  }

  /**
   * A signer for {@code keyPair}.
   *
   * @throws IllegalArgumentException when it is not an Ed25519 pair, or its halves do not match
   */
  public static AuditSigner of(KeyPair keyPair) {
    if (keyPair == null) {
      throw new IllegalArgumentException("keyPair must not be null");
    }
    PrivateKey priv = keyPair.getPrivate();
    PublicKey pub = keyPair.getPublic();
    if (priv == null
        || pub == null
        || !ALGORITHM.equals(AuditKeys.algorithm(priv))
        || !ALGORITHM.equals(AuditKeys.algorithm(pub))) {
      throw new IllegalArgumentException(
          "keyPair must be an Ed25519 key pair, got "
              + (priv == null ? "no private key" : priv.getAlgorithm())
              + "/"
              + (pub == null ? "no public key" : pub.getAlgorithm()));
    }
    AuditSigner signer = new AuditSigner(priv, pub);
    byte[] probe = "hyperlens audit key check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (!AuditKeys.verify(pub, probe, signer.sign(probe))) {
      throw new IllegalArgumentException(
          "keyPair's public key " + signer.keyId + " does not match its private key");
    }
    return signer;
  }

  /** A new random key pair that lives in memory only. */
  public static AuditSigner generate() {
    try {
      return of(KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  /** {@code ed25519:} and the first 16 hex digits of the SHA-256 of the public key's encoding. */
  public String keyId() {
    return keyId;
  }

  /** {@code SHA256:} and the 64 hex digits of the public key's SHA-256: see {@link AuditKeys}. */
  public String fingerprint() {
    return AuditKeys.fingerprint(publicKey);
  }

  /** The public key under {@code name} (a log's origin), as signed notes name it. */
  public io.hyperlens.audit.tlog.NoteKey noteKey(String name) {
    return io.hyperlens.audit.tlog.NoteKey.of(name, publicKey);
  }

  /** The public key: all a verifier needs. */
  public PublicKey publicKey() {
    return publicKey;
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  /**
   * The Ed25519 signature of {@code data}: BouncyCastle's signer (19 times the JDK 17 provider's
   * speed here), the same bytes as the JDK's, since Ed25519 signatures are deterministic.
   */
  public byte[] sign(byte[] data) {
    if (seed != null) {
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, seed);
      signer.update(data, 0, data.length);
      return signer.generateSignature();
    }
    return signWithJdk(data);
  }

  /** The signature by the JDK's provider (for keys whose encoding BouncyCastle is not given). */
  byte[] signWithJdk(byte[] data) {
    try {
      Signature signature = Signature.getInstance(ALGORITHM);
      signature.initSign(privateKey);
      signature.update(data);
      return signature.sign();
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("key " + keyId + " cannot sign", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  @Override
  public String toString() {
    return "AuditSigner[" + keyId + "]";
  }
}
