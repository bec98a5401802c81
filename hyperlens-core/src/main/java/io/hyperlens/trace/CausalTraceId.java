package io.hyperlens.trace;

import java.util.Objects;
import java.util.Optional;

/**
 * A hierarchical trace id that encodes a multi-agent spawn tree: {@code
 * {trace_id}/{span_id}[/{parent_span_id}]}.
 *
 * <p>The trace id (12 lowercase hex characters, never all zero) is shared by every span of one
 * tree; each span has its own 8-hex span id and, unless it is a root, the span id of its parent.
 * {@link #w3cTraceId()} and {@link #w3cSpanId()} map them losslessly onto W3C Trace Context ids by
 * left-padding with zeros ({@code a1b2c3d4e5f6} becomes {@code 00000000000000000000a1b2c3d4e5f6}),
 * so a saga span and a {@link DistributedTracer} span can share one trace in any backend. {@link
 * #depth()} counts the hops from the root. Depth is not part of the string form: an id parsed by
 * {@link #fromString(String)} has depth 0 without a parent and 1 with one, so a parsed root is
 * still an ancestor of a parsed child.
 *
 * <p>Instances are immutable and thread-safe. Two ids are equal when they name the same span: same
 * trace, span and parent ids, which is exactly {@link #fullId()}. Depth is not compared because the
 * string form cannot carry it, so {@code fromString(id.fullId()).equals(id)} always holds.
 *
 * <pre>{@code
 * CausalTraceId orchestrator = CausalTraceId.root();
 * CausalTraceId researcher = orchestrator.child();
 * CausalTraceId toolAgent = researcher.child();
 * CausalTraceId writer = researcher.sibling();
 *
 * toolAgent.depth();                       // 2
 * orchestrator.isAncestorOf(toolAgent);    // true
 * writer.parentSpanId();                   // Optional[orchestrator.spanId()]
 * CausalTraceId.fromString(toolAgent.fullId()).spanId().equals(toolAgent.spanId()); // true
 * }</pre>
 */
public final class CausalTraceId {
  /** Length of {@link #traceId()} in hex characters. */
  public static final int TRACE_ID_LENGTH = 12;

  /** Length of {@link #spanId()} and {@link #parentSpanId()} in hex characters. */
  public static final int SPAN_ID_LENGTH = 8;

  private final String traceId;
  private final String spanId;
  private final String parentSpanId;
  private final int depth;
  private String fullId;

