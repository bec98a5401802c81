package io.hyperlens.spi;

import java.util.Map;

enum NoopMetricsExporter implements MetricsExporter {
  INSTANCE;

  @Override
  public void setGauge(String name, double value, Map<String, String> labels, String help) {}

  @Override
  public void incCounter(String name, double value, Map<String, String> labels, String help) {}
}
