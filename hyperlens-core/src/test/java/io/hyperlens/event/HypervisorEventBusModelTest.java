package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The bus against a brute-force model: a plain list of everything emitted, of which the newest
 * {@code maxEvents} are retained, filtered by scanning. Timestamps are drawn at random, so many
 * events arrive out of timestamp order and exercise the late-event time index and eviction.
 */
class HypervisorEventBusModelTest {
  private static final Instant BASE = Instant.parse("2025-01-01T00:00:00Z");
  private static final EventType[] TYPES = {
    EventType.SESSION_CREATED,
    EventType.RING_ASSIGNED,
    EventType.RING_BREACH_DETECTED,
    EventType.SAGA_CREATED,
    EventType.VFS_WRITE
  };

  @Property(tries = 60)
  void everyQueryAgreesWithABruteForceScan(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int maxEvents) {
    Random random = new Random(seed);
    HypervisorEventBus bus = HypervisorEventBus.builder().maxEvents(maxEvents).build();
    List<HypervisorEvent> emitted = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      HypervisorEvent event =
          bus.eventBuilder(TYPES[random.nextInt(TYPES.length)])
              .sessionId(random.nextBoolean() ? "s" + random.nextInt(3) : null)
              .agentDid(random.nextBoolean() ? "a" + random.nextInt(3) : null)
              .timestamp(BASE.plusSeconds(random.nextInt(100)))
              .build();
      bus.emit(event);
      emitted.add(event);
      List<HypervisorEvent> retained =
          emitted.subList(Math.max(0, emitted.size() - maxEvents), emitted.size());

      EventQuery query = randomQuery(random);

      assertThat(bus.query(query))
          .as("%s after %d events", query, i + 1)
          .isEqualTo(model(retained, query));
    }
    assertThat(bus.evictedCount()).isEqualTo(Math.max(0, 200 - maxEvents));
  }

  private static EventQuery randomQuery(Random random) {
    EventQueryBuilder query = EventQuery.builder();
    if (random.nextBoolean()) {
      query.eventType(TYPES[random.nextInt(TYPES.length)]);
    }
    if (random.nextBoolean()) {
      query.sessionId("s" + random.nextInt(3));
    }
    if (random.nextBoolean()) {
      query.agentDid("a" + random.nextInt(3));
    }
    if (random.nextBoolean()) {
      Instant start = BASE.plusSeconds(random.nextInt(100));
      query.timeRange(start, start.plusSeconds(random.nextInt(40)));
    }
    if (random.nextBoolean()) {
      query.limit(1 + random.nextInt(5));
    }
    return query.build();
  }

  private static List<HypervisorEvent> model(List<HypervisorEvent> retained, EventQuery query) {
    List<HypervisorEvent> matches = new ArrayList<>();
    for (HypervisorEvent event : retained) {
      if (query.eventType().map(t -> t == event.eventType()).orElse(true)
          && query.sessionId().map(s -> s.equals(event.sessionId().orElse(null))).orElse(true)
          && query.agentDid().map(a -> a.equals(event.agentDid().orElse(null))).orElse(true)
          && query.start().map(s -> !event.timestamp().isBefore(s)).orElse(true)
          && query.end().map(e -> !event.timestamp().isAfter(e)).orElse(true)) {
        matches.add(event);
      }
    }
    int limit = query.limit();
    return limit > 0 && matches.size() > limit
        ? matches.subList(matches.size() - limit, matches.size())
        : matches;
  }
}