  private CausalTraceId(String traceId, String spanId, String parentSpanId, int depth) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.depth = depth;
  }

  /** Starts a new trace tree: a fresh trace id, a fresh span id, no parent, depth 0. */
  public static CausalTraceId root() {
    return new CausalTraceId(
        nonZeroRandom(TRACE_ID_LENGTH), nonZeroRandom(SPAN_ID_LENGTH), null, 0);
  }

  private static String nonZeroRandom(int length) {
    String id;
    do {
      id = HexIds.random(length);
    } while (W3CIds.isAllZero(id));
    return id;
  }

  /**
   * The inverse of {@link #w3cTraceId()} and {@link #w3cSpanId()}: a causal id from W3C ids whose
   * leading characters are the zero padding, with depth 0 without a parent and 1 with one.
   *
   * @param parentSpanId the parent's W3C span id, or {@code null} for a root
   * @throws IllegalArgumentException naming the field when an id is not a padded causal id
   */
  public static CausalTraceId fromW3C(String traceId, String spanId, String parentSpanId) {
    String trace = unpad("traceId", traceId, W3CIds.TRACE_ID_LENGTH, TRACE_ID_LENGTH);
    String span = unpad("spanId", spanId, W3CIds.SPAN_ID_LENGTH, SPAN_ID_LENGTH);
    String parent =
        parentSpanId == null
            ? null
            : unpad("parentSpanId", parentSpanId, W3CIds.SPAN_ID_LENGTH, SPAN_ID_LENGTH);
    return new CausalTraceId(trace, span, parent, parent == null ? 0 : 1);
  }

  /**
   * The causal trace id (12 hex characters) a W3C trace id is the padding of: the inverse of {@link
   * #w3cTraceId()} for the trace part alone.
   *
   * @throws IllegalArgumentException when {@code w3cTraceId} is not a padded causal trace id
   */
  public static String traceIdFromW3C(String w3cTraceId) {
    return unpad("traceId", w3cTraceId, W3CIds.TRACE_ID_LENGTH, TRACE_ID_LENGTH);
  }

  private static String unpad(String field, String w3cId, int w3cLength, int causalLength) {
    int pad = w3cLength - causalLength;
    boolean valid = HexIds.isLowerHex(w3cId, w3cLength) && !W3CIds.isAllZero(w3cId);
    if (!valid || !W3CIds.isAllZero(w3cId.substring(0, pad))) {
      throw new IllegalArgumentException(
          field
              + " must be a W3C id of "
              + w3cLength
              + " lowercase hex characters whose first "
              + pad
              + " are zero (a padded CausalTraceId id), got "
              + W3CIds.quote(w3cId));
    }
    return w3cId.substring(pad);
  }

  /**
   * Parses {@code {trace_id}/{span_id}[/{parent_span_id}]}: exactly two or three parts of 12, 8 and
   * 8 lowercase hex characters.
   *
   * @throws IllegalArgumentException quoting {@code value} when it does not have that form
   */
  public static CausalTraceId fromString(String value) {
    if (value == null) {
      throw new IllegalArgumentException("CausalTraceId must not be null");
    }
    String[] parts = value.split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw invalid(value, "expected 2 or 3 '/'-separated parts, got " + parts.length);
    }
    if (!isId(parts[0], TRACE_ID_LENGTH)) {
      throw invalid(value, "trace_id must be 12 lowercase hex characters, not all zero");
    }
    if (!isId(parts[1], SPAN_ID_LENGTH)) {
      throw invalid(value, "span_id must be 8 lowercase hex characters, not all zero");
    }
    if (parts.length == 2) {
      return new CausalTraceId(parts[0], parts[1], null, 0);
    }
    if (!isId(parts[2], SPAN_ID_LENGTH)) {
      throw invalid(value, "parent_span_id must be 8 lowercase hex characters, not all zero");
    }
    return new CausalTraceId(parts[0], parts[1], parts[2], 1);
  }

  private static boolean isId(String part, int length) {
    return HexIds.isLowerHex(part, length) && !W3CIds.isAllZero(part);
  }

  private static IllegalArgumentException invalid(String value, String why) {
    return new IllegalArgumentException(
        "Invalid CausalTraceId \""
            + value
            + "\": "
            + why
            + " (format {trace_id}/{span_id}[/{parent_span_id}])");
  }

  /** A new span one level deeper: same trace, fresh span id, this span as parent. */
  public CausalTraceId child() {
    return new CausalTraceId(traceId, nonZeroRandom(SPAN_ID_LENGTH), spanId, depth + 1);
  }

  /** A new span for parallel work: same trace, same parent, same depth, fresh span id. */
  public CausalTraceId sibling() {
    return new CausalTraceId(traceId, nonZeroRandom(SPAN_ID_LENGTH), parentSpanId, depth);
  }

  /**
   * Whether {@code other} lies below this id in the same trace, as the seed defines it: same trace
   * id and a greater depth. It does not follow the parent chain, which the compact string form
   * cannot carry.
   */
  public boolean isAncestorOf(CausalTraceId other) {
    if (other == null) {
      throw new IllegalArgumentException("other must not be null");
    }
    return traceId.equals(other.traceId) && other.depth > depth;
  }

  /** The 12-hex id shared by the whole tree. */
  public String traceId() {
    return traceId;
  }

  /** The 8-hex id of this span. */
  public String spanId() {
    return spanId;
  }

  /** The parent's span id, empty for a root. */
  public Optional<String> parentSpanId() {
    return Optional.ofNullable(parentSpanId);
  }

  /**
   * This trace id as a W3C trace id: left-padded with zeros to 32 hex characters, so spans of the
   * tracer and of sagas can share one trace in any backend. {@link #fromW3C} reverses it.
   */
  public String w3cTraceId() {
    return W3CIds.padTraceId(traceId);
  }

  /** This span id as a W3C span id: left-padded with zeros to 16 hex characters. */
  public String w3cSpanId() {
    return W3CIds.padSpanId(spanId);
  }

  /** The parent's span id as a W3C span id, empty for a root. */
  public Optional<String> w3cParentSpanId() {
    return parentSpanId == null ? Optional.empty() : Optional.of(W3CIds.padSpanId(parentSpanId));
  }

  /** Hops from the root: 0 for a root, 1 for its children. */
  public int depth() {
    return depth;
  }

  /** {@code {trace_id}/{span_id}[/{parent_span_id}]}. */
  public String fullId() {
    String id = fullId;
    if (id == null) {
      id =
          parentSpanId == null
              ? traceId + '/' + spanId
              : traceId + '/' + spanId + '/' + parentSpanId;
      fullId = id;
    }
    return id;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CausalTraceId)) {
      return false;
    }
    CausalTraceId that = (CausalTraceId) o;
    return traceId.equals(that.traceId)
        && spanId.equals(that.spanId)
        && Objects.equals(parentSpanId, that.parentSpanId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceId, spanId, parentSpanId);
  }

  /** Same as {@link #fullId()}. */
  @Override
  public String toString() {
    return fullId();
  }
}
