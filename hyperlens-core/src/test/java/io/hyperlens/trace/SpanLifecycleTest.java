package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A live span records and chains; a finished one is frozen, whatever is called on it later. */
class SpanLifecycleTest {
  private static final String LINKED_TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String LINKED_SPAN = "b9c7c989f97918e1";

  private final TestClock clock = new TestClock(Instant.parse("2025-01-15T10:30:00Z"));

  private DistributedTracer tracer() {
    return DistributedTracer.builder().serviceName("s").clock(clock).build();
  }

  @Test
  void everyRecordingCallReturnsTheSpanForChaining() {
    Span span = tracer().startSpan("op");

    assertThat(span.setAttribute("s", "v")).isSameAs(span);
    assertThat(span.setAttribute("l", 1L)).isSameAs(span);
    assertThat(span.setAttribute("d", 0.5)).isSameAs(span);
    assertThat(span.setAttribute("b", true)).isSameAs(span);
    assertThat(span.setAttribute("o", (Object) List.of(1))).isSameAs(span);
    assertThat(span.setAttributes(Map.of("m", "v"))).isSameAs(span);
    assertThat(span.setAttributes(null)).isSameAs(span);
    assertThat(span.addEvent("e1")).isSameAs(span);
    assertThat(span.addEvent("e2", Map.of())).isSameAs(span);
    assertThat(span.addEvent("e3", Map.of(), clock.instant())).isSameAs(span);
    assertThat(span.addEvent("e4", Map.of(), null)).isSameAs(span);
    assertThat(span.addLink(LINKED_TRACE, LINKED_SPAN)).isSameAs(span);
    assertThat(span.addLink(LINKED_TRACE, LINKED_SPAN, Map.of("k", "v"))).isSameAs(span);
    assertThat(span.addLink("not-an-id", LINKED_SPAN, null)).isSameAs(span);
    assertThat(span.setStatus(SpanStatus.ERROR, "boom")).isSameAs(span);
    assertThat(span.recordException(new IllegalStateException("x"))).isSameAs(span);
    assertThat(span.recordException(null)).isSameAs(span);

    assertThat(span.attributes()).containsOnlyKeys("s", "l", "d", "b", "o", "m");
    assertThat(span.events())
        .extracting(SpanEvent::name)
        .containsExactly("e1", "e2", "e3", "e4", "exception");
    assertThat(span.links()).hasSize(2);
  }

  @Test
  void anEventWithoutATimestampIsStampedNow() {
    Span span = tracer().startSpan("op");
    clock.advance(Duration.ofSeconds(3));

    span.addEvent("later", Map.of("k", "v"), null);

    assertThat(span.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.epochNanos()).isEqualTo(SpanData.toEpochNanos(clock.instant()));
              assertThat(e.attributes()).containsExactly(Map.entry("k", "v"));
            });
  }

  @Test
  void aLiveSpanIsUnfinishedWithNoDurationAndAnOpenEndInItsMap() {
    DistributedTracer tracer = tracer();
    Span span = tracer.startSpan("op");
    span.setAttribute("k", "v");
    clock.advance(Duration.ofMillis(250));

    assertThat(span.isFinished()).isFalse();
    assertThat(span.finishedData()).isEmpty();
    assertThat(span.durationMs()).isZero();
    Map<String, Object> live = span.toMap();
    assertThat(live)
        .containsEntry("operation_name", "op")
        .containsEntry("end_time", null)
        .containsEntry("duration_ms", 0.0)
        .containsEntry("status", "unset")
        .containsEntry("attributes", Map.of("k", "v"));

    tracer.finishSpan(span);

    assertThat(span.isFinished()).isTrue();
    assertThat(span.durationMs()).isEqualTo(250.0);
    assertThat(span.toMap()).containsEntry("duration_ms", 250.0).containsEntry("status", "ok");
    assertThat(span.toMap().get("end_time")).isNotNull();
  }

  @Test
  void aFinishedSpanIgnoresEveryLaterChange() {
    DistributedTracer tracer = tracer();
    Span span = tracer.startSpan("op");
    span.setAttribute("before", "yes").addEvent("before").addLink(LINKED_TRACE, LINKED_SPAN);
    tracer.finishSpan(span);
    SpanData data = span.finishedData().orElseThrow();

    span.setAttribute("after", "no")
        .addEvent("after")
        .addEvent("after", Map.of(), clock.instant())
        .addLink(LINKED_TRACE, LINKED_SPAN)
        .setStatus(SpanStatus.ERROR, "too late")
        .recordException(new IllegalStateException("too late"));

    assertThat(data.attributes()).containsOnlyKeys("before");
    assertThat(data.events()).extracting(SpanEvent::name).containsExactly("before");
    assertThat(data.links()).hasSize(1);
    assertThat(data.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.statusMessage()).isEmpty();
    assertThat(span.attributes()).containsOnlyKeys("before");
    assertThat(span.events()).hasSize(1);
    assertThat(span.links()).hasSize(1);
    assertThat(data.droppedAttributes()).isZero();
    assertThat(data.droppedEvents()).isZero();
    assertThat(data.droppedLinks()).isZero();
  }

  @Test
  void recordingNoExceptionChangesNothing() {
    Span span = tracer().startSpan("op");

    span.recordException(null);

    assertThat(span.events()).isEmpty();
    assertThat(span.status()).isEqualTo(SpanStatus.UNSET);
  }

  @Test
  void aRecordedExceptionKeepsItsMessageAsEventAttributeAndStatusDescription() {
    Span span = tracer().startSpan("op");

    span.recordException(new IllegalStateException("quota exceeded"));

    assertThat(span.statusMessage()).contains("quota exceeded");
    assertThat(span.events().get(0).attributes())
        .containsEntry("exception.type", "java.lang.IllegalStateException")
        .containsEntry("exception.message", "quota exceeded");
  }

  @Test
  void anExceptionWithoutAMessageIsDescribedByItsClassName() {
    Span span = tracer().startSpan("op");
    RuntimeException silent =
        new IllegalArgumentException() {
          @Override
          public String getMessage() {
            throw new UnsupportedOperationException("no message");
          }
        };

    span.recordException(silent);
    span.recordException(new IllegalStateException());

    assertThat(span.statusMessage()).contains("IllegalStateException");
    assertThat(span.events()).hasSize(2);
    assertThat(span.events().get(0).attributes()).doesNotContainKey("exception.message");
    assertThat(span.events().get(1).attributes()).doesNotContainKey("exception.message");
  }

  @Test
  void aSpanDescribesItselfByNameAndIds() {
    Span span = tracer().startSpan("op");

    assertThat(span)
        .hasToString(
            "Span{name=op, trace_id="
                + span.traceId()
                + ", span_id="
                + span.spanId()
                + ", parent_span_id=null}");
  }
}
