package io.hyperlens.saga;

import io.hyperlens.event.EventCategory;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.spi.SpanSink;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.Context;
import io.hyperlens.trace.Span;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns the ten saga events of the bus into OpenTelemetry-shaped span records, buffered and
 * optionally forwarded to a {@link SpanSink} as they finish.
 *
 * <table>
 *   <caption>Spans by event</caption>
 *   <tr><th>events</th><th>span</th><th>status</th></tr>
 *   <tr><td>STEP_STARTED → STEP_COMMITTED</td><td>{@code saga.step.{action}}</td><td>ok</td></tr>
 *   <tr><td>STEP_STARTED → STEP_FAILED</td><td>{@code saga.step.{action}}</td><td>error</td></tr>
 *   <tr><td>COMPENSATING</td><td>{@code saga.compensate.{action}}, zero length</td>
 *       <td>compensating</td></tr>
 *   <tr><td>CREATED → COMPLETED</td><td>{@code saga.completed.{saga_id}}</td><td>ok</td></tr>
 *   <tr><td>CREATED → ESCALATED</td><td>{@code saga.escalated.{saga_id}}</td><td>error</td></tr>
 *   <tr><td>FANOUT_STARTED → FANOUT_RESOLVED</td><td>{@code saga.fanout.{fanout_id}}</td>
 *       <td>ok, error when the payload has {@code error}</td></tr>
 *   <tr><td>CHECKPOINT_SAVED</td><td>{@code saga.checkpoint.{step_id}}, zero length</td>
 *       <td>ok</td></tr>
 * </table>
 *
 * <p>Payload keys are the seed's: {@code saga_id}, {@code step_id}, {@code step_action} ({@code
 * action} as an alias), {@code error}, {@code reason}, {@code result}; fan-outs are identified by
 * {@code fanout_id}, else {@code step_id}, else the saga. A step closed without having been opened
 * becomes a zero-length span at the closing event; a step closed with only its action pairs with
 * the oldest open step of that saga and action; a saga finished without a CREATED spans from the
 * first event seen for it, and later events of a finished saga do not reopen it (events without a
 * {@code saga_id} never open a saga-level span). Attributes follow the seed's table: {@code
 * agent.saga.error} and {@code agent.saga.reason} only on error and compensating spans, {@code
 * agent.saga.result} only on ok spans, {@code agent.did} and {@code session.id} when the events
 * carry them.
 *
 * <p>Bounds: the buffer keeps the newest {@code maxSpans} (default 10,000) and counts what it
 * drops; open steps, fan-outs and sagas are kept at most {@code maxOpenSpans} each (default 10,000)
 * and for {@code openSpanTimeout} (default one hour on the exporter's clock) and counted when
 * expired. A sink that throws never breaks {@code emit}: the span stays buffered and the failure is
 * counted. Thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * SagaSpanExporter exporter = new SagaSpanExporter(bus);
 * bus.emit(HypervisorEvent.builder(EventType.SAGA_STEP_STARTED)
 *     .payload(Map.of("saga_id", "deploy-v2", "step_id", "validate-config", "step_action", "validate"))
 *     .build());
 * bus.emit(HypervisorEvent.builder(EventType.SAGA_STEP_COMMITTED)
 *     .payload(Map.of("saga_id", "deploy-v2", "step_id", "validate-config", "step_action", "validate"))
 *     .build());
 * exporter.completedSpans().get(0).name(); // "saga.step.validate"
 * }</pre>
 */
public final class SagaSpanExporter implements AutoCloseable {
  /** Default bound on buffered spans. */
  public static final int DEFAULT_MAX_SPANS = 10_000;

  static final String UNKNOWN = "unknown";
  private static final System.Logger LOG = System.getLogger(SagaSpanExporter.class.getName());

  private record StepKey(String sagaId, String stepId) {}

  private final Clock clock;
  private final int maxSpans;
  private final Duration openSpanTimeout;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile SpanSink sink;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<SagaSpanRecord> completed = new ArrayDeque<>();
  private final OpenSpans<StepKey> openSteps;
  private final OpenSpans<StepKey> openFanouts;
  private final OpenSpans<String> openSagas;
  private final Set<String> finishedSagas;
  private long eventsProcessed;
  private long droppedSpans;
  private long expiredSpans;

  private final LongAdder sinkFailures = new LongAdder();
  private final AtomicBoolean sinkFailureLogged = new AtomicBoolean();

