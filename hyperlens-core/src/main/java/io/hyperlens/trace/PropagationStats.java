package io.hyperlens.trace;

/**
 * A snapshot of {@link W3CPropagator}'s counters since the JVM started, for a health page or a
 * metrics exporter.
 *
 * <p>The counters are process-wide and only grow; compare two snapshots to see what happened in
 * between. The components are read one after another, not atomically, so a snapshot taken while
 * other threads propagate may be off by the calls in flight.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * PropagationStats before = W3CPropagator.stats();
 * W3CPropagator.extract(Map.of("traceparent", "not-a-traceparent"));
 * PropagationStats after = W3CPropagator.stats();
 * long malformed = after.malformedTraceparent() - before.malformedTraceparent(); // 1
 * }</pre>
 *
 * @param extracted calls to {@link W3CPropagator#extract}, whatever their outcome: each returns a
 *     context
 * @param malformedTraceparent extractions whose {@code traceparent} header was present but invalid,
 *     so a new trace was started instead
 * @param malformedTracestate extractions with a valid {@code traceparent} whose {@code tracestate}
 *     header was invalid and dropped
 * @param droppedBaggageMembers {@code baggage} list-members dropped while extracting: malformed, or
 *     beyond the 180-member or 8192-byte limit
 * @param droppedBaggageOnInject baggage entries left out while injecting because they would exceed
 *     the 180-member or 8192-byte limit
 */
public record PropagationStats(
    long extracted,
    long malformedTraceparent,
    long malformedTracestate,
    long droppedBaggageMembers,
    long droppedBaggageOnInject) {}
