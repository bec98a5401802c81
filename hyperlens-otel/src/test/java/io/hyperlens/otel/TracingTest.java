package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.saga.SagaSpanExporter;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Span;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.semconv.ServiceAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TracingTest {
  private final RecordingSdkExporter exporter = new RecordingSdkExporter();

  private static TracingConfig.Builder local() {
    return TracingConfig.builder().serviceName("agent-runtime").registerGlobal(false);
  }

  @Test
  void tracerSagaAndNativeOtelSpansAllLeaveThroughOneExporterAndCloseFlushesThem() {
    HypervisorEventBus bus = new HypervisorEventBus();
    String traceId;
    try (Tracing tracing =
        Tracing.enable(
            local().resourceAttribute("deployment.environment.name", "test").build(), exporter)) {
      DistributedTracer tracer = tracing.tracer();
      Span span = tracer.startSpan("orchestrate");
      tracer.finishSpan(span);
      traceId = span.traceId();

      SagaSpanExporter sagas = new SagaSpanExporter(bus, tracing.sagaSink());
      CausalTraceId causal = CausalTraceId.root();
      bus.emit(
          bus.eventBuilder(EventType.SAGA_CREATED)
              .payload(Map.of("saga_id", "s"))
              .causalTraceId(causal)
              .build());
      bus.emit(bus.eventBuilder(EventType.SAGA_COMPLETED).payload(Map.of("saga_id", "s")).build());

      tracing.openTelemetry().getTracer("native").spanBuilder("native.op").startSpan().end();
      sagas.close();
    } // no forceFlush: close must deliver all three

    assertThat(exporter.spans)
        .extracting(SpanData::getName)
        .containsExactlyInAnyOrder("orchestrate", "saga.completed", "native.op");
    assertThat(exporter.named("orchestrate").getTraceId()).isEqualTo(traceId);
    assertThat(exporter.spans)
        .allSatisfy(
            s -> {
              assertThat(s.getResource().getAttribute(ServiceAttributes.SERVICE_NAME))
                  .isEqualTo("agent-runtime");
              assertThat(
                      s.getResource()
                          .getAttribute(
                              io.opentelemetry.api.common.AttributeKey.stringKey(
                                  "deployment.environment.name")))
                  .isEqualTo("test");
            });
    assertThat(exporter.shutdown).isTrue();
  }

  @Test
  void theSampleRateDecidesPerTraceExactlyAsTheSdksRatioSamplerDoes() {
    Sampler sdk = Sampler.parentBased(Sampler.traceIdRatioBased(0.25));
    Set<String> expected = new HashSet<>();
    Set<String> all = new HashSet<>();
    try (Tracing tracing = Tracing.enable(local().sampleRate(0.25).build(), exporter)) {
      DistributedTracer tracer = tracing.tracer();
      for (int i = 0; i < 2000; i++) {
        Span span = tracer.startSpan("op");
        tracer.finishSpan(span);
        all.add(span.traceId());
        SamplingDecision decision =
            sdk.shouldSample(
                    Context.root(),
                    span.traceId(),
                    "op",
                    SpanKind.INTERNAL,
                    Attributes.empty(),
                    List.of())
                .getDecision();
        if (decision == SamplingDecision.RECORD_AND_SAMPLE) {
          expected.add(span.traceId());
        }
      }
      // Spans the SDK starts itself, in new traces, agree with the tracer on their trace ids.
      for (int i = 0; i < 200; i++) {
        io.opentelemetry.api.trace.Span otel =
            tracing.openTelemetry().getTracer("native").spanBuilder("native").startSpan();
        String id = otel.getSpanContext().getTraceId();
        assertThat(tracer.startTrace(id, null).isSampled())
            .isEqualTo(otel.getSpanContext().isSampled());
        tracer.endTrace();
        otel.end();
      }
      tracing.forceFlush(Duration.ofSeconds(10));
      assertThat(tracer.getMetrics().spansSampledOut()).isEqualTo(2000 - expected.size());
    }

    Set<String> exported =
        exporter.spans.stream()
            .filter(s -> s.getName().equals("op"))
            .map(SpanData::getTraceId)
            .collect(Collectors.toSet());
    assertThat(exported).isEqualTo(expected);
    assertThat(expected.size()).isBetween(400, 600); // 25% of 2,000, within 5 standard deviations
  }

  @Test
  void theConsoleExporterLogsEachSpan() {
    Logger logger = Logger.getLogger("io.opentelemetry.exporter.logging.LoggingSpanExporter");
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            lines.add(record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try (Tracing tracing = Tracing.enable(local().exporter("console").build())) {
      Span span = tracing.tracer().startSpan("printed.op");
      tracing.tracer().finishSpan(span);
      assertThat(tracing.forceFlush(Duration.ofSeconds(10))).isTrue();
      assertThat(lines)
          .anySatisfy(line -> assertThat(line).contains("printed.op").contains(span.traceId()));
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void enableInstallsTheSdkAndTracerProcessWideOnceOnly() {
    GlobalOpenTelemetry.resetForTest();
    DistributedTracer before = DistributedTracer.global();
    try (Tracing tracing =
        Tracing.enable(TracingConfig.builder().serviceName("global").build(), exporter)) {
      assertThat(GlobalOpenTelemetry.get().getTracerProvider())
          .isSameAs(tracing.openTelemetry().getTracerProvider());
      assertThat(DistributedTracer.global()).isSameAs(tracing.tracer());

      assertThatThrownBy(
              () -> Tracing.enable(TracingConfig.builder().build(), new RecordingSdkExporter()))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageContaining("GlobalOpenTelemetry is already set");
      assertThat(DistributedTracer.global()).isSameAs(tracing.tracer());
    } finally {
      GlobalOpenTelemetry.resetForTest();
      DistributedTracer.setGlobal(before);
    }
  }

  @Test
  @SuppressWarnings("try")
  void theSharedExporterIsNeverCalledConcurrently() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    AtomicInteger exported = new AtomicInteger();
    AnsweringExporter slow =
        new AnsweringExporter(
            spans -> {
              mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              try {
                Thread.sleep(2);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              exported.addAndGet(spans.size());
              inFlight.decrementAndGet();
              return CompletableResultCode.ofSuccess();
            });
    HypervisorEventBus bus = new HypervisorEventBus();
    int rounds = 300;
    try (Tracing tracing = Tracing.enable(local().build(), slow);
        SagaSpanExporter sagas = new SagaSpanExporter(bus, tracing.sagaSink())) {
      io.opentelemetry.api.trace.Tracer otel = tracing.openTelemetry().getTracer("native");
      for (int i = 0; i < rounds; i++) {
        tracing.tracer().finishSpan(tracing.tracer().startSpan("op"));
        otel.spanBuilder("native").startSpan().end();
        bus.emit(
            bus.eventBuilder(EventType.SAGA_COMPENSATING)
                .payload(Map.of("saga_id", "s" + i, "step_action", "undo"))
                .build());
        if (i % 50 == 0) {
          tracing.forceFlush(Duration.ofSeconds(10));
        }
      }
      assertThat(tracing.forceFlush(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(exported.get()).isEqualTo(3 * rounds);
    assertThat(mostInFlight.get()).isEqualTo(1);
  }

  @Test
  void closeKeepsItsDeadlineAgainstAStalledBackendAndTheSinkIsGoneAfterwards() {
    AnsweringExporter stalled = new AnsweringExporter(spans -> new CompletableResultCode());
    HypervisorEventBus bus = new HypervisorEventBus();
    Tracing tracing =
        Tracing.enable(
            local()
                .exportTimeout(Duration.ofSeconds(30))
                .shutdownTimeout(Duration.ofMillis(300))
                .build(),
            stalled);
    SagaSpanExporter sagas = new SagaSpanExporter(bus, tracing.sagaSink());
    tracing.tracer().finishSpan(tracing.tracer().startSpan("op"));
    bus.emit(bus.eventBuilder(EventType.SAGA_COMPENSATING).payload(Map.of("saga_id", "s")).build());
    sagas.close();

    // Without the shared deadline this took two export timeouts (60 s) and more.
    assertTimeoutPreemptively(Duration.ofSeconds(20), tracing::close);
    tracing.close(); // idempotent
    assertThatThrownBy(tracing::sagaSink)
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Tracing is closed");
  }

  @Test
  void closeGivesTheGlobalTracerBack() {
    GlobalOpenTelemetry.resetForTest();
    DistributedTracer before = DistributedTracer.builder().serviceName("before").build();
    DistributedTracer.setGlobal(before);
    try {
      Tracing tracing = Tracing.enable(TracingConfig.builder().build(), exporter);
      assertThat(DistributedTracer.global()).isSameAs(tracing.tracer());
      tracing.close();
      assertThat(DistributedTracer.global()).isSameAs(before);
    } finally {
      GlobalOpenTelemetry.resetForTest();
      before.close();
    }
  }

  @Test
  void theConfiguredPropagatorsAreTheSdksAndInjectTheirHeaders() {
    try (Tracing both = Tracing.enable(local().build(), exporter);
        Tracing traceOnly =
            Tracing.enable(local().propagators(List.of("tracecontext")).build(), exporter);
        Tracing none = Tracing.enable(local().propagators(List.of()).build(), exporter)) {
      assertThat(both.openTelemetry().getPropagators().getTextMapPropagator().fields())
          .containsExactlyInAnyOrder("traceparent", "tracestate", "baggage");
      assertThat(traceOnly.openTelemetry().getPropagators().getTextMapPropagator().fields())
          .containsExactlyInAnyOrder("traceparent", "tracestate");
      assertThat(none.openTelemetry().getPropagators().getTextMapPropagator().fields()).isEmpty();

      io.opentelemetry.api.trace.Span span =
          traceOnly.openTelemetry().getTracer("native").spanBuilder("op").startSpan();
      Map<String, String> headers = new java.util.HashMap<>();
      traceOnly
          .openTelemetry()
          .getPropagators()
          .getTextMapPropagator()
          .inject(Context.root().with(span), headers, Map::put);
      span.end();
      assertThat(headers.get("traceparent"))
          .isEqualTo(
              "00-"
                  + span.getSpanContext().getTraceId()
                  + "-"
                  + span.getSpanContext().getSpanId()
                  + "-01");
    }
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThatThrownBy(() -> Tracing.enable(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("config must not be null");
    assertThatThrownBy(() -> Tracing.enable(TracingConfig.defaults(), null))
        .hasMessage("exporter must not be null");
  }
}
