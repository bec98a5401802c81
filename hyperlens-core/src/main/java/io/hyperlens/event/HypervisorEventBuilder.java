package io.hyperlens.event;

import io.hyperlens.trace.CausalTraceId;
import io.hyperlens.trace.HexIds;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Builds a {@link HypervisorEvent}. Defaults: a 16-hex random {@code eventId}, the timestamp read
 * from the builder's {@link Clock} (UTC system clock unless set, or the bus's clock for builders
 * from {@link HypervisorEventBus#eventBuilder(EventType)}), no session, agent, trace or parent, and
 * an empty payload.
 *
 * <p>Every setter validates at once and throws {@link IllegalArgumentException} naming the field
 * and the value; a failed call leaves the builder as it was. Not thread-safe: one builder per
 * event.
 *
 * <pre>{@code
 * HypervisorEvent event =
 *     HypervisorEvent.builder(EventType.RING_ELEVATED)
 *         .sessionId("s1")
 *         .agentDid("did:mesh:agent-alpha")
 *         .payload(Map.of("from_ring", 3, "to_ring", 1, "reason", "admin vouch"))
 *         .build();
 * }</pre>
 */
public final class HypervisorEventBuilder {
  private final EventType eventType;
  private String eventId;
  private Instant timestamp;
  private Clock clock = Clock.systemUTC();
  private String sessionId;
  private String agentDid;
  private String causalTraceId;
  private String parentEventId;
  private Map<String, Object> payload = Map.of();

  HypervisorEventBuilder(EventType eventType) {
    if (eventType == null) {
      throw new IllegalArgumentException("eventType must not be null");
    }
    this.eventType = eventType;
  }

  /** Sets an explicit id (replays, imports); otherwise a random 16-hex id is generated. */
  public HypervisorEventBuilder eventId(String eventId) {
    this.eventId = requireId("eventId", eventId, false);
    return this;
  }

  /** The session the event belongs to; {@code null} clears it. */
  public HypervisorEventBuilder sessionId(String sessionId) {
    this.sessionId = requireId("sessionId", sessionId, true);
    return this;
  }

  /** The DID of the agent concerned; {@code null} clears it. */
  public HypervisorEventBuilder agentDid(String agentDid) {
    this.agentDid = requireId("agentDid", agentDid, true);
    return this;
  }

  /** The causal trace position of the event; {@code null} clears it. */
  public HypervisorEventBuilder causalTraceId(CausalTraceId causalTraceId) {
    this.causalTraceId = causalTraceId == null ? null : causalTraceId.fullId();
    return this;
  }

  /**
   * The causal trace id as a string, kept as given so ids minted by other systems are not lost;
   * {@code null} clears it. Use {@link CausalTraceId#fromString(String)} to check the format.
   */
  public HypervisorEventBuilder causalTraceId(String causalTraceId) {
    this.causalTraceId = requireId("causalTraceId", causalTraceId, true);
    return this;
  }

  /** The id of the event that caused this one; {@code null} clears it. */
  public HypervisorEventBuilder parentEventId(String parentEventId) {
    this.parentEventId = requireId("parentEventId", parentEventId, true);
    return this;
  }

  /**
   * The payload, deep-copied: String, finite Number, Boolean, null, List and Map with String keys
   * only. {@code null} means empty.
   */
  public HypervisorEventBuilder payload(Map<String, ?> payload) {
    this.payload = Payloads.copyOf(payload);
    return this;
  }

  /** An explicit timestamp, truncated to microseconds; otherwise the clock is read at build. */
  public HypervisorEventBuilder timestamp(Instant timestamp) {
    if (timestamp == null) {
      throw new IllegalArgumentException("timestamp must not be null");
    }
    this.timestamp = toMicros(timestamp);
    return this;
  }

  /** The clock read for the timestamp when none is set. */
  public HypervisorEventBuilder clock(Clock clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    this.clock = clock;
    return this;
  }

  /**
   * Builds the event. The builder stays usable; without an explicit {@link #eventId(String)}, each
   * build gets a fresh id.
   */
  public HypervisorEvent build() {
    return new HypervisorEvent(
        eventId != null ? eventId : HexIds.random(16),
        eventType,
        timestamp != null ? timestamp : toMicros(clock.instant()),
        sessionId,
        agentDid,
        causalTraceId,
        parentEventId,
        payload);
  }

  private static Instant toMicros(Instant instant) {
    return instant.getNano() % 1_000 == 0 ? instant : instant.truncatedTo(ChronoUnit.MICROS);
  }

  private static String requireId(String field, String value, boolean nullable) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      throw new IllegalArgumentException(field + " must not be null");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, got \"" + value + "\"");
    }
    if (value.length() > HypervisorEvent.MAX_ID_LENGTH) {
      throw new IllegalArgumentException(
          field
              + " must be at most "
              + HypervisorEvent.MAX_ID_LENGTH
              + " characters, got "
              + value.length()
              + " (\""
              + value.substring(0, 32)
              + "…\")");
    }
    return value;
  }
}
