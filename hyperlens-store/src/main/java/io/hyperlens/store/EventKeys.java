package io.hyperlens.store;

import io.hyperlens.store.Dialect.Dictionary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dictionary ids of event types, sessions and agents (schema version 5), cached for the writer.
 * An id is cached only once the transaction that found or added it has committed, so a rolled-back
 * name is never taken for stored; a cache that outgrows its bound starts over (a miss costs one or
 * two statements, never a wrong id, since dictionary rows are never changed or deleted).
 * Thread-safe.
 */
final class EventKeys {
  /** Names kept per dictionary; beyond it the cache is cleared and refilled. */
  static final int MAX_CACHED = 100_000;

  /** Where an event row ({@code JdbcStore.eventRow}) holds the type, session and agent. */
  private static final int TYPE = 1;

  private static final int SESSION = 3;
  private static final int AGENT = 4;

  private final Dialect dialect;
  private final Map<Dictionary, Map<String, Long>> cached = new EnumMap<>(Dictionary.class);

  /** The ids a transaction found or added, cached by {@link #keep} once it has committed. */
  static final class Learned {
    private final Map<Dictionary, Map<String, Long>> ids = new EnumMap<>(Dictionary.class);

    Learned() {
      for (Dictionary dictionary : Dictionary.values()) {
        ids.put(dictionary, new HashMap<>());
      }
    }
  }

  EventKeys(Dialect dialect) {
    this.dialect = dialect;
    for (Dictionary dictionary : Dictionary.values()) {
      cached.put(dictionary, new ConcurrentHashMap<>());
    }
  }

  /**
   * Copies of {@code rows} with the type, session and agent names replaced by their ids, adding the
   * names the dictionaries lack; runs inside the write transaction.
   */
  List<Object[]> encode(Connection connection, List<Object[]> rows, Learned learned)
      throws SQLException {
    Object[][] encoded = new Object[rows.size()][];
    Statements statements = new Statements(connection);
    try {
      for (int i = 0; i < encoded.length; i++) {
        Object[] row = rows.get(i).clone();
        row[TYPE] = id(statements, Dictionary.TYPES, (String) row[TYPE], learned);
        row[SESSION] = id(statements, Dictionary.SESSIONS, (String) row[SESSION], learned);
        row[AGENT] = id(statements, Dictionary.AGENTS, (String) row[AGENT], learned);
        encoded[i] = row;
      }
    } finally {
      statements.close();
    }
    return List.of(encoded);
  }

  /** Caches what a committed transaction learned. */
  void keep(Learned learned) {
    for (Dictionary dictionary : Dictionary.values()) {
      Map<String, Long> ids = learned.ids.get(dictionary);
      if (ids.isEmpty()) {
        continue;
      }
      Map<String, Long> cache = cached.get(dictionary);
      if (cache.size() + ids.size() > MAX_CACHED) {
        cache.clear();
      }
      if (ids.size() <= MAX_CACHED) {
        cache.putAll(ids);
      }
    }
  }

  private Object id(Statements statements, Dictionary dictionary, String name, Learned learned)
      throws SQLException {
    if (name == null) {
      return JdbcStore.NULL_KEY;
    }
    Long id = cached.get(dictionary).get(name);
    if (id == null) {
      Map<String, Long> ids = learned.ids.get(dictionary);
      id = ids.get(name);
      if (id == null) {
        id = statements.idOf(dictionary, name);
        ids.put(name, id);
      }
    }
    return id;
  }

  /**
   * The statements per dictionary a miss runs, prepared on first use: the insert, and the select
   * when the name was there already.
   */
  private final class Statements {
    private final Connection connection;
    private final Map<Dictionary, PreparedStatement[]> prepared = new EnumMap<>(Dictionary.class);

    Statements(Connection connection) {
      this.connection = connection;
    }

    long idOf(Dictionary dictionary, String name) throws SQLException {
      PreparedStatement[] pair = prepared.get(dictionary);
      if (pair == null) {
        pair = new PreparedStatement[2];
        prepared.put(dictionary, pair);
        pair[0] = connection.prepareStatement(dialect.insertDictionaryName(dictionary));
        pair[1] = connection.prepareStatement(dialect.selectDictionaryId(dictionary));
      }
      pair[0].setString(1, name);
      try (ResultSet rs = pair[0].executeQuery()) {
        if (rs.next()) {
          return rs.getLong(1);
        }
      }
      pair[1].setString(1, name);
      try (ResultSet rs = pair[1].executeQuery()) {
        if (!rs.next()) {
          throw new SQLException(dictionary.table + " has no id for a name just added");
        }
        return rs.getLong(1);
      }
    }

    void close() throws SQLException {
      SQLException failure = null;
      for (PreparedStatement[] pair : prepared.values()) {
        for (PreparedStatement statement : pair) {
          if (statement == null) {
            continue;
          }
          try {
            statement.close();
          } catch (SQLException e) {
            failure = e;
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }
}
