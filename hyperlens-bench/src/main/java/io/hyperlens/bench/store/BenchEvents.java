package io.hyperlens.bench.store;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Realistic events for the store benchmarks: a governance payload of about 150 bytes of JSON. */
final class BenchEvents {
  static final EventType[] TYPES = {
    EventType.RING_ASSIGNED,
    EventType.RING_ELEVATED,
    EventType.RING_BREACH_DETECTED,
    EventType.SAGA_STEP_STARTED,
    EventType.SAGA_STEP_COMMITTED,
    EventType.SAGA_STEP_FAILED,
    EventType.VOUCH_CREATED,
    EventType.SLASH_EXECUTED
  };

  private BenchEvents() {}

  /** Event {@code i} of a run: session {@code i % sessions}, agent {@code i % agents}. */
  static HypervisorEvent event(long i, int sessions, int agents, Instant start, String run) {
    SplittableRandom random = new SplittableRandom(i);
    return HypervisorEvent.builder(TYPES[random.nextInt(TYPES.length)])
        .eventId(run + Long.toHexString(i))
        .timestamp(start.plusMillis(i))
        .sessionId("session-" + (i % sessions))
        .agentDid("did:mesh:agent-" + (i % agents))
        .causalTraceId("4bf92f3577b3/" + Long.toHexString(0x10000000L + i % 100_000))
        .payload(
            Map.of(
                "ring",
                random.nextInt(4),
                "tool",
                "web_search",
                "risk_score",
                random.nextInt(1000) / 1000.0,
                "reason",
                "policy rule r-" + random.nextInt(50) + " matched"))
        .build();
  }

  static List<HypervisorEvent> events(int n, int sessions, int agents, String run) {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    List<HypervisorEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(event(i, sessions, agents, start, run));
    }
    return events;
  }
}
