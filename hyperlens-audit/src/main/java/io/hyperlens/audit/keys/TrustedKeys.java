package io.hyperlens.audit.keys;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.Checkpoint;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The public keys a verifier trusts, by key id: all that checking an audit log's checkpoints needs.
 * Keep every key the log has been signed with, old ones included, for as long as their checkpoints
 * must verify.
 *
 * <pre>{@code
 * TrustedKeys keys =
 *     TrustedKeys.load(Path.of("keys/audit-2025.pem.pub"), Path.of("keys/audit-2026.pem.pub"));
 * VerificationReport report = AuditVerifier.verify(store, keys);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class TrustedKeys {
  private static final TrustedKeys NONE = new TrustedKeys(Map.of());

  private final Map<String, PublicKey> byId;

  private TrustedKeys(Map<String, PublicKey> byId) {
    this.byId = byId;
  }

  /** No keys: every checkpoint fails as signed by an unknown key. */
  public static TrustedKeys none() {
    return NONE;
  }

  /**
   * The given Ed25519 public keys.
   *
   * @throws IllegalArgumentException naming the key that is not Ed25519
   */
  public static TrustedKeys of(PublicKey... keys) {
    return NONE.with(keys);
  }

  /** The public keys in the given PEM files ({@code .pub}). */
  public static TrustedKeys load(Path... publicKeyFiles) {
    PublicKey[] keys = new PublicKey[publicKeyFiles.length];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = AuditKeys.loadPublic(publicKeyFiles[i]);
    }
    return of(keys);
  }

  /**
   * The public keys in every {@code *.pub} file of {@code directory}: where {@link
   * io.hyperlens.audit.AuditLog#open(Path)} keeps its key, and where rotated keys' public halves
   * stay for verifiers.
   *
   * @throws java.io.UncheckedIOException if the directory cannot be listed
   */
  public static TrustedKeys loadAll(Path directory) {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(directory)) {
      return load(
          files
              .filter(p -> p.getFileName().toString().endsWith(".pub"))
              .sorted()
              .toArray(Path[]::new));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + directory, e);
    }
  }

  /** These keys and {@code keys}. */
  public TrustedKeys with(PublicKey... keys) {
    Map<String, PublicKey> out = new LinkedHashMap<>(byId);
    for (PublicKey key : keys) {
      if (key == null || !AuditSigner.ALGORITHM.equals(AuditKeys.algorithm(key))) {
        throw new IllegalArgumentException(
            "trusted keys must be Ed25519 public keys, got "
                + (key == null ? "null" : key.getAlgorithm()));
      }
      out.put(AuditKeys.keyId(key), key);
    }
    return new TrustedKeys(Collections.unmodifiableMap(out));
  }

  /** The key with id {@code keyId}, if trusted. */
  public Optional<PublicKey> find(String keyId) {
    return Optional.ofNullable(byId.get(keyId));
  }

  /** The ids of the trusted keys. */
  public Set<String> keyIds() {
    return byId.keySet();
  }

  /**
   * Whether {@code checkpoint} carries a valid signature by the trusted key it names; false when
   * the key is unknown.
   */
  public boolean verifies(Checkpoint checkpoint) {
    PublicKey key = byId.get(checkpoint.keyId());
    return key != null
        && AuditKeys.verify(key, AuditJson.signedBytes(checkpoint), checkpoint.signatureBytes());
  }

  @Override
  public String toString() {
    return "TrustedKeys" + byId.keySet();
  }
}
