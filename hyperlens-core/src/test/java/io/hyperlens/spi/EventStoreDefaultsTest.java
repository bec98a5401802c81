package io.hyperlens.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The convenience queries of an event store are its one query with a single criterion. */
class EventStoreDefaultsTest {
  /** A store answering every query with one event and recording what it was asked. */
  private static final class RecordingStore implements EventStore {
    final List<EventQuery> asked = new ArrayList<>();
    final HypervisorEvent answer = HypervisorEvent.builder(EventType.VFS_WRITE).build();

    @Override
    public int append(List<HypervisorEvent> events) {
      return events.size();
    }

    @Override
    public List<HypervisorEvent> query(EventQuery query) {
      asked.add(query);
      return List.of(answer);
    }

    @Override
    public EventPage page(EventQuery query, String cursor, int pageSize) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long count(EventQuery query) {
      asked.add(query);
      return 42;
    }

    @Override
    public Map<String, Long> typeCounts() {
      return Map.of();
    }

    @Override
    public long deleteOlderThan(Instant cutoff) {
      return 0;
    }

    @Override
    public long retainNewest(long maxEvents) {
      return 0;
    }

    @Override
    public void close() {}
  }

  private final RecordingStore store = new RecordingStore();

  @Test
  void eachConvenienceQueryAsksForItsCriterionOnly() {
    Instant start = Instant.parse("2025-01-15T10:00:00Z");
    Instant end = Instant.parse("2025-01-15T11:00:00Z");

    assertThat(store.queryByType(EventType.RING_ASSIGNED)).containsExactly(store.answer);
    assertThat(store.queryBySession("s1")).containsExactly(store.answer);
    assertThat(store.queryByAgent("did:mesh:a")).containsExactly(store.answer);
    assertThat(store.queryByTimeRange(start, end)).containsExactly(store.answer);

    assertThat(store.asked.get(0).eventType()).contains(EventType.RING_ASSIGNED);
    assertThat(store.asked.get(0).sessionId()).isEmpty();
    assertThat(store.asked.get(1).sessionId()).contains("s1");
    assertThat(store.asked.get(1).eventType()).isEmpty();
    assertThat(store.asked.get(2).agentDid()).contains("did:mesh:a");
    assertThat(store.asked.get(2).sessionId()).isEmpty();
    assertThat(store.asked.get(3).start()).contains(start);
    assertThat(store.asked.get(3).end()).contains(end);
    assertThat(store.asked.get(3).agentDid()).isEmpty();
  }

  @Test
  void theEventCountCountsEveryEvent() {
    assertThat(store.eventCount()).isEqualTo(42);

    EventQuery all = store.asked.get(0);
    assertThat(all.eventType()).isEmpty();
    assertThat(all.sessionId()).isEmpty();
    assertThat(all.agentDid()).isEmpty();
    assertThat(all.start()).isEmpty();
    assertThat(all.limit()).isZero();
  }
}
