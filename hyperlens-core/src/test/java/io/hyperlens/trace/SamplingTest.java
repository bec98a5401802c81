package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SamplingTest {
  private final List<SpanData> exported = new CopyOnWriteArrayList<>();

  private DistributedTracer tracer(double rate) {
    return DistributedTracer.builder().sampleRate(rate).exporter(exported::addAll).build();
  }

  @Test
  @SuppressWarnings("try")
  void unsampledTracesAreRetainedAndCountedButNotExported() {
    try (DistributedTracer tracer = tracer(0.0)) {
      Span root = tracer.startSpan("root");
      Span child;
      try (Scope ignored = root.makeCurrent()) {
        child = tracer.startSpan("child");
        Map<String, String> headers = new HashMap<>();
        W3CPropagator.inject(root.traceContext(), headers);
        assertThat(headers.get("traceparent")).endsWith("-00");
      }
      tracer.finishSpan(child);
      tracer.finishSpan(root);
      assertThat(tracer.forceFlush(Duration.ofSeconds(5))).isTrue();

      assertThat(exported).isEmpty();
      assertThat(tracer.getTraceSpans(root.traceId())).hasSize(2);
      assertThat(tracer.getMetrics().spansSampledOut()).isEqualTo(2);
      assertThat(tracer.getMetrics().toMap()).containsEntry("spans_sampled_out_total", 2L);
    }
  }

  @Test
  void theDecisionDependsOnTheTraceIdAloneAndStartTraceHonoursIt() {
    try (DistributedTracer half = tracer(0.5)) {
      int sampled = 0;
      for (int i = 0; i < 200; i++) {
        Span span = half.startSpan("op");
        TraceIdRatio ratio = new TraceIdRatio(0.5);
        assertThat(span.traceContext().isSampled()).isEqualTo(ratio.sampled(span.traceId()));
        sampled += span.traceContext().isSampled() ? 1 : 0;
        half.finishSpan(span);
      }
      assertThat(sampled).isBetween(1, 199);
      // Low 64 bits 0x4000... are below 0.5 * Long.MAX_VALUE; 0xc000... is |-0x4000...|, also
      // below.
      assertThat(half.startTrace("0000000000000000" + "3fffffffffffffff", null).isSampled())
          .isTrue();
      assertThat(half.startTrace("ffffffffffffffff" + "4000000000000001", null).isSampled())
          .isFalse();
      half.endTrace();
    }
  }

  @Test
  void paddedCausalTraceIdsAreSampledOverTheirFortyEightRandomBits() {
    TraceIdRatio quarter = new TraceIdRatio(0.25);
    int sampled = 0;
    for (int i = 0; i < 2000; i++) {
      sampled += quarter.sampled(CausalTraceId.root().w3cTraceId()) ? 1 : 0;
    }
    // The low 64 bits of a padded id are below 2^48: OpenTelemetry's rule would keep every one.
    assertThat(sampled).isBetween(400, 600);
    assertThat(quarter.sampled("00000000000000000000" + "3fffffffffff")).isTrue();
    assertThat(quarter.sampled("00000000000000000000" + "400000000000")).isFalse();
    assertThat(new TraceIdRatio(0.0).sampled("00000000000000000000" + "000000000001")).isFalse();
    assertThat(new TraceIdRatio(1.0).sampled("00000000000000000000" + "ffffffffffff")).isTrue();
    assertThatThrownBy(() -> quarter.sampled("abc"))
        .hasMessage("traceId must be 32 lowercase hex digits, got \"abc\"");
  }

  @Test
  void aRemoteParentsDecisionWinsOverTheRate() {
    try (DistributedTracer none = tracer(0.0);
        DistributedTracer all = tracer(1.0)) {
      TraceContext sampled =
          W3CPropagator.extract(
              Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
      TraceContext unsampled =
          W3CPropagator.extract(
              Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-00"));
      none.finishSpan(none.spanBuilder("kept").setParent(sampled).startSpan());
      all.finishSpan(all.spanBuilder("dropped").setParent(unsampled).startSpan());
      none.forceFlush(Duration.ofSeconds(5));
      all.forceFlush(Duration.ofSeconds(5));

      assertThat(exported).extracting(SpanData::name).containsExactly("kept");
      assertThat(all.getMetrics().spansSampledOut()).isEqualTo(1);
    }
  }

  @Test
  void badRatesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> DistributedTracer.builder().sampleRate(1.5))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("sampleRate must be between 0.0 and 1.0, got 1.5");
    assertThatThrownBy(() -> DistributedTracer.builder().sampleRate(Double.NaN))
        .hasMessage("sampleRate must be between 0.0 and 1.0, got NaN");
  }
}
