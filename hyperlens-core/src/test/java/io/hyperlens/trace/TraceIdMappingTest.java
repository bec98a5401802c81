package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The documented, lossless mapping between {@link CausalTraceId} ids and W3C ids. */
class TraceIdMappingTest {

  @Test
  void causalIdsAreLeftPaddedWithZeros() {
    CausalTraceId id = CausalTraceId.fromString("a1b2c3d4e5f6/89abcdef/01234567");

    assertThat(id.w3cTraceId()).isEqualTo("00000000000000000000a1b2c3d4e5f6");
    assertThat(id.w3cSpanId()).isEqualTo("0000000089abcdef");
    assertThat(id.w3cParentSpanId()).contains("0000000001234567");
    assertThat(CausalTraceId.fromString("a1b2c3d4e5f6/89abcdef").w3cParentSpanId()).isEmpty();
  }

  @Property
  void theMappingRoundTrips(@ForAll @IntRange(min = 0, max = 5) int depth) {
    CausalTraceId id = CausalTraceId.root();
    for (int i = 0; i < depth; i++) {
      id = id.child();
    }
    CausalTraceId back =
        CausalTraceId.fromW3C(id.w3cTraceId(), id.w3cSpanId(), id.w3cParentSpanId().orElse(null));

    assertThat(back).isEqualTo(id);
    assertThat(CausalTraceId.traceIdFromW3C(id.w3cTraceId())).isEqualTo(id.traceId());
  }

  @Test
  void aW3cIdThatIsNotAPaddedCausalIdIsRejectedNamingTheField() {
    assertThatThrownBy(
            () ->
                CausalTraceId.fromW3C("4bf92f3577b34da6a3ce929d0e0e4736", "0000000089abcdef", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "traceId must be a W3C id of 32 lowercase hex characters whose first 20 are zero (a"
                + " padded CausalTraceId id), got \"4bf92f3577b34da6a3ce929d0e0e4736\"");
    assertThatThrownBy(() -> CausalTraceId.traceIdFromW3C("4bf92f3577b34da6a3ce929d0e0e4736"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("first 20 are zero");
  }

  @Test
  void aTracerSpanStartedInACausalContextSharesTheAgentsTrace() {
    CausalTraceId agent = CausalTraceId.root().child();
    DistributedTracer tracer = DistributedTracer.builder().build();

    Span span =
        tracer
            .spanBuilder("call_tool")
            .setParent(TraceContext.fromCausalTraceId(agent))
            .startSpan();

    assertThat(span.traceId()).isEqualTo(agent.w3cTraceId());
    assertThat(span.parentSpanId()).contains(agent.w3cSpanId());
  }

  @Test
  void startTraceAcceptsACausalTraceId() {
    CausalTraceId agent = CausalTraceId.root();
    DistributedTracer tracer = DistributedTracer.builder().build();

    TraceContext context = tracer.startTrace(agent.traceId(), null);
    tracer.endTrace();

    assertThat(context.traceId()).isEqualTo(agent.w3cTraceId());
  }

  @Test
  void allZeroCausalIdsAreRejectedBecauseW3cForbidsThem() {
    assertThatThrownBy(() -> CausalTraceId.fromString("000000000000/89abcdef"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trace_id must be 12 lowercase hex characters, not all zero");
  }
}
