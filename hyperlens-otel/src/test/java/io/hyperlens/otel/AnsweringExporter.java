package io.hyperlens.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.function.Function;

/** An SDK exporter whose export answers as the test says; flush and shutdown succeed. */
final class AnsweringExporter implements SpanExporter {
  private final Function<Collection<SpanData>, CompletableResultCode> answer;

  AnsweringExporter(Function<Collection<SpanData>, CompletableResultCode> answer) {
    this.answer = answer;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return answer.apply(spans);
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