  /** Subscribes to every saga event of {@code bus}, with the defaults and no sink. */
  public SagaSpanExporter(HypervisorEventBus bus) {
    this(builder(bus));
  }

  /** Subscribes to every saga event of {@code bus}, forwarding finished spans to {@code sink}. */
  public SagaSpanExporter(HypervisorEventBus bus, SpanSink sink) {
    this(builder(bus).sink(sink));
  }

  SagaSpanExporter(SagaSpanExporterBuilder builder) {
    this.clock = builder.clock != null ? builder.clock : builder.bus.clock();
    this.maxSpans = builder.maxSpans;
    this.openSpanTimeout = builder.openSpanTimeout;
    this.sink = builder.sink;
    this.openSteps = new OpenSpans<>(builder.maxOpenSpans);
    this.openFanouts = new OpenSpans<>(builder.maxOpenSpans);
    this.openSagas = new OpenSpans<>(builder.maxOpenSpans);
    int maxFinished = builder.maxOpenSpans;
    this.finishedSagas =
        Collections.newSetFromMap(
            new LinkedHashMap<>() {
              private static final long serialVersionUID = 1L;

              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > maxFinished;
              }
            });
    for (EventType type : EventType.values()) {
      if (type.category() == EventCategory.SAGA) {
        subscriptions.add(builder.bus.subscribe(type, this::onEvent));
      }
    }
  }

  /** Configures an exporter on {@code bus}: sink, bounds, clock. */
  public static SagaSpanExporterBuilder builder(HypervisorEventBus bus) {
    return new SagaSpanExporterBuilder(bus);
  }

  /** Forwards every span finished from now on to {@code sink}, replacing any previous sink. */
  public void attachSink(SpanSink sink) {
    if (sink == null) {
      throw new IllegalArgumentException("sink must not be null");
    }
    this.sink = sink;
  }

  /** Stops forwarding; spans are still buffered. */
  public void detachSink() {
    this.sink = null;
  }

  private void onEvent(HypervisorEvent event) {
    SagaSpanRecord span;
    lock.lock();
    try {
      eventsProcessed++;
      Instant now = clock.instant();
      expiredSpans += expire(now);
      span = handle(event, now);
      if (span != null) {
        completed.addLast(span);
        if (completed.size() > maxSpans) {
          completed.removeFirst();
          droppedSpans++;
        }
      }
    } finally {
      lock.unlock();
    }
    if (span != null) {
      forward(span);
    }
  }

  private int expire(Instant now) {
    Instant cutoff = now.minus(openSpanTimeout);
    return openSteps.expire(cutoff) + openFanouts.expire(cutoff) + openSagas.expire(cutoff);
  }

  private SagaSpanRecord handle(HypervisorEvent event, Instant now) {
    Map<String, Object> p = event.payload();
    boolean hasSagaId = p.get("saga_id") != null;
    String sagaId = string(p, "saga_id", UNKNOWN);
    String stepId = string(p, "step_id", null);
    String action = string(p, "step_action", string(p, "action", null));
    OpenSpans.Open here =
        new OpenSpans.Open(
            event.timestamp(),
            now,
            event.agentDid().orElse(null),
            event.sessionId().orElse(null),
            action);
    EventType type = event.eventType();
    boolean startsOrEndsSaga =
        type == EventType.SAGA_CREATED
            || type == EventType.SAGA_COMPLETED
            || type == EventType.SAGA_ESCALATED;
    if (hasSagaId
        && !startsOrEndsSaga
        && !finishedSagas.contains(sagaId)
        && openSagas.get(sagaId) == null) {
      // Any other event of a live saga starts its saga-level span when CREATED was missed.
      expiredSpans += openSagas.put(sagaId, here.withIds(sagaIds(event)));
    }
    switch (event.eventType()) {
      case SAGA_CREATED:
        if (hasSagaId) {
          finishedSagas.remove(sagaId);
          expiredSpans += openSagas.put(sagaId, here.withIds(sagaIds(event)));
        }
        return null;
      case SAGA_STEP_STARTED:
        expiredSpans += openSteps.put(new StepKey(sagaId, stepKey(stepId, action)), here);
        return null;
      case SAGA_STEP_COMMITTED:
      case SAGA_STEP_FAILED:
        {
          OpenSpans.Open opened = closeStep(sagaId, stepId, action);
          String status =
              event.eventType() == EventType.SAGA_STEP_COMMITTED
                  ? SagaSpanRecord.STATUS_OK
                  : SagaSpanRecord.STATUS_ERROR;
          String stepAction = action != null ? action : opened != null ? opened.action() : null;
          return span(
              "saga.step." + orUnknown(stepAction),
              sagaId,
              stepId,
              stepAction,
              opened,
              here,
              status,
              p,
              childOf(sagaId));
        }
      case SAGA_COMPENSATING:
        return span(
            "saga.compensate." + orUnknown(action),
            sagaId,
            stepId,
            action,
            null,
            here,
            SagaSpanRecord.STATUS_COMPENSATING,
            p,
            childOf(sagaId));
      case SAGA_COMPLETED:
      case SAGA_ESCALATED:
        {
          OpenSpans.Open opened = openSagas.remove(sagaId);
          if (hasSagaId) {
            finishedSagas.add(sagaId);
          }
          boolean ok = event.eventType() == EventType.SAGA_COMPLETED;
          return span(
              (ok ? "saga.completed." : "saga.escalated.") + sagaId,
              sagaId,
              null,
              null,
              opened,
              here,
              ok ? SagaSpanRecord.STATUS_OK : SagaSpanRecord.STATUS_ERROR,
              p,
              opened != null && opened.ids() != null ? opened.ids() : sagaIds(event));
        }
      case SAGA_FANOUT_STARTED:
        expiredSpans += openFanouts.put(new StepKey(sagaId, fanoutId(p, sagaId)), here);
        return null;
      case SAGA_FANOUT_RESOLVED:
        {
          String fanout = fanoutId(p, sagaId);
          OpenSpans.Open opened = openFanouts.remove(new StepKey(sagaId, fanout));
          String status =
              p.get("error") != null ? SagaSpanRecord.STATUS_ERROR : SagaSpanRecord.STATUS_OK;
          return span(
              "saga.fanout." + fanout,
              sagaId,
              stepId,
              action,
              opened,
              here,
              status,
              p,
              childOf(sagaId));
        }
      case SAGA_CHECKPOINT_SAVED:
        return span(
            "saga.checkpoint." + (stepId != null ? stepId : sagaId),
            sagaId,
            stepId,
            action,
            null,
            here,
            SagaSpanRecord.STATUS_OK,
            p,
            childOf(sagaId));
      default:
        return null;
    }
  }

  /**
   * The open step a STEP_COMMITTED / STEP_FAILED closes: by step id (or by action when the step had
   * no id), else the oldest open step of the saga with the same action, so a step opened with an id
   * and closed with only its action still pairs up.
   */
  private OpenSpans.Open closeStep(String sagaId, String stepId, String action) {
    OpenSpans.Open exact = openSteps.remove(new StepKey(sagaId, stepKey(stepId, action)));
    if (exact != null || action == null) {
      return exact;
    }
    return openSteps.removeFirst(
        (key, open) -> key.sagaId().equals(sagaId) && Objects.equals(open.action(), action));
  }

  /**
   * The ids of a saga-level span as it opens: under the tracer span current on the emitting thread,
   * if any; else under the {@link CausalTraceId} the event carries (the agent span that runs the
   * saga); else the root of a new trace.
   */
  private static SpanIds sagaIds(HypervisorEvent event) {
    Span current = Context.current().span().orElse(null);
    if (current != null) {
      return SpanIds.newSpan(current.traceId(), current.spanId());
    }
    String causal = event.causalTraceId().orElse(null);
    if (causal != null) {
      try {
        CausalTraceId id = CausalTraceId.fromString(causal);
        return SpanIds.newSpan(id.w3cTraceId(), id.w3cSpanId());
      } catch (IllegalArgumentException e) {
        // not a causal trace id: the saga gets a trace of its own
      }
    }
    return SpanIds.newSpan(null, null);
  }

  /**
   * Ids for a span inside saga {@code sagaId}: a child of the saga-level span; the root of a new
   * trace when the saga is not open (unknown, finished or expired).
   */
  private SpanIds childOf(String sagaId) {
    OpenSpans.Open saga = openSagas.get(sagaId);
    return saga == null ? SpanIds.newSpan(null, null) : saga.ids().child();
  }

  private static String stepKey(String stepId, String action) {
    return stepId != null ? stepId : orUnknown(action);
  }

  private static String fanoutId(Map<String, Object> p, String sagaId) {
    return string(p, "fanout_id", string(p, "step_id", sagaId));
  }

  private static String orUnknown(String value) {
    return value != null ? value : UNKNOWN;
  }

  private static String string(Map<String, Object> payload, String key, String otherwise) {
    Object value = payload.get(key);
    return value != null ? String.valueOf(value) : otherwise;
  }

  private static SagaSpanRecord span(
      String name,
      String sagaId,
      String stepId,
      String stepAction,
      OpenSpans.Open opened,
      OpenSpans.Open closing,
      String status,
      Map<String, Object> payload,
      SpanIds ids) {
    Instant start = opened != null ? opened.start() : closing.start();
    Instant end = closing.start().isBefore(start) ? start : closing.start();
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("agent.saga.id", sagaId);
    putIfPresent(attributes, "agent.saga.step_id", stepId);
    putIfPresent(attributes, "agent.saga.step_action", stepAction);
    attributes.put("agent.saga.state", status);
    if (status.equals(SagaSpanRecord.STATUS_OK)) {
      putIfPresent(attributes, "agent.saga.result", string(payload, "result", null));
    } else {
      putIfPresent(attributes, "agent.saga.error", string(payload, "error", null));
      putIfPresent(attributes, "agent.saga.reason", string(payload, "reason", null));
    }
    putIfPresent(
        attributes,
        "agent.did",
        closing.agentDid() != null
            ? closing.agentDid()
            : opened == null ? null : opened.agentDid());
    putIfPresent(
        attributes,
        "session.id",
        closing.sessionId() != null
            ? closing.sessionId()
            : opened == null ? null : opened.sessionId());
    return new SagaSpanRecord(
        name,
        sagaId,
        stepId,
        stepAction,
        start,
        end,
        status,
        attributes,
        ids.traceId(),
        ids.spanId(),
        ids.parentSpanId());
  }

  private static void putIfPresent(Map<String, String> attributes, String key, String value) {
    if (value != null) {
      attributes.put(key, value);
    }
  }

  private void forward(SagaSpanRecord span) {
    SpanSink target = sink;
    if (target == null) {
      return;
    }
    try {
      target.recordSpan(span);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
        throw (VirtualMachineError) t;
      }
      sinkFailures.increment();
      if (sinkFailureLogged.compareAndSet(false, true)) {
        LOG.log(
            Level.WARNING,
            "Span sink "
                + target
                + " failed on "
                + span.name()
                + "; further failures are only"
                + " counted",
            t);
      }
    }
  }

  /** An immutable copy of the buffered spans, oldest first. */
  public List<SagaSpanRecord> completedSpans() {
    lock.lock();
    try {
      return List.copyOf(completed);
    } finally {
      lock.unlock();
    }
  }

  /** Saga events handled. */
  public long eventsProcessed() {
    lock.lock();
    try {
      return eventsProcessed;
    } finally {
      lock.unlock();
    }
  }

  /** Spans dropped from the buffer to keep it within {@code maxSpans}. */
  public long droppedSpans() {
    lock.lock();
    try {
      return droppedSpans;
    } finally {
      lock.unlock();
    }
  }

  /** Open steps, fan-outs and sagas dropped for age or number before they finished. */
  public long expiredSpans() {
    lock.lock();
    try {
      expiredSpans += expire(clock.instant());
      return expiredSpans;
    } finally {
      lock.unlock();
    }
  }

  /** Steps, fan-outs and sagas open now. */
  public int openSpans() {
    lock.lock();
    try {
      expiredSpans += expire(clock.instant());
      return openSteps.size() + openFanouts.size() + openSagas.size();
    } finally {
      lock.unlock();
    }
  }

  /** Sink calls that threw. */
  public long sinkFailures() {
    return sinkFailures.sum();
  }

  /** Clears the buffer, the open spans and the counters. */
  public void reset() {
    lock.lock();
    try {
      completed.clear();
      openSteps.clear();
      openFanouts.clear();
      openSagas.clear();
      finishedSagas.clear();
      eventsProcessed = 0;
      droppedSpans = 0;
      expiredSpans = 0;
    } finally {
      lock.unlock();
    }
    sinkFailures.reset();
  }

  /** Unsubscribes from the bus; buffered spans stay readable. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      subscriptions.forEach(Subscription::close);
    }
  }
}
