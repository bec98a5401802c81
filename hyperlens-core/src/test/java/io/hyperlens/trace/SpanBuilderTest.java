package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The explicit parent, start time and links that {@link SpanBuilder} adds to startSpan. */
@SuppressWarnings("try")
class SpanBuilderTest {
  private final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final DistributedTracer tracer = DistributedTracer.builder().clock(clock).build();

  @Test
  void anExplicitParentWinsOverTheCurrentSpan() {
    Span current = tracer.startSpan("current");
    Span chosen = tracer.startSpan("chosen");
    Span child;
    try (Scope scope = current.makeCurrent()) {
      child = tracer.spanBuilder("child").setParent(chosen).startSpan();
    }

    assertThat(child.parentSpanId()).contains(chosen.spanId());
    assertThat(child.traceId()).isEqualTo(chosen.traceId());
  }

  @Test
  void noParentStartsANewTraceEvenUnderACurrentSpan() {
    Span current = tracer.startSpan("current");
    Span root;
    try (Scope scope = current.makeCurrent()) {
      root = tracer.spanBuilder("root").setNoParent().startSpan();
    }

    assertThat(root.parentSpanId()).isEmpty();
    assertThat(root.traceId()).isNotEqualTo(current.traceId());
  }

  @Test
  void anExplicitStartTimeEndsOnTheTracersClock() {
    Instant started = clock.instant().minusMillis(250);
    Span span =
        tracer
            .spanBuilder("late")
            .setKind(SpanKind.CONSUMER)
            .setStartTimestamp(started)
            .setAttribute("queue", "tasks")
            .startSpan();
    clock.advance(Duration.ofMillis(50));
    tracer.finishSpan(span);

    assertThat(span.startTime()).isEqualTo(started);
    assertThat(span.durationMs()).isEqualTo(300.0);
    assertThat(span.kind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(span.attributes()).containsEntry("queue", "tasks");
  }

  @Test
  void linksGivenAtStartAreKept() {
    Span span =
        tracer
            .spanBuilder("batch")
            .addLink(
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7",
                Map.of("relationship", "batch"))
            .startSpan();

    assertThat(span.links())
        .containsExactly(
            new SpanLink(
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7",
                Map.of("relationship", "batch")));
  }

  @Test
  void aNullParentIsRejectedNamingTheAlternative() {
    assertThatThrownBy(() -> tracer.spanBuilder("x").setParent((Span) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parent must not be null; use setNoParent() for a root");
  }
}
