package io.hyperlens.otel;

import io.hyperlens.spi.Timeouts;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SDK exporter shared by several callers (the SDK's batch processor, the tracer's export
 * worker, the saga sink's worker) but called as the OpenTelemetry specification promises an
 * exporter: one export at a time. A caller waits for the previous export to finish, up to the
 * export timeout, and reports a failure when it cannot get its turn.
 */
final class SerializingSpanExporter implements SpanExporter {
  private final SpanExporter delegate;
  private final long timeoutNanos;
  private final ReentrantLock turn = new ReentrantLock();

  SerializingSpanExporter(SpanExporter delegate, Duration timeout) {
    this.delegate = delegate;
    this.timeoutNanos = Timeouts.nanos(timeout);
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    try {
      if (!turn.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
        return CompletableResultCode.ofExceptionalFailure(
            new IllegalStateException(
                "the previous export through "
                    + delegate.getClass().getSimpleName()
                    + " did not finish within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + " ms"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableResultCode.ofFailure();
    }
    try {
      CompletableResultCode result = delegate.export(spans);
      result.join(timeoutNanos, TimeUnit.NANOSECONDS);
      return result;
    } finally {
      turn.unlock();
    }
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
