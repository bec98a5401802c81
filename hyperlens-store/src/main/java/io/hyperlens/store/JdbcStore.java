package io.hyperlens.store;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditQuery;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.AuditStore;
import io.hyperlens.audit.Checkpoint;
import io.hyperlens.audit.StoredEntry;
import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.spi.EventPage;
import io.hyperlens.spi.EventStore;
import io.hyperlens.spi.SpanStore;
import io.hyperlens.spi.StoreException;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.TraceSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A database store of events, spans and audit entries: one schema, the same query semantics on
 * every database. {@link SqliteStore} (embedded, one file) and {@link PostgresStore} (shared) are
 * the two kinds; everything they do is here, and their SQL is in their dialects.
 *
 * <p><b>Writes</b> run one transaction at a time on a dedicated connection; a batch is stored whole
 * or not at all. Input is checked before anything is written: a text holding a NUL character or
 * half of a surrogate pair (which a database would refuse or silently change), or a payload over
 * {@link #MAX_PAYLOAD_CHARS} characters of JSON, fails the whole batch with an {@link
 * IllegalArgumentException} naming the event and the field. A database failure is a {@link
 * StoreException}; a broken connection is reopened on the next call.
 *
 * <p><b>Schema.</b> Opening a store migrates its schema to this version's, one numbered script at a
 * time, each in a transaction with its record in {@code hyperlens_schema}; a store written by a
 * newer version is refused with a {@link StoreException} naming both versions.
 *
 * <p><b>Audit.</b> As an {@link AuditStore}, a database keeps each audit entry as the exact line
 * {@link AuditJson} writes, so verification reads what was hashed and signed, plus indexed columns
 * for queries. Each append commits before it returns.
 *
 * <p>Thread-safe.
 */
public abstract class JdbcStore implements EventStore, SpanStore, AuditStore {
  /** The longest attribute value kept in the search index, in characters; longer are cut. */
  public static final int MAX_INDEXED_VALUE = 256;

  /** The longest event payload, in characters of JSON. */
  public static final int MAX_PAYLOAD_CHARS = 1 << 20;

  /** A missing dictionary id, bound as a NULL integer (PostgreSQL refuses a NULL text there). */
  static final Object NULL_KEY = new Object();

  private static final String CURSOR_PREFIX = "seq:";
  private static final int AUDIT_PAGE = 1000;
  private static final int TRACE_ID_PAGE = 512;

  private final Dialect dialect;
  private final Connections connections;
  private final String description;
  private final Clock clock;
  private final EventKeys eventKeys;

  JdbcStore(Dialect dialect, Connections connections, String description, Clock clock) {
    this.dialect = dialect;
    this.connections = connections;
    this.description = description;
    this.clock = clock;
    this.eventKeys = new EventKeys(dialect);
    try {
      migrate();
      refreshStatistics();
    } catch (RuntimeException e) {
      connections.close();
      throw e;
    }
  }

  private void refreshStatistics() {
    if (dialect.refreshStatistics().isEmpty()) {
      return;
    }
    connections.write(
        "refresh the planner's statistics",
        connection -> {
          try (Statement statement = connection.createStatement()) {
            for (String sql : dialect.refreshStatistics()) {
              statement.execute(sql);
            }
          }
          return null;
        });
  }

  /** The schema version this build writes and reads. */
  public final int schemaVersion() {
    List<Dialect.Migration> migrations = dialect.migrations();
    return migrations.get(migrations.size() - 1).version();
  }

