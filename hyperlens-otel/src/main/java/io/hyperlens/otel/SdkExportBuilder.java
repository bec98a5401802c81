package io.hyperlens.otel;

import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;

/**
 * What every bridge to an SDK {@link SpanExporter} is configured with: the exporter, the resource
 * its spans carry, how long one call may take, and whether the bridge owns the exporter.
 *
 * @param <B> the concrete builder, returned by each setter
 */
abstract class SdkExportBuilder<B extends SdkExportBuilder<B>> {
  final SpanExporter delegate;
  Resource resource = Resource.getDefault();
  Duration exportTimeout = Duration.ofSeconds(10);
  boolean shutdownDelegate = true;

  SdkExportBuilder(SpanExporter delegate) {
    if (delegate == null) {
      throw new IllegalArgumentException("delegate must not be null");
    }
    this.delegate = delegate;
  }

  abstract B self();

  /**
   * The resource of every span; default {@link Resource#getDefault()}. A tracer span's {@code
   * service.name} is its tracer's, whatever the resource says.
   */
  public B resource(Resource resource) {
    if (resource == null) {
      throw new IllegalArgumentException("resource must not be null");
    }
    this.resource = resource;
    return self();
  }

  /** How long one export, flush or shutdown may take before it counts as failed; default 10 s. */
  public B exportTimeout(Duration exportTimeout) {
    this.exportTimeout = TracingConfig.requirePositive("exportTimeout", exportTimeout);
    return self();
  }

  /**
   * Whether shutting the bridge down shuts the SDK exporter down too; default true. Pass false when
   * the SDK exporter is shared, e.g. with an {@code SdkTracerProvider} that shuts it down itself.
   */
  public B shutdownDelegate(boolean shutdownDelegate) {
    this.shutdownDelegate = shutdownDelegate;
    return self();
  }

  /** The SDK exporter driven synchronously with these settings. */
  SdkBatchExporter batchExporter() {
    return new SdkBatchExporter(delegate, exportTimeout, shutdownDelegate);
  }
}
