package io.hyperlens.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBuilder;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.TestClock;
import io.hyperlens.spi.SpanSink;
import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SagaSpanExporterTest {
  private static final String ORCHESTRATOR = "did:mesh:orchestrator";

  private final TestClock clock = new TestClock(Instant.parse("2025-01-15T10:30:00Z"));
  private final HypervisorEventBus bus = HypervisorEventBus.builder().clock(clock).build();
  private final SagaSpanExporter exporter = new SagaSpanExporter(bus);

  private HypervisorEventBuilder event(EventType type, Map<String, ?> payload) {
    return bus.eventBuilder(type).payload(payload);
  }

  private void emitAsOrchestrator(EventType type, Map<String, ?> payload) {
    bus.emit(event(type, payload).sessionId("s1").agentDid(ORCHESTRATOR).build());
  }

  private void emit(EventType type, Map<String, ?> payload) {
    bus.emit(event(type, payload).build());
  }

  private static Map<String, Object> step(String stepId, String action) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("saga_id", "deploy-v2");
    payload.put("step_id", stepId);
    payload.put("step_action", action);
    return payload;
  }

  private void seedStep() {
    emitAsOrchestrator(EventType.SAGA_CREATED, Map.of("saga_id", "deploy-v2"));
    emitAsOrchestrator(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"));
    clock.advance(Duration.ofMillis(500));
    Map<String, Object> committed = step("validate-config", "validate");
    committed.put("result", "all checks passed");
    emitAsOrchestrator(EventType.SAGA_STEP_COMMITTED, committed);
  }

  @Test
  void committedStepIsAnOkSpanWithTheSeedAttributes() {
    seedStep();

    SagaSpanRecord span = exporter.completedSpans().get(0);

    assertThat(span.name()).isEqualTo("saga.step.validate");
    assertThat(span.status()).isEqualTo("ok");
    assertThat(span.durationSeconds()).isEqualTo(0.5);
    assertThat(span.duration()).isEqualTo(Duration.ofMillis(500));
    assertThat(span.sagaId()).isEqualTo("deploy-v2");
    assertThat(span.stepId()).isEqualTo("validate-config");
    assertThat(span.stepAction()).isEqualTo("validate");
    assertThat(span.attributes())
        .containsExactly(
            Map.entry("agent.saga.id", "deploy-v2"),
            Map.entry("agent.saga.step_id", "validate-config"),
            Map.entry("agent.saga.step_action", "validate"),
            Map.entry("agent.saga.state", "ok"),
            Map.entry("agent.saga.result", "all checks passed"),
            Map.entry("agent.did", "did:mesh:orchestrator"),
            Map.entry("session.id", "s1"));
  }

  @Test
  void failedStepIsAnErrorSpanWithErrorAndReasonOnly() {
    seedStep();
    emit(EventType.SAGA_STEP_STARTED, step("run-migrations", "migrate"));
    clock.advance(Duration.ofSeconds(30));
    Map<String, Object> failed = step("run-migrations", "migrate");
    failed.put("error", "connection_timeout");
    failed.put("reason", "database unreachable after 30s");
    failed.put("result", "ignored on failures");
    emit(EventType.SAGA_STEP_FAILED, failed);

    SagaSpanRecord error =
        exporter.completedSpans().stream()
            .filter(s -> s.status().equals("error"))
            .reduce((a, b) -> b)
            .orElseThrow();

    assertThat(error.attributes().get("agent.saga.error")).isEqualTo("connection_timeout");
    assertThat(error.name()).isEqualTo("saga.step.migrate");
    assertThat(error.durationSeconds()).isEqualTo(30.0);
    assertThat(error.attributes())
        .containsExactly(
            Map.entry("agent.saga.id", "deploy-v2"),
            Map.entry("agent.saga.step_id", "run-migrations"),
            Map.entry("agent.saga.step_action", "migrate"),
            Map.entry("agent.saga.state", "error"),
            Map.entry("agent.saga.error", "connection_timeout"),
            Map.entry("agent.saga.reason", "database unreachable after 30s"));
  }

  @Test
  void compensationIsACompensatingSpanNamedForItsAction() {
    emit(EventType.SAGA_COMPENSATING, step("rollback-config", "rollback"));

    SagaSpanRecord span = exporter.completedSpans().get(0);

    assertThat(span.name()).isEqualTo("saga.compensate.rollback");
    assertThat(span.status()).isEqualTo("compensating");
    assertThat(span.duration()).isZero();
    assertThat(span.attributes()).containsEntry("agent.saga.state", "compensating");
  }

  @Test
  void completedSagaSpansFromCreatedAndIsOk() {
    seedStep();
    clock.advance(Duration.ofSeconds(2));
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "deploy-v2"));

    SagaSpanRecord saga = exporter.completedSpans().get(1);

    assertThat(saga.name()).isEqualTo("saga.completed.deploy-v2");
    assertThat(saga.status()).isEqualTo("ok");
    assertThat(saga.durationSeconds()).isEqualTo(2.5);
    assertThat(saga.stepId()).isNull();
    assertThat(saga.attributes())
        .as("agent and session fall back to the CREATED event's")
        .containsExactly(
            Map.entry("agent.saga.id", "deploy-v2"),
            Map.entry("agent.saga.state", "ok"),
            Map.entry("agent.did", "did:mesh:orchestrator"),
            Map.entry("session.id", "s1"));
  }

  @Test
  void escalatedSagaIsAnErrorSpan() {
    emitAsOrchestrator(EventType.SAGA_CREATED, Map.of("saga_id", "deploy-v2"));
    clock.advance(Duration.ofSeconds(9));
    emitAsOrchestrator(
        EventType.SAGA_ESCALATED, Map.of("saga_id", "deploy-v2", "reason", "compensation failed"));

    SagaSpanRecord saga = exporter.completedSpans().get(0);

    assertThat(saga.name()).isEqualTo("saga.escalated.deploy-v2");
    assertThat(saga.status()).isEqualTo("error");
    assertThat(saga.durationSeconds()).isEqualTo(9.0);
    assertThat(saga.attributes()).containsEntry("agent.saga.reason", "compensation failed");
  }

  @Test
  void sagaWithoutCreatedStillGetsASpanFromItsFirstEvent() {
    emit(
        EventType.SAGA_STEP_STARTED, Map.of("saga_id", "late", "step_id", "a", "step_action", "x"));
    clock.advance(Duration.ofSeconds(4));
    emit(EventType.SAGA_ESCALATED, Map.of("saga_id", "late"));
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "never-seen"));

    List<SagaSpanRecord> spans = exporter.completedSpans();

    assertThat(spans)
        .extracting(SagaSpanRecord::name)
        .containsExactly("saga.escalated.late", "saga.completed.never-seen");
    assertThat(spans.get(0).durationSeconds()).isEqualTo(4.0);
    assertThat(spans.get(1).duration()).isZero();
  }

  @Test
  void allTenSagaEventsAreHandled() {
    emit(EventType.SAGA_CREATED, Map.of("saga_id", "s"));
    emit(EventType.SAGA_STEP_STARTED, Map.of("saga_id", "s", "step_id", "a", "action", "fetch"));
    emit(EventType.SAGA_STEP_COMMITTED, Map.of("saga_id", "s", "step_id", "a"));
    emit(EventType.SAGA_STEP_STARTED, Map.of("saga_id", "s", "step_id", "b", "step_action", "x"));
    emit(EventType.SAGA_STEP_FAILED, Map.of("saga_id", "s", "step_id", "b", "error", "boom"));
    emit(EventType.SAGA_COMPENSATING, Map.of("saga_id", "s", "step_id", "a", "action", "undo"));
    emit(EventType.SAGA_FANOUT_STARTED, Map.of("saga_id", "s", "fanout_id", "f1"));
    clock.advance(Duration.ofSeconds(3));
    emit(EventType.SAGA_FANOUT_RESOLVED, Map.of("saga_id", "s", "fanout_id", "f1"));
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "s", "step_id", "a"));
    emit(EventType.SAGA_ESCALATED, Map.of("saga_id", "s"));

    assertThat(exporter.eventsProcessed()).isEqualTo(10);
    assertThat(exporter.completedSpans())
        .extracting(SagaSpanRecord::name, SagaSpanRecord::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("saga.step.fetch", "ok"),
            org.assertj.core.groups.Tuple.tuple("saga.step.x", "error"),
            org.assertj.core.groups.Tuple.tuple("saga.compensate.undo", "compensating"),
            org.assertj.core.groups.Tuple.tuple("saga.fanout.f1", "ok"),
            org.assertj.core.groups.Tuple.tuple("saga.checkpoint.a", "ok"),
            org.assertj.core.groups.Tuple.tuple("saga.escalated.s", "error"));
    assertThat(exporter.completedSpans().get(3).durationSeconds()).isEqualTo(3.0);
    assertThat(exporter.openSpans()).isZero();
    emit(EventType.SESSION_CREATED, Map.of("saga_id", "s"));
    assertThat(exporter.eventsProcessed()).isEqualTo(10);
  }

  @Test
  void fanoutWithAnErrorIsAnErrorSpan() {
    emit(
        EventType.SAGA_FANOUT_RESOLVED,
        Map.of("saga_id", "s", "step_id", "fan", "error", "2 of 5 failed"));

    SagaSpanRecord span = exporter.completedSpans().get(0);

    assertThat(span.name()).isEqualTo("saga.fanout.fan");
    assertThat(span.status()).isEqualTo("error");
    assertThat(span.attributes()).containsEntry("agent.saga.error", "2 of 5 failed");
  }

  @Test
  void closeWithoutAnOpenStepIsAZeroLengthSpan() {
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.SAGA_STEP_COMMITTED, step("orphan", "deploy"));

    SagaSpanRecord span = exporter.completedSpans().get(0);

    assertThat(span.name()).isEqualTo("saga.step.deploy");
    assertThat(span.start()).isEqualTo(span.end()).isEqualTo(clock.instant());
  }

  @Test
  void sinkReceivesEveryFinishedSpanUntilDetached() {
    List<String> received = new ArrayList<>();
    SpanSink sink =
        (name, start, end, attributes, status) ->
            received.add(
                name + " [" + status + "] " + Duration.between(start, end).toMillis() + "ms");
    exporter.attachSink(sink);

    seedStep();
    exporter.detachSink();
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "deploy-v2"));

    assertThat(received).containsExactly("saga.step.validate [ok] 500ms");
    assertThat(exporter.completedSpans()).hasSize(2);
  }

  @Test
  void throwingSinkNeverBreaksEmitAndSpansStayBuffered() {
    List<String> others = new ArrayList<>();
    SagaSpanExporter withSink =
        new SagaSpanExporter(
            bus,
            (name, start, end, attributes, status) -> {
              throw new IllegalStateException("backend down");
            });
    bus.subscribeAll(e -> others.add(e.eventType().value()));

    seedStep();

    assertThat(withSink.completedSpans())
        .extracting(SagaSpanRecord::name)
        .containsExactly("saga.step.validate");
    assertThat(withSink.sinkFailures()).isEqualTo(1);
    assertThat(others).containsExactly("saga.created", "saga.step_started", "saga.step_committed");
    assertThat(bus.failedDeliveries()).isZero();
  }

  @Test
  void bufferKeepsTheNewestSpansAndCountsDrops() {
    SagaSpanExporter small = SagaSpanExporter.builder(bus).maxSpans(3).build();
    for (int i = 0; i < 5; i++) {
      emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "s", "step_id", "c" + i));
    }

    assertThat(small.completedSpans())
        .extracting(SagaSpanRecord::name)
        .containsExactly("saga.checkpoint.c2", "saga.checkpoint.c3", "saga.checkpoint.c4");
    assertThat(small.droppedSpans()).isEqualTo(2);
  }

  @Test
  void openSpansExpireAfterTheTimeoutAndAreCounted() {
    SagaSpanExporter expiring =
        SagaSpanExporter.builder(bus).openSpanTimeout(Duration.ofMinutes(10)).build();
    emit(EventType.SAGA_STEP_STARTED, step("stuck", "wait"));
    assertThat(expiring.openSpans()).isEqualTo(2);

    clock.advance(Duration.ofMinutes(11));
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "other", "step_id", "c"));

    assertThat(expiring.expiredSpans()).isEqualTo(2);
    assertThat(expiring.openSpans()).isEqualTo(1);
    emit(EventType.SAGA_STEP_COMMITTED, step("stuck", "wait"));
    assertThat(expiring.completedSpans().get(1).duration()).isZero();
  }

  @Test
  void openSpansAgeOnTheExportersOwnClock() {
    TestClock own = new TestClock(clock.instant());
    SagaSpanExporter expiring =
        SagaSpanExporter.builder(bus).clock(own).openSpanTimeout(Duration.ofMinutes(1)).build();
    emit(EventType.SAGA_STEP_STARTED, step("stuck", "wait"));

    clock.advance(Duration.ofHours(1));
    assertThat(expiring.openSpans()).isEqualTo(2);
    own.advance(Duration.ofMinutes(2));
    assertThat(expiring.openSpans()).isZero();
  }

  @Test
  void openSpansAreBoundedInNumber() {
    SagaSpanExporter bounded = SagaSpanExporter.builder(bus).maxOpenSpans(2).build();
    for (int i = 0; i < 5; i++) {
      emit(EventType.SAGA_CREATED, Map.of("saga_id", "saga-" + i));
    }

    assertThat(bounded.openSpans()).isEqualTo(2);
    assertThat(bounded.expiredSpans()).isEqualTo(3);
  }

  @Test
  void eventsAfterASagaFinishedDoNotReopenIt() {
    emit(EventType.SAGA_CREATED, Map.of("saga_id", "r"));
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "r"));
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "r", "step_id", "late"));

    assertThat(exporter.openSpans()).isZero();
    clock.advance(Duration.ofSeconds(5));
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "r"));
    assertThat(exporter.completedSpans().get(2).duration()).isZero();

    emit(EventType.SAGA_CREATED, Map.of("saga_id", "r"));
    assertThat(exporter.openSpans()).isEqualTo(1);
  }

  @Test
  void eventsWithoutASagaIdOpenNoSagaSpan() {
    emit(EventType.SAGA_STEP_COMMITTED, Map.of());
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of());

    assertThat(exporter.openSpans()).isZero();
    assertThat(exporter.completedSpans())
        .extracting(SagaSpanRecord::name, SagaSpanRecord::sagaId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("saga.step.unknown", "unknown"),
            org.assertj.core.groups.Tuple.tuple("saga.checkpoint.unknown", "unknown"));
  }

  @Test
  void stepClosedByActionAlonePairsWithItsOpenStep() {
    emit(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"));
    clock.advance(Duration.ofSeconds(2));
    emit(EventType.SAGA_STEP_COMMITTED, Map.of("saga_id", "deploy-v2", "step_action", "validate"));

    SagaSpanRecord span = exporter.completedSpans().get(0);
    assertThat(span.name()).isEqualTo("saga.step.validate");
    assertThat(span.durationSeconds()).isEqualTo(2.0);
    assertThat(exporter.openSpans()).isEqualTo(1);
  }

  @Test
  void aCommitCarryingOnlyAnActionNeverClosesAnotherSagasStep() {
    emit(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"));
    clock.advance(Duration.ofSeconds(2));
    emit(EventType.SAGA_STEP_COMMITTED, Map.of("saga_id", "other-saga", "step_action", "validate"));
    clock.advance(Duration.ofSeconds(3));
    emit(EventType.SAGA_STEP_COMMITTED, Map.of("saga_id", "deploy-v2", "step_action", "validate"));

    List<SagaSpanRecord> spans = exporter.completedSpans();
    assertThat(spans)
        .extracting(SagaSpanRecord::sagaId, SagaSpanRecord::name, SagaSpanRecord::duration)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("other-saga", "saga.step.validate", Duration.ZERO),
            org.assertj.core.groups.Tuple.tuple(
                "deploy-v2", "saga.step.validate", Duration.ofSeconds(5)));
    assertThat(spans.get(0).stepId()).isNull();
    assertThat(spans.get(1).stepId()).isNull();
  }

  @Test
  void aCommitCarryingOnlyAnActionNeverClosesAStepWithAnotherAction() {
    emit(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"));
    clock.advance(Duration.ofSeconds(2));
    emit(EventType.SAGA_STEP_COMMITTED, Map.of("saga_id", "deploy-v2", "step_action", "deploy"));
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.SAGA_STEP_COMMITTED, step("validate-config", "validate"));

    assertThat(exporter.completedSpans())
        .extracting(SagaSpanRecord::name, SagaSpanRecord::duration)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("saga.step.deploy", Duration.ZERO),
            org.assertj.core.groups.Tuple.tuple("saga.step.validate", Duration.ofSeconds(3)));
  }

  @Test
  void aCommitCarryingOnlyAnActionClosesTheOldestOpenStepWithThatAction() {
    emit(EventType.SAGA_STEP_STARTED, step("shard-1", "index"));
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.SAGA_STEP_STARTED, step("shard-2", "index"));
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.SAGA_STEP_FAILED, Map.of("saga_id", "deploy-v2", "step_action", "index"));

    SagaSpanRecord closed = exporter.completedSpans().get(0);
    assertThat(closed.status()).isEqualTo("error");
    assertThat(closed.duration()).isEqualTo(Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.SAGA_STEP_COMMITTED, step("shard-2", "index"));
    assertThat(exporter.completedSpans().get(1).duration()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aCommitOfAnUnknownStepWithoutAnActionClosesNoOtherStep() {
    emit(EventType.SAGA_STEP_STARTED, Map.of("saga_id", "deploy-v2", "step_id", "a"));
    clock.advance(Duration.ofSeconds(2));
    emit(EventType.SAGA_STEP_COMMITTED, Map.of("saga_id", "deploy-v2", "step_id", "b"));
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.SAGA_STEP_COMMITTED, Map.of("saga_id", "deploy-v2", "step_id", "a"));

    assertThat(exporter.completedSpans())
        .extracting(SagaSpanRecord::stepId, SagaSpanRecord::name, SagaSpanRecord::duration)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("b", "saga.step.unknown", Duration.ZERO),
            org.assertj.core.groups.Tuple.tuple("a", "saga.step.unknown", Duration.ofSeconds(3)));
  }

  @Test
  void twoStepsOpenAtOnceInOneSagaEachCloseTheirOwnSpan() {
    emitAsOrchestrator(EventType.SAGA_CREATED, Map.of("saga_id", "deploy-v2"));
    emitAsOrchestrator(EventType.SAGA_STEP_STARTED, step("fetch-docs", "fetch"));
    clock.advance(Duration.ofSeconds(1));
    bus.emit(
        event(EventType.SAGA_STEP_STARTED, step("build-image", "build"))
            .sessionId("s2")
            .agentDid("did:mesh:builder")
            .build());
    clock.advance(Duration.ofSeconds(4));
    Map<String, Object> failed = step("fetch-docs", "fetch");
    failed.put("error", "404");
    emit(EventType.SAGA_STEP_FAILED, failed);
    clock.advance(Duration.ofSeconds(2));
    emit(EventType.SAGA_STEP_COMMITTED, step("build-image", "build"));

    List<SagaSpanRecord> spans = exporter.completedSpans();
    assertThat(spans)
        .extracting(
            SagaSpanRecord::stepId,
            SagaSpanRecord::name,
            SagaSpanRecord::status,
            SagaSpanRecord::duration)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "fetch-docs", "saga.step.fetch", "error", Duration.ofSeconds(5)),
            org.assertj.core.groups.Tuple.tuple(
                "build-image", "saga.step.build", "ok", Duration.ofSeconds(6)));
    assertThat(spans.get(0).attributes())
        .containsEntry("agent.did", ORCHESTRATOR)
        .containsEntry("session.id", "s1")
        .containsEntry("agent.saga.error", "404");
    assertThat(spans.get(1).attributes())
        .containsEntry("agent.did", "did:mesh:builder")
        .containsEntry("session.id", "s2");
    assertThat(spans.get(0).parentSpanId()).isEqualTo(spans.get(1).parentSpanId()).isNotNull();
    assertThat(exporter.openSpans()).isEqualTo(1);
  }

  @Test
  void aCloseStampedBeforeItsStartIsClampedToAZeroLengthSpan() {
    Instant start = clock.instant();
    bus.emit(
        event(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"))
            .timestamp(start)
            .build());
    bus.emit(
        event(EventType.SAGA_STEP_COMMITTED, step("validate-config", "validate"))
            .timestamp(start.minusSeconds(3))
            .build());

    SagaSpanRecord span = exporter.completedSpans().get(0);
    assertThat(span.start()).isEqualTo(start);
    assertThat(span.end()).isEqualTo(start);
    assertThat(span.duration()).isZero();
  }

  @Test
  void theClosingEventsAgentAndSessionWinOverTheOpeningOnes() {
    emitAsOrchestrator(EventType.SAGA_STEP_STARTED, step("build-image", "build"));
    bus.emit(
        event(EventType.SAGA_STEP_COMMITTED, step("build-image", "build"))
            .sessionId("s9")
            .agentDid("did:mesh:builder")
            .build());

    assertThat(exporter.completedSpans().get(0).attributes())
        .containsEntry("agent.did", "did:mesh:builder")
        .containsEntry("session.id", "s9");
  }

  @Test
  void stepsFanoutsAndSagasExpireTogetherAndAreAllCounted() {
    SagaSpanExporter expiring =
        SagaSpanExporter.builder(bus).openSpanTimeout(Duration.ofMinutes(10)).build();
    emit(EventType.SAGA_STEP_STARTED, step("stuck", "wait"));
    emit(EventType.SAGA_FANOUT_STARTED, Map.of("saga_id", "deploy-v2", "fanout_id", "f1"));
    assertThat(expiring.openSpans()).isEqualTo(3);

    clock.advance(Duration.ofMinutes(11));

    assertThat(expiring.openSpans()).isZero();
    assertThat(expiring.expiredSpans()).isEqualTo(3);
  }

  @Test
  void everyOpenStepFanoutAndSagaEvictedOverTheBoundIsCounted() {
    SagaSpanExporter bounded = SagaSpanExporter.builder(bus).maxOpenSpans(1).build();
    emit(EventType.SAGA_STEP_STARTED, Map.of("saga_id", "a", "step_id", "a1"));
    emit(EventType.SAGA_STEP_STARTED, Map.of("saga_id", "b", "step_id", "b1"));
    assertThat(bounded.expiredSpans()).as("step a1 and saga a").isEqualTo(2);

    emit(EventType.SAGA_FANOUT_STARTED, Map.of("saga_id", "b", "fanout_id", "f1"));
    emit(EventType.SAGA_FANOUT_STARTED, Map.of("saga_id", "b", "fanout_id", "f2"));

    assertThat(bounded.expiredSpans()).as("and fan-out f1").isEqualTo(3);
    assertThat(bounded.openSpans()).isEqualTo(3);
  }

  @Test
  void aSagaFinishingWithoutHavingOpenedEvictsNoOpenSaga() {
    SagaSpanExporter bounded = SagaSpanExporter.builder(bus).maxOpenSpans(1).build();
    emit(EventType.SAGA_CREATED, Map.of("saga_id", "live"));

    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "never-opened"));
    emit(EventType.SAGA_ESCALATED, Map.of("saga_id", "never-opened-either"));

    assertThat(bounded.expiredSpans()).isZero();
    assertThat(bounded.openSpans()).isEqualTo(1);
  }

  @Test
  void finishedSagasAreRememberedUpToTheOpenSpanBound() {
    SagaSpanExporter bounded = SagaSpanExporter.builder(bus).maxOpenSpans(2).build();
    for (String saga : List.of("a", "b")) {
      emit(EventType.SAGA_CREATED, Map.of("saga_id", saga));
      emit(EventType.SAGA_COMPLETED, Map.of("saga_id", saga));
    }
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "a", "step_id", "late"));
    assertThat(bounded.openSpans()).as("a is remembered as finished").isZero();

    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "c"));
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "a", "step_id", "later"));

    assertThat(bounded.openSpans()).as("a was forgotten to remember c").isEqualTo(1);
  }

  @Test
  void withoutASinkNothingIsCountedAsASinkFailure() {
    seedStep();

    assertThat(exporter.completedSpans()).hasSize(1);
    assertThat(exporter.sinkFailures()).isZero();
  }

  @Test
  void aSinkThatOverflowsItsStackIsCountedLikeAnyFailure() {
    exporter.attachSink(
        (name, start, end, attributes, status) -> {
          throw new StackOverflowError("sink recursed");
        });

    seedStep();

    assertThat(exporter.sinkFailures()).isEqualTo(1);
    assertThat(exporter.completedSpans()).hasSize(1);
  }

  @Test
  void aSinkRunningOutOfMemoryIsNotSwallowed() {
    OutOfMemoryError oom = new OutOfMemoryError("simulated");
    exporter.attachSink(
        (name, start, end, attributes, status) -> {
          throw oom;
        });

    assertThatThrownBy(() -> emit(EventType.SAGA_CHECKPOINT_SAVED, step("c", "save")))
        .isSameAs(oom);
    assertThat(exporter.sinkFailures()).isZero();
  }

  @Test
  void resetAlsoForgetsFanoutsFinishedSagasAndEveryCounter() {
    SagaSpanExporter small =
        SagaSpanExporter.builder(bus)
            .maxSpans(1)
            .openSpanTimeout(Duration.ofMinutes(1))
            .sink(
                (name, start, end, attributes, status) -> {
                  throw new IllegalStateException("down");
                })
            .build();
    emit(EventType.SAGA_STEP_STARTED, step("expires", "wait"));
    clock.advance(Duration.ofMinutes(2));
    emit(EventType.SAGA_CREATED, Map.of("saga_id", "done"));
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "done"));
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "done", "step_id", "c"));
    emit(EventType.SAGA_FANOUT_STARTED, Map.of("saga_id", "done", "fanout_id", "f1"));
    assertThat(small.droppedSpans()).isEqualTo(1);
    assertThat(small.expiredSpans()).isEqualTo(2);
    assertThat(small.sinkFailures()).isEqualTo(2);
    assertThat(small.openSpans()).isEqualTo(1);

    small.reset();

    assertThat(small.openSpans()).isZero();
    assertThat(small.droppedSpans()).isZero();
    assertThat(small.expiredSpans()).isZero();
    assertThat(small.sinkFailures()).isZero();
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "done", "step_id", "after-reset"));
    assertThat(small.openSpans()).as("done is no longer known as finished").isEqualTo(1);
  }

  @Test
  void readingTheExporterReleasesItsLockForEmittersOnOtherThreads() throws Exception {
    seedStep();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      exporter.completedSpans();
      exporter.eventsProcessed();
      exporter.droppedSpans();
      exporter.expiredSpans();
      exporter.openSpans();
      exporter.reset();

      other
          .submit(() -> emit(EventType.SAGA_CHECKPOINT_SAVED, step("c", "save")))
          .get(30, TimeUnit.SECONDS);

      assertThat(exporter.eventsProcessed()).isEqualTo(1);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void theBuilderAcceptsBoundsOfOneAndRejectsANullClock() {
    SagaSpanExporter tiny = SagaSpanExporter.builder(bus).maxSpans(1).maxOpenSpans(1).build();
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "s", "step_id", "c1"));
    emit(EventType.SAGA_CHECKPOINT_SAVED, Map.of("saga_id", "s", "step_id", "c2"));

    assertThat(tiny.completedSpans())
        .extracting(SagaSpanRecord::name)
        .containsExactly("saga.checkpoint.c2");
    assertThat(tiny.openSpans()).isEqualTo(1);
    assertThatThrownBy(() -> SagaSpanExporter.builder(bus).clock(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("clock must not be null");
  }

  @Test
  void readingTheExpiredCountFirstExpiresWhatHasTimedOut() {
    SagaSpanExporter expiring =
        SagaSpanExporter.builder(bus).openSpanTimeout(Duration.ofMinutes(1)).build();
    emit(EventType.SAGA_STEP_STARTED, step("stuck", "wait"));

    clock.advance(Duration.ofMinutes(2));

    assertThat(expiring.expiredSpans()).isEqualTo(2);
    assertThat(expiring.openSpans()).isZero();
  }

  @Test
  void openSpansExpireOnReadsToo() {
    SagaSpanExporter expiring =
        SagaSpanExporter.builder(bus).openSpanTimeout(Duration.ofMinutes(1)).build();
    emit(EventType.SAGA_STEP_STARTED, step("stuck", "wait"));

    clock.advance(Duration.ofMinutes(2));

    assertThat(expiring.openSpans()).isZero();
    assertThat(expiring.expiredSpans()).isEqualTo(2);
  }

  @Test
  void resetClearsBufferOpenSpansAndCounters() {
    seedStep();
    emit(EventType.SAGA_STEP_STARTED, step("open", "x"));

    exporter.reset();

    assertThat(exporter.completedSpans()).isEmpty();
    assertThat(exporter.openSpans()).isZero();
    assertThat(exporter.eventsProcessed()).isZero();
  }

  @Test
  void closeUnsubscribesAndKeepsTheBuffer() {
    seedStep();
    exporter.close();
    exporter.close();
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "deploy-v2"));

    assertThat(exporter.completedSpans()).hasSize(1);
    assertThat(exporter.eventsProcessed()).isEqualTo(3);
  }

  @Test
  void completedSpansIsAnImmutableCopy() {
    seedStep();
    List<SagaSpanRecord> spans = exporter.completedSpans();

    assertThatThrownBy(spans::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> spans.get(0).attributes().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> SagaSpanExporter.builder(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("bus must not be null");
    assertThatThrownBy(() -> SagaSpanExporter.builder(bus).maxSpans(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSpans must be positive, got 0");
    assertThatThrownBy(() -> SagaSpanExporter.builder(bus).maxOpenSpans(-3))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxOpenSpans must be positive, got -3");
    assertThatThrownBy(() -> SagaSpanExporter.builder(bus).openSpanTimeout(Duration.ZERO))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("openSpanTimeout must be positive, got PT0S");
    assertThatThrownBy(() -> exporter.attachSink(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("sink must not be null");
  }

  @Test
  void stepsAreChildrenOfTheirSagaSpanInTheTraceOfTheCausalId() {
    CausalTraceId agent = CausalTraceId.root().child();
    bus.emit(
        event(EventType.SAGA_CREATED, Map.of("saga_id", "deploy-v2")).causalTraceId(agent).build());
    emit(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"));
    emit(EventType.SAGA_STEP_COMMITTED, step("validate-config", "validate"));
    emit(EventType.SAGA_COMPENSATING, step("rollback-config", "rollback"));
    emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "deploy-v2"));
    emit(EventType.SAGA_STEP_STARTED, step("late", "late"));
    emit(EventType.SAGA_STEP_COMMITTED, step("late", "late"));

    List<SagaSpanRecord> spans = exporter.completedSpans();
    SagaSpanRecord saga = spans.get(2);
    assertThat(saga.name()).isEqualTo("saga.completed.deploy-v2");
    assertThat(saga.traceId()).isEqualTo(agent.w3cTraceId());
    assertThat(saga.parentSpanId()).isEqualTo(agent.w3cSpanId());
    for (SagaSpanRecord child : spans.subList(0, 2)) {
      assertThat(child.traceId()).isEqualTo(saga.traceId());
      assertThat(child.parentSpanId()).isEqualTo(saga.spanId());
      assertThat(child.spanId()).matches("[0-9a-f]{16}").isNotEqualTo(saga.spanId());
    }
    assertThat(spans.get(0).spanId()).isNotEqualTo(spans.get(1).spanId());
    // A step of a saga that has finished starts a trace of its own.
    SagaSpanRecord late = spans.get(3);
    assertThat(late.traceId()).matches("[0-9a-f]{32}").isNotEqualTo(saga.traceId());
    assertThat(late.parentSpanId()).isNull();
  }

  @Test
  void aSagaWithoutCausalIdGetsItsOwnTraceAndNoParent() {
    seedStep();
    emitAsOrchestrator(EventType.SAGA_ESCALATED, Map.of("saga_id", "deploy-v2"));

    SagaSpanRecord step = exporter.completedSpans().get(0);
    SagaSpanRecord saga = exporter.completedSpans().get(1);
    assertThat(saga.traceId()).matches("[0-9a-f]{32}");
    assertThat(saga.parentSpanId()).isNull();
    assertThat(step.traceId()).isEqualTo(saga.traceId());
    assertThat(step.parentSpanId()).isEqualTo(saga.spanId());
  }

  @Test
  void sinksReceiveTheRecordWithItsIdsAndSeedOnlySinksTheFiveFields() {
    List<SagaSpanRecord> records = new ArrayList<>();
    List<String> names = new ArrayList<>();
    SpanSink rich =
        new SpanSink() {
          @Override
          public void recordSpan(
              String name,
              Instant start,
              Instant end,
              Map<String, String> attributes,
              String status) {
            throw new AssertionError("the record form must be called");
          }

          @Override
          public void recordSpan(SagaSpanRecord span) {
            records.add(span);
          }
        };
    SpanSink seedOnly = (name, start, end, attributes, status) -> names.add(name);
    exporter.attachSink(SpanSink.composite(rich, seedOnly));

    seedStep();

    assertThat(records).containsExactlyElementsOf(exporter.completedSpans());
    assertThat(names).containsExactly("saga.step.validate");
  }

  @Test
  @SuppressWarnings("try")
  void aSagaStartedUnderACurrentTracerSpanIsItsChild() {
    try (DistributedTracer tracer = DistributedTracer.builder().build()) {
      Span workflow = tracer.startSpan("workflow");
      try (Scope ignored = workflow.makeCurrent()) {
        bus.emit(
            event(EventType.SAGA_CREATED, Map.of("saga_id", "deploy-v2"))
                .causalTraceId(CausalTraceId.root())
                .build());
      }
      emit(EventType.SAGA_STEP_STARTED, step("validate-config", "validate"));
      emit(EventType.SAGA_STEP_COMMITTED, step("validate-config", "validate"));
      emit(EventType.SAGA_COMPLETED, Map.of("saga_id", "deploy-v2"));
      tracer.finishSpan(workflow);

      SagaSpanRecord saga = exporter.completedSpans().get(1);
      assertThat(saga.traceId()).isEqualTo(workflow.traceId());
      assertThat(saga.parentSpanId()).isEqualTo(workflow.spanId());
      assertThat(exporter.completedSpans().get(0).parentSpanId()).isEqualTo(saga.spanId());
    }
  }
}
