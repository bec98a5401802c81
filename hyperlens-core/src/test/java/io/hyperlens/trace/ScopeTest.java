package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.logging.RecordingLoggerFinder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scopes restore the previous context, even when misused, and never corrupt the thread. */
@SuppressWarnings("try")
class ScopeTest {
  private final DistributedTracer tracer = DistributedTracer.builder().build();

  @AfterEach
  void clearImplicitTrace() {
    tracer.endTrace();
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void closingAScopeRestoresThePreviousSpan() {
    Span outer = tracer.startSpan("outer");
    Span inner = tracer.startSpan("inner");
    try (Scope a = outer.makeCurrent()) {
      try (Scope b = inner.makeCurrent()) {
        assertThat(Context.current().span()).contains(inner);
      }
      assertThat(Context.current().span()).contains(outer);
    }
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void deeplyNestedScopesUnwindOneByOne() {
    List<Span> spans = new ArrayList<>();
    List<Scope> scopes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Span span = tracer.startSpan("level-" + i);
      spans.add(span);
      scopes.add(span.makeCurrent());
    }

    for (int i = 19; i >= 0; i--) {
      assertThat(Context.current().span()).contains(spans.get(i));
      scopes.get(i).close();
    }
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void closingOutOfOrderKeepsTheInnermostOpenScopeCurrentAndIsCounted() {
    Span outer = tracer.startSpan("outer");
    Span inner = tracer.startSpan("inner");
    long before = Context.scopeMisuseCount();
    Scope a = outer.makeCurrent();
    Scope b = inner.makeCurrent();

    a.close();
    assertThat(Context.current().span()).contains(inner);
    assertThat(Context.scopeMisuseCount()).isEqualTo(before + 1);
    b.close();
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void outOfOrderClosingNeverResurrectsAClosedContext() {
    Span one = tracer.startSpan("one");
    Span two = tracer.startSpan("two");
    Span three = tracer.startSpan("three");
    Scope a = one.makeCurrent();
    Scope b = two.makeCurrent();
    Scope c = three.makeCurrent();

    b.close();
    c.close();
    assertThat(Context.current().span()).contains(one);
    a.close();
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void closingTwiceIsCountedAndChangesNothing() {
    Span outer = tracer.startSpan("outer");
    Span inner = tracer.startSpan("inner");
    long before = Context.scopeMisuseCount();
    try (Scope a = outer.makeCurrent()) {
      Scope b = inner.makeCurrent();
      b.close();
      b.close();
      assertThat(Context.current().span()).contains(outer);
    }
    assertThat(Context.scopeMisuseCount()).isEqualTo(before + 1);
  }

  @Test
  void closingOnAnotherThreadIsCountedAndLeavesTheOwnersContextAlone() throws Exception {
    Span span = tracer.startSpan("span");
    long before = Context.scopeMisuseCount();
    Scope scope = span.makeCurrent();
    Thread other = new Thread(scope::close);
    other.start();
    other.join();

    assertThat(Context.scopeMisuseCount()).isEqualTo(before + 1);
    assertThat(Context.current().span()).contains(span);
    scope.close();
    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(Context.scopeMisuseCount()).isEqualTo(before + 1);
  }

  @Test
  void misuseIsLoggedAtMostOnce() {
    Span span = tracer.startSpan("span");
    Scope scope = span.makeCurrent();
    scope.close();
    scope.close();
    scope.close();

    assertThat(RecordingLoggerFinder.recordsFrom(Context.class.getName()))
        .singleElement()
        .satisfies(
            record -> {
              assertThat(record.message()).contains("Close scopes in try-with-resources");
              assertThat(record.thrown()).isInstanceOf(IllegalStateException.class);
            });
  }

  @Test
  void startTraceMakesTheTraceCurrentUntilTheNextOne() {
    TraceContext first = tracer.startTrace();
    Span a = tracer.startSpan("a");
    TraceContext second = tracer.startTrace();
    Span b = tracer.startSpan("b");

    assertThat(a.traceId()).isEqualTo(first.traceId());
    assertThat(b.traceId()).isEqualTo(second.traceId());
    assertThat(Context.current().traceContext()).contains(second);
  }

  @Test
  void aTraceStartedInsideAScopeEndsWithTheScope() {
    TraceContext outer = tracer.startTrace();
    Span span = tracer.startSpan("span");
    TraceContext inner;
    try (Scope scope = span.makeCurrent()) {
      inner = tracer.startTrace();
      assertThat(tracer.startSpan("x").traceId()).isEqualTo(inner.traceId());
    }

    assertThat(Context.current().traceContext()).contains(outer);
    assertThat(inner.traceId()).isNotEqualTo(outer.traceId());
  }

  @Test
  void endTraceLeavesNothingCurrent() {
    tracer.startTrace();
    tracer.endTrace();

    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(tracer.startSpan("fresh").parentSpanId()).isEmpty();
  }

  @Test
  void aScopeOpenedOverAStartedTraceRestoresIt() {
    TraceContext trace = tracer.startTrace();
    Span span = tracer.startSpan("span");
    try (Scope scope = span.makeCurrent()) {
      assertThat(Context.current().span()).contains(span);
    }

    assertThat(Context.current().traceContext()).contains(trace);
    assertThat(tracer.startSpan("next").traceId()).isEqualTo(trace.traceId());
  }
}
