package io.hyperlens.event;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The append-only, indexed event log with publish/subscribe at the centre of Hyperlens.
 *
 * <p><b>Retention.</b> The log keeps the newest {@code maxEvents} events (100,000 by default);
 * emitting into a full log evicts the oldest event from the log and from every index, and counts it
 * in {@link #evictedCount()}. {@link HypervisorEventBusBuilder#unbounded()} lifts the bound.
 *
 * <p><b>Queries</b> go through indexes by type, session, agent and time and never scan the whole
 * log: a combined {@link #query(EventQuery)} starts from the smallest matching index, checks the
 * other criteria on each candidate and stops as soon as its limit is met. Results are copies in
 * emit order, oldest first.
 *
 * <p><b>Delivery.</b> {@link #emit(HypervisorEvent)} delivers synchronously, on the emitting
 * thread, to the subscribers of the event's type and then to the wildcard subscribers. Every
 * subscriber sees events in emit order, also across threads: deliveries are serialized. A
 * subscriber may emit from its handler; that event is appended at once and delivered right after
 * the current one has reached every subscriber. A handler that throws is isolated: the other
 * handlers still run, {@code emit} returns normally (a {@link StackOverflowError} included; only
 * other {@link VirtualMachineError}s such as out-of-memory propagate), the failure is counted in
 * {@link #failedDeliveries()} and the first failure of each subscription is logged through {@link
 * System.Logger}. A handler that blocks delays every emitter, so handlers should hand slow work to
 * their own executor; and a handler must not wait for another thread that emits on the same bus
 * (that thread waits for the handler to finish: a deadlock). Emitting from the handler's own thread
 * is fine.
 *
 * <p>Thread-safe: every method may be called from any thread. Queries do not wait for handlers.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * try (Subscription breaches =
 *     bus.subscribe(EventType.RING_BREACH_DETECTED, e -> System.out.println("BREACH " + e))) {
 *   bus.emit(
 *       HypervisorEvent.builder(EventType.RING_BREACH_DETECTED)
 *           .sessionId("session-001")
 *           .agentDid("did:mesh:rogue-bot")
 *           .payload(Map.of("attempted_tool", "shell_exec", "ring", 3))
 *           .build());
 * }
 * List<HypervisorEvent> session = bus.queryBySession("session-001");
 * }</pre>
 */
public final class HypervisorEventBus {
  /** The default bound on retained events. */
  public static final int DEFAULT_MAX_EVENTS = 100_000;

  private static final System.Logger LOG = System.getLogger(HypervisorEventBus.class.getName());
  private static final EventType[] TYPES = EventType.values();
  private static final Handler[] NO_HANDLERS = new Handler[0];

  private final int maxEvents;
  private final Clock clock;

  // State: the log and its indexes, guarded by stateLock.
  private final ReentrantLock stateLock = new ReentrantLock();
  private final EventLog log;
  private final LongRing[] byType = new LongRing[TYPES.length];
  private final Map<String, LongRing> bySession = new HashMap<>();
  private final Map<String, LongRing> byAgent = new HashMap<>();
  private final TimeIndex byTime = new TimeIndex();

  // Delivery: serialized by dispatchLock, which is always taken before stateLock.
  private final ReentrantLock dispatchLock = new ReentrantLock();
  private final ArrayDeque<HypervisorEvent> pending = new ArrayDeque<>();
  private boolean dispatching;
  private final ArrayList<PendingAck> pendingAcks = new ArrayList<>();

  // Subscribers: copy-on-write arrays, replaced under subscribersLock.
  private final Object subscribersLock = new Object();
  private volatile Handler[][] typedHandlers = new Handler[TYPES.length][];
  private volatile Handler[] wildcardHandlers = NO_HANDLERS;

  private final LongAdder failedDeliveries = new LongAdder();

  /** A bus retaining the newest {@value #DEFAULT_MAX_EVENTS} events, on the UTC system clock. */
  public HypervisorEventBus() {
    this(DEFAULT_MAX_EVENTS, Clock.systemUTC());
  }

  HypervisorEventBus(int maxEvents, Clock clock) {
    this.maxEvents = maxEvents;
    this.clock = clock;
    this.log = new EventLog(Math.min(maxEvents, 1024));
    Arrays.fill(typedHandlers, NO_HANDLERS);
  }

  /** Configures a bus: bound, clock. */
  public static HypervisorEventBusBuilder builder() {
    return new HypervisorEventBusBuilder();
  }

  /** An event builder stamped by this bus's clock. */
  public HypervisorEventBuilder eventBuilder(EventType type) {
    return HypervisorEvent.builder(type).clock(clock);
  }

  /** The clock this bus stamps events and resolves "now" with. */
  public Clock clock() {
    return clock;
  }

  /**
   * Appends {@code event} to the log and delivers it to the subscribers of its type, then to the
   * wildcard subscribers. Never throws because of a plain subscriber. When {@linkplain
   * #subscribeAcknowledged acknowledged subscribers} took the event (or events their handlers
   * emitted), waits for their acknowledgements after releasing the delivery lock, so emitters on
   * other threads proceed meanwhile.
   *
   * @throws IllegalArgumentException if {@code event} is null
   * @throws EventNotAcknowledgedException if an acknowledged subscriber failed to acknowledge; the
   *     event was appended and delivered all the same
   */
  public void emit(HypervisorEvent event) {
    if (event == null) {
      throw new IllegalArgumentException("event must not be null");
    }
    PendingAck[] acks = null;
    dispatchLock.lock();
    try {
      append(event);
      if (dispatching) {
        pending.addLast(event);
        return;
      }
      dispatching = true;
      try {
        deliver(event);
        HypervisorEvent next;
        while ((next = pending.pollFirst()) != null) {
          deliver(next);
        }
      } finally {
        dispatching = false;
        pending.clear();
        if (!pendingAcks.isEmpty()) {
          acks = pendingAcks.toArray(new PendingAck[0]);
          pendingAcks.clear();
        }
      }
    } finally {
      dispatchLock.unlock();
    }
    if (acks != null) {
      awaitAcknowledgements(acks);
    }
  }

  /**
   * Retries the acknowledgement of an event already emitted, after {@link #emit} threw {@link
   * EventNotAcknowledgedException}: delivers {@code event} again to the acknowledged subscribers
   * only (a durable sink, whose store keeps an event id once) and waits for them. The event is not
   * appended to the log again and plain subscribers do not see it twice, which calling {@code emit}
   * again would do.
   *
   * <pre>{@code
   * try {
   *   bus.emit(event);
   * } catch (EventNotAcknowledgedException e) {
   *   bus.redeliverAcknowledged(event); // once the store is back; throws again if it is not
   * }
   * }</pre>
   *
   * <p>Call it from the emitting code, not from a subscriber.
   *
   * @throws IllegalArgumentException if {@code event} is null
   * @throws EventNotAcknowledgedException if an acknowledged subscriber failed again
   */
  public void redeliverAcknowledged(HypervisorEvent event) {
    if (event == null) {
      throw new IllegalArgumentException("event must not be null");
    }
    PendingAck[] acks;
    dispatchLock.lock();
    try {
      for (Handler handler : typedHandlers[event.eventType().ordinal()]) {
        if (handler.acknowledged != null) {
          handler.handle(event);
        }
      }
      for (Handler handler : wildcardHandlers) {
        if (handler.acknowledged != null) {
          handler.handle(event);
        }
      }
      acks = pendingAcks.toArray(new PendingAck[0]);
      pendingAcks.clear();
    } finally {
      dispatchLock.unlock();
    }
    awaitAcknowledgements(acks);
  }

  private static void awaitAcknowledgements(PendingAck[] acks) {
    EventNotAcknowledgedException failure = null;
    for (PendingAck ack : acks) {
      try {
        ack.future.join();
      } catch (CompletionException | CancellationException e) {
        Throwable cause =
            e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (failure == null) {
          failure =
              new EventNotAcknowledgedException(
                  ack.eventId,
                  "event "
                      + ack.eventId
                      + " was delivered but not acknowledged by "
                      + ack.handler
                      + ": "
                      + cause.getMessage(),
                  cause);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void append(HypervisorEvent event) {
    stateLock.lock();
    try {
      if (log.size() == maxEvents) {
        evictOldest();
      }
      long seq = log.append(event);
      int type = event.eventType().ordinal();
      LongRing typeIndex = byType[type];
      if (typeIndex == null) {
        typeIndex = new LongRing(64);
        byType[type] = typeIndex;
      }
      typeIndex.addLast(seq);
      String session = event.sessionIdOrNull();
      if (session != null) {
        bySession.computeIfAbsent(session, k -> new LongRing(8)).addLast(seq);
      }
      String agent = event.agentDidOrNull();
      if (agent != null) {
        byAgent.computeIfAbsent(agent, k -> new LongRing(8)).addLast(seq);
      }
      byTime.add(seq, event.timestamp());
    } finally {
      stateLock.unlock();
    }
  }

  private void evictOldest() {
    long seq = log.firstSeq();
    HypervisorEvent old = log.removeFirst();
    byType[old.eventType().ordinal()].removeFirst();
    removeFirst(bySession, old.sessionIdOrNull());
    removeFirst(byAgent, old.agentDidOrNull());
    byTime.evict(seq, old.timestamp());
  }

  private static void removeFirst(Map<String, LongRing> index, String key) {
    if (key == null) {
      return;
    }
    LongRing seqs = index.get(key);
    seqs.removeFirst();
    if (seqs.isEmpty()) {
      index.remove(key);
    }
  }

  private void deliver(HypervisorEvent event) {
    for (Handler handler : typedHandlers[event.eventType().ordinal()]) {
      handler.handle(event);
    }
    for (Handler handler : wildcardHandlers) {
      handler.handle(event);
    }
  }

  /**
   * Subscribes {@code handler} to events of {@code type}; a {@code null} type subscribes to all
   * events, as {@link #subscribeAll(Consumer)} does.
   */
  public Subscription subscribe(EventType type, Consumer<? super HypervisorEvent> handler) {
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    if (type == null) {
      return subscribeAll(handler);
    }
    return register(new Handler(type, handler, null));
  }

  /** Subscribes {@code handler} to every event, after the typed subscribers of each event. */
  public Subscription subscribeAll(Consumer<? super HypervisorEvent> handler) {
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    return register(new Handler(null, handler, null));
  }

  /**
   * Subscribes a handler whose acknowledgement every emitter waits for (a durable sink's commit):
   * to events of {@code type}, or to all events when {@code type} is null. The handler is called
   * during delivery like any subscriber and must return at once; {@link #emit} then waits for the
   * returned stage outside the delivery lock and throws {@link EventNotAcknowledgedException} if it
   * completes exceptionally (or if the handler throws). See {@link AcknowledgedHandler}.
   */
  public Subscription subscribeAcknowledged(EventType type, AcknowledgedHandler handler) {
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    return register(new Handler(type, null, handler));
  }

  private Handler register(Handler h) {
    synchronized (subscribersLock) {
      if (h.type == null) {
        wildcardHandlers = append(wildcardHandlers, h);
      } else {
        Handler[][] copy = typedHandlers.clone();
        copy[h.type.ordinal()] = append(copy[h.type.ordinal()], h);
        typedHandlers = copy;
      }
    }
    return h;
  }

  private static Handler[] append(Handler[] handlers, Handler h) {
    Handler[] copy = Arrays.copyOf(handlers, handlers.length + 1);
    copy[handlers.length] = h;
    return copy;
  }

  private static Handler[] without(Handler[] handlers, Handler h) {
    List<Handler> kept = new ArrayList<>(Arrays.asList(handlers));
    kept.remove(h);
    return kept.toArray(NO_HANDLERS);
  }

  private void unsubscribe(Handler h) {
    synchronized (subscribersLock) {
      if (h.type == null) {
        wildcardHandlers = without(wildcardHandlers, h);
      } else {
        Handler[][] copy = typedHandlers.clone();
        copy[h.type.ordinal()] = without(copy[h.type.ordinal()], h);
        typedHandlers = copy;
      }
    }
  }

  /** Retained events of {@code type}, oldest first. */
  public List<HypervisorEvent> queryByType(EventType type) {
    if (type == null) {
      throw new IllegalArgumentException("type must not be null");
    }
    return query(EventQuery.builder().eventType(type).build());
  }

  /** Retained events of session {@code sessionId}, oldest first. */
  public List<HypervisorEvent> queryBySession(String sessionId) {
    if (sessionId == null) {
      throw new IllegalArgumentException("sessionId must not be null");
    }
    return query(EventQuery.builder().sessionId(sessionId).build());
  }

  /** Retained events of agent {@code agentDid}, oldest first. */
  public List<HypervisorEvent> queryByAgent(String agentDid) {
    if (agentDid == null) {
      throw new IllegalArgumentException("agentDid must not be null");
    }
    return query(EventQuery.builder().agentDid(agentDid).build());
  }

  /** Retained events stamped from {@code start} (inclusive) until now, in emit order. */
  public List<HypervisorEvent> queryByTimeRange(Instant start) {
    return queryByTimeRange(start, null);
  }

  /**
   * Retained events stamped within {@code [start, end]}, both inclusive, in emit order; a {@code
   * null} end means now on this bus's clock.
   *
   * @throws IllegalArgumentException if start is null or after end
   */
  public List<HypervisorEvent> queryByTimeRange(Instant start, Instant end) {
    return query(EventQuery.builder().timeRange(start, end).build());
  }

  /**
   * Retained events matching every criterion of {@code query}; with a limit, the newest {@code
   * limit} matches. Oldest first.
   */
  public List<HypervisorEvent> query(EventQuery query) {
    if (query == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    long startMicros = Long.MIN_VALUE;
    long endMicros = Long.MAX_VALUE;
    if (query.hasTimeRange()) {
      startMicros = HypervisorEvent.toEpochMicrosRoundedUp(query.startOrNull());
      Instant end = query.endOrNull() != null ? query.endOrNull() : clock.instant();
      endMicros = HypervisorEvent.toEpochMicros(end);
    }
    int limit = query.limit() > 0 ? query.limit() : Integer.MAX_VALUE;
    stateLock.lock();
    try {
      if (log.size() == 0) {
        return List.of();
      }
      long minSeq = log.firstSeq();
      long maxSeq = log.nextSeq() - 1;
      boolean filterTime = false;
      if (query.hasTimeRange()) {
        if (byTime.isMonotonic()) {
          long[] range = byTime.seqRange(startMicros, endMicros);
          if (range == null) {
            return List.of();
          }
          minSeq = range[0];
          maxSeq = range[1];
        } else {
          filterTime = true;
        }
      }
      LongRing candidates = null;
      int from = 0;
      int to = 0;
      for (LongRing index : indexesFor(query)) {
        if (index == null) {
          return List.of();
        }
        int lo = index.lowerBound(minSeq);
        int hi = index.upperBound(maxSeq);
        if (candidates == null || hi - lo < to - from) {
          candidates = index;
          from = lo;
          to = hi;
        }
      }
      ArrayList<HypervisorEvent> out = new ArrayList<>(Math.min(limit, 1024));
      if (candidates != null) {
        for (int i = to - 1; i >= from && out.size() < limit; i--) {
          HypervisorEvent event = log.get(candidates.get(i));
          if (matches(event, query, filterTime, startMicros, endMicros)) {
            out.add(event);
          }
        }
      } else if (filterTime) {
        List<Long> seqs = byTime.seqs(startMicros, endMicros);
        for (int i = seqs.size() - 1; i >= 0 && out.size() < limit; i--) {
          out.add(log.get(seqs.get(i)));
        }
      } else {
        for (long seq = maxSeq; seq >= minSeq && out.size() < limit; seq--) {
          out.add(log.get(seq));
        }
      }
      Collections.reverse(out);
      return Collections.unmodifiableList(out);
    } finally {
      stateLock.unlock();
    }
  }

  private List<LongRing> indexesFor(EventQuery query) {
    List<LongRing> indexes = new ArrayList<>(3);
    if (query.eventTypeOrNull() != null) {
      indexes.add(nonEmpty(byType[query.eventTypeOrNull().ordinal()]));
    }
    if (query.sessionIdOrNull() != null) {
      indexes.add(bySession.get(query.sessionIdOrNull()));
    }
    if (query.agentDidOrNull() != null) {
      indexes.add(byAgent.get(query.agentDidOrNull()));
    }
    return indexes;
  }

  private static LongRing nonEmpty(LongRing index) {
    return index == null || index.isEmpty() ? null : index;
  }

  private static boolean matches(
      HypervisorEvent event,
      EventQuery query,
      boolean filterTime,
      long startMicros,
      long endMicros) {
    if (query.eventTypeOrNull() != null && event.eventType() != query.eventTypeOrNull()) {
      return false;
    }
    if (query.sessionIdOrNull() != null
        && !query.sessionIdOrNull().equals(event.sessionIdOrNull())) {
      return false;
    }
    if (query.agentDidOrNull() != null && !query.agentDidOrNull().equals(event.agentDidOrNull())) {
      return false;
    }
    if (filterTime) {
      long micros = HypervisorEvent.toEpochMicros(event.timestamp());
      return micros >= startMicros && micros <= endMicros;
    }
    return true;
  }

  /** How many events the log retains now. */
  public long eventCount() {
    stateLock.lock();
    try {
      return log.size();
    } finally {
      stateLock.unlock();
    }
  }

  /** The sessions the index holds now (for tests: it must forget what the log evicted). */
  java.util.Set<String> indexedSessions() {
    stateLock.lock();
    try {
      return java.util.Set.copyOf(bySession.keySet());
    } finally {
      stateLock.unlock();
    }
  }

  /** The agents the index holds now (for tests: it must forget what the log evicted). */
  java.util.Set<String> indexedAgents() {
    stateLock.lock();
    try {
      return java.util.Set.copyOf(byAgent.keySet());
    } finally {
      stateLock.unlock();
    }
  }

  /** Retained events per type, keyed by dotted value, in catalogue order; absent types omitted. */
  public Map<String, Long> typeCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    stateLock.lock();
    try {
      for (EventType type : TYPES) {
        LongRing index = byType[type.ordinal()];
        if (index != null && !index.isEmpty()) {
          counts.put(type.value(), (long) index.size());
        }
      }
    } finally {
      stateLock.unlock();
    }
    return Collections.unmodifiableMap(counts);
  }

  /** A copy of every retained event, oldest first. */
  public List<HypervisorEvent> allEvents() {
    return query(EventQuery.all());
  }

  /** The bound on retained events; {@link Integer#MAX_VALUE} when unbounded. */
  public int maxEvents() {
    return maxEvents;
  }

  /** Events emitted since the bus was created, retained or not. */
  public long emittedCount() {
    stateLock.lock();
    try {
      return log.nextSeq(); // sequence numbers start at 0 and every emit takes the next one
    } finally {
      stateLock.unlock();
    }
  }

  /** Events evicted to keep the log within {@link #maxEvents()}. */
  public long evictedCount() {
    stateLock.lock();
    try {
      return log.firstSeq(); // everything below the oldest retained sequence number was evicted
    } finally {
      stateLock.unlock();
    }
  }

  /** Handler invocations that threw, across all subscriptions. */
  public long failedDeliveries() {
    return failedDeliveries.sum();
  }

  private final class Handler implements Subscription {
    private final EventType type;
    private final Consumer<? super HypervisorEvent> consumer;
    private final AcknowledgedHandler acknowledged;
    private final AtomicBoolean active = new AtomicBoolean(true);
    private final LongAdder failures = new LongAdder();

    Handler(
        EventType type,
        Consumer<? super HypervisorEvent> consumer,
        AcknowledgedHandler acknowledged) {
      this.type = type;
      this.consumer = consumer;
      this.acknowledged = acknowledged;
    }

    void handle(HypervisorEvent event) {
      if (!active.get()) {
        return;
      }
      try {
        if (acknowledged == null) {
          consumer.accept(event);
        } else {
          CompletionStage<?> stage = acknowledged.accept(event);
          if (stage == null) {
            throw new IllegalStateException("the handler returned no acknowledgement");
          }
          pendingAcks.add(new PendingAck(event.eventId(), this, stage.toCompletableFuture()));
        }
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
          throw (VirtualMachineError) t;
        }
        failures.increment();
        failedDeliveries.increment();
        if (acknowledged != null) {
          pendingAcks.add(new PendingAck(event.eventId(), this, CompletableFuture.failedFuture(t)));
        }
        if (failures.sum() == 1) {
          LOG.log(
              Level.WARNING,
              "Subscriber "
                  + (consumer != null ? consumer : acknowledged)
                  + " of "
                  + (type == null ? "all events" : type.value())
                  + " threw on event "
                  + event.eventId()
                  + "; further failures of this subscriber are only counted",
              t);
        }
      }
    }

    @Override
    public void close() {
      if (active.compareAndSet(true, false)) {
        unsubscribe(this);
      }
    }

    @Override
    public boolean isActive() {
      return active.get();
    }

    @Override
    public long failures() {
      return failures.sum();
    }

    @Override
    public String toString() {
      return String.valueOf(consumer != null ? consumer : acknowledged);
    }
  }

  /** An acknowledgement the emitting thread waits for once delivery is over. */
  private static final class PendingAck {
    final String eventId;
    final Handler handler;
    final CompletableFuture<?> future;

    PendingAck(String eventId, Handler handler, CompletableFuture<?> future) {
      this.eventId = eventId;
      this.handler = handler;
      this.future = future;
    }
  }
}
