package io.hyperlens.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.trace.CausalTraceId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HypervisorEventTest {
  private static final Instant SEED_TIME = Instant.parse("2025-01-15T10:30:00Z");

  @Test
  void defaultsToSixteenHexIdAndClockTimestamp() {
    TestClock clock = new TestClock(SEED_TIME);
    HypervisorEvent event =
        HypervisorEvent.builder(EventType.SLASH_EXECUTED)
            .clock(clock)
            .sessionId("session-042")
            .agentDid("did:mesh:rogue-agent")
            .causalTraceId("abc123/def456")
            .payload(Map.of("severity", "critical", "stake_slashed", 150))
            .build();

    assertThat(event.eventId()).matches("[0-9a-f]{16}");
    assertThat(event.timestamp()).isEqualTo(SEED_TIME);
    Map<String, Object> map = event.toMap();
    assertThat(map.get("event_type")).isEqualTo("liability.slash_executed");
    assertThat(map.get("timestamp")).isEqualTo("2025-01-15T10:30:00+00:00");
  }

  @Test
  void toMapHasTheSeedKeysInOrder() {
    CausalTraceId trace = CausalTraceId.fromString("a1b2c3d4e5f6/01234567");
    HypervisorEvent event =
        HypervisorEvent.builder(EventType.SESSION_CREATED)
            .eventId("00112233aabbccdd")
            .timestamp(SEED_TIME)
            .sessionId("session-001")
            .agentDid("did:mesh:data-analyst")
            .causalTraceId(trace)
            .payload(Map.of("model", "gpt-4o", "ring", 3))
            .build();

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("event_id", "00112233aabbccdd");
    expected.put("event_type", "session.created");
    expected.put("timestamp", "2025-01-15T10:30:00+00:00");
    expected.put("session_id", "session-001");
    expected.put("agent_did", "did:mesh:data-analyst");
    expected.put("causal_trace_id", "a1b2c3d4e5f6/01234567");
    expected.put("parent_event_id", null);
    expected.put("payload", Map.of("model", "gpt-4o", "ring", 3));
    assertThat(event.toMap()).containsExactlyEntriesOf(expected);
  }

  @Test
  void formatsMicrosecondsLikePythonIsoformat() {
    assertThat(HypervisorEvent.formatTimestamp(Instant.parse("2025-01-15T10:30:00.000042Z")))
        .isEqualTo("2025-01-15T10:30:00.000042+00:00");
    assertThat(HypervisorEvent.formatTimestamp(Instant.parse("2025-01-15T10:30:00.5Z")))
        .isEqualTo("2025-01-15T10:30:00.500000+00:00");
  }

  @Test
  void timestampsAreTruncatedToMicroseconds() {
    HypervisorEvent event =
        HypervisorEvent.builder(EventType.VFS_WRITE)
            .timestamp(Instant.parse("2025-01-15T10:30:00.123456789Z"))
            .build();

    assertThat(event.timestamp()).isEqualTo(Instant.parse("2025-01-15T10:30:00.123456Z"));
  }

  @Test
  void absentFieldsAreEmptyOptionals() {
    HypervisorEvent event = HypervisorEvent.builder(EventType.AUDIT_COMMITTED).build();

    assertThat(event.sessionId()).isEmpty();
    assertThat(event.agentDid()).isEmpty();
    assertThat(event.causalTraceId()).isEmpty();
    assertThat(event.parentEventId()).isEmpty();
    assertThat(event.payload()).isEmpty();
  }

  @Test
  void payloadIsDeeplyCopiedAndUnmodifiable() {
    List<Object> tools = new ArrayList<>(List.of("search"));
    Map<String, Object> nested = new HashMap<>(Map.of("tools", tools));
    Map<String, Object> payload = new HashMap<>();
    payload.put("nested", nested);
    payload.put("nothing", null);
    HypervisorEvent event = HypervisorEvent.builder(EventType.VFS_WRITE).payload(payload).build();

    tools.add("shell_exec");
    nested.put("extra", 1);
    payload.put("late", true);

    assertThat(event.payload())
        .containsOnlyKeys("nested", "nothing")
        .containsEntry("nested", Map.of("tools", List.of("search")));
    assertThatThrownBy(() -> event.payload().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> copiedNested = (Map<String, Object>) event.payload().get("nested");
    assertThatThrownBy(() -> copiedNested.put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> copiedTools = (List<Object>) copiedNested.get("tools");
    assertThatThrownBy(() -> copiedTools.add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void payloadAcceptsEveryJsonLikeValue() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("s", "text");
    payload.put("i", 1);
    payload.put("l", 2L);
    payload.put("d", 0.5);
    payload.put("big", new BigDecimal("1.25"));
    payload.put("b", true);
    payload.put("n", null);
    payload.put("list", List.of(1, "two", Map.of("three", 3)));

    HypervisorEvent event = HypervisorEvent.builder(EventType.VFS_WRITE).payload(payload).build();

    assertThat(event.payload()).containsExactlyEntriesOf(payload);
  }

  @Test
  void payloadRejectsNonJsonValuesNamingThePath() {
    Map<String, Object> payload = Map.of("steps", List.of(1, new AtomicInteger(2)));

    assertThatThrownBy(() -> HypervisorEvent.builder(EventType.VFS_WRITE).payload(payload))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "payload.steps[1]: unsupported value type java.util.concurrent.atomic.AtomicInteger");
  }

  @Test
  void payloadRejectsNonStringKeys() {
    Map<String, Object> payload = Map.of("inner", Map.of(7, "seven"));

    assertThatThrownBy(() -> HypervisorEvent.builder(EventType.VFS_WRITE).payload(payload))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("payload.inner: map keys must be strings, got java.lang.Integer 7");
  }

  @Test
  void payloadRejectsNonFiniteNumbers() {
    assertThatThrownBy(
            () -> HypervisorEvent.builder(EventType.VFS_WRITE).payload(Map.of("score", Double.NaN)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("payload.score: numbers must be finite, got NaN");
  }

  @Test
  void payloadRejectsCycles() {
    Map<String, Object> cyclic = new HashMap<>();
    cyclic.put("self", cyclic);

    assertThatThrownBy(() -> HypervisorEvent.builder(EventType.VFS_WRITE).payload(cyclic))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested deeper than 32 levels");
  }

  @Test
  void failedSetterLeavesBuilderUnchanged() {
    HypervisorEventBuilder builder =
        HypervisorEvent.builder(EventType.VFS_WRITE).sessionId("s1").payload(Map.of("ok", 1));

    assertThatThrownBy(() -> builder.sessionId(" "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("sessionId must not be blank, got \" \"");
    assertThatThrownBy(() -> builder.payload(Map.of("bad", new Object())))
        .isExactlyInstanceOf(IllegalArgumentException.class);

    HypervisorEvent event = builder.build();
    assertThat(event.sessionId()).contains("s1");
    assertThat(event.payload()).isEqualTo(Map.of("ok", 1));
  }

  @Test
  void rejectsBadIdsNamingTheField() {
    assertThatThrownBy(() -> HypervisorEvent.builder(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("eventType must not be null");
    assertThatThrownBy(() -> HypervisorEvent.builder(EventType.VFS_WRITE).eventId(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("eventId must not be null");
    assertThatThrownBy(() -> HypervisorEvent.builder(EventType.VFS_WRITE).agentDid(""))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("agentDid must not be blank, got \"\"");
    assertThatThrownBy(
            () -> HypervisorEvent.builder(EventType.VFS_WRITE).parentEventId("x".repeat(257)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("parentEventId must be at most 256 characters, got 257");
    assertThatThrownBy(() -> HypervisorEvent.builder(EventType.VFS_WRITE).timestamp(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("timestamp must not be null");
  }

  @Test
  void equalEventsHaveEqualHashCodes() {
    HypervisorEventBuilder builder =
        HypervisorEvent.builder(EventType.VFS_WRITE)
            .eventId("e1")
            .timestamp(SEED_TIME)
            .payload(Map.of("path", "/a"));

    assertThat(builder.build()).isEqualTo(builder.build()).hasSameHashCodeAs(builder.build());
    assertThat(builder.build()).isNotEqualTo(builder.eventId("e2").build());
  }

  @Test
  void nullClearsAnOptionalFieldAndTheLongestIdIsAccepted() {
    String longest = "p".repeat(HypervisorEvent.MAX_ID_LENGTH);
    HypervisorEventBuilder builder =
        HypervisorEvent.builder(EventType.VFS_WRITE)
            .sessionId("s1")
            .agentDid("did:mesh:a")
            .causalTraceId(CausalTraceId.root())
            .parentEventId(longest);
    HypervisorEvent full = builder.build();

    assertThat(full.parentEventId()).contains(longest);
    assertThat(full.causalTraceId()).isPresent();
    HypervisorEvent cleared =
        builder
            .sessionId(null)
            .agentDid(null)
            .causalTraceId((CausalTraceId) null)
            .parentEventId(null)
            .build();
    assertThat(cleared.sessionId()).isEmpty();
    assertThat(cleared.agentDid()).isEmpty();
    assertThat(cleared.causalTraceId()).isEmpty();
    assertThat(cleared.parentEventId()).isEmpty();
    assertThat(builder.causalTraceId("kept-as-given").build().causalTraceId())
        .contains("kept-as-given");
  }

  @Test
  void anEventIsNeverEqualToSomethingElse() {
    HypervisorEvent event =
        HypervisorEvent.builder(EventType.VFS_WRITE).eventId("e1").timestamp(SEED_TIME).build();

    assertThat(event).isNotEqualTo("e1").isNotEqualTo(null);
    assertThat(event).hasToString("HypervisorEvent" + event.toMap());
  }

  @Test
  void aBuilderRejectsANullClock() {
    assertThatThrownBy(() -> HypervisorEvent.builder(EventType.VFS_WRITE).clock(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("clock must not be null");
  }

  @Test
  void epochMicrosSaturateAtTheLongRange() {
    long lastSecond = Long.MAX_VALUE / 1_000_000L - 1;
    long firstSecond = Long.MIN_VALUE / 1_000_000L + 1;

    assertThat(HypervisorEvent.toEpochMicros(Instant.ofEpochSecond(lastSecond, 999_999_999)))
        .isEqualTo(lastSecond * 1_000_000L + 999_999);
    assertThat(HypervisorEvent.toEpochMicros(Instant.ofEpochSecond(lastSecond + 1)))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(HypervisorEvent.toEpochMicros(Instant.ofEpochSecond(firstSecond)))
        .isEqualTo(firstSecond * 1_000_000L);
    assertThat(HypervisorEvent.toEpochMicros(Instant.ofEpochSecond(firstSecond - 1)))
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aQueryDescribesItsCriteria() {
    Instant start = Instant.parse("2025-01-15T10:00:00Z");

    assertThat(
            EventQuery.builder()
                .eventType(EventType.RING_ASSIGNED)
                .sessionId("s1")
                .agentDid("did:mesh:a")
                .timeRange(start, null)
                .limit(5)
                .build())
        .hasToString(
            "EventQuery{eventType=ring.assigned, sessionId=s1, agentDid=did:mesh:a,"
                + " start=2025-01-15T10:00:00Z, end=null, limit=5}");
    assertThat(EventQuery.all())
        .hasToString(
            "EventQuery{eventType=null, sessionId=null, agentDid=null, start=null, end=null,"
                + " limit=0}");
  }
}
