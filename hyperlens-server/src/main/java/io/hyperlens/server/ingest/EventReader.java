package io.hyperlens.server.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBuilder;
import io.hyperlens.redact.Redactor;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Reads a {@code POST /v1/events} body into events with Jackson's streaming parser, straight from
 * the bytes: no tree of nodes, each field read once. A JSON array or NDJSON (one event per line,
 * blank lines allowed); a key given twice in an object is malformed JSON. Collects every problem of
 * the batch ({@link Problem}) before refusing it; payload strings are cut at the value limit and
 * redacted under their key. Thread-safe: one parser per call.
 */
final class EventReader {
  private static final JsonFactory JSON = new JsonFactory();
  private static final String TRUNCATED = "hyperlens.truncated";

  private final IngestLimits limits;
  private final Redactor redactor;
  private final LongAdder redacted;
  private final LongAdder truncated;

  /**
   * @param redactor what payload strings pass through, or null to keep them as sent
   * @param redacted counts the strings redaction changed
   * @param truncated counts the strings cut at the value limit
   */
  EventReader(IngestLimits limits, Redactor redactor, LongAdder redacted, LongAdder truncated) {
    this.limits = limits;
    this.redactor = redactor;
    this.redacted = redacted;
    this.truncated = truncated;
  }

  /**
   * The events of {@code body}.
   *
   * @param ndjson whether the body is NDJSON, else a JSON array
   * @throws IngestException 400 with the problems or for malformed JSON, 413 over the batch limit
   */
  List<HypervisorEvent> read(byte[] body, boolean ndjson) {
    List<Problem> problems = new ArrayList<>();
    List<HypervisorEvent> events = new ArrayList<>();
    int index = 0;
    try (JsonParser parser = JSON.createParser(body)) {
      JsonToken token = parser.nextToken();
      if (!ndjson) {
        if (token != JsonToken.START_ARRAY) {
          throw new IngestException(
              400,
              "invalid",
              "the body must be a JSON array of events",
              List.of(new Problem(-1, "body", "expected a JSON array of events")));
        }
        token = parser.nextToken();
      }
      int lastLine = 0;
      while (token != null && (ndjson || token != JsonToken.END_ARRAY)) {
        if (ndjson) {
          int line = parser.currentTokenLocation().getLineNr();
          if (index > 0 && line == lastLine) {
            throw new IngestException(
                400,
                "malformed_json",
                "malformed JSON: event " + index + " starts on the line of the one before it",
                List.of(new Problem(index, "body", "NDJSON holds one event per line")));
          }
        }
        if (index == limits.maxEventsPerBatch()) {
          throw new IngestException(
              413,
              "too_many_events",
              "the batch holds more than the "
                  + limits.maxEventsPerBatch()
                  + " events one request may carry; split it");
        }
        HypervisorEvent event = event(index, parser, token, problems);
        if (event != null) {
          events.add(event);
        }
        lastLine = parser.currentLocation().getLineNr();
        index++;
        token = parser.nextToken();
      }
      if (!ndjson && parser.nextToken() != null) {
        throw new IngestException(
            400,
            "malformed_json",
            "malformed JSON: something follows the array at line "
                + parser.currentTokenLocation().getLineNr(),
            List.of(new Problem(-1, "body", "nothing may follow the array of events")));
      }
    } catch (IOException e) {
      String message = JsonMessages.of(e);
      throw new IngestException(
          400,
          "malformed_json",
          "malformed JSON: " + message,
          List.of(new Problem(ndjson ? index : -1, "body", "malformed JSON: " + message)));
    }
    if (!problems.isEmpty()) {
      throw new IngestException(
          400,
          "invalid",
          problems.size() + " problem(s) in the batch; nothing of it was stored",
          problems);
    }
    return events;
  }

  /** The fields of one event as sent, each a string, or the JSON type it had instead. */
  private static final class Fields {
    String type;
    String id;
    String timestamp;
    String sessionId;
    String agentDid;
    String causalTraceId;
    String parentEventId;
    Map<String, Object> payload;

    /** For each field sent as something other than a string (or an object, for the payload). */
    final String[] wrongType = new String[FIELDS.length];

    int seen;
  }

  private static final int TYPE = 0;
  private static final int ID = 1;
  private static final int TIMESTAMP = 2;
  private static final int SESSION = 3;
  private static final int AGENT = 4;
  private static final int CAUSAL_TRACE = 5;
  private static final int PARENT = 6;
  private static final int PAYLOAD = 7;

  /** The fields an event has, by the indexes above; any other key is ignored. */
  private static final String[] FIELDS = {
    "event_type",
    "event_id",
    "timestamp",
    "session_id",
    "agent_did",
    "causal_trace_id",
    "parent_event_id",
    "payload"
  };

