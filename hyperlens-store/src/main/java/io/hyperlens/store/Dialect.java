package io.hyperlens.store;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.HypervisorEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of one database. This base class holds the statements both SQLite and PostgreSQL run as
 * written (standard SQL, plus the {@code ON CONFLICT} clause both speak) and the schema scripts
 * with the words that differ left open; {@link SqliteDialect} and {@link PostgresDialect} fill
 * those in and hold whatever else differs (the cross-process write lock, rows per INSERT). No SQL
 * lives anywhere else.
 */
abstract class Dialect {
  /**
   * An event's columns in the order {@code JdbcStore} reads them, the dictionary-encoded ones
   * resolved to their names: events {@code e}, from {@link #EVENTS_FROM}.
   */
  static final String EVENT_COLUMNS =
      "e.seq, e.event_id, t.name, e.ts_micros, s.name, a.name, e.causal_trace_id,"
          + " e.parent_event_id, e.payload";

  /**
   * Events {@code e} with their type, session and agent names. Left joins keep the events table the
   * outer loop, so an index on it still serves {@code ORDER BY e.seq}.
   */
  static final String EVENTS_FROM =
      " FROM events e LEFT JOIN event_types t ON t.id = e.type_key"
          + " LEFT JOIN event_sessions s ON s.id = e.session_key"
          + " LEFT JOIN event_agents a ON a.id = e.agent_key";

  static final String INSERTED_EVENT_COLUMNS =
      "event_id, type_key, ts_micros, session_key, agent_key, causal_trace_id, parent_event_id,"
          + " payload";

  /**
   * The causal trace part of a causal trace id and the slash after it ({@code {trace_id}/}), the
   * key of the causal trace index; an id of another shape gives its first 13 characters, which no
   * lookup by a 12-hex trace matches unless the id starts with that trace and a slash.
   */
  static final String CAUSAL_TRACE_KEY = "substr(e.causal_trace_id, 1, 13)";

  static final String SPAN_COLUMNS =
      "trace_id, span_id, parent_span_id, name, start_nanos, end_nanos, status, data";
  private static final int EVENT_INSERT_PARAMS = 8;
  private static final int SPAN_INSERT_PARAMS = 9;
  private static final int SPAN_ATTRIBUTE_PARAMS = 4;

  /** One schema version: the statements that take the schema from the version before to it. */
  record Migration(int version, String description, List<String> statements) {}

  /** A WHERE clause and the values it binds, in order. */
  record Filter(String where, List<Object> params) {}

  /** Every schema version in order, from 1. */
  abstract List<Migration> migrations();

  /**
   * A statement that serializes schema changes and appends across processes sharing the database
   * for the rest of the transaction, or null where the database does so itself.
   */
  abstract String lockForWrite();

  /**
   * The statement, run on the writer between transactions, that has its following commits synced as
   * {@code durability} says: {@link Durability#SYNC} as the store promises every write, {@link
   * Durability#ASYNC} cheaper, for a sink's writes behind (whose emitters were promised nothing
   * past the queue), at the cost of the last commits on a crash of the machine (SQLite) or the
   * database server (PostgreSQL).
   */
  abstract String commitMode(Durability durability);

  /** How many rows one multi-row INSERT carries. */
  abstract int rowsPerInsert();

  /**
   * Statements that refresh the query planner's statistics cheaply, run when a store opens and
   * closes; empty where the database keeps them itself.
   */
  abstract List<String> refreshStatistics();

