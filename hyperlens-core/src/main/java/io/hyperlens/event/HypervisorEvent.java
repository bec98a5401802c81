package io.hyperlens.event;

import io.hyperlens.trace.CausalTraceId;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One structured, immutable hypervisor event: what happened ({@link #eventType()}), when, to which
 * session and agent, where in the causal tree, and a JSON-like payload.
 *
 * <p>Immutable all the way down: the payload is deep-copied at build time into unmodifiable maps
 * and lists and holds only JSON-like values. Timestamps carry microsecond precision, as the other
 * Agent Hypervisor implementations do, so an event survives a round trip through {@link #toMap()}
 * unchanged. Thread-safe.
 *
 * <pre>{@code
 * HypervisorEvent event =
 *     HypervisorEvent.builder(EventType.SLASH_EXECUTED)
 *         .sessionId("session-042")
 *         .agentDid("did:mesh:rogue-agent")
 *         .causalTraceId(CausalTraceId.root())
 *         .payload(Map.of("severity", "critical", "stake_slashed", 150))
 *         .build();
 * event.toMap().get("event_type"); // "liability.slash_executed"
 * }</pre>
 */
public final class HypervisorEvent {
  /** The longest id, session, agent DID or trace string an event accepts. */
  public static final int MAX_ID_LENGTH = 256;

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  private final String eventId;
  private final EventType eventType;
  private final Instant timestamp;
  private final String sessionId;
  private final String agentDid;
  private final String causalTraceId;
  private final String parentEventId;
  private final Map<String, Object> payload;

  HypervisorEvent(
      String eventId,
      EventType eventType,
      Instant timestamp,
      String sessionId,
      String agentDid,
      String causalTraceId,
      String parentEventId,
      Map<String, Object> payload) {
    this.eventId = eventId;
    this.eventType = eventType;
    this.timestamp = timestamp;
    this.sessionId = sessionId;
    this.agentDid = agentDid;
    this.causalTraceId = causalTraceId;
    this.parentEventId = parentEventId;
    this.payload = payload;
  }

  /** Starts an event of {@code type}; see {@link HypervisorEventBuilder} for the defaults. */
  public static HypervisorEventBuilder builder(EventType type) {
    return new HypervisorEventBuilder(type);
  }

  /** Unique id; by default 16 random lowercase hex characters. */
  public String eventId() {
    return eventId;
  }

  /** What happened. */
  public EventType eventType() {
    return eventType;
  }

  /** When it happened, UTC, microsecond precision. */
  public Instant timestamp() {
    return timestamp;
  }

  /** The session the event belongs to, if any. */
  public Optional<String> sessionId() {
    return Optional.ofNullable(sessionId);
  }

  /** The DID of the agent concerned, if any. */
  public Optional<String> agentDid() {
    return Optional.ofNullable(agentDid);
  }

  /** The {@link CausalTraceId#fullId() full causal trace id} this event belongs to, if any. */
  public Optional<String> causalTraceId() {
    return Optional.ofNullable(causalTraceId);
  }

  /** The id of the event that caused this one, if any. */
  public Optional<String> parentEventId() {
    return Optional.ofNullable(parentEventId);
  }

  /** The unmodifiable, deeply immutable payload; empty when none was given. */
  public Map<String, Object> payload() {
    return payload;
  }

  String sessionIdOrNull() {
    return sessionId;
  }

  String agentDidOrNull() {
    return agentDid;
  }

  /**
   * The event as a JSON-ready map with the seed's {@code to_dict} keys in order: {@code event_id},
   * {@code event_type} (the dotted value), {@code timestamp} (ISO-8601 UTC as in {@link
   * #formatTimestamp(Instant)}), {@code session_id}, {@code agent_did}, {@code causal_trace_id},
   * {@code parent_event_id}, {@code payload}. Absent values map to {@code null}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>(16);
    map.put("event_id", eventId);
    map.put("event_type", eventType.value());
    map.put("timestamp", formatTimestamp(timestamp));
    map.put("session_id", sessionId);
    map.put("agent_did", agentDid);
    map.put("causal_trace_id", causalTraceId);
    map.put("parent_event_id", parentEventId);
    map.put("payload", payload);
    return Collections.unmodifiableMap(map);
  }

  /**
   * {@code instant} in microseconds since the epoch (the precision of event timestamps), rounded
   * down and saturated at the long range, so that no instant overflows.
   */
  public static long toEpochMicros(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds > Long.MAX_VALUE / 1_000_000L - 1) {
      return Long.MAX_VALUE;
    }
    if (seconds < Long.MIN_VALUE / 1_000_000L + 1) {
      return Long.MIN_VALUE;
    }
    return seconds * 1_000_000L + instant.getNano() / 1_000;
  }

  /**
   * {@link #toEpochMicros(Instant)} rounded up, for a lower bound: timestamps are whole
   * microseconds, so a bound of {@code T + 500ns} must not match an event at {@code T}.
   */
  public static long toEpochMicrosRoundedUp(Instant instant) {
    long micros = toEpochMicros(instant);
    return instant.getNano() % 1_000 != 0 && micros != Long.MAX_VALUE ? micros + 1 : micros;
  }

  /**
   * Formats an instant as the other implementations do (Python's {@code isoformat()} of a UTC
   * datetime): {@code 2025-01-15T10:30:00+00:00}, with {@code .ffffff} microseconds when they are
   * not zero.
   */
  public static String formatTimestamp(Instant instant) {
    LocalDateTime local = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    String seconds = SECONDS.format(local);
    int micros = local.getNano() / 1_000;
    if (micros == 0) {
      return seconds + "+00:00";
    }
    StringBuilder out = new StringBuilder(32).append(seconds).append('.');
    String digits = Integer.toString(micros);
    for (int i = digits.length(); i < 6; i++) {
      out.append('0');
    }
    return out.append(digits).append("+00:00").toString();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof HypervisorEvent)) {
      return false;
    }
    HypervisorEvent that = (HypervisorEvent) o;
    return eventId.equals(that.eventId)
        && eventType == that.eventType
        && timestamp.equals(that.timestamp)
        && Objects.equals(sessionId, that.sessionId)
        && Objects.equals(agentDid, that.agentDid)
        && Objects.equals(causalTraceId, that.causalTraceId)
        && Objects.equals(parentEventId, that.parentEventId)
        && payload.equals(that.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, eventType, timestamp, sessionId, agentDid, causalTraceId);
  }

  @Override
  public String toString() {
    return "HypervisorEvent" + toMap();
  }
}
