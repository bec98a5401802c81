package io.hyperlens.store;

import java.util.List;

/**
 * PostgreSQL's schema: identity sequence numbers, BIGINT times, TEXT JSON (kept as written, which
 * JSONB would not do). Appends and migrations take a transaction-scoped advisory lock, so the
 * sequence numbers of several processes sharing the database commit in order and cursors never skip
 * an event.
 */
final class PostgresDialect extends Dialect {
  static final PostgresDialect INSTANCE = new PostgresDialect();

  /** The advisory lock key: "hyperlen" in ASCII. */
  private static final long LOCK_KEY = 0x68797065726c656eL;

  private static final String V1 =
      """
      CREATE TABLE events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        ts_micros BIGINT NOT NULL,
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
        start_nanos BIGINT NOT NULL,
        end_nanos BIGINT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (trace_id, span_id)
      );
      CREATE INDEX spans_by_span_id ON spans (span_id);
      CREATE INDEX spans_by_end ON spans (end_nanos);
      CREATE TABLE audit_entries (
        position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        ts_millis BIGINT NOT NULL,
        agent_id TEXT,
        action TEXT,
        decision TEXT,
        line TEXT NOT NULL
      );
      CREATE INDEX audit_by_kind ON audit_entries (kind, position);
      CREATE INDEX audit_by_agent ON audit_entries (agent_id, position);
      CREATE INDEX audit_by_time ON audit_entries (ts_millis);
      """;

  private PostgresDialect() {}

  @Override
  String name() {
    return "PostgreSQL";
  }

  @Override
  List<Migration> migrations() {
    return List.of(new Migration(1, "events, spans and audit entries", statements(V1)));
  }

  @Override
  String lockForWrite() {
    return "SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")";
  }

  @Override
  int rowsPerInsert() {
    return 500;
  }
}