  /**
   * Schema version 1, the same on every database but for two words: {@code id}, the type of an
   * ever-increasing row number, and {@code int64}, a 64-bit integer. Later versions are new
   * scripts; this one never changes.
   */
  static String schemaV1(String id, String int64) {
    return """
      CREATE TABLE events (
        seq {id},
        event_id TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        ts_micros {int64} NOT NULL,
        session_id TEXT,
        agent_did TEXT,
        causal_trace_id TEXT,
        parent_event_id TEXT,
        payload TEXT NOT NULL
      );
      CREATE INDEX events_by_type ON events (event_type, seq);
      CREATE INDEX events_by_session ON events (session_id, seq);
      CREATE INDEX events_by_agent ON events (agent_did, seq);
      CREATE INDEX events_by_time ON events (ts_micros);
      CREATE TABLE spans (
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        parent_span_id TEXT,
        name TEXT NOT NULL,
        start_nanos {int64} NOT NULL,
        end_nanos {int64} NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (trace_id, span_id)
      );
      CREATE INDEX spans_by_span_id ON spans (span_id);
      CREATE INDEX spans_by_end ON spans (end_nanos);
      CREATE TABLE audit_entries (
        position {id},
        kind TEXT NOT NULL,
        sequence {int64} NOT NULL,
        ts_millis {int64} NOT NULL,
        agent_id TEXT,
        action TEXT,
        decision TEXT,
        line TEXT NOT NULL
      );
      CREATE INDEX audit_by_kind ON audit_entries (kind, position);
      CREATE INDEX audit_by_agent ON audit_entries (agent_id, position);
      CREATE INDEX audit_by_time ON audit_entries (ts_millis);
      """
        .replace("{id}", id)
        .replace("{int64}", int64);
  }

  /**
   * Schema version 2, the same on every database: events found by their causal trace (the hub's
   * trace view joins a trace's spans with the events of its causal trace id).
   */
  static String schemaV2() {
    return """
      CREATE INDEX events_by_causal_trace ON events (causal_trace_id, seq);
      """;
  }

  /**
   * Schema version 3, the same on every database: span attributes as key/value rows and the span's
   * service as a column, so trace search by attribute, agent, session or service walks an index
   * instead of JSON.
   */
  static String schemaV3() {
    return """
      ALTER TABLE spans ADD COLUMN service TEXT;
      CREATE INDEX spans_by_service ON spans (service, trace_id);
      CREATE TABLE span_attributes (
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        attr_key TEXT NOT NULL,
        attr_value TEXT NOT NULL,
        PRIMARY KEY (trace_id, span_id, attr_key)
      );
      CREATE INDEX span_attributes_by_value ON span_attributes (attr_key, attr_value, trace_id);
      """;
  }

  /**
   * Schema version 4, the same on every database: the hub's alerts (pending, firing, resolved), one
   * row per alert under its dedup key, so a restarted hub carries on where it stopped.
   */
  static String schemaV4() {
    return """
      CREATE TABLE alert_state (
        dedup_key TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_ms BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alert_state_by_state ON alert_state (state, updated_ms);
      """;
  }

  /**
   * Schema version 5, the same on every database but for {@code key}, the type of a dictionary's
   * ever-increasing id: event types, sessions and agents are kept once each in small dictionary
   * tables ({@code event_types}, {@code event_sessions}, {@code event_agents}) and each event holds
   * their integer ids, so its row and its type, session and agent index entries shrink to a few
   * bytes; the causal trace index holds only the trace part (the hub looks events up by trace, and
   * a trace's events arrive together, so its entries append). Existing events are carried over in
   * place, keeping their sequence numbers.
   */
  static String schemaV5(String key) {
    return """
      CREATE TABLE event_types (id {key}, name TEXT NOT NULL UNIQUE);
      CREATE TABLE event_sessions (id {key}, name TEXT NOT NULL UNIQUE);
      CREATE TABLE event_agents (id {key}, name TEXT NOT NULL UNIQUE);
      INSERT INTO event_types (name)
        SELECT DISTINCT event_type FROM events ORDER BY event_type;
      INSERT INTO event_sessions (name)
        SELECT DISTINCT session_id FROM events WHERE session_id IS NOT NULL ORDER BY session_id;
      INSERT INTO event_agents (name)
        SELECT DISTINCT agent_did FROM events WHERE agent_did IS NOT NULL ORDER BY agent_did;
      DROP INDEX events_by_type;
      DROP INDEX events_by_session;
      DROP INDEX events_by_agent;
      DROP INDEX events_by_causal_trace;
      ALTER TABLE events ADD COLUMN type_key INTEGER;
      ALTER TABLE events ADD COLUMN session_key INTEGER;
      ALTER TABLE events ADD COLUMN agent_key INTEGER;
      UPDATE events SET
        type_key = (SELECT id FROM event_types WHERE name = events.event_type),
        session_key = (SELECT id FROM event_sessions WHERE name = events.session_id),
        agent_key = (SELECT id FROM event_agents WHERE name = events.agent_did);
      ALTER TABLE events DROP COLUMN event_type;
      ALTER TABLE events DROP COLUMN session_id;
      ALTER TABLE events DROP COLUMN agent_did;
      CREATE INDEX events_by_type ON events (type_key, seq);
      CREATE INDEX events_by_session ON events (session_key, seq);
      CREATE INDEX events_by_agent ON events (agent_key, seq);
      CREATE INDEX events_by_causal_trace ON events ((substr(causal_trace_id, 1, 13)), seq);
      """
        .replace("{key}", key);
  }