  private static int field(String name) {
    for (int i = 0; i < FIELDS.length; i++) {
      if (FIELDS[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private HypervisorEvent event(
      int index, JsonParser parser, JsonToken start, List<Problem> problems) throws IOException {
    if (start != JsonToken.START_OBJECT) {
      problems.add(new Problem(index, "event", "expected an object, got " + typeName(start)));
      parser.skipChildren();
      return null;
    }
    Fields fields = new Fields();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      JsonToken value = parser.nextToken();
      int field = field(name);
      if (field < 0) {
        parser.skipChildren();
        continue;
      }
      if ((fields.seen & (1 << field)) != 0) {
        throw duplicate(parser, name);
      }
      fields.seen |= 1 << field;
      read(parser, value, field, fields);
    }
    return build(index, fields, problems);
  }

  private void read(JsonParser parser, JsonToken value, int field, Fields fields)
      throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return;
    }
    if (field == PAYLOAD) {
      if (value == JsonToken.START_OBJECT) {
        boolean[] cut = {false};
        fields.payload = object(parser, cut);
        if (cut[0]) {
          fields.payload.put(TRUNCATED, true);
        }
      } else {
        fields.wrongType[field] = typeName(value);
        parser.skipChildren();
      }
      return;
    }
    if (value != JsonToken.VALUE_STRING) {
      fields.wrongType[field] = typeName(value);
      parser.skipChildren();
      return;
    }
    String text = parser.getText();
    switch (field) {
      case TYPE -> fields.type = text;
      case ID -> fields.id = text;
      case TIMESTAMP -> fields.timestamp = text;
      case SESSION -> fields.sessionId = text;
      case AGENT -> fields.agentDid = text;
      case CAUSAL_TRACE -> fields.causalTraceId = text;
      default -> fields.parentEventId = text;
    }
  }

  private static HypervisorEvent build(int index, Fields fields, List<Problem> problems) {
    int before = problems.size();
    EventType eventType = null;
    String type = required(index, fields, TYPE, fields.type, problems);
    if (type != null) {
      try {
        eventType = EventType.fromValue(type);
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(index, "event_type", "unknown event type \"" + type + "\""));
      }
    }
    String id = required(index, fields, ID, fields.id, problems);
    Instant timestamp = null;
    String time = required(index, fields, TIMESTAMP, fields.timestamp, problems);
    if (time != null) {
      try {
        timestamp = Timestamps.parse(time);
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(index, "timestamp", e.getMessage()));
      }
    }
    if (fields.wrongType[PAYLOAD] != null) {
      problems.add(
          new Problem(index, "payload", "expected an object, got " + fields.wrongType[PAYLOAD]));
    }
    if (problems.size() > before || eventType == null) {
      return null;
    }
    HypervisorEventBuilder builder = HypervisorEvent.builder(eventType);
    Instant at = timestamp;
    set(index, fields, ID, problems, id, builder::eventId);
    set(index, "timestamp", problems, () -> builder.timestamp(at));
    set(index, fields, SESSION, problems, fields.sessionId, builder::sessionId);
    set(index, fields, AGENT, problems, fields.agentDid, builder::agentDid);
    set(index, fields, CAUSAL_TRACE, problems, fields.causalTraceId, builder::causalTraceId);
    set(index, fields, PARENT, problems, fields.parentEventId, builder::parentEventId);
    set(index, "payload", problems, () -> builder.payload(fields.payload));
    return problems.size() > before ? null : builder.build();
  }

  private static String required(
      int index, Fields fields, int field, String value, List<Problem> problems) {
    if (fields.wrongType[field] != null) {
      problems.add(
          new Problem(index, FIELDS[field], "expected a string, got " + fields.wrongType[field]));
      return null;
    }
    if (value == null) {
      problems.add(new Problem(index, FIELDS[field], "is required"));
    }
    return value;
  }

  /** Sets an optional string field, or names its wrong type. */
  private static void set(
      int index,
      Fields fields,
      int field,
      List<Problem> problems,
      String value,
      Consumer<String> setter) {
    if (fields.wrongType[field] != null) {
      problems.add(
          new Problem(
              index, FIELDS[field], "expected a string or null, got " + fields.wrongType[field]));
      return;
    }
    set(index, FIELDS[field], problems, () -> setter.accept(value));
  }

  private static void set(int index, String field, List<Problem> problems, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(index, field, e.getMessage()));
    }
  }

  /** The object the parser is at (its START_OBJECT read) as plain Java values. */
  private Map<String, Object> object(JsonParser parser, boolean[] cut) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      Object value = value(name, parser, parser.nextToken(), cut);
      if (map.containsKey(name)) {
        throw duplicate(parser, name);
      }
      map.put(name, value);
    }
    return map;
  }

  private Object value(String key, JsonParser parser, JsonToken token, boolean[] cut)
      throws IOException {
    switch (token) {
      case START_OBJECT:
        return object(parser, cut);
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
          list.add(value(key, parser, element, cut));
        }
        return list;
      case VALUE_STRING:
        return text(key, parser.getText(), cut);
      case VALUE_NUMBER_INT:
        return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? parser.getBigIntegerValue()
            : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return true;
      case VALUE_FALSE:
        return false;
      default:
        return null;
    }
  }

  private String text(String key, String value, boolean[] cut) {
    String text = value;
    if (text.length() > limits.maxValueChars()) {
      text = text.substring(0, limits.maxValueChars());
      cut[0] = true;
      truncated.increment();
    }
    if (redactor == null) {
      return text;
    }
    String clean = redactor.redactUnder(key, text);
    if (!clean.equals(text)) {
      redacted.increment();
    }
    return clean;
  }

  private static IOException duplicate(JsonParser parser, String name) {
    return new JsonParseException(
        parser, "duplicate key \"" + name + "\"", parser.currentLocation());
  }

  /** The name Jackson's tree gives the JSON type a token starts. */
  private static String typeName(JsonToken token) {
    switch (token) {
      case START_OBJECT:
        return "OBJECT";
      case START_ARRAY:
        return "ARRAY";
      case VALUE_STRING:
        return "STRING";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "BOOLEAN";
      case VALUE_NULL:
        return "NULL";
      default:
        return "NUMBER";
    }
  }
}
