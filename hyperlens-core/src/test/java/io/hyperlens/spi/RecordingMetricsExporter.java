package io.hyperlens.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test exporter: records every call as one line, or throws on every call. */
public final class RecordingMetricsExporter implements MetricsExporter {
  private final List<String> calls = new ArrayList<>();
  private final RuntimeException failure;

  private RecordingMetricsExporter(RuntimeException failure) {
    this.failure = failure;
  }

  /** Records {@code GAUGE name=value labels={..}} and {@code COUNTER name +=value labels={..}}. */
  public static RecordingMetricsExporter recording() {
    return new RecordingMetricsExporter(null);
  }

  /** Throws {@code failure} from every call. */
  public static RecordingMetricsExporter throwing(RuntimeException failure) {
    return new RecordingMetricsExporter(failure);
  }

  public List<String> calls() {
    return calls;
  }

  @Override
  public void setGauge(String name, double value, Map<String, String> labels, String help) {
    record("GAUGE " + name + "=" + value + " labels=" + labels);
  }

  @Override
  public void incCounter(String name, double value, Map<String, String> labels, String help) {
    record("COUNTER " + name + " +=" + value + " labels=" + labels);
  }

  private void record(String call) {
    if (failure != null) {
      throw failure;
    }
    calls.add(call);
  }
}
