package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.saga.SagaSpanRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Agent spans are the causal tree: the root has no parent, each child names its spawner's. */
@SuppressWarnings("try") // scopes only keep a span current
class CausalSpansTest {
  private final DistributedTracer tracer = DistributedTracer.builder().serviceName("t").build();

  @Test
  void anAgentSpanTakesItsCausalIdsAndItsSpawnersSpanAsParent() {
    CausalTraceId root = CausalTraceId.root();
    CausalTraceId child = root.child();
    CausalTraceId grandchild = child.child();
    Span rootSpan = tracer.spanBuilder("workflow").setCausalTraceId(root).startSpan();
    assertThat(rootSpan.traceId()).isEqualTo(root.w3cTraceId());
    assertThat(rootSpan.spanId()).isEqualTo(root.w3cSpanId());
    Span childSpan;
    Span work;
    try (Scope scope = rootSpan.makeCurrent()) {
      childSpan = tracer.spanBuilder("invoke_agent a").setCausalTraceId(child).startSpan();
      try (Scope inner = childSpan.makeCurrent()) {
        work = tracer.startSpan("work");
      }
    }
    Span far = tracer.spanBuilder("invoke_agent b").setCausalTraceId(grandchild).startSpan();
    for (Span s : List.of(work, childSpan, far, rootSpan)) {
      tracer.finishSpan(s);
    }
    Map<String, SpanData> byName = new java.util.HashMap<>();
    tracer.getTraceSpans(root.w3cTraceId()).forEach(s -> byName.put(s.name(), s));
    assertThat(byName.get("workflow").parentSpanId()).isEmpty();
    assertThat(byName.get("invoke_agent a").parentSpanId()).contains(root.w3cSpanId());
    assertThat(byName.get("invoke_agent a").spanId()).isEqualTo(child.w3cSpanId());
    assertThat(byName.get("invoke_agent a").parentRemote()).isFalse();
    assertThat(byName.get("work").parentSpanId()).contains(child.w3cSpanId());
    assertThat(byName.get("invoke_agent b").parentSpanId()).contains(child.w3cSpanId());
    assertThat(byName.get("invoke_agent b").traceId()).isEqualTo(root.w3cTraceId());
    assertThat(byName).hasSize(4);
  }

  @Test
  void anAgentSpanSharesTheBaggageOfTheCurrentSpanInItsTrace() {
    CausalTraceId root = CausalTraceId.root();
    Span rootSpan = tracer.spanBuilder("workflow").setCausalTraceId(root).startSpan();
    rootSpan.trace().setBaggage("tenant", "acme");
    try (Scope scope = rootSpan.makeCurrent()) {
      Span child = tracer.spanBuilder("c").setCausalTraceId(root.child()).startSpan();
      assertThat(child.trace().getBaggage("tenant")).contains("acme");
      Span otherTrace = tracer.spanBuilder("o").setCausalTraceId(CausalTraceId.root()).startSpan();
      assertThat(otherTrace.trace().getBaggage("tenant")).isEmpty();
    }
    assertThatThrownBy(() -> tracer.spanBuilder("x").setCausalTraceId(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sagaSpansGoToABackendWithoutTheirIdsInTheName() {
    assertThat(record("saga.escalated.deploy-v2").exportName()).isEqualTo("saga.escalated");
    assertThat(record("saga.completed.s-1").exportName()).isEqualTo("saga.completed");
    assertThat(record("saga.fanout.f-9").exportName()).isEqualTo("saga.fanout");
    assertThat(record("saga.checkpoint.step-3").exportName()).isEqualTo("saga.checkpoint");
    assertThat(record("saga.step.migrate").exportName()).isEqualTo("saga.step.migrate");
    assertThat(record("saga.compensate.rollback").exportName())
        .isEqualTo("saga.compensate.rollback");
    assertThat(record("saga.completed").exportName()).isEqualTo("saga.completed");
  }

  private static SagaSpanRecord record(String name) {
    Instant t = Instant.EPOCH;
    return new SagaSpanRecord(name, "s", null, null, t, t, "ok", Map.of(), null, null, null);
  }
}
