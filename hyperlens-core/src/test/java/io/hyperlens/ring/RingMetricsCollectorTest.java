package io.hyperlens.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.TestClock;
import io.hyperlens.spi.MetricsExporter;
import io.hyperlens.spi.RecordingMetricsExporter;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RingMetricsCollectorTest {
  private static final String ANALYST = "did:mesh:analyst";

  private final TestClock clock = new TestClock(Instant.parse("2025-01-15T10:30:00Z"));
  private final HypervisorEventBus bus = HypervisorEventBus.builder().clock(clock).build();
  private final RingMetricsCollector collector = new RingMetricsCollector(bus);

  private void emit(EventType type, String agent, String session, Map<String, ?> payload) {
    bus.emit(bus.eventBuilder(type).agentDid(agent).sessionId(session).payload(payload).build());
  }

  @Test
  void seedSnapshotCountsTransitionsBreachesRingAndEvents() {
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3));
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("from_ring", 3, "to_ring", 1));
    emit(EventType.RING_BREACH_DETECTED, ANALYST, "s1", Map.of("attempted_tool", "shell_exec"));

    RingMetricsSnapshot snapshot = collector.collect();

    assertThat(snapshot.transitionsTotal())
        .containsEntry(new TransitionKey("ring.assigned", ANALYST, "s1"), 1L)
        .containsEntry(new TransitionKey("ring.elevated", ANALYST, "s1"), 1L)
        .hasSize(2);
    assertThat(snapshot.breachesTotal())
        .containsExactly(Map.entry(new BreachKey(ANALYST, "s1"), 1L));
    assertThat(snapshot.current()).containsExactly(Map.entry(ANALYST, 1));
    assertThat(snapshot.eventsProcessed()).isEqualTo(3);
    Map<String, Object> seedShape = snapshot.asMap();
    assertThat(seedShape)
        .containsOnlyKeys(
            "agent_hypervisor_ring_transitions_total",
            "agent_hypervisor_ring_breaches_total",
            "agent_hypervisor_ring_current",
            "agent_hypervisor_ring_elevation_duration_seconds",
            "agent_hypervisor_ring_elevated_seconds_total",
            "agent_hypervisor_ring_elevation_open",
            "events_processed")
        .containsEntry("events_processed", 3L);
    assertThat(seedShape.get("agent_hypervisor_ring_current")).isEqualTo(Map.of(ANALYST, 1));
  }

  @Test
  void elevationLastsFromElevatedToDemotedTimestamps() {
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 1));
    clock.advance(Duration.ofSeconds(2));
    emit(EventType.RING_DEMOTED, ANALYST, "s1", Map.of("to_ring", 3));
    clock.advance(Duration.ofSeconds(30));

    RingMetricsSnapshot snapshot = collector.collect();

    assertThat(snapshot.elevationDurationSeconds().get(ANALYST)).isEqualTo(2.0);
    assertThat(snapshot.elevatedSecondsTotal().get(ANALYST)).isEqualTo(2.0);
    assertThat(snapshot.current().get(ANALYST)).isEqualTo(3);
  }

  @Test
  void openElevationReportsTimeSoFarOnTheCollectorClock() {
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 1));
    clock.advance(Duration.ofMillis(5_250));

    RingMetricsSnapshot snapshot = collector.collect();

    assertThat(snapshot.elevationDurationSeconds().get(ANALYST)).isEqualTo(5.25);
    assertThat(snapshot.elevatedSecondsTotal().get(ANALYST)).isZero();
  }

  @Test
  void openElevationIsMeasuredOnTheCollectorsOwnClock() {
    TestClock own = new TestClock(clock.instant());
    RingMetricsCollector withOwnClock = new RingMetricsCollector(bus, own);
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 1));

    own.advance(Duration.ofSeconds(7));
    clock.advance(Duration.ofSeconds(100));

    assertThat(withOwnClock.collect().elevationDurationSeconds().get(ANALYST)).isEqualTo(7.0);
  }

  @Test
  void expiryClosesAnElevationAndTotalsAccumulate() {
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 1));
    clock.advance(Duration.ofSeconds(3));
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 0));
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.RING_ELEVATION_EXPIRED, ANALYST, "s1", Map.of("to_ring", 3));
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 2));
    clock.advance(Duration.ofSeconds(6));
    emit(EventType.RING_DEMOTED, ANALYST, "s1", Map.of("to_ring", 3));

    RingMetricsSnapshot snapshot = collector.collect();

    assertThat(snapshot.elevationDurationSeconds().get(ANALYST)).isEqualTo(6.0);
    assertThat(snapshot.elevatedSecondsTotal().get(ANALYST)).isEqualTo(10.0);
  }

  @Test
  void theOpenSignalSaysWhetherAnElevationIsOpenNotHowLongTheLastOneWas() {
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 1));
    clock.advance(Duration.ofSeconds(400));
    RingMetricsSnapshot open = collector.collect();
    assertThat(open.elevationOpen()).containsExactly(Map.entry(ANALYST, true));
    assertThat(open.elevationDurationSeconds().get(ANALYST)).isEqualTo(400.0);

    emit(EventType.RING_DEMOTED, ANALYST, "s1", Map.of("to_ring", 3));
    clock.advance(Duration.ofSeconds(60));
    RingMetricsSnapshot demoted = collector.collect();

    // the duration gauge keeps the closed elevation's 400 s (the seed's meaning); open says 0
    assertThat(demoted.elevationDurationSeconds().get(ANALYST)).isEqualTo(400.0);
    assertThat(demoted.elevationOpen()).containsExactly(Map.entry(ANALYST, false));
    RecordingMetricsExporter exporter = RecordingMetricsExporter.recording();
    collector.exportTo(exporter);
    assertThat(exporter.calls())
        .contains(
            "GAUGE agent_hypervisor_ring_elevation_open=0.0 labels={agent_did=did:mesh:analyst}");
  }

  @Test
  void ringZeroIsARealRing() {
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("from_ring", 1, "to_ring", 0));
    assertThat(collector.collect().current()).containsExactly(Map.entry(ANALYST, 0));

    emit(EventType.RING_ASSIGNED, "did:mesh:root", "s1", Map.of("ring", 0));
    assertThat(collector.collect().current()).containsEntry("did:mesh:root", 0);
  }

  @Test
  void malformedRingsAreIgnoredAndCountedNeverThrown() {
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 2));
    for (Object bad : List.of(7, -1, "1", 1.5, 4.0, -0.5, true, List.of(1))) {
      emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", bad));
    }
    assertThat(collector.collect().current().get(ANALYST)).isEqualTo(2);
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", BigInteger.ONE));
    assertThat(collector.collect().current().get(ANALYST)).isEqualTo(1);
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 0.0));

    RingMetricsSnapshot snapshot = collector.collect();

    assertThat(snapshot.malformedRings()).isEqualTo(8);
    assertThat(snapshot.current().get(ANALYST)).isZero();
    assertThat(snapshot.transitionsTotal().get(new TransitionKey("ring.assigned", ANALYST, "s1")))
        .isEqualTo(11L);
    assertThat(snapshot.eventsProcessed()).isEqualTo(11);
  }

  @Test
  void toRingWinsOverRingAndNoRingLeavesTheGaugeAlone() {
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3, "to_ring", 2));
    emit(EventType.RING_DEMOTED, ANALYST, "s1", Map.of("reason", "no ring given"));

    assertThat(collector.collect().current().get(ANALYST)).isEqualTo(2);
    assertThat(collector.collect().malformedRings()).isZero();
  }

  @Test
  void missingAgentOrSessionIsUnknown() {
    bus.emit(bus.eventBuilder(EventType.RING_BREACH_DETECTED).build());
    bus.emit(bus.eventBuilder(EventType.RING_ASSIGNED).payload(Map.of("ring", 3)).build());

    RingMetricsSnapshot snapshot = collector.collect();

    assertThat(snapshot.breachesTotal())
        .containsExactly(Map.entry(new BreachKey("unknown", "unknown"), 1L));
    assertThat(snapshot.transitionsTotal())
        .containsExactly(Map.entry(new TransitionKey("ring.assigned", "unknown", "unknown"), 1L));
    assertThat(snapshot.current()).containsExactly(Map.entry("unknown", 3));
  }

  @Test
  void ignoresEventsOutsideTheRingFamily() {
    emit(EventType.SESSION_CREATED, ANALYST, "s1", Map.of("ring", 3));
    assertThat(collector.collect().eventsProcessed()).isZero();
  }

  @Test
  void exportsLabelsInOrderAndCountersAsIncrements() {
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3));
    emit(EventType.RING_BREACH_DETECTED, ANALYST, "s1", Map.of());
    RecordingMetricsExporter exporter = RecordingMetricsExporter.recording();

    collector.exportTo(exporter);

    assertThat(exporter.calls())
        .containsExactlyInAnyOrder(
            "COUNTER agent_hypervisor_ring_transitions_total +=1.0 labels={event_type=ring.assigned,"
                + " agent_did=did:mesh:analyst, session_id=s1}",
            "COUNTER agent_hypervisor_ring_breaches_total +=1.0 labels={agent_did=did:mesh:analyst,"
                + " session_id=s1}",
            "COUNTER agent_hypervisor_ring_agent_breaches_total +=1.0"
                + " labels={agent_did=did:mesh:analyst}",
            "COUNTER agent_hypervisor_ring_type_transitions_total +=1.0"
                + " labels={event_type=ring.assigned}",
            "COUNTER agent_hypervisor_ring_events_processed_total +=2.0 labels={}",
            "GAUGE agent_hypervisor_ring_current=3.0 labels={agent_did=did:mesh:analyst}");
  }

  @Test
  void exportingTwiceNeverDoubleCounts() {
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3));
    RecordingMetricsExporter first = RecordingMetricsExporter.recording();
    RecordingMetricsExporter second = RecordingMetricsExporter.recording();
    RecordingMetricsExporter third = RecordingMetricsExporter.recording();

    collector.exportTo(first);
    collector.exportTo(second);
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 2));
    collector.exportTo(third);

    assertThat(first.calls()).filteredOn(c -> c.startsWith("COUNTER")).hasSize(3);
    assertThat(second.calls())
        .containsExactly(
            "GAUGE agent_hypervisor_ring_current=3.0 labels={agent_did=did:mesh:analyst}");
    assertThat(third.calls())
        .contains(
            "COUNTER agent_hypervisor_ring_transitions_total +=1.0 labels={event_type=ring.assigned,"
                + " agent_did=did:mesh:analyst, session_id=s1}",
            "COUNTER agent_hypervisor_ring_events_processed_total +=1.0 labels={}",
            "GAUGE agent_hypervisor_ring_current=2.0 labels={agent_did=did:mesh:analyst}");
  }

  @Test
  void failedIncrementIsCountedAndSentAgainNextTime() {
    emit(EventType.RING_BREACH_DETECTED, ANALYST, "s1", Map.of());
    RecordingMetricsExporter recorder = RecordingMetricsExporter.recording();
    MetricsExporter flaky = RecordingMetricsExporter.throwing(new IllegalStateException("down"));

    collector.exportTo(flaky);
    collector.exportTo(recorder);

    assertThat(collector.exportFailures()).isEqualTo(3);
    assertThat(recorder.calls())
        .containsExactlyInAnyOrder(
            "COUNTER agent_hypervisor_ring_breaches_total +=1.0 labels={agent_did=did:mesh:analyst,"
                + " session_id=s1}",
            "COUNTER agent_hypervisor_ring_agent_breaches_total +=1.0"
                + " labels={agent_did=did:mesh:analyst}",
            "COUNTER agent_hypervisor_ring_events_processed_total +=1.0 labels={}");
  }

  @Test
  void elevatedSecondsExportAsIncrements() {
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 1));
    clock.advance(Duration.ofSeconds(4));
    emit(EventType.RING_DEMOTED, ANALYST, "s1", Map.of("to_ring", 3));
    collector.exportTo(MetricsExporter.noop());
    emit(EventType.RING_ELEVATED, ANALYST, "s1", Map.of("to_ring", 1));
    clock.advance(Duration.ofSeconds(1));
    emit(EventType.RING_DEMOTED, ANALYST, "s1", Map.of("to_ring", 3));
    RecordingMetricsExporter exporter = RecordingMetricsExporter.recording();

    collector.exportTo(exporter);

    assertThat(exporter.calls())
        .contains(
            "COUNTER agent_hypervisor_ring_elevated_seconds_total +=1.0"
                + " labels={agent_did=did:mesh:analyst}",
            "GAUGE agent_hypervisor_ring_elevation_duration_seconds=1.0"
                + " labels={agent_did=did:mesh:analyst}");
  }

  @Test
  void resetForgetsEverythingAndExportStartsOver() {
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3));
    collector.exportTo(MetricsExporter.noop());

    collector.reset();
    assertThat(collector.collect().eventsProcessed()).isZero();
    assertThat(collector.collect().transitionsTotal()).isEmpty();
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3));
    RecordingMetricsExporter exporter = RecordingMetricsExporter.recording();
    collector.exportTo(exporter);

    assertThat(exporter.calls()).filteredOn(c -> c.startsWith("COUNTER")).hasSize(3);
  }

  @Test
  void closeUnsubscribes() {
    collector.close();
    collector.close();
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3));

    assertThat(collector.collect().eventsProcessed()).isZero();
  }

  @Test
  void snapshotIsImmutable() {
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 3));
    RingMetricsSnapshot snapshot = collector.collect();

    assertThatThrownBy(() -> snapshot.current().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    emit(EventType.RING_ASSIGNED, ANALYST, "s1", Map.of("ring", 2));
    assertThat(snapshot.current().get(ANALYST)).isEqualTo(3);
  }

  @Test
  void seriesBeyondTheBoundGoToOneOverflowSeriesAndAreCounted() {
    RingMetricsCollector bounded = RingMetricsCollector.builder(bus).maxSeriesPerMetric(2).build();
    for (int i = 0; i < 5; i++) {
      emit(EventType.RING_ASSIGNED, "did:mesh:a" + i, "s" + i, Map.of("ring", 3));
      emit(EventType.RING_BREACH_DETECTED, "did:mesh:a" + i, "s" + i, Map.of());
    }
    emit(EventType.RING_ASSIGNED, "did:mesh:a0", "s0", Map.of("ring", 2));

    RingMetricsSnapshot snapshot = bounded.collect();

    assertThat(snapshot.transitionsTotal())
        .containsOnly(
            Map.entry(new TransitionKey("ring.assigned", "did:mesh:a0", "s0"), 2L),
            Map.entry(new TransitionKey("ring.assigned", "did:mesh:a1", "s1"), 1L),
            Map.entry(new TransitionKey("__overflow__", "__overflow__", "__overflow__"), 3L));
    assertThat(snapshot.breachesTotal())
        .containsEntry(new BreachKey("__overflow__", "__overflow__"), 3L)
        .hasSize(3);
    assertThat(snapshot.current())
        .containsOnly(Map.entry("did:mesh:a0", 2), Map.entry("did:mesh:a1", 3));
    // the per-agent breach counter has the same bound: 3 more agents overflow there
    assertThat(snapshot.agentBreachesTotal())
        .containsOnly(
            Map.entry("did:mesh:a0", 1L),
            Map.entry("did:mesh:a1", 1L),
            Map.entry("__overflow__", 3L));
    assertThat(snapshot.typeTransitionsTotal()).containsOnly(Map.entry("ring.assigned", 6L));
    assertThat(snapshot.overflowed()).isEqualTo(12);
    assertThat(snapshot.eventsProcessed()).isEqualTo(11);
    RecordingMetricsExporter exporter = RecordingMetricsExporter.recording();
    bounded.exportTo(exporter);
    assertThat(exporter.calls())
        .contains("COUNTER agent_hypervisor_ring_series_overflowed_total +=12.0 labels={}");
  }

  @Test
  void builderRejectsABoundBelowOne() {
    assertThatThrownBy(() -> RingMetricsCollector.builder(bus).maxSeriesPerMetric(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSeriesPerMetric must be positive, got 0");
  }

  @Test
  void rejectsNullArguments() {
    assertThatThrownBy(() -> new RingMetricsCollector((HypervisorEventBus) null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("bus must not be null");
    assertThatThrownBy(() -> new RingMetricsCollector(bus, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("clock must not be null");
    assertThatThrownBy(() -> collector.exportTo(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("exporter must not be null");
  }

  @Test
  void negativeDurationsClampToZero() {
    bus.emit(
        bus.eventBuilder(EventType.RING_ELEVATED)
            .agentDid(ANALYST)
            .timestamp(clock.instant())
            .build());
    bus.emit(
        bus.eventBuilder(EventType.RING_DEMOTED)
            .agentDid(ANALYST)
            .timestamp(clock.instant().minusSeconds(5))
            .build());

    assertThat(collector.collect().elevationDurationSeconds().get(ANALYST)).isZero();
  }
}
