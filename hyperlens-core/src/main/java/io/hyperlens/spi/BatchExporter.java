package io.hyperlens.spi;

import java.util.List;

/**
 * Where a {@link BatchExportQueue} hands its batches: a network exporter, a store, a test. The
 * tracer's {@code SpanExporter} is one.
 *
 * <p>Threading: the queue calls every method from its own worker thread, one call at a time, so an
 * implementation needs no locking of its own for these calls; the one exception is a shutdown that
 * times out, after which {@link #shutdown} is called from the closing thread while the abandoned
 * export may still run. {@link #export} may block; an exception thrown from any method is caught
 * and counted by the queue.
 *
 * <pre>{@code
 * BatchExporter<String> printing = lines -> lines.forEach(System.out::println);
 * }</pre>
 *
 * @param <T> what is exported
 */
@FunctionalInterface
public interface BatchExporter<T> {
  /** Exports one batch; the list is unmodifiable. */
  void export(List<T> batch);

  /** Pushes out anything the exporter buffers itself. The default does nothing. */
  default void flush() {}

  /** Releases the exporter's resources; called once, last. The default does nothing. */
  default void shutdown() {}
}
