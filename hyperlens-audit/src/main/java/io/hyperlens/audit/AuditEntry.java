package io.hyperlens.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One policy decision to record, before the log gives it a place in the chain: who ({@code
 * agentId}) did what ({@code action}) to which {@code resource}, what the policy decided and why
 * ({@code reason}, {@code ruleId}), and free-form {@code context}. Build one with {@link
 * #builder()}; {@link AuditLog#append(AuditEntry)} turns it into an {@link AuditRecord}.
 *
 * <pre>{@code
 * AuditEntry entry =
 *     AuditEntry.builder()
 *         .agentId("agent-001")
 *         .action("file_write")
 *         .resource("/prod/config.yaml")
 *         .decision(Decision.DENY)
 *         .reason("Production writes blocked")
 *         .ruleId("rule-005")
 *         .context(Map.of("user", "system", "session_id", "sess-123"))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@code id} and {@code timestamp} are usually left to the log (a
 * random {@code audit-<uuid>} and the log's clock).
 *
 * @param id the record id, or null for a generated one
 * @param timestamp when the decision was made, or null for the log's clock at append
 * @param agentId the agent the decision is about
 * @param action what the agent tried to do, e.g. {@code file_write}
 * @param resource what it tried to do it to, or null
 * @param decision what the policy decided
 * @param reason why, or null
 * @param ruleId the policy rule that decided, or null
 * @param context anything else worth keeping (checked; see {@link AuditEntryBuilder#context(Map)})
 */
public record AuditEntry(
    String id,
    Instant timestamp,
    String agentId,
    String action,
    String resource,
    Decision decision,
    String reason,
    String ruleId,
    Map<String, Object> context) {

  /** Longest {@code id}, {@code agentId}, {@code action} and {@code ruleId}, in characters. */
  public static final int MAX_NAME_LENGTH = 256;

  /** Longest {@code resource} and {@code reason}, in characters. */
  public static final int MAX_TEXT_LENGTH = 8192;

  /** Checks every field; see the builder for the rules. */
  public AuditEntry {
    id = checkText("id", id, MAX_NAME_LENGTH, true);
    agentId = checkText("agentId", agentId, MAX_NAME_LENGTH, false);
    action = checkText("action", action, MAX_NAME_LENGTH, false);
    resource = checkText("resource", resource, MAX_TEXT_LENGTH, true);
    reason = checkText("reason", reason, MAX_TEXT_LENGTH, true);
    ruleId = checkText("ruleId", ruleId, MAX_NAME_LENGTH, true);
    if (decision == null) {
      throw new IllegalArgumentException("decision must not be null (allow|deny|audit)");
    }
    context = ContextValues.copy(context, null);
  }

  /** A builder; {@code agentId}, {@code action} and {@code decision} are required. */
  public static AuditEntryBuilder builder() {
    return new AuditEntryBuilder();
  }

  /** The explicit record id, if one was given. */
  public Optional<String> optionalId() {
    return Optional.ofNullable(id);
  }

  static String checkText(String field, String value, int maxLength, boolean nullable) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      throw new IllegalArgumentException(field + " must not be null");
    }
    if (!nullable && value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, got \"" + value + '"');
    }
    checkUnicode(field, value);
    if (maxLength == MAX_NAME_LENGTH && value.indexOf('\u0000') >= 0) {
      // Names are indexed by the database stores, and PostgreSQL text cannot hold NUL.
      throw new IllegalArgumentException(
          field + " must not hold a NUL character, got one at index " + value.indexOf('\u0000'));
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          field
              + " must be at most "
              + maxLength
              + " characters, got "
              + value.length()
              + ": \""
              + value.substring(0, 32)
              + "...\"");
    }
    return value;
  }

  /**
   * Refuses a string holding a lone UTF-16 surrogate: it has no UTF-8 form, so it could not be
   * stored or hashed as what was given.
   */
  /** Whether {@code value} holds a UTF-16 surrogate that is not half of a pair. */
  static boolean hasLoneSurrogate(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 == value.length()
            || !Character.isLowSurrogate(value.charAt(i + 1))) {
          return true;
        }
        i++;
      }
    }
    return false;
  }

  static void checkUnicode(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1));
        if (!paired) {
          throw new IllegalArgumentException(
              field + " must be valid Unicode, got a lone surrogate at index " + i);
        }
        i++;
      }
    }
  }
}