  /** The table of the dictionary {@code kind}: event types, sessions or agents. */
  enum Dictionary {
    TYPES("event_types"),
    SESSIONS("event_sessions"),
    AGENTS("event_agents");

    final String table;

    Dictionary(String table) {
      this.table = table;
    }
  }

  /**
   * Adds a name to a dictionary unless it is there, returning its new id (no row when it was
   * there): a new name costs one statement.
   */
  String insertDictionaryName(Dictionary dictionary) {
    return "INSERT INTO "
        + dictionary.table
        + " (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id";
  }

  /** The id of a name in a dictionary. */
  String selectDictionaryId(Dictionary dictionary) {
    return "SELECT id FROM " + dictionary.table + " WHERE name = ?";
  }

  /** Splits a schema script into statements at the semicolons that end lines. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    for (String statement : script.split(";\\s*\\n")) {
      if (!statement.isBlank()) {
        out.add(statement.strip());
      }
    }
    return List.copyOf(out);
  }

  String createSchemaTable() {
    return "CREATE TABLE IF NOT EXISTS hyperlens_schema (version INTEGER PRIMARY KEY,"
        + " description TEXT NOT NULL, applied_at TEXT NOT NULL)";
  }

  String schemaVersion() {
    return "SELECT COALESCE(MAX(version), 0) FROM hyperlens_schema";
  }

  String recordSchemaVersion() {
    return "INSERT INTO hyperlens_schema (version, description, applied_at) VALUES (?, ?, ?)";
  }

  // ---- events

  String insertEvents(int rows) {
    return multiRowInsert(
        "INSERT INTO events (" + INSERTED_EVENT_COLUMNS + ") VALUES ",
        EVENT_INSERT_PARAMS,
        rows,
        " ON CONFLICT (event_id) DO NOTHING");
  }

  /** The newest {@code limit} matches (or all, when limit is 0), newest first. */
  String selectEventsNewestFirst(Filter filter, boolean limited) {
    return "SELECT "
        + EVENT_COLUMNS
        + EVENTS_FROM
        + filter.where()
        + " ORDER BY e.seq DESC"
        + (limited ? " LIMIT ?" : "");
  }

  /** Matches after a sequence number, oldest first, at most the bound parameter. */
  String selectEventsPage(Filter filter) {
    return "SELECT " + EVENT_COLUMNS + EVENTS_FROM + filter.where() + " ORDER BY e.seq LIMIT ?";
  }

  /** Matches before a sequence number, newest first, at most the bound parameter. */
  String selectEventsPageNewestFirst(Filter filter) {
    return "SELECT "
        + EVENT_COLUMNS
        + EVENTS_FROM
        + filter.where()
        + " ORDER BY e.seq DESC LIMIT ?";
  }

  /**
   * The text of the top-level payload field {@code field} (a fixed, trusted name) in SQL; the
   * payload is JSON text.
   */
  abstract String payloadText(String field);

  /** Events of one type whose payload field equals the bound value, newest first, bounded. */
  String selectEventsByPayload(String field) {
    return "SELECT "
        + EVENT_COLUMNS
        + EVENTS_FROM
        + " WHERE e.type_key = "
        + keyOf(Dictionary.TYPES)
        + " AND "
        + payloadText(field)
        + " = ? ORDER BY e.seq DESC LIMIT ?";
  }

