package io.hyperlens.otel;

import io.hyperlens.trace.TraceIdRatio;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How {@link Tracing#enable} sets OpenTelemetry up: the seed's {@code TracingConfig} ({@code
 * service_name}, {@code exporter}, {@code endpoint}, {@code sample_rate}, {@code propagators}) plus
 * resource attributes, OTLP protocol and headers, timeouts and where OpenTelemetry metrics are
 * exposed. Immutable; every value is checked when it is set, and a bad one fails naming the field
 * and the value.
 *
 * <pre>{@code
 * TracingConfig config =
 *     TracingConfig.builder()
 *         .serviceName("my-agent-service")
 *         .exporter("zipkin")
 *         .endpoint("http://localhost:9411/api/v2/spans")
 *         .sampleRate(1.0)
 *         .propagators(List.of("tracecontext", "baggage"))
 *         .build();
 * }</pre>
 */
public final class TracingConfig {
  /** The W3C {@code traceparent}/{@code tracestate} propagator. */
  public static final String TRACECONTEXT = "tracecontext";

  /** The W3C {@code baggage} propagator. */
  public static final String BAGGAGE = "baggage";

  /** OTLP over HTTP with protobuf bodies (port 4318). */
  public static final String HTTP_PROTOBUF = "http/protobuf";

  /** OTLP over gRPC (port 4317). */
  public static final String GRPC = "grpc";

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final String serviceName;
  private final TraceExporter exporter;
  private final String endpoint;
  private final String otlpProtocol;
  private final Map<String, String> headers;
  private final double sampleRate;
  private final List<String> propagators;
  private final Map<String, String> resourceAttributes;
  private final Duration exportTimeout;
  private final Duration shutdownTimeout;
  private final PrometheusRegistry metricsRegistry;
  private final boolean registerGlobal;
  private final boolean redactSecrets;

