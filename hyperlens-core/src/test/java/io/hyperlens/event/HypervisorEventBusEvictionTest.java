package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Eviction takes the oldest event out of the session and agent indexes too, and drops a session or
 * agent from them with its last retained event, so that a full bus does not grow without bound.
 */
class HypervisorEventBusEvictionTest {
  private final TestClock clock = new TestClock(Instant.parse("2025-01-15T10:30:00Z"));

  private HypervisorEventBus bus(int maxEvents) {
    return HypervisorEventBus.builder().maxEvents(maxEvents).clock(clock).build();
  }

  private static void emit(HypervisorEventBus bus, String session, String agent) {
    bus.emit(bus.eventBuilder(EventType.VFS_WRITE).sessionId(session).agentDid(agent).build());
  }

  @Test
  void evictedSessionsAndAgentsAreFoundNoMore() {
    HypervisorEventBus bus = bus(3);
    emit(bus, "s-old", "did:mesh:old");
    emit(bus, "s-kept", "did:mesh:kept");
    emit(bus, "s-kept", "did:mesh:kept");

    emit(bus, "s-new", "did:mesh:new");

    assertThat(bus.queryBySession("s-old")).isEmpty();
    assertThat(bus.queryByAgent("did:mesh:old")).isEmpty();
    assertThat(bus.query(EventQuery.builder().sessionId("s-old").agentDid("did:mesh:old").build()))
        .isEmpty();
    assertThat(bus.queryBySession("s-kept")).hasSize(2);
    assertThat(bus.queryByAgent("did:mesh:kept")).hasSize(2);
    assertThat(bus.queryBySession("s-new")).hasSize(1);
    assertThat(bus.evictedCount()).isEqualTo(1);
  }

  @Test
  void aSessionThatWasEvictedIsIndexedAfreshWhenItComesBack() {
    HypervisorEventBus bus = bus(2);
    emit(bus, "s1", "did:mesh:a");
    emit(bus, "s2", "did:mesh:b");
    emit(bus, "s2", "did:mesh:b");
    assertThat(bus.queryBySession("s1")).isEmpty();

    emit(bus, "s1", "did:mesh:a");
    emit(bus, "s1", "did:mesh:a");

    assertThat(bus.queryBySession("s1")).hasSize(2).isEqualTo(bus.allEvents());
    assertThat(bus.queryByAgent("did:mesh:a")).hasSize(2).isEqualTo(bus.allEvents());
    assertThat(bus.queryBySession("s2")).isEmpty();
    assertThat(bus.queryByAgent("did:mesh:b")).isEmpty();
  }

  @Test
  void eventsWithoutSessionOrAgentAreEvictedToo() {
    HypervisorEventBus bus = bus(2);
    emit(bus, null, null);
    emit(bus, "s1", null);
    emit(bus, null, "did:mesh:a");
    emit(bus, "s2", "did:mesh:b");

    assertThat(bus.eventCount()).isEqualTo(2);
    assertThat(bus.queryBySession("s1")).isEmpty();
    assertThat(bus.queryByAgent("did:mesh:a")).hasSize(1);
    assertThat(bus.queryBySession("s2")).hasSize(1);
  }

  /**
   * What eviction is for: a full bus that keeps seeing new sessions and agents keeps only those of
   * its retained events in its indexes. The bus has no public view of its indexes, so this reads
   * them through package-private accessors; the queries above cannot tell a leaking index from a
   * clean one.
   */
  @Test
  void theSessionAndAgentIndexesHoldOnlyWhatTheLogRetains() {
    HypervisorEventBus bus = bus(10);
    for (int i = 0; i < 1_000; i++) {
      emit(bus, "session-" + i, i % 2 == 0 ? "did:mesh:agent-" + i : null);
    }

    assertThat(bus.eventCount()).isEqualTo(10);
    assertThat(bus.indexedSessions())
        .containsExactlyInAnyOrderElementsOf(
            IntStream.range(990, 1_000).mapToObj(i -> "session-" + i).toList());
    assertThat(bus.indexedAgents())
        .containsExactlyInAnyOrder(
            "did:mesh:agent-990",
            "did:mesh:agent-992",
            "did:mesh:agent-994",
            "did:mesh:agent-996",
            "did:mesh:agent-998");
  }
}
