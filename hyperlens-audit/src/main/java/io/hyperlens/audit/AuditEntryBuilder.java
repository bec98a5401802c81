package io.hyperlens.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds an {@link AuditEntry}. Setters check their value at once and throw {@link
 * IllegalArgumentException} naming the field and the value. Not thread-safe.
 */
public final class AuditEntryBuilder {
  private String id;
  private Instant timestamp;
  private String agentId;
  private String action;
  private String resource;
  private Decision decision;
  private String reason;
  private String ruleId;
  private final Map<String, Object> context = new LinkedHashMap<>();

  AuditEntryBuilder() {}

  /** An explicit record id (imports, replays); at most 256 characters. */
  public AuditEntryBuilder id(String id) {
    this.id = AuditEntry.checkText("id", id, AuditEntry.MAX_NAME_LENGTH, false);
    return this;
  }

  /** When the decision was made; otherwise the log's clock at append. Kept to the millisecond. */
  public AuditEntryBuilder timestamp(Instant timestamp) {
    if (timestamp == null) {
      throw new IllegalArgumentException("timestamp must not be null");
    }
    this.timestamp = timestamp;
    return this;
  }

  /** The agent the decision is about (required). */
  public AuditEntryBuilder agentId(String agentId) {
    this.agentId = AuditEntry.checkText("agentId", agentId, AuditEntry.MAX_NAME_LENGTH, false);
    return this;
  }

  /** What the agent tried to do, e.g. {@code file_write} (required). */
  public AuditEntryBuilder action(String action) {
    this.action = AuditEntry.checkText("action", action, AuditEntry.MAX_NAME_LENGTH, false);
    return this;
  }

  /** What it tried to do it to; secrets in it are redacted before the record is hashed. */
  public AuditEntryBuilder resource(String resource) {
    this.resource = AuditEntry.checkText("resource", resource, AuditEntry.MAX_TEXT_LENGTH, true);
    return this;
  }

  /** What the policy decided (required). */
  public AuditEntryBuilder decision(Decision decision) {
    if (decision == null) {
      throw new IllegalArgumentException("decision must not be null (allow|deny|audit)");
    }
    this.decision = decision;
    return this;
  }

  /**
   * What the policy decided, as the seed writes it: {@code allow}, {@code deny} or {@code audit}.
   */
  public AuditEntryBuilder decision(String decision) {
    return decision(Decision.of(decision));
  }

  /** Why; secrets in it are redacted before the record is hashed. */
  public AuditEntryBuilder reason(String reason) {
    this.reason = AuditEntry.checkText("reason", reason, AuditEntry.MAX_TEXT_LENGTH, true);
    return this;
  }

  /** The policy rule that decided. */
  public AuditEntryBuilder ruleId(String ruleId) {
    this.ruleId = AuditEntry.checkText("ruleId", ruleId, AuditEntry.MAX_NAME_LENGTH, true);
    return this;
  }

  /**
   * Adds every entry of {@code context}. Values may be strings, booleans, numbers (integers within
   * ±2^53, finite doubles), null, or lists and maps of those, at most 8 levels deep; strings are
   * redacted before the record is hashed.
   */
  public AuditEntryBuilder context(Map<String, ?> context) {
    if (context == null) {
      throw new IllegalArgumentException("context must not be null");
    }
    Map<String, Object> checked = ContextValues.copy(context, null);
    this.context.putAll(checked);
    return this;
  }

  /** Adds one context entry; see {@link #context(Map)} for what a value may be. */
  public AuditEntryBuilder context(String key, Object value) {
    Map<String, Object> one = new LinkedHashMap<>(2);
    one.put(key, value);
    return context(one);
  }

  /**
   * The entry.
   *
   * @throws IllegalArgumentException when {@code agentId}, {@code action} or {@code decision} is
   *     missing
   */
  public AuditEntry build() {
    return new AuditEntry(
        id, timestamp, agentId, action, resource, decision, reason, ruleId, context);
  }
}
