package io.hyperlens.audit;

import java.time.Instant;
import java.util.Map;

/**
 * One committed audit record: the seed's fields ({@code id}, {@code timestamp}, {@code agent_id},
 * {@code action}, {@code resource}, {@code decision}, {@code reason}, {@code rule_id}, {@code
 * context}) plus its place in the chain: {@code sequence} (1, 2, 3, ... with no gaps), {@code
 * prev_hash} (the previous record's {@code hash}, 64 zeros for the first) and {@code hash}, the
 * SHA-256 of the record's RFC 8785 canonical JSON without {@code hash} (so including {@code
 * prev_hash}). Changing any field, or any record before it, changes the hash; see {@link
 * AuditJson#hash(AuditRecord)}.
 *
 * <p>Stored as one JSON object in the seed's field order:
 *
 * <pre>{@code
 * {"id":"audit-6f1c...","timestamp":"2026-01-28T17:45:00.123Z","agent_id":"agent-001",
 *  "action":"file_write","resource":"/prod/config.yaml","decision":"deny",
 *  "reason":"Production writes blocked","rule_id":"rule-005",
 *  "context":{"user":"system","session_id":"sess-123"},
 *  "sequence":42,"prev_hash":"9b1e...","hash":"03ac..."}
 * }</pre>
 *
 * <p>Immutable and thread-safe. The constructor checks shapes (non-blank names, a positive
 * sequence, 64-hex hashes, a millisecond timestamp); whether the hash is right is {@link
 * AuditVerifier}'s question.
 *
 * @param id unique record id
 * @param timestamp when the decision was made, to the millisecond
 * @param agentId the agent the decision is about
 * @param action what the agent tried to do
 * @param resource what it tried to do it to (redacted), or null
 * @param decision what the policy decided
 * @param reason why (redacted), or null
 * @param ruleId the deciding rule, or null
 * @param context further facts (redacted), never null
 * @param sequence the record's place in the log, from 1
 * @param prevHash the previous record's hash, {@link #GENESIS_HASH} for sequence 1
 * @param hash this record's hash
 */
public record AuditRecord(
    String id,
    Instant timestamp,
    String agentId,
    String action,
    String resource,
    Decision decision,
    String reason,
    String ruleId,
    Map<String, Object> context,
    long sequence,
    String prevHash,
    String hash) {

  /** The {@code prev_hash} of the first record: 64 zeros. */
  public static final String GENESIS_HASH = "0".repeat(64);

  /** Checks the shape of every field. */
  public AuditRecord {
    AuditEntry.checkText("id", id, AuditEntry.MAX_NAME_LENGTH, false);
    AuditEntry.checkText("agentId", agentId, AuditEntry.MAX_NAME_LENGTH, false);
    AuditEntry.checkText("action", action, AuditEntry.MAX_NAME_LENGTH, false);
    AuditEntry.checkText("resource", resource, AuditEntry.MAX_TEXT_LENGTH, true);
    AuditEntry.checkText("reason", reason, AuditEntry.MAX_TEXT_LENGTH, true);
    AuditEntry.checkText("ruleId", ruleId, AuditEntry.MAX_NAME_LENGTH, true);
    if (timestamp == null || timestamp.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          "timestamp must be a whole number of milliseconds, got " + timestamp);
    }
    if (decision == null) {
      throw new IllegalArgumentException("decision must not be null");
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be at least 1, got " + sequence);
    }
    checkHash("prevHash", prevHash);
    checkHash("hash", hash);
    context = ContextValues.copy(context, null);
  }

  /** This record with {@code hash} in place of its own. */
  public AuditRecord withHash(String hash) {
    return new AuditRecord(
        id, timestamp, agentId, action, resource, decision, reason, ruleId, context, sequence,
        prevHash, hash);
  }

  /** Whether the policy blocked the action: a violation in compliance reports. */
  public boolean isViolation() {
    return decision == Decision.DENY;
  }

  static void checkHash(String field, String hash) {
    if (hash == null || hash.length() != 64 || !isLowerHex(hash)) {
      throw new IllegalArgumentException(
          field + " must be 64 lowercase hex digits (SHA-256), got " + quote(hash));
    }
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= LOWER_HEX.length || !LOWER_HEX[c]) {
        return false;
      }
    }
    return true;
  }

  private static final boolean[] LOWER_HEX = new boolean['f' + 1];

  static {
    for (char c : "0123456789abcdef".toCharArray()) {
      LOWER_HEX[c] = true;
    }
  }

  static String quote(String value) {
    return value == null ? "null" : '"' + value + '"';
  }
}
