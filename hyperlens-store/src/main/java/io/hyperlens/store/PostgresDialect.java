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

  private PostgresDialect() {}

  @Override
  List<Migration> migrations() {
    return List.of(
        new Migration(
            1,
            "events, spans and audit entries",
            statements(schemaV1("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT"))),
        new Migration(2, "events by causal trace", statements(schemaV2())),
        new Migration(3, "span attributes and services for trace search", statements(schemaV3())),
        new Migration(4, "alert state", statements(schemaV4())),
        new Migration(
            5,
            "event types, sessions and agents as dictionary ids; causal trace index by trace",
            statements(schemaV5("INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))));
  }

  @Override
  String payloadText(String field) {
    return "(payload::jsonb ->> '" + field + "')";
  }

  /**
   * SYNC is the session's configured {@code synchronous_commit} (on, unless the administrator chose
   * more, such as remote_apply for a standby). ASYNC turns it off: a commit returns before its WAL
   * is flushed, so a crash of the database server or its machine may lose the last commits (at most
   * about three times {@code wal_writer_delay}, whole transactions), never the database's
   * consistency; a crash of the writing process loses nothing committed.
   */
  @Override
  String commitMode(Durability durability) {
    return durability == Durability.SYNC
        ? "RESET synchronous_commit"
        : "SET synchronous_commit = off";
  }

  @Override
  String lockForWrite() {
    // lock_timeout bounds the wait behind another process's append (a hung writer): the append
    // then fails as any database failure does, instead of waiting forever.
    return "SET LOCAL lock_timeout = '10s'; SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")";
  }

  @Override
  List<String> refreshStatistics() {
    return List.of(); // autovacuum analyzes
  }

  @Override
  int rowsPerInsert() {
    return 500;
  }
}
