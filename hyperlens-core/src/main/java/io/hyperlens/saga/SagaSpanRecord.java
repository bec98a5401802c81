package io.hyperlens.saga;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finished saga span: a step, a compensation, a fan-out, a checkpoint, or a whole saga.
 *
 * @param name e.g. {@code saga.step.validate}, {@code saga.compensate.rollback}, {@code
 *     saga.completed.deploy-v2}
 * @param sagaId the saga, {@code "unknown"} when the events carried none
 * @param stepId the step, or null for saga-level spans
 * @param stepAction the step's action, or null when unknown
 * @param status {@link #STATUS_OK}, {@link #STATUS_ERROR} or {@link #STATUS_COMPENSATING}
 * @param attributes the {@code agent.saga.*}, {@code agent.did} and {@code session.id} attributes,
 *     in the seed's order
 * @param traceId the W3C trace id (32 hex) shared by a saga and its steps: that of the tracer span
 *     current where the saga's first event was emitted, else that of the {@link
 *     io.hyperlens.trace.CausalTraceId} the event carried, else random
 * @param spanId this span's W3C span id (16 hex)
 * @param parentSpanId the parent's W3C span id: for steps, compensations, fan-outs and checkpoints
 *     the saga-level span; for the saga-level span the current tracer span or causal span that
 *     started the saga; null when there is none
 */
public record SagaSpanRecord(
    String name,
    String sagaId,
    String stepId,
    String stepAction,
    Instant start,
    Instant end,
    String status,
    Map<String, String> attributes,
    String traceId,
    String spanId,
    String parentSpanId) {
  /** A step committed, a saga completed, a fan-out resolved, a checkpoint saved. */
  public static final String STATUS_OK = "ok";

  /** A step failed, a saga escalated, a fan-out resolved with an error. */
  public static final String STATUS_ERROR = "error";

  /** A compensation ran. */
  public static final String STATUS_COMPENSATING = "compensating";

  public SagaSpanRecord {
    attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  /**
   * The name a tracing backend gets: low-cardinality, ids moved to attributes (OpenTelemetry's
   * naming rule). A saga-level span is {@code saga.completed} or {@code saga.escalated} (the saga
   * id is in {@code agent.saga.id}), a fan-out {@code saga.fanout}, a checkpoint {@code
   * saga.checkpoint}; steps and compensations keep their action, {@code saga.step.research}. The
   * record's own {@link #name()} keeps the seed's form ({@code saga.escalated.deploy-v2}) for code
   * written against it.
   */
  public String exportName() {
    for (String kind : ID_NAMED) {
      if (name.startsWith(kind + ".")) {
        return kind;
      }
    }
    return name;
  }

  private static final String[] ID_NAMED = {
    "saga.completed", "saga.escalated", "saga.fanout", "saga.checkpoint"
  };

  /** {@code end - start}; zero for point-in-time spans. */
  public Duration duration() {
    return Duration.between(start, end);
  }

  /** The duration in seconds, as the seed's {@code duration_seconds}. */
  public double durationSeconds() {
    Duration d = duration();
    return d.getSeconds() + d.getNano() / 1e9;
  }
}
