package io.hyperlens.otel;

import io.hyperlens.spi.BatchExporter;
import io.hyperlens.spi.Timeouts;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OpenTelemetry SDK {@link SpanExporter} driven synchronously: each call waits for the SDK's
 * result up to the timeout and throws when it failed, so the {@code BatchExportQueue} in front
 * counts the batch as failed.
 */
final class SdkBatchExporter implements BatchExporter<SpanData> {
  private final SpanExporter delegate;
  private final Duration timeout;
  private final boolean shutdownDelegate;

  SdkBatchExporter(SpanExporter delegate, Duration timeout, boolean shutdownDelegate) {
    this.delegate = delegate;
    this.timeout = timeout;
    this.shutdownDelegate = shutdownDelegate;
  }

  @Override
  public void export(List<SpanData> batch) {
    await(delegate.export(batch), "Exporting " + batch.size() + " spans through " + name());
  }

  @Override
  public void flush() {
    await(delegate.flush(), "Flushing " + name());
  }

  /** Shuts the SDK exporter down, unless it is shared and its owner does that. */
  @Override
  public void shutdown() {
    if (shutdownDelegate) {
      await(delegate.shutdown(), "Shutting down " + name());
    }
  }

  /**
   * Waits up to the timeout for {@code result}.
   *
   * @throws IllegalStateException naming {@code what} when it failed or did not finish in time
   */
  private void await(CompletableResultCode result, String what) {
    result.join(Timeouts.nanos(timeout), TimeUnit.NANOSECONDS);
    if (!result.isDone()) {
      throw new IllegalStateException(what + " did not finish within " + timeout);
    }
    if (!result.isSuccess()) {
      throw new IllegalStateException(what + " failed", result.getFailureThrowable());
    }
  }

  /** The SDK exporter's name without the configuration its {@code toString} lists. */
  private String name() {
    String full = delegate.toString();
    int brace = full.indexOf('{');
    return brace > 0 ? full.substring(0, brace) : full;
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
