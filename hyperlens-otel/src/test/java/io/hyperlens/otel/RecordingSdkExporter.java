package io.hyperlens.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** An SDK exporter that keeps every span, also after shutdown (the SDK's in-memory one clears). */
final class RecordingSdkExporter implements SpanExporter {
  final List<SpanData> spans = new CopyOnWriteArrayList<>();
  final AtomicBoolean shutdown = new AtomicBoolean();

  @Override
  public CompletableResultCode export(Collection<SpanData> batch) {
    spans.addAll(batch);
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    shutdown.set(true);
    return CompletableResultCode.ofSuccess();
  }

  SpanData named(String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }
}
