package io.hyperlens.spi;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Durable history of {@link HypervisorEvent}s with the {@link io.hyperlens.event.HypervisorEventBus
 * bus's} query semantics, for when events must survive a restart or outgrow memory. {@code
 * hyperlens-store} implements it on SQLite and PostgreSQL; {@code PersistentEventSink} there feeds
 * one from a bus.
 *
 * <p><b>Order.</b> A store keeps events in the order they were appended (for a sink: emit order)
 * and every result is in that order, oldest first.
 *
 * <p><b>Idempotence.</b> Appending an event whose id is already stored stores nothing: replays and
 * at-least-once transports may append the same event again.
 *
 * <p><b>Queries</b> match as {@link io.hyperlens.event.HypervisorEventBus#query(EventQuery)} does:
 * every criterion set must hold, a limit keeps the newest matches, and a time range without an end
 * runs to the store's "now". Payload numbers come back as the JSON reader makes them ({@code
 * Integer} when they fit, then {@code Long}, {@code BigInteger}; {@code Double} for fractions).
 *
 * <p>Implementations are thread-safe.
 *
 * <pre>{@code
 * try (SqliteStore store = SqliteStore.open(Path.of("data"))) {
 *   store.append(List.of(event));
 *   List<HypervisorEvent> lastTen =
 *       store.query(EventQuery.builder().sessionId("s1").limit(10).build());
 * }
 * }</pre>
 */
public interface EventStore extends AutoCloseable {
  /**
   * Stores {@code events} in one transaction, in list order, skipping ids already stored.
   *
   * @return how many were new
   * @throws IllegalArgumentException naming the event and field when one cannot be stored (nothing
   *     of the batch is then stored)
   * @throws StoreException when the store cannot be written (nothing of the batch is then stored)
   */
  int append(List<HypervisorEvent> events);

  /** The matches of {@code query}, oldest first; with a limit, the newest {@code limit} of them. */
  List<HypervisorEvent> query(EventQuery query);

  /**
   * One page of the matches of {@code query} (which must have no limit), oldest first, after the
   * position {@code cursor} names: {@code null} for the first page, then the previous page's {@link
   * EventPage#nextCursor()}. Pages stay consistent while events are appended or removed: each match
   * is returned once, and events appended later show up on later pages.
   *
   * @throws IllegalArgumentException if the query has a limit, the page size is below 1 or the
   *     cursor is not one this store made
   */
  EventPage page(EventQuery query, String cursor, int pageSize);

  /** How many events {@code query} matches (at most its limit, when it has one). */
  long count(EventQuery query);

  /**
   * Stored events per type, keyed by the dotted {@link EventType#value()}; types with none left
   * out.
   */
  Map<String, Long> typeCounts();

  /**
   * Removes the events stamped before {@code cutoff}.
   *
   * @return how many were removed
   */
  long deleteOlderThan(Instant cutoff);

  /**
   * Removes the oldest events (in stored order) until at most {@code maxEvents} remain.
   *
   * @return how many were removed
   */
  long retainNewest(long maxEvents);

  /** Events of one type; see {@link #query(EventQuery)}. */
  default List<HypervisorEvent> queryByType(EventType type) {
    return query(EventQuery.builder().eventType(type).build());
  }

  /** Events of one session; see {@link #query(EventQuery)}. */
  default List<HypervisorEvent> queryBySession(String sessionId) {
    return query(EventQuery.builder().sessionId(sessionId).build());
  }

  /** Events of one agent; see {@link #query(EventQuery)}. */
  default List<HypervisorEvent> queryByAgent(String agentDid) {
    return query(EventQuery.builder().agentDid(agentDid).build());
  }

  /** Events stamped within {@code [start, end]}; a {@code null} end means now. */
  default List<HypervisorEvent> queryByTimeRange(Instant start, Instant end) {
    return query(EventQuery.builder().timeRange(start, end).build());
  }

  /** Every stored event counted. */
  default long eventCount() {
    return count(EventQuery.all());
  }

  /** Releases the store; calls after close fail with {@link StoreException}. */
  @Override
  void close();
}
