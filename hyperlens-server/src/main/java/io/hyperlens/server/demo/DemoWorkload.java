package io.hyperlens.server.demo;

import io.hyperlens.trace.DistributedTracer;

/**
 * A workload {@link DemoRun} paces: the simulated agents of {@link AgentWorkload}, or real
 * LangChain4j agents in {@link LangChain4jWorkload}. Each workflow emits its events on the bus the
 * workload was given and its spans on {@link #tracer()}.
 */
public interface DemoWorkload {
  /** Runs one workflow on the calling thread and returns its outcome. */
  WorkflowOutcome runWorkflow();

  /** Workflows run so far. */
  long workflows();

  /** The tracer that records each workflow's spans. */
  DistributedTracer tracer();

  /** What {@link WorkflowOutcome#breached()} means for this workload, as the summary says it. */
  default String breachCaption() {
    return "ring breach";
  }

  /**
   * What one workflow did.
   *
   * @param sessionId its session
   * @param traceId its causal trace id ({@link io.hyperlens.trace.CausalTraceId#traceId()})
   * @param sagaFailed whether a saga step failed
   * @param breached whether an agent overstepped (a ring breach, a denied tool)
   */
  record WorkflowOutcome(String sessionId, String traceId, boolean sagaFailed, boolean breached) {}
}
