package io.hyperlens.trace;

/**
 * Keeps a {@link Context} current on the thread that opened it until {@link #close()}: use it in
 * try-with-resources.
 *
 * <p>Closing restores what was current before, even when scopes are closed out of order: the
 * current context is always the innermost scope still open. Closing out of order, twice, or on
 * another thread is misuse; it is counted ({@link Context#scopeMisuseCount()}), logged once, and
 * never corrupts the thread's context. Not thread-safe: close a scope on the thread that opened it.
 *
 * <pre>{@code
 * Span span = tracer.startSpan("agent_lifecycle");
 * try (Scope scope = span.makeCurrent()) {
 *   Span child = tracer.startSpan("initialize_container"); // child of span
 *   tracer.finishSpan(child);
 * } finally {
 *   tracer.finishSpan(span);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Scope extends AutoCloseable {
  /** Ends the scope; never throws. */
  @Override
  void close();
}
