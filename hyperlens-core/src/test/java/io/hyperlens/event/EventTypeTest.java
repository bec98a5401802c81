package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventTypeTest {

  @Test
  void catalogueHasFortyMembersInTheSeedOrder() {
    assertThat(Arrays.stream(EventType.values()).map(EventType::value))
        .containsExactly(
            "session.created",
            "session.joined",
            "session.activated",
            "session.terminated",
            "session.archived",
            "ring.assigned",
            "ring.elevated",
            "ring.demoted",
            "ring.elevation_expired",
            "ring.breach_detected",
            "liability.vouch_created",
            "liability.vouch_released",
            "liability.slash_executed",
            "liability.fault_attributed",
            "liability.quarantine_entered",
            "liability.quarantine_released",
            "saga.created",
            "saga.step_started",
            "saga.step_committed",
            "saga.step_failed",
            "saga.compensating",
            "saga.completed",
            "saga.escalated",
            "saga.fanout_started",
            "saga.fanout_resolved",
            "saga.checkpoint_saved",
            "vfs.write",
            "vfs.delete",
            "vfs.snapshot",
            "vfs.restore",
            "vfs.conflict",
            "security.rate_limited",
            "security.agent_killed",
            "security.saga_handoff",
            "security.identity_verified",
            "audit.delta_captured",
            "audit.committed",
            "audit.gc_collected",
            "verification.behavior_drift",
            "verification.history_verified");
  }

  @Test
  void categoriesHaveTheSeedCounts() {
    Map<EventCategory, Long> counts =
        Arrays.stream(EventType.values())
            .collect(
                Collectors.groupingBy(
                    EventType::category,
                    () -> new EnumMap<>(EventCategory.class),
                    Collectors.counting()));

    assertThat(counts)
        .containsExactly(
            Map.entry(EventCategory.SESSION, 5L),
            Map.entry(EventCategory.RING, 5L),
            Map.entry(EventCategory.LIABILITY, 6L),
            Map.entry(EventCategory.SAGA, 10L),
            Map.entry(EventCategory.VFS, 5L),
            Map.entry(EventCategory.SECURITY, 4L),
            Map.entry(EventCategory.AUDIT, 3L),
            Map.entry(EventCategory.VERIFICATION, 2L));
  }

  @Test
  void everyValueStartsWithItsCategory() {
    for (EventType type : EventType.values()) {
      assertThat(type.value()).startsWith(type.category().value() + ".");
    }
  }

  @Test
  void fromValueFindsEveryMember() {
    for (EventType type : EventType.values()) {
      assertThat(EventType.fromValue(type.value())).isSameAs(type);
    }
    assertThat(EventType.fromValue("security.saga_handoff")).isSameAs(EventType.SAGA_HANDOFF);
  }

  @Test
  void fromValueRejectsUnknownValues() {
    assertThatThrownBy(() -> EventType.fromValue("ring.teleported"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Unknown event type \"ring.teleported\" (expected a dotted value such as"
                + " \"ring.assigned\")");
    assertThatThrownBy(() -> EventType.fromValue("RING_ASSIGNED"))
        .isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventType.fromValue(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("event type value must not be null");
  }
}
