package io.hyperlens.spi;

import java.util.List;
import java.util.Map;

/**
 * Where collectors push metrics, without depending on a metrics library: the seed's {@code
 * PrometheusExporterProtocol} in Java. {@code hyperlens-prometheus} implements it on Prometheus
 * client_java; anything with a gauge and a counter can.
 *
 * <p>Threading: a collector calls these methods from the thread that runs its {@code exportTo}, one
 * call at a time per collector; implementations shared between collectors must be thread-safe.
 * Calls should not block. An exception thrown here is caught and counted by the caller; it never
 * reaches the code that emits events.
 *
 * <pre>{@code
 * MetricsExporter printing =
 *     new MetricsExporter() {
 *       public void setGauge(String name, double value, Map<String, String> labels, String help) {
 *         System.out.println("GAUGE " + name + "=" + value + " labels=" + labels);
 *       }
 *
 *       public void incCounter(String name, double value, Map<String, String> labels, String help) {
 *         System.out.println("COUNTER " + name + " +=" + value + " labels=" + labels);
 *       }
 *     };
 * collector.exportTo(printing);
 * }</pre>
 */
public interface MetricsExporter {
  /**
   * Sets gauge {@code name} with {@code labels} to {@code value}.
   *
   * @param labels label names to values, never null (empty for none), in a stable order
   * @param help the metric's one-line description
   */
  void setGauge(String name, double value, Map<String, String> labels, String help);

  /**
   * Adds {@code value} (never negative) to counter {@code name} with {@code labels}. Callers pass
   * increments, not running totals.
   */
  void incCounter(String name, double value, Map<String, String> labels, String help);

  /** An exporter that drops everything. */
  static MetricsExporter noop() {
    return NoopMetricsExporter.INSTANCE;
  }

  /**
   * An exporter that forwards every call to each of {@code exporters} in order; one that throws
   * does not stop the others, and the first failure is rethrown after all have been called.
   */
  static MetricsExporter composite(MetricsExporter... exporters) {
    return new CompositeMetricsExporter(List.of(exporters));
  }
}
