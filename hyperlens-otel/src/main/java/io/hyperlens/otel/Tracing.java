package io.hyperlens.otel;

import io.hyperlens.spi.Timeouts;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.DistributedTracerBuilder;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.semconv.ServiceAttributes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.okhttp3.OkHttpSender;

/**
 * OpenTelemetry, set up and running: the seed's {@code enable_tracing(config)}. {@link #enable}
 * builds an {@link OpenTelemetrySdk} (resource, parent-based trace-id-ratio sampler, the configured
 * exporter behind a batch processor, W3C propagators, a meter provider read by Prometheus when a
 * registry is configured) and a {@link DistributedTracer} whose spans go out through the same
 * exporter with their ids intact; with {@code registerGlobal} (the default) both become the
 * process-wide instances. Saga spans join through {@link #sagaSink()}.
 *
 * <p>{@link #close()} flushes the tracer, the saga sink and the SDK and shuts them down within the
 * configured {@code shutdownTimeout}. {@code GlobalOpenTelemetry} cannot be unset, so enable global
 * tracing once per process.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * try (Tracing tracing =
 *     Tracing.enable(
 *         TracingConfig.builder().serviceName("my-agent-service").exporter("zipkin").build())) {
 *   DistributedTracer tracer = tracing.tracer();
 *   Span span = tracer.startSpan("my-custom-operation");
 *   span.setAttribute("custom.key", "value");
 *   tracer.finishSpan(span);
 * } // flushed to Zipkin here
 * }</pre>
 */
