package io.hyperlens.otel;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where {@link Tracing} sends spans: the seed's {@code exporter} values, plus {@code none}.
 *
 * <pre>{@code
 * TraceExporter exporter = TraceExporter.of("zipkin"); // ZIPKIN
 * }</pre>
 */
public enum TraceExporter {
  /** OTLP to a collector or any OTLP receiver; default endpoint {@code :4318/v1/traces}. */
  OTLP("otlp", "http://localhost:4318/v1/traces"),
  /** Zipkin's JSON v2 API; default endpoint {@code http://localhost:9411/api/v2/spans}. */
  ZIPKIN("zipkin", "http://localhost:9411/api/v2/spans"),
  /** One log line per span through {@code java.util.logging}: development, tests. */
  CONSOLE("console", null),
  /**
   * Jaeger, over OTLP: Jaeger (1.35 and later, and all of 2.x) receives OTLP natively on ports 4317
   * (gRPC) and 4318 (HTTP), and OpenTelemetry retired its Jaeger-protocol exporters, so this is
   * OTLP with Jaeger's OTLP endpoint as the default. The seed's {@code :14268/api/traces} is
   * Jaeger's legacy Thrift collector and is rejected with a message saying so.
   */
  JAEGER("jaeger", "http://localhost:4318/v1/traces"),
  /** Spans are kept in memory by the tracer and sent nowhere. */
  NONE("none", null);

  private final String value;
  private final String defaultEndpoint;

  TraceExporter(String value, String defaultEndpoint) {
    this.value = value;
    this.defaultEndpoint = defaultEndpoint;
  }

  /** The seed's string for this exporter. */
  public String value() {
    return value;
  }

  /** The endpoint used when none is configured, null for exporters without one. */
  String defaultEndpoint() {
    return defaultEndpoint;
  }

  /** Whether this exporter sends to a network endpoint. */
  boolean hasEndpoint() {
    return defaultEndpoint != null;
  }

  /**
   * The exporter named {@code value}, case-insensitively.
   *
   * @throws IllegalArgumentException naming the field and listing the choices
   */
  public static TraceExporter of(String value) {
    if (value != null) {
      for (TraceExporter exporter : values()) {
        if (exporter.value.equals(value.trim().toLowerCase(Locale.ROOT))) {
          return exporter;
        }
      }
    }
    throw new IllegalArgumentException(
        "exporter must be one of "
            + Arrays.stream(values()).map(TraceExporter::value).collect(Collectors.joining(", "))
            + ", got "
            + TracingConfig.quote(value));
  }
}
