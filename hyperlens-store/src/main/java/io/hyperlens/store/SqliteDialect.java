package io.hyperlens.store;

import java.util.List;

/** SQLite's schema: rowid sequence numbers, 64-bit INTEGER times, TEXT JSON. */
final class SqliteDialect extends Dialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  private SqliteDialect() {}

  @Override
  List<Migration> migrations() {
    return List.of(
        new Migration(
            1,
            "events, spans and audit entries",
            statements(schemaV1("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"))),
        new Migration(2, "events by causal trace", statements(schemaV2())),
        new Migration(3, "span attributes and services for trace search", statements(schemaV3())),
        new Migration(4, "alert state", statements(schemaV4())),
        new Migration(
            5,
            "event types, sessions and agents as dictionary ids; causal trace index by trace",
            statements(schemaV5("INTEGER PRIMARY KEY"))));
  }

  @Override
  String payloadText(String field) {
    return "json_extract(payload, '$.' || '" + field + "')";
  }

  /**
   * FULL syncs the WAL at every commit. NORMAL in WAL mode syncs it only at checkpoints: a commit
   * still reaches the operating system before it returns, so it survives a crash of the process,
   * but a power loss may roll back the last commits (atomically, whole transactions). A later FULL
   * commit syncs the WAL up to itself, and with it every NORMAL commit before it.
   */
  @Override
  String commitMode(Durability durability) {
    return durability == Durability.SYNC ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  }

  @Override
  String lockForWrite() {
    return null; // write transactions begin IMMEDIATE: SQLite takes the write lock
  }

  /**
   * SQLite's recommended upkeep for long-lived connections: analyze the tables whose statistics are
   * missing or stale, sampling at most about 1000 rows per index, so that a combined query walks
   * the most selective index (without statistics it may walk the type index of millions of rows).
   */
  @Override
  List<String> refreshStatistics() {
    return List.of("PRAGMA analysis_limit=1000", "PRAGMA optimize=0x10002");
  }

  @Override
  int rowsPerInsert() {
    return 100;
  }
}
