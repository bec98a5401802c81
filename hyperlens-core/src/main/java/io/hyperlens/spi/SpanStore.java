package io.hyperlens.spi;

import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.TraceSummary;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable history of finished tracer spans, answering what the {@link
 * io.hyperlens.trace.DistributedTracer} answers from memory: a trace's spans, a span by id, a trace
 * summary, the recent traces. {@code hyperlens-store} implements it on SQLite and PostgreSQL;
 * {@code PersistentEventSink#spanExporter()} there feeds one from a tracer.
 *
 * <p>Idempotent: a span whose trace and span ids are already stored is skipped. Implementations are
 * thread-safe.
 *
 * <pre>{@code
 * spanStore.appendSpans(tracer.getTraceSpans(traceId));
 * spanStore.traceSummary(traceId).ifPresent(s -> System.out.println(s.spanCount()));
 * }</pre>
 */
public interface SpanStore extends AutoCloseable {
  /**
   * Stores {@code spans} in one transaction, skipping spans already stored.
   *
   * @return how many were new
   * @throws IllegalArgumentException naming the span and field when one cannot be stored (nothing
   *     of the batch is then stored)
   * @throws StoreException when the store cannot be written
   */
  int appendSpans(List<SpanData> spans);

  /** The spans of a trace in start order; empty when none are stored. */
  List<SpanData> trace(String traceId);

  /** A span by its 16-hex id. */
  Optional<SpanData> span(String spanId);

  /** The summary of a stored trace, as {@link TraceSummary#of} makes it. */
  Optional<TraceSummary> traceSummary(String traceId);

  /**
   * Summaries of the traces whose spans ended last, newest first; at most {@code limit}. (The
   * tracer orders by when spans finished in this process; a store by their recorded end time.)
   */
  List<TraceSummary> recentTraces(int limit);

  /**
   * Removes the spans that ended before {@code cutoff}.
   *
   * @return how many were removed
   */
  long deleteSpansOlderThan(Instant cutoff);

  /** Releases the store. */
  @Override
  void close();
}
