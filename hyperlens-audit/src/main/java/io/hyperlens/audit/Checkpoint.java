package io.hyperlens.audit;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A signed statement that the log held {@code sequence} records, that the last of them hashed to
 * {@code hash}, and that the next checkpoint will come no later than record {@code nextBy}: the
 * seed's tamper-proof {@code signature}, made real. The log opens with one at sequence 0 (over
 * {@link AuditRecord#GENESIS_HASH}), then writes one every N records and on close. The Ed25519
 * {@code signature} covers the RFC 8785 canonical JSON of every other field plus {@code
 * "type":"checkpoint"} (see {@link AuditJson#signedBytes(Checkpoint)}), made with the private key
 * whose id is {@code keyId}; anyone holding the public key can check it. Because each record's hash
 * covers every record before it, a valid checkpoint vouches for the whole chain up to {@code
 * sequence}; because each one promises the next, deleting checkpoints to hide a rewrite is caught
 * too.
 *
 * <p>Keep the latest checkpoint somewhere the log's writer cannot rewrite (another machine, a
 * ticket, an append-only bucket) and pass it to {@link AuditVerifier} as an anchor: then cutting
 * records off the end is detected too.
 *
 * @param sequence the last record covered, 0 for the log's opening checkpoint
 * @param hash that record's hash
 * @param nextBy the sequence by which the next checkpoint is due
 * @param timestamp when the checkpoint was signed, to the millisecond
 * @param keyId the signing key's id, {@code ed25519:<16 hex>} (see {@link
 *     io.hyperlens.audit.keys.AuditKeys})
 * @param signature the Ed25519 signature, base64
 */
public record Checkpoint(
    long sequence, String hash, long nextBy, Instant timestamp, String keyId, String signature) {

  /** Checks the shape of every field. */
  public Checkpoint {
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must not be negative, got " + sequence);
    }
    if (nextBy <= sequence) {
      throw new IllegalArgumentException(
          "nextBy must be after sequence " + sequence + ", got " + nextBy);
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

  /**
   * The checkpoint as its JSON line has it ({@code sequence}, {@code hash}, {@code next_by}, {@code
   * timestamp}, {@code key_id}, {@code signature}), for event payloads and reports.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sequence", sequence);
    out.put("hash", hash);
    out.put("next_by", nextBy);
    out.put("timestamp", AuditJson.formatTimestamp(timestamp));
    out.put("key_id", keyId);
    out.put("signature", signature);
    return out;
  }

  /** The signature's bytes. */
  public byte[] signatureBytes() {
    return Base64.getDecoder().decode(signature);
  }
}