  private TracingConfig(Builder b) {
    this.serviceName = b.serviceName;
    this.exporter = b.exporter;
    this.otlpProtocol = b.otlpProtocol;
    this.endpoint = endpointFor(b.exporter, b.otlpProtocol, b.endpoint);
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.sampleRate = b.sampleRate;
    this.propagators = List.copyOf(b.propagators);
    this.resourceAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.resource));
    this.exportTimeout = b.exportTimeout;
    this.shutdownTimeout = b.shutdownTimeout;
    this.metricsRegistry = b.metricsRegistry;
    this.registerGlobal = b.registerGlobal;
    this.redactSecrets = b.redactSecrets;
  }

  /** A builder with the defaults: service {@code hyperlens}, OTLP over HTTP, sample everything. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults; see {@link #builder()}. */
  public static TracingConfig defaults() {
    return builder().build();
  }

  /** The {@code service.name} of every span and metric. */
  public String serviceName() {
    return serviceName;
  }

  /** Where spans go. */
  public TraceExporter exporter() {
    return exporter;
  }

  /** The exporter's endpoint (the configured one or its default); empty for console and none. */
  public Optional<String> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /** {@value #HTTP_PROTOBUF} or {@value #GRPC}, for the OTLP and Jaeger exporters. */
  public String otlpProtocol() {
    return otlpProtocol;
  }

  /** Headers sent with every OTLP export (an API key, a tenant); unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The share of traces exported, 0.0 to 1.0: parent-based, trace-id ratio for new traces. */
  public double sampleRate() {
    return sampleRate;
  }

  /** {@value #TRACECONTEXT} and/or {@value #BAGGAGE}, in order. */
  public List<String> propagators() {
    return propagators;
  }

  /** Resource attributes besides {@code service.name}, e.g. {@code deployment.environment}. */
  public Map<String, String> resourceAttributes() {
    return resourceAttributes;
  }

  /** How long one export may take before it counts as failed. */
  public Duration exportTimeout() {
    return exportTimeout;
  }

  /** How long {@link Tracing#close()} waits, in all, to flush and shut down. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** The registry OpenTelemetry metrics are exposed in, if any. */
  public Optional<PrometheusRegistry> metricsRegistry() {
    return Optional.ofNullable(metricsRegistry);
  }

  /** Whether {@link Tracing#enable} installs the SDK and tracer as the process-wide ones. */
  public boolean registerGlobal() {
    return registerGlobal;
  }

  /** Whether secrets are removed from spans before export ({@link RedactingSpanExporter}). */
  public boolean redactSecrets() {
    return redactSecrets;
  }

  @Override
  public String toString() {
    return "TracingConfig{service="
        + serviceName
        + ", exporter="
        + exporter.value()
        + (endpoint == null ? "" : ", endpoint=" + endpoint)
        + ", sampleRate="
        + sampleRate
        + ", propagators="
        + propagators
        + '}';
  }

  private static String endpointFor(TraceExporter exporter, String protocol, String endpoint) {
    if (!exporter.hasEndpoint()) {
      if (endpoint != null) {
        throw new IllegalArgumentException(
            "endpoint must not be set for exporter "
                + exporter.value()
                + ", got "
                + quote(endpoint));
      }
      return null;
    }
    boolean otlp = exporter == TraceExporter.OTLP || exporter == TraceExporter.JAEGER;
    if (endpoint == null) {
      return otlp && GRPC.equals(protocol) ? "http://localhost:4317" : exporter.defaultEndpoint();
    }
    URI uri = uri(endpoint);
    if (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")) {
      // A server's address alone: post where its API takes spans, not to its web UI.
      String base =
          endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
      if (exporter == TraceExporter.ZIPKIN) {
        return base + "/api/v2/spans";
      }
      if (otlp && !GRPC.equals(protocol)) {
        return base + "/v1/traces";
      }
    }
    if (exporter == TraceExporter.JAEGER
        && (uri.getPort() == 14268
            || uri.getPort() == 14250
            || "/api/traces".equals(uri.getPath()))) {
      throw new IllegalArgumentException(
          "endpoint "
              + quote(endpoint)
              + " is Jaeger's legacy Thrift/gRPC collector; exporter jaeger speaks OTLP, which"
              + " Jaeger receives on port 4318 (http://<host>:4318/v1/traces) or 4317 (grpc)");
    }
    return endpoint;
  }

  private static URI uri(String endpoint) {
    try {
      URI uri = new URI(endpoint);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "endpoint must be an http:// or https:// URL with a host, got " + quote(endpoint));
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "endpoint must be an http:// or https:// URL with a host, got " + quote(endpoint), e);
    }
  }

  static String quote(String value) {
    return value == null ? "null" : '"' + value + '"';
  }

  static double requireRate(double sampleRate) {
    return new TraceIdRatio(sampleRate).ratio();
  }

  static int requirePositive(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
    return value;
  }

  static Duration requirePositive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be a positive duration, got " + value);
    }
    return value;
  }

  private static String requireNonBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, got " + quote(value));
    }
    return value;
  }

  /**
   * Builds a {@link TracingConfig}. Each setter checks its value and throws {@link
   * IllegalArgumentException} naming the field; {@link #build()} checks the combination (an
   * endpoint for an exporter that has none, Jaeger's Thrift port).
   *
   * <p>Not thread-safe; build on one thread.
   */
  public static final class Builder {
    private String serviceName = "hyperlens";
    private TraceExporter exporter = TraceExporter.OTLP;
    private String endpoint;
    private String otlpProtocol = HTTP_PROTOBUF;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private double sampleRate = 1.0;
    private List<String> propagators = List.of(TRACECONTEXT, BAGGAGE);
    private final Map<String, String> resource = new LinkedHashMap<>();
    private Duration exportTimeout = Duration.ofSeconds(10);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private PrometheusRegistry metricsRegistry;
    private boolean registerGlobal = true;
    private boolean redactSecrets = true;

    private Builder() {}

    /** The {@code service.name}; default {@code hyperlens}. */
    public Builder serviceName(String serviceName) {
      this.serviceName = requireNonBlank("serviceName", serviceName);
      return this;
    }

    /** {@code otlp}, {@code zipkin}, {@code console}, {@code jaeger} or {@code none}. */
    public Builder exporter(String exporter) {
      this.exporter = TraceExporter.of(exporter);
      return this;
    }

    /** Where spans go; default OTLP. */
    public Builder exporter(TraceExporter exporter) {
      if (exporter == null) {
        throw new IllegalArgumentException("exporter must not be null");
      }
      this.exporter = exporter;
      return this;
    }

    /**
     * The exporter's URL; by default {@code http://localhost:4318/v1/traces} for OTLP and Jaeger
     * ({@code http://localhost:4317} over gRPC) and {@code http://localhost:9411/api/v2/spans} for
     * Zipkin. A server's address without a path ({@code http://zipkin:9411}) gets the path its API
     * takes spans at ({@code /api/v2/spans}, or {@code /v1/traces} for OTLP over HTTP). {@code
     * null} restores the default.
     */
    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint == null ? null : uri(endpoint).toString();
      return this;
    }

    /** {@value #HTTP_PROTOBUF} (default) or {@value #GRPC}. */
    public Builder otlpProtocol(String otlpProtocol) {
      if (!HTTP_PROTOBUF.equals(otlpProtocol) && !GRPC.equals(otlpProtocol)) {
        throw new IllegalArgumentException(
            "otlpProtocol must be http/protobuf or grpc, got " + quote(otlpProtocol));
      }
      this.otlpProtocol = otlpProtocol;
      return this;
    }

    /** Adds a header to every OTLP export. */
    public Builder header(String name, String value) {
      if (name == null || !HEADER_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "header name must be an HTTP token (letters, digits, !#$%&'*+-.^_`|~), got "
                + quote(name));
      }
      if (value == null) {
        throw new IllegalArgumentException("header " + name + " must have a value, got null");
      }
      headers.put(name, value);
      return this;
    }

    /** The share of traces exported, 0.0 to 1.0; default 1.0. */
    public Builder sampleRate(double sampleRate) {
      this.sampleRate = requireRate(sampleRate);
      return this;
    }

    /**
     * Which context propagators the OpenTelemetry SDK installs: {@code tracecontext}, {@code
     * baggage}, or none. They serve OpenTelemetry-instrumented libraries; Hyperlens's own {@code
     * W3CPropagator} always reads and writes both.
     */
    public Builder propagators(List<String> propagators) {
      if (propagators == null) {
        throw new IllegalArgumentException("propagators must not be null");
      }
      Set<String> chosen = new LinkedHashSet<>();
      for (String propagator : propagators) {
        if (!TRACECONTEXT.equals(propagator) && !BAGGAGE.equals(propagator)) {
          throw new IllegalArgumentException(
              "propagators may hold tracecontext and baggage, got " + quote(propagator));
        }
        chosen.add(propagator);
      }
      this.propagators = List.copyOf(chosen);
      return this;
    }

    /**
     * Adds a resource attribute, e.g. {@code deployment.environment.name=prod}; {@code
     * service.name} is set with {@link #serviceName} instead.
     */
    public Builder resourceAttribute(String key, String value) {
      requireNonBlank("resource attribute key", key);
      if (key.equals("service.name")) {
        throw new IllegalArgumentException(
            "resource attribute service.name is set by serviceName(...), got " + quote(value));
      }
      if (value == null) {
        throw new IllegalArgumentException("resource attribute " + key + " must have a value");
      }
      resource.put(key, value);
      return this;
    }

    /** Adds every entry of {@code attributes} as a resource attribute. */
    public Builder resourceAttributes(Map<String, String> attributes) {
      if (attributes == null) {
        throw new IllegalArgumentException("resourceAttributes must not be null");
      }
      attributes.forEach(this::resourceAttribute);
      return this;
    }

    /** How long one export may take before it counts as failed; default 10 s. */
    public Builder exportTimeout(Duration exportTimeout) {
      this.exportTimeout = requirePositive("exportTimeout", exportTimeout);
      return this;
    }

    /** How long {@link Tracing#close()} waits in all; default 10 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = requirePositive("shutdownTimeout", shutdownTimeout);
      return this;
    }

    /**
     * Exposes OpenTelemetry metrics ({@link GovernanceMetrics}, {@link GenAiTelemetry}'s
     * histograms) in {@code registry}, typically {@code MetricsEndpoint.registry()}, so one
     * /metrics serves everything. Without it the meter provider has no reader.
     */
    public Builder metricsRegistry(PrometheusRegistry registry) {
      if (registry == null) {
        throw new IllegalArgumentException("metricsRegistry must not be null");
      }
      this.metricsRegistry = registry;
      return this;
    }

    /**
     * Whether to install the SDK as {@code GlobalOpenTelemetry} and the tracer as {@code
     * DistributedTracer.global()}; default true. Both can be installed once per process.
     */
    public Builder registerGlobal(boolean registerGlobal) {
      this.registerGlobal = registerGlobal;
      return this;
    }

    /**
     * Whether to remove secrets (API keys, tokens, passwords, card numbers, ...) from span names,
     * string attributes, event attributes (exception messages and stack traces) and status
     * descriptions before they are exported, as the JSON logs do; default true. Each value changed
     * is counted ({@link Tracing#redactedValues()}).
     */
    public Builder redactSecrets(boolean redactSecrets) {
      this.redactSecrets = redactSecrets;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException when the endpoint does not suit the exporter
     */
    public TracingConfig build() {
      return new TracingConfig(this);
    }
  }
}
