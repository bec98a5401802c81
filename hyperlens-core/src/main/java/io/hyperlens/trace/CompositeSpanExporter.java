package io.hyperlens.trace;

import io.hyperlens.spi.FanOut;
import java.util.List;
import java.util.function.Consumer;

/** Fans every call out to several exporters; see {@link SpanExporter#composite}. */
final class CompositeSpanExporter implements SpanExporter {
  private final List<SpanExporter> exporters;

  CompositeSpanExporter(List<SpanExporter> exporters) {
    this.exporters = exporters;
  }

  @Override
  public void export(List<SpanData> spans) {
    callEach(exporter -> exporter.export(spans));
  }

  @Override
  public void flush() {
    callEach(SpanExporter::flush);
  }

  @Override
  public void shutdown() {
    callEach(SpanExporter::shutdown);
  }

  private void callEach(Consumer<SpanExporter> call) {
    FanOut.callEach(exporters, call);
  }

  @Override
  public String toString() {
    return "SpanExporter.composite" + exporters;
  }
}
