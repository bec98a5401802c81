package io.hyperlens.audit.keys;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

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
 * <p>Thread-safe: {@link #sign(byte[])} uses a fresh {@link Signature} per call.
 */
public final class AuditSigner {
  static final String ALGORITHM = "Ed25519";

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;

  private AuditSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = AuditKeys.keyId(publicKey);
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

  /** The Ed25519 signature of {@code data}. */
  public byte[] sign(byte[] data) {
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