  /** The distinct agents, the most recently active first, bounded. */
  String selectRecentAgents() {
    return "SELECT a.name, r.last_seq FROM (SELECT agent_key, MAX(seq) AS last_seq FROM events"
        + " WHERE agent_key IS NOT NULL GROUP BY agent_key HAVING MAX(seq) < ?) r"
        + " JOIN event_agents a ON a.id = r.agent_key ORDER BY r.last_seq DESC LIMIT ?";
  }

  String selectEventById() {
    return "SELECT " + EVENT_COLUMNS + EVENTS_FROM + " WHERE e.event_id = ?";
  }

  /**
   * The events of one causal trace ({@code {trace_id}/...}), oldest first, at most the bound
   * parameter: the bound {@code {trace_id}/} is looked up in the causal trace index.
   */
  String selectEventsOfCausalTrace() {
    return "SELECT "
        + EVENT_COLUMNS
        + EVENTS_FROM
        + " WHERE "
        + CAUSAL_TRACE_KEY
        + " = ? ORDER BY e.seq LIMIT ?";
  }

  String countEvents(Filter filter) {
    return "SELECT COUNT(*) FROM events e" + filter.where();
  }

  String typeCounts() {
    return "SELECT t.name, c.n FROM (SELECT type_key, COUNT(*) AS n FROM events GROUP BY type_key)"
        + " c JOIN event_types t ON t.id = c.type_key";
  }

  String deleteEventsBefore() {
    return "DELETE FROM events WHERE ts_micros < ?";
  }

  String deleteEventsBeyondNewest() {
    return "DELETE FROM events WHERE seq <= (SELECT seq FROM events ORDER BY seq DESC LIMIT 1"
        + " OFFSET ?)";
  }

  /**
   * The filter of {@code query}; {@code afterSeq} (or null) adds the cursor bound, {@code
   * nowMicros} closes a time range without an end.
   */
  Filter eventFilter(EventQuery query, Long afterSeq, long nowMicros) {
    return eventFilter(query, null, afterSeq, null, nowMicros);
  }

  /**
   * As {@link #eventFilter(EventQuery, Long, long)}, with the events of one causal trace ({@code
   * causalTrace}, the 12-hex trace part, or null) and a newest-first cursor bound ({@code
   * beforeSeq}, or null).
   */
  Filter eventFilter(
      EventQuery query, String causalTrace, Long afterSeq, Long beforeSeq, long nowMicros) {
    StringBuilder where = new StringBuilder();
    List<Object> params = new ArrayList<>();
    query
        .eventType()
        .ifPresent(
            type -> and(where, params, "e.type_key = " + keyOf(Dictionary.TYPES), type.value()));
    query
        .sessionId()
        .ifPresent(
            session ->
                and(where, params, "e.session_key = " + keyOf(Dictionary.SESSIONS), session));
    query
        .agentDid()
        .ifPresent(agent -> and(where, params, "e.agent_key = " + keyOf(Dictionary.AGENTS), agent));
    query
        .start()
        .ifPresent(
            start -> {
              and(where, params, "e.ts_micros >= ?", HypervisorEvent.toEpochMicrosRoundedUp(start));
              and(
                  where,
                  params,
                  "e.ts_micros <= ?",
                  query.end().map(HypervisorEvent::toEpochMicros).orElse(nowMicros));
            });
    if (causalTrace != null) {
      and(where, params, CAUSAL_TRACE_KEY + " = ?", causalTrace + "/");
    }
    if (afterSeq != null) {
      and(where, params, "e.seq > ?", afterSeq);
    }
    if (beforeSeq != null) {
      and(where, params, "e.seq < ?", beforeSeq);
    }
    return new Filter(where.toString(), List.copyOf(params));
  }

  /** The id of the bound name in a dictionary, or NULL (which matches nothing) when it is not. */
  private static String keyOf(Dictionary dictionary) {
    return "(SELECT id FROM " + dictionary.table + " WHERE name = ?)";
  }

  private static void and(
      StringBuilder where, List<Object> params, String condition, Object value) {
    where.append(where.length() == 0 ? " WHERE " : " AND ").append(condition);
    params.add(value);
  }

  // ---- spans

