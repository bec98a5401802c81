package io.hyperlens.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.governance.PolicyDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Ships policy decisions to a Hyperlens hub's audit trail ({@code POST /v1/audit/decisions}, in the
 * Agent OS audit record shape: {@code id}, {@code timestamp}, {@code agent_id}, {@code action},
 * {@code resource}, {@code decision}, {@code reason}, {@code rule_id}, {@code context}), from any
 * agent JVM: hand it to whatever records decisions ({@code AgentOsTelemetry.Builder.decisions}).
 * Batching, retries and counts as {@link HubEventSink}, whose builder makes it; each decision gets
 * a random id, so a retried batch is stored once. Thread-safe.
 *
 * <pre>{@code
 * try (HubDecisionSink decisions =
 *     HubEventSink.builder(URI.create("http://127.0.0.1:7070"))
 *         .apiKey(System.getenv("HYPERLENS_KEY"))
 *         .buildDecisionSink()) {
 *   decisions.record("did:mesh:a", "tool_call", "tool:search", "rule-1",
 *       PolicyDecision.deny("not in ring 3"), Map.of("session_id", "s1"));
 * }
 * }</pre>
 */
public final class HubDecisionSink implements DecisionRecorder, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HubShipper<Map<String, Object>> shipper;

  HubDecisionSink(HubEventSink.Builder builder) {
    this.shipper =
        new HubShipper<>(
            builder,
            "v1/audit/decisions",
            "application/json",
            "decisions",
            batch -> JSON.writeValueAsBytes(batch),
            HubDecisionSink.class);
  }

  /**
   * Queues the decision; counted as dropped when the queue is full or the sink closed.
   *
   * @throws IllegalArgumentException naming the field when agent, action, policy or decision is
   *     null (the hub would refuse the whole batch it travels in)
   */
  @Override
  public void record(
      String agent,
      String action,
      String resource,
      String policy,
      PolicyDecision decision,
      Map<String, ?> context) {
    required("agent", agent);
    required("action", action);
    required("policy", policy);
    required("decision", decision);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("id", UUID.randomUUID().toString());
    record.put("timestamp", Instant.now().toString());
    record.put("agent_id", agent);
    record.put("action", action);
    record.put("resource", resource);
    record.put("decision", decision.decision());
    record.put("reason", decision.reason());
    record.put("rule_id", policy);
    record.put("context", context == null ? Map.of() : new LinkedHashMap<>(context));
    shipper.offer(record);
  }

  private static void required(String field, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
  }

  /** Sends what is queued now; whether it all went out within {@code timeout}. */
  public boolean flush(Duration timeout) {
    return shipper.flush(timeout);
  }

  /** What the sink did so far (its counts are decisions). */
  public HubEventSink.Stats stats() {
    return shipper.stats();
  }

  /** Sends what is queued (within the close timeout) and stops the sink's thread. */
  @Override
  public void close() {
    shipper.close();
  }
}
