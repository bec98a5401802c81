package io.hyperlens.store;

import java.util.List;

/** SQLite's schema: rowid sequence numbers, 64-bit INTEGER times, TEXT JSON. */
final class SqliteDialect extends Dialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  private static final String V1 =
      """
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        ts_micros INTEGER NOT NULL,
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
        start_nanos INTEGER NOT NULL,
        end_nanos INTEGER NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (trace_id, span_id)
      );
      CREATE INDEX spans_by_span_id ON spans (span_id);
      CREATE INDEX spans_by_end ON spans (end_nanos);
      CREATE TABLE audit_entries (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        ts_millis INTEGER NOT NULL,
        agent_id TEXT,
        action TEXT,
        decision TEXT,
        line TEXT NOT NULL
      );
      CREATE INDEX audit_by_kind ON audit_entries (kind, position);
      CREATE INDEX audit_by_agent ON audit_entries (agent_id, position);
      CREATE INDEX audit_by_time ON audit_entries (ts_millis);
      """;

  private SqliteDialect() {}

  @Override
  String name() {
    return "SQLite";
  }

  @Override
  List<Migration> migrations() {
    return List.of(new Migration(1, "events, spans and audit entries", statements(V1)));
  }

  @Override
  String lockForWrite() {
    return null; // write transactions begin IMMEDIATE: SQLite takes the write lock
  }

  @Override
  int rowsPerInsert() {
    return 100;
  }
}
