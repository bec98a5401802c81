package io.hyperlens.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.audit.AuditEntry;
import io.hyperlens.audit.AuditEntryBuilder;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.AuditQuery;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.redact.Redactor;
import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code POST /v1/audit/decisions}: policy decisions in the Agent OS audit record shape ({@code
 * id}, {@code timestamp}, {@code agent_id}, {@code action}, {@code resource}, {@code decision}
 * {@code allow|deny|audit}, {@code reason}, {@code rule_id}, {@code context}), one object or an
 * array, appended to the hub's own signed audit trail. Validated all or nothing; {@code agent_id},
 * {@code action} and {@code decision} are required. A record whose {@code id} is among the trail's
 * newest {@value #REMEMBERED} is a duplicate and not appended again, so a client may retry; the
 * memory of ids is bounded (the trail keeps no index by id), so a retry must come within that many
 * later records. With redaction on, {@code reason}, {@code resource} and context strings pass
 * through {@link Redactor} before they are hashed and signed. Thread-safe.
 */
public final class AuditIngest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How many of the newest record ids are remembered for deduplication. */
  static final int REMEMBERED = 100_000;

  /**
   * What a batch did.
   *
   * @param accepted records appended
   * @param duplicates records whose id the trail held already
   * @param records each appended record's id, sequence and hash
   */
  public record Result(int accepted, int duplicates, List<Map<String, Object>> records) {}

  private final AuditLog log;
  private final Redactor redactor;
  private final Consumer<AuditRecord> recorded;
  private final Set<String> ids =
      Collections.newSetFromMap(
          new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED;
            }
          });

  /** An ingest appending to {@code log}. */
  public AuditIngest(AuditLog log, boolean redact) {
    this(log, redact, record -> {});
  }

  /** An ingest appending to {@code log} and telling {@code recorded} of each record appended. */
  public AuditIngest(AuditLog log, boolean redact, Consumer<AuditRecord> recorded) {
    this.log = log;
    this.recorded = recorded;
    this.redactor = redact ? Redactor.standard() : null;
    for (AuditRecord record : log.query(AuditQuery.builder().limit(REMEMBERED).build())) {
      ids.add(record.id());
    }
  }

  /**
   * Validates and appends; returns once every record is in the trail.
   *
   * @throws IngestException 400 with the problems, 415 when not JSON
   */
  public synchronized Result ingest(byte[] body, String contentType) {
    if (!OtlpIngest.mediaType(contentType).equals("application/json")) {
      throw new IngestException(
          415,
          "unsupported_media_type",
          "Content-Type \"" + OtlpIngest.mediaType(contentType) + "\" is not application/json");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IngestException(
          400,
          "malformed_json",
          "malformed JSON: " + JsonMessages.of(e),
          List.of(new Problem(-1, "body", "malformed JSON: " + JsonMessages.of(e))));
    }
    List<JsonNode> items = new ArrayList<>();
    if (root != null && root.isArray()) {
      root.forEach(items::add);
    } else if (root != null && root.isObject()) {
      items.add(root);
    } else {
      throw new IngestException(
          400,
          "invalid",
          "the body must be a decision object or an array of them",
          List.of(new Problem(-1, "body", "expected an object or an array")));
    }
    List<Problem> problems = new ArrayList<>();
    List<AuditEntry> entries = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      AuditEntry entry = entry(i, items.get(i), problems);
      if (entry != null) {
        entries.add(entry);
      }
    }
    if (!problems.isEmpty()) {
      throw new IngestException(
          400,
          "invalid",
          problems.size() + " problem(s) in the batch; nothing of it was recorded",
          problems);
    }
    int duplicates = 0;
    List<Map<String, Object>> records = new ArrayList<>();
    for (AuditEntry entry : entries) {
      if (entry.id() != null && ids.contains(entry.id())) {
        duplicates++;
        continue;
      }
      AuditRecord record = log.append(entry);
      ids.add(record.id());
      recorded.accept(record);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", record.id());
      out.put("sequence", record.sequence());
      out.put("hash", record.hash());
      records.add(out);
    }
    return new Result(records.size(), duplicates, records);
  }

  private AuditEntry entry(int index, JsonNode node, List<Problem> problems) {
    if (!node.isObject()) {
      problems.add(new Problem(index, "decision", "expected an object, got " + node.getNodeType()));
      return null;
    }
    int before = problems.size();
    AuditEntryBuilder builder = AuditEntry.builder();
    text(index, node, "id", problems, v -> builder.id(v));
    text(index, node, "agent_id", problems, v -> builder.agentId(v));
    text(index, node, "action", problems, v -> builder.action(v));
    text(index, node, "resource", problems, v -> builder.resource(clean("resource", v)));
    text(index, node, "decision", problems, v -> builder.decision(v));
    text(index, node, "reason", problems, v -> builder.reason(clean("reason", v)));
    text(index, node, "rule_id", problems, v -> builder.ruleId(v));
    // the trail keeps milliseconds: a finer time would not survive its own line
    text(
        index,
        node,
        "timestamp",
        problems,
        v -> builder.timestamp(Timestamps.parse(v).truncatedTo(ChronoUnit.MILLIS)));
    JsonNode context = node.get("context");
    if (context != null && !context.isNull()) {
      if (!context.isObject()) {
        problems.add(new Problem(index, "context", "expected an object"));
      } else {
        try {
          @SuppressWarnings("unchecked")
          Map<String, Object> map = JSON.convertValue(context, Map.class);
          builder.context(cleanContext(map));
        } catch (IllegalArgumentException e) {
          problems.add(new Problem(index, "context", e.getMessage()));
        }
      }
    }
    for (String required : List.of("agent_id", "action", "decision")) {
      JsonNode value = node.get(required);
      if (value == null || value.isNull()) {
        problems.add(new Problem(index, required, "is required"));
      }
    }
    if (problems.size() > before) {
      return null;
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(index, "decision", e.getMessage()));
      return null;
    }
  }

  private static void text(
      int index,
      JsonNode node,
      String field,
      List<Problem> problems,
      java.util.function.Consumer<String> setter) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isTextual()) {
      problems.add(new Problem(index, field, "expected a string, got " + value.getNodeType()));
      return;
    }
    try {
      setter.accept(value.textValue());
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(index, field, e.getMessage()));
    }
  }

  private String clean(String key, String text) {
    return redactor == null ? text : redactor.redactUnder(key, text);
  }

  private Map<String, Object> cleanContext(Map<String, Object> context) {
    if (redactor == null) {
      return context;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    context.forEach(
        (key, value) ->
            out.put(
                key, value instanceof String ? redactor.redactUnder(key, (String) value) : value));
    return out;
  }
}