public final class Tracing implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Tracing.class.getName());

  private final TracingConfig config;
  private final Resource resource;
  private final SpanExporter exporter;
  private final RedactingSpanExporter redacting;
  private final OpenTelemetrySdk sdk;
  private final DistributedTracer tracer;
  private final PrometheusMetricReader metricReader;
  private boolean closed;
  private OtelSpanSink sagaSink;
  private DistributedTracer previousGlobalTracer;

  private Tracing(TracingConfig config, Function<MeterProvider, SpanExporter> exporterFactory) {
    this.config = config;
    this.resource = resource(config);
    SdkMeterProviderBuilder meterProvider = SdkMeterProvider.builder().setResource(resource);
    this.metricReader =
        config.metricsRegistry().isPresent() ? new PrometheusMetricReader(true, null) : null;
    if (metricReader != null) {
      meterProvider.registerMetricReader(metricReader);
    }
    SdkMeterProvider meters = meterProvider.build();
    // The exporter and the batch processor report their own metrics (spans exported, dropped)
    // here rather than to GlobalOpenTelemetry, which they would otherwise install as a no-op.
    SpanExporter sdkExporter = exporterFactory.apply(meters);
    this.redacting =
        sdkExporter == null || !config.redactSecrets()
            ? null
            : new RedactingSpanExporter(sdkExporter, meters);
    this.exporter =
        sdkExporter == null
            ? null
            : new SerializingSpanExporter(
                redacting != null ? redacting : sdkExporter, config.exportTimeout());
    SdkTracerProviderBuilder tracerProvider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRate())));
    if (exporter != null) {
      tracerProvider.addSpanProcessor(
          BatchSpanProcessor.builder(exporter)
              .setExporterTimeout(config.exportTimeout())
              .setMeterProvider(meters)
              .build());
    }
    this.sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(tracerProvider.build())
            .setMeterProvider(meters)
            .setPropagators(propagators(config.propagators()))
            .build();
    this.tracer = tracer(config, exporter, resource);
  }

  /**
   * Builds OpenTelemetry as {@code config} says and, unless {@code registerGlobal} is off, installs
   * it and the tracer process-wide.
   *
   * @throws IllegalStateException when {@code GlobalOpenTelemetry} was already set or used
   */
  public static Tracing enable(TracingConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    return start(config, meters -> exporterFor(config, meters));
  }

  /**
   * As {@link #enable(TracingConfig)}, exporting through {@code exporter} instead of the one the
   * config names (an in-memory exporter in tests, a vendor exporter); the config's exporter and
   * endpoint are not used.
   */
  public static Tracing enable(TracingConfig config, SpanExporter exporter) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    if (exporter == null) {
      throw new IllegalArgumentException("exporter must not be null");
    }
    return start(config, meters -> exporter);
  }

  private static Tracing start(
      TracingConfig config, Function<MeterProvider, SpanExporter> exporterFactory) {
    Tracing tracing = new Tracing(config, exporterFactory);
    if (config.registerGlobal()) {
      try {
        GlobalOpenTelemetry.set(tracing.sdk);
      } catch (IllegalStateException e) {
        tracing.close();
        throw new IllegalStateException(
            "GlobalOpenTelemetry is already set (or was used before Tracing.enable); enable"
                + " tracing once per process, or build with registerGlobal(false)",
            e);
      }
      tracing.previousGlobalTracer = DistributedTracer.setGlobal(tracing.tracer).orElse(null);
    }
    config.metricsRegistry().ifPresent(registry -> registry.register(tracing.metricReader));
    return tracing;
  }

  private static DistributedTracer tracer(
      TracingConfig config, SpanExporter exporter, Resource resource) {
    DistributedTracerBuilder builder =
        DistributedTracer.builder()
            .serviceName(config.serviceName())
            .sampleRate(config.sampleRate());
    if (exporter != null) {
      builder.exporter(
          OtelSpanExporter.builder(exporter)
              .resource(resource)
              .exportTimeout(config.exportTimeout())
              .shutdownDelegate(false)
              .build());
    }
    return builder.build();
  }

  /** The tracer whose spans go out through OpenTelemetry; the seed's {@code tracer}. */
  public DistributedTracer tracer() {
    return tracer;
  }

  /** The SDK, for OpenTelemetry-instrumented libraries and for spans made with its API. */
  public OpenTelemetrySdk openTelemetry() {
    return sdk;
  }

  /** The meter provider for {@link GovernanceMetrics} and {@link GenAiTelemetry}. */
  public MeterProvider meterProvider() {
    return sdk.getSdkMeterProvider();
  }

  /** The resource every span and metric carries. */
  public Resource resource() {
    return resource;
  }

  /**
   * Span values in which secrets were replaced before export (0 when {@link
   * TracingConfig#redactSecrets()} is off).
   */
  public long redactedValues() {
    return redacting == null ? 0 : redacting.redactedValues();
  }

  /** The configuration this was built from. */
  public TracingConfig config() {
    return config;
  }

  /**
   * The sink that sends saga spans out through the same exporter: pass it to {@code new
   * SagaSpanExporter(bus, tracing.sagaSink())}. Created on first call; closed with this.
   */
  public synchronized OtelSpanSink sagaSink() {
    if (closed) {
      throw new IllegalStateException("Tracing is closed: " + this);
    }
    if (sagaSink == null) {
      OtelSpanSink.Builder builder =
          OtelSpanSink.builder(exporter != null ? exporter : SpanExporter.composite())
              .resource(resource)
              .sampleRate(config.sampleRate())
              .exportTimeout(config.exportTimeout())
              .shutdownDelegate(false);
      sagaSink = builder.build();
    }
    return sagaSink;
  }

  /** Exports everything finished so far, from the tracer, the saga sink and the SDK. */
  public boolean forceFlush(Duration timeout) {
    long deadline =
        System.nanoTime() + Timeouts.nanos(TracingConfig.requirePositive("timeout", timeout));
    boolean clean = tracer.forceFlush(remaining(deadline));
    OtelSpanSink sink = currentSagaSink();
    if (sink != null) {
      clean &= sink.forceFlush(remaining(deadline));
    }
    CompletableResultCode sdkFlush = sdk.getSdkTracerProvider().forceFlush();
    sdkFlush.join(Timeouts.nanos(remaining(deadline)), TimeUnit.NANOSECONDS);
    return clean && sdkFlush.isSuccess();
  }

  /**
   * Flushes and shuts down the tracer, the saga sink and the SDK (and with it the exporter), within
   * {@code shutdownTimeout} in all, takes the metrics off the registry, and gives {@code
   * DistributedTracer.global()} back to the tracer it replaced. Idempotent; {@link #sagaSink()}
   * fails afterwards.
   */
  @Override
  public void close() {
    OtelSpanSink sink;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      sink = sagaSink;
    }
    long deadline = System.nanoTime() + Timeouts.nanos(config.shutdownTimeout());
    List<String> unclean = new ArrayList<>();
    if (!tracer.shutdown(remaining(deadline))) {
      unclean.add("tracer");
    }
    if (sink != null && !sink.shutdown(remaining(deadline))) {
      unclean.add("saga sink");
    }
    CompletableResultCode shutdown = sdk.shutdown();
    shutdown.join(Timeouts.nanos(remaining(deadline)), TimeUnit.NANOSECONDS);
    if (!shutdown.isSuccess()) {
      unclean.add("OpenTelemetry SDK");
    }
    config.metricsRegistry().ifPresent(registry -> registry.unregister(metricReader));
    if (config.registerGlobal() && DistributedTracer.global() == tracer) {
      DistributedTracer.setGlobal(
          previousGlobalTracer != null
              ? previousGlobalTracer
              : DistributedTracer.builder().build());
    }
    if (!unclean.isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Tracing closed without a clean flush of "
              + unclean
              + " within "
              + config.shutdownTimeout());
    }
  }

  private synchronized OtelSpanSink currentSagaSink() {
    return sagaSink;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static Resource resource(TracingConfig config) {
    AttributesBuilder attributes = Attributes.builder();
    config.resourceAttributes().forEach(attributes::put);
    attributes.put(ServiceAttributes.SERVICE_NAME, config.serviceName());
    return Resource.getDefault().merge(Resource.create(attributes.build()));
  }

  private static ContextPropagators propagators(List<String> names) {
    List<TextMapPropagator> propagators = new ArrayList<>();
    for (String name : names) {
      propagators.add(
          TracingConfig.TRACECONTEXT.equals(name)
              ? W3CTraceContextPropagator.getInstance()
              : W3CBaggagePropagator.getInstance());
    }
    return ContextPropagators.create(TextMapPropagator.composite(propagators));
  }

  /**
   * The SDK exporter {@code config} names, reporting its own metrics to {@code meters}, or null for
   * {@code none}.
   */
  static SpanExporter exporterFor(TracingConfig config, MeterProvider meters) {
    String endpoint = config.endpoint().orElse(null);
    switch (config.exporter()) {
      case OTLP:
      case JAEGER:
        if (TracingConfig.GRPC.equals(config.otlpProtocol())) {
          OtlpGrpcSpanExporterBuilder grpc =
              OtlpGrpcSpanExporter.builder()
                  .setEndpoint(endpoint)
                  .setTimeout(config.exportTimeout())
                  .setMeterProvider(meters);
          config.headers().forEach(grpc::addHeader);
          return grpc.build();
        }
        OtlpHttpSpanExporterBuilder http =
            OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint)
                .setTimeout(config.exportTimeout())
                .setMeterProvider(meters);
        config.headers().forEach(http::addHeader);
        return http.build();
      case ZIPKIN:
        // Zipkin answers a POST to its UI's path with a redirect to the UI; followed, the
        // spans would be lost while the export counted as done. Only a 2xx from the API counts.
        OkHttpSender.Builder sender =
            OkHttpSender.newBuilder()
                .endpoint(endpoint)
                .readTimeout((int) Math.min(Integer.MAX_VALUE, config.exportTimeout().toMillis()));
        sender
            .clientBuilder()
            .followRedirects(false)
            .followSslRedirects(false)
            .addInterceptor(Tracing::refuseHtml);
        return ZipkinSpanExporter.builder()
            .setSender((BytesMessageSender) sender.build())
            .setMeterProvider(meters)
            .build();
      case CONSOLE:
        return LoggingSpanExporter.create();
      default:
        return null;
    }
  }

  /**
   * A web page where Zipkin's API should answer (a proxy's login page, a UI) fails the export
   * instead of counting as accepted.
   */
  static Response refuseHtml(Interceptor.Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    MediaType type = response.body() == null ? null : response.body().contentType();
    if (response.isSuccessful() && type != null && "html".equals(type.subtype())) {
      response.close();
      return response
          .newBuilder()
          .code(502)
          .message("a web page answered at " + chain.request().url() + ", not Zipkin's API")
          .body(ResponseBody.create("", type))
          .build();
    }
    return response;
  }

  @Override
  public String toString() {
    return "Tracing{" + config + '}';
  }
}