  String insertSpans(int rows) {
    return multiRowInsert(
        "INSERT INTO spans (" + SPAN_COLUMNS + ", service) VALUES ",
        SPAN_INSERT_PARAMS,
        rows,
        " ON CONFLICT (trace_id, span_id) DO NOTHING");
  }

  String insertSpanAttributes(int rows) {
    return multiRowInsert(
        "INSERT INTO span_attributes (trace_id, span_id, attr_key, attr_value) VALUES ",
        SPAN_ATTRIBUTE_PARAMS,
        rows,
        " ON CONFLICT (trace_id, span_id, attr_key) DO NOTHING");
  }

  /**
   * Trace summaries matching {@code where} (conditions on the span rows {@code s}) and {@code
   * having} (on the per-trace aggregates), newest ending first, at most the last bound parameter:
   * trace id, span count, first start, last end, error spans.
   */
  String searchTraces(String where, String having) {
    return "SELECT s.trace_id, COUNT(*), MIN(s.start_nanos), MAX(s.end_nanos),"
        + " SUM(CASE WHEN s.status = 'ERROR' THEN 1 ELSE 0 END) FROM spans s"
        + where
        + " GROUP BY s.trace_id"
        + having
        + " ORDER BY MAX(s.end_nanos) DESC, s.trace_id LIMIT ?";
  }

  String selectTrace() {
    return "SELECT "
        + SPAN_COLUMNS
        + " FROM spans WHERE trace_id = ? ORDER BY start_nanos, span_id";
  }

  String selectSpan() {
    return "SELECT " + SPAN_COLUMNS + " FROM spans WHERE span_id = ? ORDER BY start_nanos LIMIT 1";
  }

  /** Trace ids of the latest-ending spans, newest first, one page ({@code LIMIT ? OFFSET ?}). */
  String selectRecentTraceIds() {
    return "SELECT trace_id FROM spans ORDER BY end_nanos DESC, trace_id, span_id LIMIT ? OFFSET ?";
  }

  String deleteSpansBefore() {
    return "DELETE FROM spans WHERE end_nanos < ?";
  }

  // ---- audit entries

  String insertAuditEntry() {
    return "INSERT INTO audit_entries (kind, sequence, ts_millis, agent_id, action, decision, line)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
  }

  String selectLastAuditLine() {
    return "SELECT position, line FROM audit_entries WHERE kind = ? ORDER BY position DESC LIMIT 1";
  }

  /** Records before a position, newest first, at most the bound limit: a tail read backwards. */
  String selectAuditRecordsBefore() {
    return "SELECT position, line FROM audit_entries WHERE kind = 'record' AND position < ?"
        + " ORDER BY position DESC LIMIT ?";
  }

  String selectAuditPage() {
    return "SELECT position, line FROM audit_entries WHERE position > ? ORDER BY position LIMIT ?";
  }

  /**
   * Records matching the criteria present (each bound once, in the order decision, agent, action,
   * from, to), newest first, then {@code LIMIT ?} when limited.
   */
  String selectAuditRecords(
      boolean decision, boolean agent, boolean action, boolean from, boolean to, boolean limited) {
    return "SELECT position, line FROM audit_entries WHERE kind = 'record'"
        + (decision ? " AND decision = ?" : "")
        + (agent ? " AND agent_id = ?" : "")
        + (action ? " AND action = ?" : "")
        + (from ? " AND ts_millis >= ?" : "")
        + (to ? " AND ts_millis <= ?" : "")
        + " ORDER BY position DESC"
        + (limited ? " LIMIT ?" : "");
  }

  private static String multiRowInsert(String head, int params, int rows, String tail) {
    StringBuilder row = new StringBuilder("(");
    for (int i = 0; i < params; i++) {
      row.append(i == 0 ? "?" : ", ?");
    }
    row.append(')');
    StringBuilder sql =
        new StringBuilder(head.length() + rows * (row.length() + 2) + tail.length());
    sql.append(head);
    for (int i = 0; i < rows; i++) {
      if (i > 0) {
        sql.append(", ");
      }
      sql.append(row);
    }
    return sql.append(tail).toString();
  }
}
