package io.hyperlens.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBuilder;
import io.hyperlens.redact.Redactor;
import io.hyperlens.store.JdbcStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code POST /v1/events}: a JSON array or NDJSON of events in the {@link HypervisorEvent#toMap()}
 * shape, the keys the Python hypervisor's {@code to_dict()} writes, validated all or nothing and
 * stored before the answer. Fields: {@code event_id} (required; its id makes a retried batch
 * idempotent), {@code event_type} (required, a known dotted value), {@code timestamp} (required,
 * ISO-8601; without an offset it is UTC), {@code session_id}, {@code agent_did}, {@code
 * causal_trace_id}, {@code parent_event_id} (strings or null) and {@code payload} (an object or
 * null); other keys are ignored. Payload strings longer than the limit are cut and the payload
 * marked {@code hyperlens.truncated=true}; with redaction on, every payload string passes through
 * {@link Redactor} (the whole value when its key names a secret). Thread-safe; usable without HTTP.
 *
 * <pre>{@code
 * EventIngest ingest = new EventIngest(store, IngestLimits.defaults(), true);
 * EventIngest.Result result = ingest.ingest(body, "application/x-ndjson");
 * }</pre>
 */
public final class EventIngest {
  /** NDJSON's media type. */
  public static final String NDJSON = "application/x-ndjson";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final String TRUNCATED = "hyperlens.truncated";

  /**
   * What a batch did to the store.
   *
   * @param accepted events newly stored
   * @param duplicates events whose id was stored before (a retry), not stored again
   */
  public record Result(int accepted, int duplicates) {}

  private final GroupCommit commits;
  private final IngestLimits limits;
  private final Redactor redactor;
  private final LongAdder redacted = new LongAdder();
  private final LongAdder truncated = new LongAdder();

  /**
   * An ingest into {@code store}.
   *
   * @param redact whether payload strings pass through {@link Redactor#standard()}
   */
  public EventIngest(JdbcStore store, IngestLimits limits, boolean redact) {
    this.commits = new GroupCommit(store, Math.max(limits.maxEventsPerBatch(), 10_000));
    this.limits = limits;
    this.redactor = redact ? Redactor.standard() : null;
  }

  /** Payload strings changed by redaction so far. */
  public long redactedValues() {
    return redacted.sum();
  }

  /** Payload strings cut at the value limit so far. */
  public long truncatedValues() {
    return truncated.sum();
  }

  /**
   * Validates and stores a batch; returns once it is committed.
   *
   * @param body the decoded body
   * @param contentType its media type ({@code application/json} or {@value #NDJSON}, parameters
   *     allowed)
   * @throws IngestException 400 with the problems, 413 over the batch limit, 415 for another type
   */
  public Result ingest(byte[] body, String contentType) {
    List<JsonNode> items = parse(body, mediaType(contentType));
    if (items.size() > limits.maxEventsPerBatch()) {
      throw new IngestException(
          413,
          "too_many_events",
          "the batch holds "
              + items.size()
              + " events, more than the "
              + limits.maxEventsPerBatch()
              + " one request may carry; split it");
    }
    List<Problem> problems = new ArrayList<>();
    List<HypervisorEvent> events = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      HypervisorEvent event = event(i, items.get(i), problems);
      if (event != null) {
        events.add(event);
      }
    }
    if (!problems.isEmpty()) {
      throw new IngestException(
          400,
          "invalid",
          problems.size() + " problem(s) in the batch; nothing of it was stored",
          problems);
    }
    int stored;
    try {
      stored = commits.append(events);
    } catch (IllegalArgumentException e) {
      throw new IngestException(
          400, "invalid", "the store refused the batch: " + e.getMessage(), List.of());
    }
    return new Result(stored, events.size() - stored);
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static List<JsonNode> parse(byte[] body, String mediaType) {
    List<JsonNode> items = new ArrayList<>();
    if (mediaType.equals("application/json")) {
      JsonNode root;
      try {
        root = JSON.readTree(body);
      } catch (IOException e) {
        throw malformed(-1, e);
      }
      if (root == null || !root.isArray()) {
        throw new IngestException(
            400,
            "invalid",
            "the body must be a JSON array of events",
            List.of(new Problem(-1, "body", "expected a JSON array of events")));
      }
      root.forEach(items::add);
      return items;
    }
    if (mediaType.equals(NDJSON)) {
      String text = new String(body, StandardCharsets.UTF_8);
      for (String row : text.split("\n", -1)) {
        if (row.isBlank()) {
          continue;
        }
        try {
          items.add(JSON.readTree(row));
        } catch (IOException e) {
          throw malformed(items.size(), e);
        }
      }
      return items;
    }
    throw new IngestException(
        415,
        "unsupported_media_type",
        "Content-Type \""
            + mediaType
            + "\" is not accepted; send application/json (an array) or "
            + NDJSON);
  }

  private static IngestException malformed(int index, IOException e) {
    String message = JsonMessages.of(e);
    return new IngestException(
        400,
        "malformed_json",
        "malformed JSON: " + message,
        List.of(new Problem(index, "body", "malformed JSON: " + message)));
  }

  private HypervisorEvent event(int index, JsonNode node, List<Problem> problems) {
    if (!node.isObject()) {
      problems.add(new Problem(index, "event", "expected an object, got " + node.getNodeType()));
      return null;
    }
    int before = problems.size();
    String type = requiredText(index, node, "event_type", problems);
    EventType eventType = null;
    if (type != null) {
      try {
        eventType = EventType.fromValue(type);
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(index, "event_type", "unknown event type \"" + type + "\""));
      }
    }
    String id = requiredText(index, node, "event_id", problems);
    Instant timestamp = timestamp(index, node, problems);
    JsonNode payloadNode = node.get("payload");
    Map<String, Object> payload = null;
    if (payloadNode != null && !payloadNode.isNull()) {
      if (!payloadNode.isObject()) {
        problems.add(
            new Problem(index, "payload", "expected an object, got " + payloadNode.getNodeType()));
      } else {
        payload = payload(payloadNode);
      }
    }
    if (problems.size() > before || eventType == null) {
      return null;
    }
    HypervisorEventBuilder builder = HypervisorEvent.builder(eventType);
    set(index, "event_id", problems, () -> builder.eventId(id));
    set(index, "timestamp", problems, () -> builder.timestamp(timestamp));
    set(index, "session_id", problems, () -> builder.sessionId(optionalText(node, "session_id")));
    set(index, "agent_did", problems, () -> builder.agentDid(optionalText(node, "agent_did")));
    set(
        index,
        "causal_trace_id",
        problems,
        () -> builder.causalTraceId(optionalText(node, "causal_trace_id")));
    set(
        index,
        "parent_event_id",
        problems,
        () -> builder.parentEventId(optionalText(node, "parent_event_id")));
    Map<String, Object> finalPayload = payload;
    set(index, "payload", problems, () -> builder.payload(finalPayload));
    if (problems.size() > before) {
      return null;
    }
    return builder.build();
  }

  private static void set(int index, String field, List<Problem> problems, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(index, field, e.getMessage()));
    } catch (WrongType e) {
      problems.add(new Problem(index, field, e.getMessage()));
    }
  }

  private static String requiredText(
      int index, JsonNode node, String field, List<Problem> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      problems.add(new Problem(index, field, "is required"));
      return null;
    }
    if (!value.isTextual()) {
      problems.add(new Problem(index, field, "expected a string, got " + value.getNodeType()));
      return null;
    }
    return value.textValue();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new WrongType("expected a string or null, got " + value.getNodeType());
    }
    return value.textValue();
  }

  private static Instant timestamp(int index, JsonNode node, List<Problem> problems) {
    String text = requiredText(index, node, "timestamp", problems);
    if (text == null) {
      return null;
    }
    try {
      return Timestamps.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(index, "timestamp", e.getMessage()));
      return null;
    }
  }

  /** The payload as plain Java values, long strings cut, secrets redacted. */
  private Map<String, Object> payload(JsonNode node) {
    boolean[] cut = {false};
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = (Map<String, Object>) value(null, node, cut);
    if (cut[0]) {
      payload.put(TRUNCATED, true);
    }
    return payload;
  }

  private Object value(String key, JsonNode node, boolean[] cut) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), value(e.getKey(), e.getValue(), cut)));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(v -> list.add(value(key, v, cut)));
      return list;
    }
    if (node.isTextual()) {
      String text = node.textValue();
      if (text.length() > limits.maxValueChars()) {
        text = text.substring(0, limits.maxValueChars());
        cut[0] = true;
        truncated.increment();
      }
      if (redactor != null) {
        String clean = key == null ? redactor.redact(text) : redactor.redactUnder(key, text);
        if (!clean.equals(text)) {
          redacted.increment();
        }
        return clean;
      }
      return text;
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return null;
  }

  /** A field of the wrong JSON type, reported as a problem. */
  private static final class WrongType extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WrongType(String message) {
      super(message);
    }
  }
}
