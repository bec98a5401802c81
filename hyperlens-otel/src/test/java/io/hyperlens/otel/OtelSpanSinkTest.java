package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.saga.SagaSpanExporter;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.TraceIdRatio;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OtelSpanSinkTest {
  private static final Instant T0 = Instant.parse("2025-01-15T10:30:00Z");

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    void advance(Duration by) {
      now.updateAndGet(t -> t.plus(by));
    }
  }

  private final MovingClock clock = new MovingClock();
  private final HypervisorEventBus bus = HypervisorEventBus.builder().clock(clock).build();
  private final InMemorySpanExporter memory = InMemorySpanExporter.create();

  private void emit(EventType type, Map<String, ?> payload, CausalTraceId causal) {
    bus.emit(
        bus.eventBuilder(type)
            .payload(payload)
            .sessionId("s1")
            .agentDid("did:mesh:orchestrator")
            .causalTraceId(causal)
            .build());
  }

  private static Map<String, Object> step(String stepId, String action) {
    return Map.of("saga_id", "deploy-v2", "step_id", stepId, "step_action", action);
  }

  /** The seed's saga: a committed step, a failed one, a compensation, then escalation. */
  private void runSeedSaga(CausalTraceId causal) {
    emit(EventType.SAGA_CREATED, Map.of("saga_id", "deploy-v2"), causal);
    emit(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"), null);
    clock.advance(Duration.ofMillis(500));
    emit(
        EventType.SAGA_STEP_COMMITTED,
        Map.of(
            "saga_id", "deploy-v2",
            "step_id", "validate-config",
            "step_action", "validate",
            "result", "all checks passed"),
        null);
    emit(EventType.SAGA_STEP_STARTED, step("run-migrations", "migrate"), null);
    clock.advance(Duration.ofSeconds(30));
    emit(
        EventType.SAGA_STEP_FAILED,
        Map.of(
            "saga_id", "deploy-v2",
            "step_id", "run-migrations",
            "step_action", "migrate",
            "error", "connection_timeout",
            "reason", "database unreachable after 30s"),
        null);
    emit(EventType.SAGA_COMPENSATING, step("rollback-config", "rollback"), null);
    clock.advance(Duration.ofMillis(10));
    emit(
        EventType.SAGA_ESCALATED,
        Map.of("saga_id", "deploy-v2", "reason", "compensation incomplete"),
        null);
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  @SuppressWarnings("try")
  void stepsAreChildrenOfTheSagaSpanInTheCausalTraceWithTheirRealTimes() {
    CausalTraceId orchestrator = CausalTraceId.root();
    try (OtelSpanSink sink = OtelSpanSink.builder(memory).shutdownDelegate(false).build();
        SagaSpanExporter sagas = new SagaSpanExporter(bus, sink)) {
      runSeedSaga(orchestrator);
      assertThat(sink.forceFlush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.exportedSpans()).isEqualTo(4);
    }

    List<SpanData> spans = memory.getFinishedSpanItems();
    assertThat(spans).hasSize(4);
    SpanData saga = named(spans, "saga.escalated"); // the id is an attribute, not in the name
    SpanData validate = named(spans, "saga.step.validate");
    SpanData migrate = named(spans, "saga.step.migrate");
    SpanData rollback = named(spans, "saga.compensate.rollback");

    assertThat(saga.getTraceId()).isEqualTo(orchestrator.w3cTraceId());
    assertThat(saga.getParentSpanId()).isEqualTo(orchestrator.w3cSpanId());
    for (SpanData child : List.of(validate, migrate, rollback)) {
      assertThat(child.getTraceId()).isEqualTo(saga.getTraceId());
      assertThat(child.getParentSpanId()).isEqualTo(saga.getSpanId());
    }
    long t0 = T0.getEpochSecond() * 1_000_000_000L;
    assertThat(validate.getStartEpochNanos()).isEqualTo(t0);
    assertThat(validate.getEndEpochNanos()).isEqualTo(t0 + 500_000_000L);
    assertThat(migrate.getEndEpochNanos() - migrate.getStartEpochNanos())
        .isEqualTo(30_000_000_000L);
    assertThat(saga.getStartEpochNanos()).isEqualTo(t0);
    assertThat(saga.getEndEpochNanos()).isEqualTo(t0 + 30_510_000_000L);

    assertThat(validate.getStatus().getStatusCode()).isEqualTo(StatusCode.OK);
    assertThat(migrate.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(migrate.getStatus().getDescription()).isEqualTo("connection_timeout");
    assertThat(rollback.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(saga.getStatus().getDescription()).isEqualTo("compensation incomplete");

    assertThat(validate.getAttributes().asMap())
        .containsEntry(AttributeKey.stringKey("agent.saga.id"), "deploy-v2")
        .containsEntry(AttributeKey.stringKey("agent.saga.step_id"), "validate-config")
        .containsEntry(AttributeKey.stringKey("agent.saga.step_action"), "validate")
        .containsEntry(AttributeKey.stringKey("agent.saga.state"), "ok")
        .containsEntry(AttributeKey.stringKey("agent.saga.result"), "all checks passed")
        .containsEntry(AttributeKey.stringKey("agent.did"), "did:mesh:orchestrator")
        .containsEntry(AttributeKey.stringKey("session.id"), "s1");
    assertThat(migrate.getAttributes().get(AttributeKey.stringKey("agent.saga.reason")))
        .isEqualTo("database unreachable after 30s");
    assertThat(saga.getInstrumentationScopeInfo().getName()).isEqualTo("io.hyperlens.saga");
  }

  @Test
  void aSlowOrFailingBackendNeverSlowsEmitAndIsCounted() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stalledNow = new CountDownLatch(1);
    AnsweringExporter stalled =
        new AnsweringExporter(
            spans -> {
              stalledNow.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return CompletableResultCode.ofFailure();
            });
    try (OtelSpanSink sink = OtelSpanSink.builder(stalled).queueSize(2).batchSize(1).build();
        SagaSpanExporter sagas = new SagaSpanExporter(bus, sink)) {
      emit(EventType.SAGA_COMPENSATING, step("c0", "rollback"), null);
      assertThat(stalledNow.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i < 10; i++) {
        emit(EventType.SAGA_COMPENSATING, step("c" + i, "rollback"), null);
      }
      assertThat(sagas.completedSpans()).hasSize(10);
      assertThat(sagas.sinkFailures()).isZero();
      release.countDown();
      sink.forceFlush(Duration.ofSeconds(10));
      // One batch was taken by the stalled exporter, two waited, the rest were dropped.
      assertThat(sink.droppedSpans()).isEqualTo(7);
      assertThat(sink.failedSpans()).isEqualTo(3);
      assertThat(sink.exportedSpans()).isZero();
    }
  }

  @Test
  @SuppressWarnings("try")
  void samplingIsPerTraceAndAgreesWithTheTracerOnCausalTraces() {
    Set<String> expected = new HashSet<>();
    int sagas = 400;
    try (OtelSpanSink sink =
            OtelSpanSink.builder(memory).sampleRate(0.5).shutdownDelegate(false).build();
        SagaSpanExporter exporter = new SagaSpanExporter(bus, sink);
        DistributedTracer tracer = DistributedTracer.builder().sampleRate(0.5).build()) {
      for (int i = 0; i < sagas; i++) {
        CausalTraceId causal = CausalTraceId.root();
        String saga = "saga-" + i;
        emit(EventType.SAGA_CREATED, Map.of("saga_id", saga), causal);
        emit(EventType.SAGA_COMPENSATING, Map.of("saga_id", saga, "step_action", "undo"), null);
        emit(EventType.SAGA_COMPLETED, Map.of("saga_id", saga), null);
        String traceId = causal.w3cTraceId();
        boolean sampled = new TraceIdRatio(0.5).sampled(traceId);
        // The tracer, starting a trace with the same id, decides alike.
        assertThat(tracer.startTrace(causal.traceId(), null).isSampled()).isEqualTo(sampled);
        tracer.endTrace();
        if (sampled) {
          expected.add(traceId);
        }
      }
      sink.forceFlush(Duration.ofSeconds(10));
      assertThat(sink.sampledOutSpans()).isEqualTo(2L * (sagas - expected.size()));
    }
    Map<String, Long> spansPerTrace =
        memory.getFinishedSpanItems().stream()
            .collect(Collectors.groupingBy(SpanData::getTraceId, Collectors.counting()));
    assertThat(spansPerTrace.keySet()).isEqualTo(expected);
    assertThat(spansPerTrace.values()).allSatisfy(count -> assertThat(count).isEqualTo(2));
    assertThat(expected.size()).isBetween(120, 280); // half of 400, within 8 standard deviations
  }

  @Test
  void theSeedProtocolRejectsMissingFieldsNamingThem() {
    try (OtelSpanSink sink = OtelSpanSink.builder(memory).build()) {
      assertThatThrownBy(() -> sink.recordSpan("s", null, T0, Map.of(), "ok"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("start=null");
    }
  }

  @Test
  void theSeedProtocolAloneMakesARootSpanOfItsOwn() {
    try (OtelSpanSink sink = OtelSpanSink.builder(memory).shutdownDelegate(false).build()) {
      sink.recordSpan(
          "saga.step.validate",
          T0,
          T0.plusSeconds(2),
          Map.of("agent.saga.id", "deploy-v2", "agent.saga.state", "ok"),
          "ok");
      sink.forceFlush(Duration.ofSeconds(10));
    }
    SpanData span = memory.getFinishedSpanItems().get(0);
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getSpanContext().isValid()).isTrue();
    assertThat(span.getEndEpochNanos() - span.getStartEpochNanos()).isEqualTo(2_000_000_000L);
  }
}
