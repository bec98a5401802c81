package io.hyperlens.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a unit of work sits in a distributed trace, as one service hands it to the next: the trace
 * id, the span id of the caller ({@code parent_span_id}), the W3C trace flags and trace state, and
 * the baggage, the seed's key-value pairs that travel with the request.
 *
 * <p>Ids are W3C Trace Context ids: a 32-hex trace id and a 16-hex span id, lowercase, never all
 * zero. Factories also take the shorter {@link CausalTraceId} ids and left-pad them with zeros
 * (lossless, see {@link CausalTraceId#w3cTraceId()}).
 *
 * <p>Baggage is shared by every context and span of one local trace, as in the seed: a value set
 * through {@link #setBaggage} is seen by every span of the trace in this process and by {@link
 * W3CPropagator#inject} afterwards. Keys must be RFC 7230 tokens (the W3C baggage grammar); values
 * are any string (the propagator percent-encodes them). At most 180 entries are kept, the W3C
 * grammar's bound; {@link #setBaggage} returns {@code false} for a new key beyond it.
 *
 * <p>Thread-safe: the ids, flags and trace state are immutable and the baggage is guarded.
 *
 * <pre>{@code
 * TraceContext context = tracer.startTrace();
 * context.setBaggage("user_id", "12345");
 * context.setBaggage("request_id", "req-789");
 * context.getBaggage("user_id");               // Optional[12345]
 *
 * Map<String, Object> wire = context.toMap(); // {trace_id=..., parent_span_id=null, baggage={...}}
 * TraceContext received = TraceContext.fromMap(wire);
 * }</pre>
 */
public final class TraceContext {
  /** Length of a W3C trace id in hex characters. */
  public static final int TRACE_ID_LENGTH = W3CIds.TRACE_ID_LENGTH;

  /** Length of a W3C span id in hex characters. */
  public static final int SPAN_ID_LENGTH = W3CIds.SPAN_ID_LENGTH;

  /** The W3C {@code sampled} trace flag. */
  public static final int FLAG_SAMPLED = 0x01;

  private final String traceId;
  private final String parentSpanId;
  private final int traceFlags;
  private final Map<String, String> traceState;
  final BaggageStore baggage;

  TraceContext(
      String traceId,
      String parentSpanId,
      int traceFlags,
      Map<String, String> traceState,
      BaggageStore baggage) {
    this.traceId = traceId;
    this.parentSpanId = parentSpanId;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
    this.baggage = baggage;
  }

  /** A new trace: a random trace id, no parent, sampled, empty trace state and baggage. */
  public static TraceContext newTrace() {
    return new TraceContext(
        W3CIds.randomTraceId(), null, FLAG_SAMPLED, Map.of(), new BaggageStore());
  }

  /** A new trace with a known-valid id and the given flags, no parent, empty state and baggage. */
  static TraceContext newTrace(String traceId, int traceFlags) {
    return new TraceContext(traceId, null, traceFlags, Map.of(), new BaggageStore());
  }

  /**
   * A context for {@code traceId} under {@code parentSpanId}, sampled, with a copy of {@code
   * baggage}.
   *
   * @param traceId 32 hex characters, or a 12-hex {@link CausalTraceId} trace id
   * @param parentSpanId 16 hex characters, an 8-hex {@link CausalTraceId} span id, or {@code null}
   *     for none
   * @param baggage entries to copy; {@code null} for none
   * @throws IllegalArgumentException naming the field and the value when one is malformed
   */
  public static TraceContext of(String traceId, String parentSpanId, Map<String, String> baggage) {
    return of(traceId, parentSpanId, FLAG_SAMPLED, Map.of(), baggage);
  }

  /**
   * A context with every W3C field given.
   *
   * @param traceFlags the W3C trace flags byte, 0 to 255
   * @param traceState W3C {@code tracestate} entries, leftmost (most recent) first; copied
   * @throws IllegalArgumentException naming the field and the value when one is malformed
   */
  public static TraceContext of(
      String traceId,
      String parentSpanId,
      int traceFlags,
      Map<String, String> traceState,
      Map<String, String> baggage) {
    String trace = W3CIds.requireTraceId("trace_id", traceId);
    String parent =
        parentSpanId == null ? null : W3CIds.requireSpanId("parent_span_id", parentSpanId);
    if (traceFlags < 0 || traceFlags > 0xFF) {
      throw new IllegalArgumentException("traceFlags must be between 0 and 255, got " + traceFlags);
    }
    Map<String, String> state = TraceState.copyValid(traceState);
    BaggageStore store = new BaggageStore();
    if (baggage != null) {
      baggage.forEach(store::put);
    }
    return new TraceContext(trace, parent, traceFlags, state, store);
  }

  /**
   * The context of a causal span: its trace id and span id, left-padded to W3C ids, with the span
   * as the parent, so tracer spans started in it continue the agent's trace.
   */
  public static TraceContext fromCausalTraceId(CausalTraceId id) {
    Objects.requireNonNull(id, "id");
    return new TraceContext(
        id.w3cTraceId(), id.w3cSpanId(), FLAG_SAMPLED, Map.of(), new BaggageStore());
  }

  /**
   * Rebuilds a context from {@link #toMap()}'s shape: {@code trace_id} (required), {@code
   * parent_span_id} (optional) and {@code baggage} (optional map of strings).
   *
   * @throws IllegalArgumentException naming the key when a value is missing or malformed
   */
  public static TraceContext fromMap(Map<String, ?> map) {
    if (map == null) {
      throw new IllegalArgumentException("context map must not be null");
    }
    Object traceId = map.get("trace_id");
    if (!(traceId instanceof String)) {
      throw new IllegalArgumentException(
          "trace_id must be a string of 32 lowercase hex characters, got " + traceId);
    }
    Object parent = map.get("parent_span_id");
    if (parent != null && !(parent instanceof String)) {
      throw new IllegalArgumentException("parent_span_id must be a string or null, got " + parent);
    }
    Object baggage = map.get("baggage");
    Map<String, String> entries = new LinkedHashMap<>();
    if (baggage != null) {
      if (!(baggage instanceof Map)) {
        throw new IllegalArgumentException("baggage must be a map, got " + baggage);
      }
      for (Map.Entry<?, ?> e : ((Map<?, ?>) baggage).entrySet()) {
        if (!(e.getKey() instanceof String) || !(e.getValue() instanceof String)) {
          throw new IllegalArgumentException(
              "baggage entries must map strings to strings, got "
                  + e.getKey()
                  + "="
                  + e.getValue());
        }
        entries.put((String) e.getKey(), (String) e.getValue());
      }
    }
    return of((String) traceId, (String) parent, entries);
  }

  /** The 32-hex W3C trace id. */
  public String traceId() {
    return traceId;
  }

  /** The 16-hex span id of the caller, empty at the start of a trace. */
  public Optional<String> parentSpanId() {
    return Optional.ofNullable(parentSpanId);
  }

  /** The W3C trace flags byte, 0 to 255. */
  public int traceFlags() {
    return traceFlags;
  }

  /** Whether the {@code sampled} flag is set. */
  public boolean isSampled() {
    return (traceFlags & FLAG_SAMPLED) != 0;
  }

  /** The W3C {@code tracestate} entries, leftmost first; unmodifiable. */
  public Map<String, String> traceState() {
    return traceState;
  }

  /**
   * Sets a baggage entry for the whole local trace.
   *
   * @return {@code false} when the key is new and the 180-entry bound is reached (nothing changes)
   * @throws IllegalArgumentException when {@code key} is not an RFC 7230 token or {@code value} is
   *     null
   */
  public boolean setBaggage(String key, String value) {
    return baggage.put(key, value);
  }

  /** The baggage value for {@code key}, empty when there is none. */
  public Optional<String> getBaggage(String key) {
    return baggage.get(key);
  }

  /** Removes a baggage entry; returns whether there was one. */
  public boolean removeBaggage(String key) {
    return baggage.remove(key);
  }

  /** A snapshot of the baggage, in insertion order; unmodifiable. */
  public Map<String, String> baggage() {
    return baggage.snapshot();
  }

  /** A context that is current while the returned scope is open; see {@link Context}. */
  public Scope makeCurrent() {
    return Context.current().with(this).makeCurrent();
  }

  /** The same trace, flags, state and shared baggage, under another parent span. */
  TraceContext withParent(String spanId) {
    return new TraceContext(traceId, spanId, traceFlags, traceState, baggage);
  }

  /**
   * The seed's {@code to_dict()}: {@code trace_id}, {@code parent_span_id} ({@code null} when there
   * is none) and {@code baggage}, in that order. Flags and trace state travel in the W3C headers
   * ({@link W3CPropagator}), not here.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("trace_id", traceId);
    map.put("parent_span_id", parentSpanId);
    map.put("baggage", baggage.snapshot());
    return Collections.unmodifiableMap(map);
  }

  /** Equal when trace id, parent, flags, trace state and current baggage are equal. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TraceContext)) {
      return false;
    }
    TraceContext that = (TraceContext) o;
    return traceId.equals(that.traceId)
        && Objects.equals(parentSpanId, that.parentSpanId)
        && traceFlags == that.traceFlags
        && traceState.equals(that.traceState)
        && baggage.snapshot().equals(that.baggage.snapshot());
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceId, parentSpanId, traceFlags);
  }

  @Override
  public String toString() {
    return "TraceContext{trace_id="
        + traceId
        + ", parent_span_id="
        + parentSpanId
        + ", flags="
        + String.format("%02x", traceFlags)
        + ", trace_state="
        + traceState
        + ", baggage="
        + baggage.snapshot()
        + '}';
  }
}