  private void migrate() {
    int latest = schemaVersion();
    connections.write(
        "migrate the schema",
        connection -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute(dialect.createSchemaTable());
            int current;
            try (ResultSet rs = statement.executeQuery(dialect.schemaVersion())) {
              rs.next();
              current = rs.getInt(1);
            }
            if (current > latest) {
              throw new StoreException(
                  description
                      + " was written by a newer Hyperlens (schema version "
                      + current
                      + "); this version reads up to schema version "
                      + latest
                      + ". Upgrade Hyperlens to open it.");
            }
            for (Dialect.Migration migration : dialect.migrations()) {
              if (migration.version() <= current) {
                continue;
              }
              for (String sql : migration.statements()) {
                statement.execute(sql);
              }
              try (PreparedStatement record =
                  connection.prepareStatement(dialect.recordSchemaVersion())) {
                record.setInt(1, migration.version());
                record.setString(2, migration.description());
                record.setString(3, clock.instant().toString());
                record.executeUpdate();
              }
            }
          }
          return null;
        });
  }

  // ------------------------------------------------------------------ events

  @Override
  public int append(List<HypervisorEvent> events) {
    return append(events, Durability.SYNC);
  }

  /**
   * As {@link #append(List)}, committed as {@code durability} says: {@link Durability#ASYNC} for a
   * sink writing behind, whose commits may be lost to a crash of the machine (SQLite) or of the
   * database server (PostgreSQL), but not to a crash of this process; see {@link
   * Dialect#commitMode}.
   */
  int append(List<HypervisorEvent> events, Durability durability) {
    if (events == null) {
      throw new IllegalArgumentException("events must not be null");
    }
    List<Object[]> rows = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      rows.add(eventRow(i, events.get(i)));
    }
    if (rows.isEmpty()) {
      return 0;
    }
    EventKeys.Learned learned = new EventKeys.Learned();
    int inserted =
        connections.write(
            "append " + rows.size() + " events",
            durability,
            connection -> insertEvents(connection, rows, learned));
    eventKeys.keep(learned);
    return inserted;
  }

  private int insertEvents(Connection connection, List<Object[]> rows, EventKeys.Learned learned)
      throws SQLException {
    return insert(connection, eventKeys.encode(connection, rows, learned), dialect::insertEvents);
  }

  /**
   * Appends several batches in one transaction (a group commit: one fsync for all of them) and
   * returns how many events of each were new. Batches are applied in order, so an event repeated in
   * a later batch counts as a duplicate there. All are stored or none; input is checked first, as
   * {@link #append} checks it, and one bad event fails the whole call.
   *
   * @throws IllegalArgumentException naming the batch and event when one is invalid
   */
  public int[] appendBatches(List<List<HypervisorEvent>> batches) {
    if (batches == null) {
      throw new IllegalArgumentException("batches must not be null");
    }
    List<List<Object[]>> rows = new ArrayList<>(batches.size());
    int total = 0;
    for (int b = 0; b < batches.size(); b++) {
      List<HypervisorEvent> batch = batches.get(b);
      if (batch == null) {
        throw new IllegalArgumentException("batches[" + b + "] must not be null");
      }
      List<Object[]> batchRows = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        try {
          batchRows.add(eventRow(i, batch.get(i)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("batch " + b + ": " + e.getMessage(), e);
        }
      }
      total += batchRows.size();
      rows.add(batchRows);
    }
    int[] inserted = new int[batches.size()];
    if (total == 0) {
      return inserted;
    }
    EventKeys.Learned learned = new EventKeys.Learned();
    connections.write(
        "append " + batches.size() + " batches of " + total + " events",
        connection -> {
          for (int b = 0; b < rows.size(); b++) {
            if (!rows.get(b).isEmpty()) {
              inserted[b] = insertEvents(connection, rows.get(b), learned);
            }
          }
          return null;
        });
    eventKeys.keep(learned);
    return inserted;
  }

  private static Object[] eventRow(int index, HypervisorEvent event) {
    if (event == null) {
      throw new IllegalArgumentException("events[" + index + "] must not be null");
    }
    String id = event.eventId();
    String payload = StoredJson.write(event.payload());
    if (payload.length() > MAX_PAYLOAD_CHARS) {
      throw new IllegalArgumentException(
          "event "
              + id
              + ": payload is "
              + payload.length()
              + " characters of JSON, more than the "
              + MAX_PAYLOAD_CHARS
              + " a store keeps");
    }
    long micros = HypervisorEvent.toEpochMicros(event.timestamp());
    if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
      throw new IllegalArgumentException(
          "event " + id + ": timestamp " + event.timestamp() + " is beyond what a store keeps");
    }
    return new Object[] {
      storable(id, "eventId", id),
      event.eventType().value(),
      micros,
      storable(id, "sessionId", event.sessionId().orElse(null)),
      storable(id, "agentDid", event.agentDid().orElse(null)),
      storable(id, "causalTraceId", event.causalTraceId().orElse(null)),
      storable(id, "parentEventId", event.parentEventId().orElse(null)),
      storable(id, "payload", payload)
    };
  }

  @Override
  public List<HypervisorEvent> query(EventQuery query) {
    Dialect.Filter filter = dialect.eventFilter(requireQuery(query), null, nowMicros());
    boolean limited = query.limit() > 0;
    List<HypervisorEvent> newestFirst =
        connections.read(
            "query events " + query,
            connection -> {
              try (PreparedStatement statement =
                  connection.prepareStatement(dialect.selectEventsNewestFirst(filter, limited))) {
                int next = bind(statement, filter.params(), 1);
                if (limited) {
                  statement.setInt(next, query.limit());
                }
                return readEvents(statement, 0, null);
              }
            });
    Collections.reverse(newestFirst);
    return Collections.unmodifiableList(newestFirst);
  }

  @Override
  public EventPage page(EventQuery query, String cursor, int pageSize) {
    requireQuery(query);
    if (query.limit() > 0) {
      throw new IllegalArgumentException(
          "query must have no limit when paging (the page size bounds each page), got limit "
              + query.limit());
    }
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
    }
    Long after = cursor == null ? null : parseCursor(cursor);
    Dialect.Filter filter = dialect.eventFilter(query, after, nowMicros());
    long[] lastSeq = new long[1];
    List<HypervisorEvent> events =
        connections.read(
            "page events " + query,
            connection -> {
              try (PreparedStatement statement =
                  connection.prepareStatement(dialect.selectEventsPage(filter))) {
                int next = bind(statement, filter.params(), 1);
                statement.setInt(next, pageSize + 1);
                return readEvents(statement, pageSize, lastSeq);
              }
            });
    if (events.size() <= pageSize) {
      return new EventPage(events, Optional.empty());
    }
    return new EventPage(events.subList(0, pageSize), Optional.of(CURSOR_PREFIX + lastSeq[0]));
  }

  /**
   * One page of the matches of {@code query} (which must have no limit), <b>newest first</b>, as a
   * query API lists them: {@code causalTrace} (the 12-hex trace part of a causal trace id, or null)
   * keeps the events of one causal trace; {@code cursor} is null for the first page, then the
   * previous page's {@link EventPage#nextCursor()}. Events appended while walking appear only on a
   * new walk; each match is returned once.
   *
   * @throws IllegalArgumentException if the query has a limit, the page size is below 1, the causal
   *     trace is not 12 lowercase hex characters or the cursor is not one this store made
   */
  public EventPage pageNewestFirst(
      EventQuery query, String causalTrace, String cursor, int pageSize) {
    requireQuery(query);
    if (query.limit() > 0) {
      throw new IllegalArgumentException(
          "query must have no limit when paging (the page size bounds each page), got limit "
              + query.limit());
    }
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
    }
    if (causalTrace != null && !causalTrace.matches("[0-9a-f]{12}")) {
      throw new IllegalArgumentException(
          "causalTrace must be the 12 lowercase hex characters of a causal trace id, got \""
              + causalTrace
              + "\"");
    }
    Long before = cursor == null ? null : parseCursor(cursor);
    Dialect.Filter filter = dialect.eventFilter(query, causalTrace, null, before, nowMicros());
    long[] lastSeq = new long[1];
    List<HypervisorEvent> events =
        connections.read(
            "page events newest first " + query,
            connection -> {
              try (PreparedStatement statement =
                  connection.prepareStatement(dialect.selectEventsPageNewestFirst(filter))) {
                int next = bind(statement, filter.params(), 1);
                statement.setInt(next, pageSize + 1);
                return readEvents(statement, pageSize, lastSeq);
              }
            });
    if (events.size() <= pageSize) {
      return new EventPage(events, Optional.empty());
    }
    return new EventPage(events.subList(0, pageSize), Optional.of(CURSOR_PREFIX + lastSeq[0]));
  }

  /** The event with id {@code eventId}, if stored. */
  public Optional<HypervisorEvent> event(String eventId) {
    if (eventId == null) {
      throw new IllegalArgumentException("eventId must not be null");
    }
    List<HypervisorEvent> found =
        connections.read(
            "read event " + eventId,
            connection -> {
              try (PreparedStatement statement =
                  connection.prepareStatement(dialect.selectEventById())) {
                statement.setString(1, eventId);
                return readEvents(statement, 0, null);
              }
            });
    return found.stream().findFirst();
  }

  /**
   * Events of {@code type} whose top-level payload field {@code field} equals {@code value}, newest
   * first, at most {@code limit}: a saga's events by {@code saga_id}, say. The field name must be a
   * plain identifier; the search scans the events of that type.
   *
   * @throws IllegalArgumentException when the field is not an identifier or the limit below 1
   */
  public List<HypervisorEvent> eventsByPayload(
      EventType type, String field, String value, int limit) {
    if (type == null || value == null) {
      throw new IllegalArgumentException("type and value must not be null");
    }
    if (field == null || !field.matches("[a-z_][a-z0-9_]{0,63}")) {
      throw new IllegalArgumentException(
          "field must be a lowercase identifier, got " + (field == null ? "null" : field));
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return connections.read(
        "read " + type.value() + " events with " + field + " " + value,
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(dialect.selectEventsByPayload(field))) {
            statement.setString(1, type.value());
            statement.setString(2, value);
            statement.setInt(3, limit);
            return readEvents(statement, 0, null);
          }
        });
  }

  /** The agent DIDs seen, the most recently active first, at most {@code limit}. */
  public List<String> recentAgents(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return recentAgents(limit, Long.MAX_VALUE, new long[1]);
  }

  /**
   * One page of the agent DIDs seen, the most recently active first: {@code cursor} is null for the
   * first page, then the previous page's next cursor. An agent active again while walking moves to
   * the front, and appears only on a new walk.
   *
   * @throws IllegalArgumentException if the page size is below 1 or the cursor is not one this
   *     store made
   */
  public AgentPage pageRecentAgents(String cursor, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
    }
    long before = cursor == null ? Long.MAX_VALUE : parseCursor(cursor);
    long[] lastSeq = new long[1];
    List<String> agents = recentAgents(pageSize + 1, before, lastSeq);
    if (agents.size() <= pageSize) {
      return new AgentPage(agents, Optional.empty());
    }
    return new AgentPage(agents.subList(0, pageSize), Optional.of(CURSOR_PREFIX + lastSeq[0]));
  }

  /**
   * A page of agents.
   *
   * @param agents their DIDs, the most recently active first
   * @param nextCursor where the next page starts, empty on the last
   */
  public record AgentPage(List<String> agents, Optional<String> nextCursor) {
    /** Copies the list. */
    public AgentPage {
      agents = List.copyOf(agents);
    }
  }

  /** Up to {@code limit} agents last active before {@code beforeSeq}; the page's last seq. */
  private List<String> recentAgents(int limit, long beforeSeq, long[] lastSeqOfPage) {
    return connections.read(
        "read the recent agents",
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(dialect.selectRecentAgents())) {
            statement.setLong(1, beforeSeq);
            statement.setInt(2, limit);
            List<String> agents = new ArrayList<>();
            long[] seqs = new long[limit];
            try (ResultSet rs = statement.executeQuery()) {
              while (rs.next()) {
                seqs[agents.size()] = rs.getLong(2);
                agents.add(rs.getString(1));
              }
            }
            // the cursor is the last agent the caller keeps: the one before the extra row
            if (agents.size() >= 2) {
              lastSeqOfPage[0] = seqs[agents.size() - 2];
            }
            return agents;
          }
        });
  }

  /**
   * The events of one causal trace ({@code causalTrace}, the 12-hex trace part of their causal
   * trace ids), oldest first, at most {@code limit}.
   *
   * @throws IllegalArgumentException when the trace is not 12 lowercase hex characters or the limit
   *     is below 1
   */
  public List<HypervisorEvent> eventsOfCausalTrace(String causalTrace, int limit) {
    if (causalTrace == null || !causalTrace.matches("[0-9a-f]{12}")) {
      throw new IllegalArgumentException(
          "causalTrace must be the 12 lowercase hex characters of a causal trace id, got "
              + (causalTrace == null ? "null" : "\"" + causalTrace + "\""));
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return connections.read(
        "read the events of causal trace " + causalTrace,
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(dialect.selectEventsOfCausalTrace())) {
            statement.setString(1, causalTrace + "/");
            statement.setInt(2, limit);
            return readEvents(statement, 0, null);
          }
        });
  }

  private static Long parseCursor(String cursor) {
    if (cursor.startsWith(CURSOR_PREFIX)) {
      try {
        long seq = Long.parseLong(cursor.substring(CURSOR_PREFIX.length()));
        if (seq >= 0) {
          return seq;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(
        "cursor must be a next cursor this store returned, got \"" + cursor + "\"");
  }

  @Override
  public long count(EventQuery query) {
    Dialect.Filter filter = dialect.eventFilter(requireQuery(query), null, nowMicros());
    long count =
        connections.read(
            "count events " + query,
            connection -> {
              try (PreparedStatement statement =
                  connection.prepareStatement(dialect.countEvents(filter))) {
                bind(statement, filter.params(), 1);
                try (ResultSet rs = statement.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              }
            });
    return query.limit() > 0 ? Math.min(count, query.limit()) : count;
  }

  @Override
  public Map<String, Long> typeCounts() {
    Map<EventType, Long> byType =
        connections.read(
            "count events by type",
            connection -> {
              Map<EventType, Long> counts = new EnumMap<>(EventType.class);
              try (Statement statement = connection.createStatement();
                  ResultSet rs = statement.executeQuery(dialect.typeCounts())) {
                while (rs.next()) {
                  try {
                    counts.put(EventType.fromValue(rs.getString(1)), rs.getLong(2));
                  } catch (IllegalArgumentException e) {
                    throw new SQLException("a stored event type is unknown to this version: " + e);
                  }
                }
              }
              return counts;
            });
    Map<String, Long> counts = new LinkedHashMap<>();
    byType.forEach((type, count) -> counts.put(type.value(), count));
    return Collections.unmodifiableMap(counts);
  }

  @Override
  public long deleteOlderThan(Instant cutoff) {
    if (cutoff == null) {
      throw new IllegalArgumentException("cutoff must not be null");
    }
    return update(
        "delete events before " + cutoff,
        dialect.deleteEventsBefore(),
        HypervisorEvent.toEpochMicrosRoundedUp(cutoff));
  }

  @Override
  public long retainNewest(long maxEvents) {
    if (maxEvents < 0) {
      throw new IllegalArgumentException("maxEvents must not be negative, got " + maxEvents);
    }
    return update(
        "keep the newest " + maxEvents + " events", dialect.deleteEventsBeyondNewest(), maxEvents);
  }

  /** Reads every row; when {@code markAt} rows are read, puts that row's seq in {@code seqAt}. */
  private List<HypervisorEvent> readEvents(PreparedStatement statement, int markAt, long[] seqAt)
      throws SQLException {
    List<HypervisorEvent> events = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        events.add(event(rs));
        if (events.size() == markAt) {
          seqAt[0] = rs.getLong(1);
        }
      }
    }
    return events;
  }

  private HypervisorEvent event(ResultSet rs) throws SQLException {
    String id = rs.getString(2);
    try {
      return HypervisorEvent.builder(EventType.fromValue(rs.getString(3)))
          .eventId(id)
          .timestamp(instantOfMicros(rs.getLong(4)))
          .sessionId(rs.getString(5))
          .agentDid(rs.getString(6))
          .causalTraceId(rs.getString(7))
          .parentEventId(rs.getString(8))
          .payload(StoredJson.readMap(rs.getString(9)))
          .build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new StoreException(description + ": stored event " + id + " is unreadable: " + e, e);
    }
  }

  // ------------------------------------------------------------------ spans

  @Override
  public int appendSpans(List<SpanData> spans) {
    if (spans == null) {
      throw new IllegalArgumentException("spans must not be null");
    }
    List<Object[]> rows = new ArrayList<>(spans.size());
    List<Object[]> attributeRows = new ArrayList<>();
    for (int i = 0; i < spans.size(); i++) {
      SpanData span = spans.get(i);
      if (span == null) {
        throw new IllegalArgumentException("spans[" + i + "] must not be null");
      }
      String where = "span " + span.spanId();
      rows.add(
          new Object[] {
            span.traceId(),
            span.spanId(),
            span.parentSpanId().orElse(null),
            storable(where, "name", span.name()),
            span.startEpochNanos(),
            span.endEpochNanos(),
            span.status().name(),
            storable(where, "attributes, events or links", StoredJson.spanDetails(span)),
            storable(where, "service", span.serviceName())
          });
      for (Map.Entry<String, Object> attribute : span.attributes().entrySet()) {
        Object value = attribute.getValue();
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)
            || attribute.getKey().length() > MAX_INDEXED_VALUE) {
          continue;
        }
        String text = String.valueOf(value);
        if (text.length() > MAX_INDEXED_VALUE) {
          text = text.substring(0, MAX_INDEXED_VALUE);
        }
        attributeRows.add(
            new Object[] {
              span.traceId(),
              span.spanId(),
              storable(where, "attribute key", attribute.getKey()),
              storable(where, "attribute " + attribute.getKey(), text)
            });
      }
    }
    if (rows.isEmpty()) {
      return 0;
    }
    return connections.write(
        "append " + rows.size() + " spans",
        connection -> {
          int inserted = insert(connection, rows, dialect::insertSpans);
          if (!attributeRows.isEmpty()) {
            insert(connection, attributeRows, dialect::insertSpanAttributes);
          }
          return inserted;
        });
  }

  // ------------------------------------------------------------------ alert state

  /**
   * Saves an alert's state under {@code dedupKey}, replacing what was there; when {@code state} is
   * {@code resolved}, only the newest {@code keepResolved} resolved alerts are kept.
   *
   * @param body the alert as JSON, returned as it is by {@link #alertStates()}
   */
  public void saveAlertState(
      String dedupKey,
      String ruleId,
      String state,
      Instant updated,
      String body,
      int keepResolved) {
    if (dedupKey == null || ruleId == null || state == null || updated == null || body == null) {
      throw new IllegalArgumentException("dedupKey, ruleId, state, updated and body are required");
    }
    connections.write(
        "save alert " + ruleId,
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO alert_state (dedup_key, rule_id, state, updated_ms, body)"
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO UPDATE SET"
                      + " rule_id = excluded.rule_id, state = excluded.state,"
                      + " updated_ms = excluded.updated_ms, body = excluded.body")) {
            upsert.setString(1, dedupKey);
            upsert.setString(2, ruleId);
            upsert.setString(3, state);
            upsert.setLong(4, updated.toEpochMilli());
            upsert.setString(5, body);
            upsert.executeUpdate();
          }
          if (state.equals("resolved")) {
            try (PreparedStatement prune =
                connection.prepareStatement(
                    "DELETE FROM alert_state WHERE state = 'resolved' AND dedup_key NOT IN"
                        + " (SELECT dedup_key FROM alert_state WHERE state = 'resolved'"
                        + " ORDER BY updated_ms DESC, dedup_key LIMIT ?)")) {
              prune.setInt(1, Math.max(1, keepResolved));
              prune.executeUpdate();
            }
          }
          return null;
        });
  }

  /** Forgets the alert under {@code dedupKey}. */
  public void deleteAlertState(String dedupKey) {
    connections.write(
        "delete an alert",
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM alert_state WHERE dedup_key = ?")) {
            delete.setString(1, dedupKey);
            delete.executeUpdate();
          }
          return null;
        });
  }

  /** Every saved alert's body, oldest update first. */
  public List<String> alertStates() {
    return connections.read(
        "read alert state",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT body FROM alert_state ORDER BY updated_ms, dedup_key")) {
            List<String> bodies = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
              while (rs.next()) {
                bodies.add(rs.getString(1));
              }
            }
            return bodies;
          }
        });
  }

  /** The distinct keys of indexed span attributes, in order, at most {@code limit}. */
  public List<String> spanAttributeKeys(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return connections.read(
        "read the span attribute keys",
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "SELECT DISTINCT attr_key FROM span_attributes ORDER BY attr_key LIMIT ?")) {
            statement.setInt(1, limit);
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
              while (rs.next()) {
                keys.add(rs.getString(1));
              }
            }
            return keys;
          }
        });
  }

  /**
   * Traces matching {@code search}, newest ending first, one page: attribute, agent, session and
   * service criteria walk indexes; the rest are conditions on each trace's aggregates.
   *
   * @throws IllegalArgumentException when the cursor is not one this store made
   */
  public TraceHit.Page searchTraces(TraceSearch search) {
    if (search == null) {
      throw new IllegalArgumentException("search must not be null");
    }
    StringBuilder where = new StringBuilder();
    List<Object> params = new ArrayList<>();
    String inAttributes =
        " s.trace_id IN (SELECT trace_id FROM span_attributes WHERE attr_key = ? AND attr_value"
            + " = ?)";
    for (Map.Entry<String, String> attribute : new TreeMap<>(search.attributes()).entrySet()) {
      where.append(where.length() == 0 ? " WHERE" : " AND").append(inAttributes);
      params.add(attribute.getKey());
      params.add(attribute.getValue());
    }
    if (search.agent() != null) {
      where
          .append(where.length() == 0 ? " WHERE" : " AND")
          .append(
              " s.trace_id IN (SELECT trace_id FROM span_attributes WHERE attr_key IN"
                  + " ('agent.did', 'agent.id') AND attr_value = ?)");
      params.add(search.agent());
    }
    if (search.session() != null) {
      where.append(where.length() == 0 ? " WHERE" : " AND").append(inAttributes);
      params.add("session.id");
      params.add(search.session());
    }
    if (search.service() != null) {
      where
          .append(where.length() == 0 ? " WHERE" : " AND")
          .append(" s.trace_id IN (SELECT trace_id FROM spans WHERE service = ?)");
      params.add(search.service());
    }
    StringBuilder having = new StringBuilder();
    List<Object> havingParams = new ArrayList<>();
    if (search.errors() != null) {
      having.append(
          search.errors()
              ? " AND SUM(CASE WHEN s.status = 'ERROR' THEN 1 ELSE 0 END) > 0"
              : " AND SUM(CASE WHEN s.status = 'ERROR' THEN 1 ELSE 0 END) = 0");
    }
    if (search.minDurationMs() != null) {
      having.append(" AND MAX(s.end_nanos) - MIN(s.start_nanos) >= ?");
      havingParams.add((long) (search.minDurationMs() * 1e6));
    }
    if (search.maxDurationMs() != null) {
      having.append(" AND MAX(s.end_nanos) - MIN(s.start_nanos) <= ?");
      havingParams.add((long) (search.maxDurationMs() * 1e6));
    }
    if (search.since() != null) {
      having.append(" AND MIN(s.start_nanos) >= ?");
      havingParams.add(SpanData.toEpochNanos(search.since()));
    }
    if (search.until() != null) {
      having.append(" AND MIN(s.start_nanos) <= ?");
      havingParams.add(SpanData.toEpochNanos(search.until()));
    }
    if (search.cursor() != null) {
      long[] end = new long[1];
      String trace = parseTraceCursor(search.cursor(), end);
      having.append(" AND (MAX(s.end_nanos) < ? OR (MAX(s.end_nanos) = ? AND s.trace_id > ?))");
      havingParams.add(end[0]);
      havingParams.add(end[0]);
      havingParams.add(trace);
    }
    String havingSql = having.length() == 0 ? "" : " HAVING" + having.substring(4);
    String sql = dialect.searchTraces(where.toString(), havingSql);
    List<Object> all = new ArrayList<>(params);
    all.addAll(havingParams);
    List<TraceHit> hits =
        connections.read(
            "search traces",
            connection -> {
              try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int next = bind(statement, all, 1);
                statement.setInt(next, search.limit() + 1);
                List<TraceHit> out = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery()) {
                  while (rs.next()) {
                    out.add(
                        new TraceHit(
                            rs.getString(1),
                            rs.getInt(2),
                            rs.getInt(5),
                            rs.getLong(3),
                            rs.getLong(4)));
                  }
                }
                return out;
              }
            });
    if (hits.size() <= search.limit()) {
      return new TraceHit.Page(hits, Optional.empty());
    }
    TraceHit last = hits.get(search.limit() - 1);
    return new TraceHit.Page(
        hits.subList(0, search.limit()),
        Optional.of("end:" + last.endEpochNanos() + ":" + last.traceId()));
  }

  private static String parseTraceCursor(String cursor, long[] end) {
    String[] parts = cursor.split(":");
    if (parts.length == 3 && parts[0].equals("end") && parts[2].matches("[0-9a-f]{32}")) {
      try {
        end[0] = Long.parseLong(parts[1]);
        return parts[2];
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(
        "cursor must be a next_cursor this store returned, got \"" + cursor + "\"");
  }

  @Override
  public List<SpanData> trace(String traceId) {
    return spans("read trace " + traceId, dialect.selectTrace(), traceId);
  }

  @Override
  public Optional<SpanData> span(String spanId) {
    return spans("read span " + spanId, dialect.selectSpan(), spanId).stream().findFirst();
  }

  @Override
  public Optional<TraceSummary> traceSummary(String traceId) {
    List<SpanData> spans = trace(traceId);
    return spans.isEmpty() ? Optional.empty() : Optional.of(TraceSummary.of(traceId, spans));
  }

  @Override
  public List<TraceSummary> recentTraces(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    Set<String> traceIds =
        connections.read(
            "find recent traces",
            connection -> {
              Set<String> ids = new LinkedHashSet<>();
              try (PreparedStatement statement =
                  connection.prepareStatement(dialect.selectRecentTraceIds())) {
                for (int offset = 0; ids.size() < limit; offset += TRACE_ID_PAGE) {
                  statement.setInt(1, TRACE_ID_PAGE);
                  statement.setInt(2, offset);
                  int rows = 0;
                  try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next() && ids.size() < limit) {
                      rows++;
                      ids.add(rs.getString(1));
                    }
                  }
                  if (rows < TRACE_ID_PAGE && ids.size() < limit) {
                    break;
                  }
                }
              }
              return ids;
            });
    List<TraceSummary> summaries = new ArrayList<>(traceIds.size());
    for (String traceId : traceIds) {
      traceSummary(traceId).ifPresent(summaries::add);
    }
    return List.copyOf(summaries);
  }

  /** How many spans are stored. */
  public long spanCount() {
    return connections.read(
        "count spans",
        connection -> {
          try (Statement statement = connection.createStatement();
              ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM spans")) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Override
  public long deleteSpansOlderThan(Instant cutoff) {
    if (cutoff == null) {
      throw new IllegalArgumentException("cutoff must not be null");
    }
    return update(
        "delete spans before " + cutoff,
        dialect.deleteSpansBefore(),
        SpanData.toEpochNanos(cutoff));
  }

  private List<SpanData> spans(String operation, String sql, String key) {
    if (key == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    return connections.read(
        operation,
        connection -> {
          List<SpanData> spans = new ArrayList<>();
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, key);
            try (ResultSet rs = statement.executeQuery()) {
              while (rs.next()) {
                spans.add(
                    StoredJson.span(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getString(7),
                        rs.getString(8)));
              }
            }
          }
          return List.copyOf(spans);
        });
  }

  // ------------------------------------------------------------------ audit

  @Override
  public void append(AuditRecord record) {
    if (record == null) {
      throw new IllegalArgumentException("record must not be null");
    }
    appendAudit(
        "append audit record " + record.sequence(),
        new Object[] {
          "record",
          record.sequence(),
          record.timestamp().toEpochMilli(),
          record.agentId(),
          record.action(),
          record.decision().value(),
          AuditJson.toLine(record)
        });
  }

  @Override
  public void append(Checkpoint checkpoint) {
    if (checkpoint == null) {
      throw new IllegalArgumentException("checkpoint must not be null");
    }
    appendAudit(
        "append audit checkpoint " + checkpoint.sequence(),
        new Object[] {
          "checkpoint",
          checkpoint.sequence(),
          checkpoint.timestamp().toEpochMilli(),
          null,
          null,
          null,
          AuditJson.toLine(checkpoint)
        });
  }

  private void appendAudit(String operation, Object[] row) {
    try {
      connections.write(
          operation,
          connection -> {
            try (PreparedStatement statement =
                connection.prepareStatement(dialect.insertAuditEntry())) {
              bind(statement, Arrays.asList(row), 1);
              return statement.executeUpdate();
            }
          });
    } catch (StoreException e) {
      throw new UncheckedIOException(new IOException(e.getMessage(), e));
    }
  }

  @Override
  public Optional<AuditRecord> lastRecord() {
    return lastAudit("record").map(AuditRecord.class::cast);
  }

  @Override
  public Optional<Checkpoint> lastCheckpoint() {
    return lastAudit("checkpoint").map(Checkpoint.class::cast);
  }

  private Optional<Object> lastAudit(String kind) {
    return audit(
        "read the last audit " + kind,
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(dialect.selectLastAuditLine())) {
            statement.setString(1, kind);
            try (ResultSet rs = statement.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              long position = rs.getLong(1);
              try {
                return Optional.of(AuditJson.parseLine(rs.getString(2)));
              } catch (IllegalArgumentException e) {
                throw new SQLException(
                    "the last audit " + kind + " (position " + position + ") is unreadable: " + e);
              }
            }
          }
        });
  }

  /** The records after {@code sequence}, read backwards from the end a page at a time. */
  @Override
  public List<AuditRecord> recordsAfter(long sequence) {
    List<AuditRecord> newestFirst = new ArrayList<>();
    long before = Long.MAX_VALUE;
    while (true) {
      long from = before;
      List<StoredEntry> page =
          audit(
              "read audit records before position " + from,
              connection -> {
                List<StoredEntry> entries = new ArrayList<>(AUDIT_PAGE);
                try (PreparedStatement statement =
                    connection.prepareStatement(dialect.selectAuditRecordsBefore())) {
                  statement.setLong(1, from);
                  statement.setInt(2, AUDIT_PAGE);
                  try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                      entries.add(storedEntry(rs.getLong(1), rs.getString(2)));
                    }
                  }
                }
                return entries;
              });
      for (StoredEntry entry : page) {
        before = entry.position();
        if (entry instanceof StoredEntry.StoredRecord) {
          AuditRecord record = ((StoredEntry.StoredRecord) entry).record();
          if (record.sequence() <= sequence) {
            Collections.reverse(newestFirst);
            return newestFirst;
          }
          newestFirst.add(record);
        }
      }
      if (page.size() < AUDIT_PAGE) {
        Collections.reverse(newestFirst);
        return newestFirst;
      }
    }
  }

  @Override
  public String location() {
    return description;
  }

  @Override
  public Stream<StoredEntry> entries() {
    Iterator<StoredEntry> iterator =
        new Iterator<>() {
          private final ArrayList<StoredEntry> page = new ArrayList<>();
          private int next;
          private long after;
          private boolean done;

          @Override
          public boolean hasNext() {
            if (next < page.size()) {
              return true;
            }
            if (done) {
              return false;
            }
            page.clear();
            next = 0;
            page.addAll(auditPage(after));
            done = page.size() < AUDIT_PAGE;
            if (!page.isEmpty()) {
              after = page.get(page.size() - 1).position();
            }
            return !page.isEmpty();
          }

          @Override
          public StoredEntry next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return page.get(next++);
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  private List<StoredEntry> auditPage(long after) {
    return audit(
        "read audit entries after position " + after,
        connection -> {
          List<StoredEntry> entries = new ArrayList<>(AUDIT_PAGE);
          try (PreparedStatement statement =
              connection.prepareStatement(dialect.selectAuditPage())) {
            statement.setLong(1, after);
            statement.setInt(2, AUDIT_PAGE);
            try (ResultSet rs = statement.executeQuery()) {
              while (rs.next()) {
                entries.add(storedEntry(rs.getLong(1), rs.getString(2)));
              }
            }
          }
          return entries;
        });
  }

  private static StoredEntry storedEntry(long position, String line) {
    try {
      Object entry = AuditJson.parseLine(line);
      return entry instanceof AuditRecord
          ? new StoredEntry.StoredRecord(position, (AuditRecord) entry)
          : new StoredEntry.StoredCheckpoint(position, (Checkpoint) entry);
    } catch (IllegalArgumentException e) {
      return new StoredEntry.Damaged(position, e.getMessage(), false, line.length());
    }
  }

  @Override
  public List<AuditRecord> query(AuditQuery query) {
    if (query == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    if (query.within().isPresent()) {
      throw new IllegalArgumentException(
          "resolve(clock) the relative time range first, got " + query);
    }
    List<Object> params = new ArrayList<>();
    query.decision().ifPresent(decision -> params.add(decision.value()));
    query.agentId().ifPresent(params::add);
    query.action().ifPresent(params::add);
    query.from().ifPresent(from -> params.add(ceilMillis(from)));
    query.to().ifPresent(to -> params.add(to.toEpochMilli()));
    boolean limited = query.limit() > 0;
    if (limited) {
      params.add(query.limit());
    }
    String sql =
        dialect.selectAuditRecords(
            query.decision().isPresent(),
            query.agentId().isPresent(),
            query.action().isPresent(),
            query.from().isPresent(),
            query.to().isPresent(),
            limited);
    List<AuditRecord> newestFirst =
        audit(
            "query audit records " + query,
            connection -> {
              List<AuditRecord> records = new ArrayList<>();
              try (PreparedStatement statement = connection.prepareStatement(sql)) {
                bind(statement, params, 1);
                try (ResultSet rs = statement.executeQuery()) {
                  while (rs.next()) {
                    StoredEntry entry = storedEntry(rs.getLong(1), rs.getString(2));
                    if (entry instanceof StoredEntry.StoredRecord) {
                      records.add(((StoredEntry.StoredRecord) entry).record());
                    }
                  }
                }
              }
              return records;
            });
    Collections.reverse(newestFirst);
    return List.copyOf(newestFirst);
  }

  private <T> T audit(String operation, Connections.Work<T> work) {
    try {
      return connections.read(operation, work);
    } catch (StoreException e) {
      throw new UncheckedIOException(new IOException(e.getMessage(), e));
    }
  }

  private static long ceilMillis(Instant instant) {
    long millis = instant.toEpochMilli();
    return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
  }

  // ------------------------------------------------------------------ shared

  /**
   * Refreshes the planner's statistics where the database wants it, then closes the connections;
   * calls after close fail with {@link StoreException}.
   */
  @Override
  public void close() {
    try {
      refreshStatistics();
    } catch (StoreException e) {
      // closed already, or the database is gone: nothing to refresh
    }
    connections.close();
  }

  @Override
  public String toString() {
    return description;
  }

  private long nowMicros() {
    return HypervisorEvent.toEpochMicros(clock.instant());
  }

  private long update(String operation, String sql, long value) {
    return connections.write(
        operation,
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, value);
            return (long) statement.executeUpdate();
          }
        });
  }

  private interface InsertSql {
    String forRows(int rows);
  }

  private int insert(Connection connection, List<Object[]> rows, InsertSql sql)
      throws SQLException {
    int chunk = dialect.rowsPerInsert();
    int inserted = 0;
    PreparedStatement full = null;
    try {
      for (int from = 0; from < rows.size(); from += chunk) {
        int n = Math.min(chunk, rows.size() - from);
        PreparedStatement statement;
        if (n == chunk) {
          if (full == null) {
            full = connection.prepareStatement(sql.forRows(chunk));
          }
          statement = full;
        } else {
          statement = connection.prepareStatement(sql.forRows(n));
        }
        try {
          int index = 1;
          for (Object[] row : rows.subList(from, from + n)) {
            index = bind(statement, Arrays.asList(row), index);
          }
          inserted += statement.executeUpdate();
        } finally {
          if (statement != full) {
            statement.close();
          }
        }
      }
    } finally {
      if (full != null) {
        full.close();
      }
    }
    return inserted;
  }

  private static int bind(PreparedStatement statement, List<Object> values, int first)
      throws SQLException {
    int index = first;
    for (Object value : values) {
      if (value == null) {
        statement.setNull(index++, Types.VARCHAR);
      } else if (value == NULL_KEY) {
        statement.setNull(index++, Types.BIGINT);
      } else if (value instanceof String) {
        statement.setString(index++, (String) value);
      } else if (value instanceof Integer) {
        statement.setInt(index++, (Integer) value);
      } else {
        statement.setLong(index++, ((Number) value).longValue());
      }
    }
    return index;
  }

  private static EventQuery requireQuery(EventQuery query) {
    if (query == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    return query;
  }

  /**
   * {@code value}, checked that a database keeps it as it is: no NUL character and no half of a
   * surrogate pair.
   */
  private static String storable(String where, String field, String value) {
    if (value == null) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      String problem = null;
      if (c == 0) {
        problem = "a NUL character";
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else {
          problem = "half of a surrogate pair";
        }
      } else if (Character.isLowSurrogate(c)) {
        problem = "half of a surrogate pair";
      }
      if (problem != null) {
        throw new IllegalArgumentException(
            where
                + ": "
                + field
                + " holds "
                + problem
                + " at index "
                + i
                + ", which a database cannot store as is");
      }
    }
    return value;
  }

  static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
