package io.hyperlens.spi;

import java.util.List;
import java.util.Map;

final class CompositeMetricsExporter implements MetricsExporter {
  private final List<MetricsExporter> exporters;

  CompositeMetricsExporter(List<MetricsExporter> exporters) {
    this.exporters = exporters;
  }

  @Override
  public void setGauge(String name, double value, Map<String, String> labels, String help) {
    FanOut.callEach(exporters, e -> e.setGauge(name, value, labels, help));
  }

  @Override
  public void incCounter(String name, double value, Map<String, String> labels, String help) {
    FanOut.callEach(exporters, e -> e.incCounter(name, value, labels, help));
  }
}
