package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A live span's status follows OpenTelemetry: ERROR keeps its message, OK is final, UNSET is no-op.
 */
class SpanStatusTest {
  private final List<SpanData> exported = new ArrayList<>();
  private final DistributedTracer tracer =
      DistributedTracer.builder().serviceName("s").exporter(exported::addAll).build();

  @Test
  void errorKeepsItsMessageOkIsFinalAndUnsetChangesNothing() {
    Span span = tracer.startSpan("op");
    assertThat(span.status()).isEqualTo(SpanStatus.UNSET);
    span.setStatus(SpanStatus.ERROR, "boom");
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("boom");
    span.setStatus(SpanStatus.UNSET, "ignored");
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("boom");
    span.setStatus(null, "ignored");
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    span.setStatus(SpanStatus.OK, "a message OK does not keep");
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.statusMessage()).isEmpty();
    span.setStatus(SpanStatus.ERROR, "too late: OK is final");
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.statusMessage()).isEmpty();
    tracer.finishSpan(span);
    assertThat(span.finishedData().orElseThrow().status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void theEndTimeComesFromTheSystemClockAfterTheStart() {
    long before = System.currentTimeMillis();
    Span span = tracer.startSpan("timed");
    tracer.finishSpan(span);
    long after = System.currentTimeMillis();
    SpanData data = span.finishedData().orElseThrow();
    assertThat(data.endEpochNanos()).isGreaterThanOrEqualTo(data.startEpochNanos());
    assertThat(data.startEpochNanos() / 1_000_000).isBetween(before - 1, after + 1);
    assertThat(data.endEpochNanos() / 1_000_000).isBetween(before, after + 1);
  }
}
