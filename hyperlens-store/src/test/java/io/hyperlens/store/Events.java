package io.hyperlens.store;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Reproducible test events over a few sessions, agents and types. */
final class Events {
  static final EventType[] TYPES = {
    EventType.SESSION_CREATED,
    EventType.RING_ASSIGNED,
    EventType.RING_BREACH_DETECTED,
    EventType.SAGA_STEP_FAILED,
    EventType.SLASH_EXECUTED,
    EventType.AUDIT_COMMITTED
  };

  private Events() {}

  /** {@code n} events from {@code start}, 0 to 3 s apart (often the same instant), seeded. */
  static List<HypervisorEvent> generate(int n, Instant start, long seed) {
    Random random = new Random(seed);
    List<HypervisorEvent> events = new ArrayList<>(n);
    Instant t = start;
    for (int i = 0; i < n; i++) {
      t = t.plusMillis(random.nextInt(4) * 1000L + (random.nextBoolean() ? 0 : 123));
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("i", i);
      payload.put("ring", random.nextInt(4));
      payload.put("score", random.nextInt(1000) / 8.0);
      payload.put("ok", random.nextBoolean());
      payload.put("note", random.nextInt(5) == 0 ? null : "naïve ✓ \"quoted\" 🚀 " + i);
      payload.put("steps", List.of("plan", Map.of("tool", "search", "n", i % 7)));
      events.add(
          HypervisorEvent.builder(TYPES[random.nextInt(TYPES.length)])
              .eventId(String.format("ev-%06d-%d", i, seed))
              .timestamp(t)
              .sessionId(random.nextInt(6) == 0 ? null : "session-" + random.nextInt(5))
              .agentDid(random.nextInt(6) == 0 ? null : "did:mesh:agent-" + random.nextInt(4))
              .causalTraceId(random.nextBoolean() ? "a1b2c3d4e5f6/0011223344556677" : null)
              .parentEventId(i > 0 && random.nextBoolean() ? "ev-parent-" + (i - 1) : null)
              .payload(payload)
              .build());
    }
    return events;
  }
}
