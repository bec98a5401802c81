package io.hyperlens.otel;

import io.hyperlens.spi.BatchExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.List;

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
    SdkResults.await(
        delegate.export(batch),
        timeout,
        "Exporting " + batch.size() + " spans through " + delegate);
  }

  @Override
  public void flush() {
    SdkResults.await(delegate.flush(), timeout, "Flushing " + delegate);
  }

  /** Shuts the SDK exporter down, unless it is shared and its owner does that. */
  @Override
  public void shutdown() {
    if (shutdownDelegate) {
      SdkResults.await(delegate.shutdown(), timeout, "Shutting down " + delegate);
    }
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
