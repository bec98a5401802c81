package io.hyperlens.audit;

import java.time.Instant;
import java.util.Base64;

/**
 * A signed statement that the log held {@code sequence} records and the last of them hashed to
 * {@code hash}: the seed's tamper-proof {@code signature}, made real. The log writes one every N
 * records and on close. The Ed25519 {@code signature} covers the RFC 8785 canonical JSON of {@code
 * {"type":"checkpoint","sequence","hash","timestamp","key_id"}} (see {@link
 * AuditJson#signedBytes(Checkpoint)}), made with the private key whose id is {@code keyId}; anyone
 * holding the public key can check it. Because each record's hash covers every record before it, a
 * valid checkpoint vouches for the whole chain up to {@code sequence}.
 *
 * <p>Keep the latest checkpoint somewhere the log's writer cannot rewrite (another machine, a
 * ticket, an append-only bucket) and pass it to {@link AuditVerifier} as an anchor: then cutting
 * records off the end is detected too.
 *
 * @param sequence the last record covered
 * @param hash that record's hash
 * @param timestamp when the checkpoint was signed, to the millisecond
 * @param keyId the signing key's id, {@code ed25519:<16 hex>} (see {@link
 *     io.hyperlens.audit.keys.AuditKeys})
 * @param signature the Ed25519 signature, base64
 */
public record Checkpoint(
    long sequence, String hash, Instant timestamp, String keyId, String signature) {

  /** Checks the shape of every field. */
  public Checkpoint {
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be at least 1, got " + sequence);
    }
    AuditRecord.checkHash("hash", hash);
    if (timestamp == null || timestamp.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          "timestamp must be a whole number of milliseconds, got " + timestamp);
    }
    AuditEntry.checkText("keyId", keyId, AuditEntry.MAX_NAME_LENGTH, false);
    if (signature == null) {
      throw new IllegalArgumentException("signature must not be null");
    }
    try {
      Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "signature must be base64, got " + AuditRecord.quote(signature), e);
    }
  }

  /** The signature's bytes. */
  public byte[] signatureBytes() {
    return Base64.getDecoder().decode(signature);
  }
}
