package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Parent/child shapes across threads, executors and CompletableFuture chains. */
@SuppressWarnings("try")
class ContextPropagationTest {
  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aSpanStartedInAWrappedRunnableOnAnotherThreadIsAChildOfTheSubmitter() throws Exception {
    Span parent = tracer.startSpan("submit");
    Span[] child = new Span[1];
    try (Scope scope = parent.makeCurrent()) {
      Runnable task =
          Context.current()
              .wrap(
                  () -> {
                    child[0] = tracer.startSpan("work");
                  });
      pool.submit(task).get(10, TimeUnit.SECONDS);
    }

    assertThat(child[0].parentSpanId()).contains(parent.spanId());
    assertThat(child[0].traceId()).isEqualTo(parent.traceId());
  }

  @Test
  void wrappedCallablesAndSuppliersCarryTheContext() throws Exception {
    Span parent = tracer.startSpan("submit");
    Callable<Span> callable;
    Supplier<Span> supplier;
    try (Scope scope = parent.makeCurrent()) {
      callable = Context.current().wrap(() -> tracer.startSpan("call"));
      supplier = Context.current().wrapSupplier(() -> tracer.startSpan("supply"));
    }

    assertThat(pool.submit(callable).get(10, TimeUnit.SECONDS).parentSpanId())
        .contains(parent.spanId());
    assertThat(CompletableFuture.supplyAsync(supplier, pool).get(10, TimeUnit.SECONDS))
        .extracting(span -> span.parentSpanId().orElseThrow())
        .isEqualTo(parent.spanId());
  }

  @Test
  void aTaskWrappingExecutorUsesTheContextCurrentAtSubmission() throws Exception {
    ExecutorService traced = Context.taskWrapping(pool);
    Span first = tracer.startSpan("first");
    Span second = tracer.startSpan("second");
    Span fromFirst;
    Span fromSecond;
    try (Scope scope = first.makeCurrent()) {
      fromFirst = traced.submit(() -> tracer.startSpan("a")).get(10, TimeUnit.SECONDS);
    }
    try (Scope scope = second.makeCurrent()) {
      fromSecond = traced.submit(() -> tracer.startSpan("b")).get(10, TimeUnit.SECONDS);
    }
    Span outside = traced.submit(() -> tracer.startSpan("c")).get(10, TimeUnit.SECONDS);

    assertThat(fromFirst.parentSpanId()).contains(first.spanId());
    assertThat(fromSecond.parentSpanId()).contains(second.spanId());
    assertThat(outside.parentSpanId()).isEmpty();
    assertThat(outside.traceId()).isNotIn(first.traceId(), second.traceId());
  }

  @Test
  void invokeAllWrapsEveryTask() throws Exception {
    ExecutorService traced = Context.taskWrapping(pool);
    Span parent = tracer.startSpan("batch");
    List<Callable<Span>> tasks = List.of(() -> tracer.startSpan("x"), () -> tracer.startSpan("y"));
    List<Span> spans;
    try (Scope scope = parent.makeCurrent()) {
      spans =
          traced.invokeAll(tasks).stream()
              .map(
                  future -> {
                    try {
                      return future.get();
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  })
              .toList();
    }

    assertThat(spans).allSatisfy(span -> assertThat(span.parentSpanId()).contains(parent.spanId()));
  }

  @Test
  void completableFutureStagesOnAWrappingExecutorAreChildrenOfTheChainsStart() {
    ExecutorService traced = Context.taskWrapping(pool);
    Span parent = tracer.startSpan("pipeline");
    List<Span> stages;
    try (Scope scope = parent.makeCurrent()) {
      stages =
          CompletableFuture.supplyAsync(() -> tracer.startSpan("fetch"), traced)
              .thenApplyAsync(fetch -> List.of(fetch, tracer.startSpan("parse")), traced)
              .thenComposeAsync(
                  spans ->
                      CompletableFuture.supplyAsync(
                          () -> List.of(spans.get(0), spans.get(1), tracer.startSpan("store")),
                          traced),
                  traced)
              .join();
    }

    assertThat(stages).hasSize(3);
    assertThat(stages)
        .allSatisfy(
            span -> {
              assertThat(span.parentSpanId()).contains(parent.spanId());
              assertThat(span.traceId()).isEqualTo(parent.traceId());
            });
  }

  @Test
  void wrappedFunctionsCarryTheContextIntoStagesRunByAnyThread() {
    Span parent = tracer.startSpan("pipeline");
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletableFuture<Span> stage;
    try (Scope scope = parent.makeCurrent()) {
      stage = source.thenApply(Context.current().wrapFunction(value -> tracer.startSpan(value)));
    }
    pool.execute(() -> source.complete("transform"));

    Span span = stage.join();
    assertThat(span.name()).isEqualTo("transform");
    assertThat(span.parentSpanId()).contains(parent.spanId());
  }

  @Test
  void aContextBoundExecutorRunsEveryTaskInThatContext() {
    Span parent = tracer.startSpan("bound");
    Context bound = Context.root().with(parent);

    Span span =
        CompletableFuture.supplyAsync(() -> tracer.startSpan("child"), bound.wrap(pool)).join();

    assertThat(span.parentSpanId()).contains(parent.spanId());
  }

  @Test
  void aWrappedTaskLeavesTheWorkerThreadAsItFoundIt() throws Exception {
    Span parent = tracer.startSpan("parent");
    Runnable leaky =
        Context.root()
            .with(parent)
            .wrap(
                () -> {
                  tracer.startTrace();
                  tracer.startSpan("unfinished").makeCurrent();
                });
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      single.submit(leaky).get(10, TimeUnit.SECONDS);
      Context after = single.submit(Context::current).get(10, TimeUnit.SECONDS);
      assertThat(after).isSameAs(Context.root());
    } finally {
      single.shutdownNow();
    }
  }

  @Test
  void aPlainThreadDoesNotInheritTheContext() throws Exception {
    Span parent = tracer.startSpan("parent");
    Span[] child = new Span[1];
    try (Scope scope = parent.makeCurrent()) {
      Thread thread = new Thread(() -> child[0] = tracer.startSpan("orphan"));
      thread.start();
      thread.join();
    }

    assertThat(child[0].parentSpanId()).isEmpty();
    assertThat(child[0].traceId()).isNotEqualTo(parent.traceId());
  }

  @Test
  void aTraceContextExtractedFromAnotherServiceParentsTheFirstSpan() {
    TraceContext received =
        TraceContext.of("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", null);
    Span server;
    try (Scope scope = received.makeCurrent()) {
      server = tracer.startSpan("handle", SpanKind.SERVER, null);
    }
    tracer.finishSpan(server);

    assertThat(server.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(server.parentSpanId()).contains("00f067aa0ba902b7");
    assertThat(server.finishedData().orElseThrow().parentRemote()).isTrue();
  }

  @Test
  void theCurrentContextOfAnActiveSpanIsWhatToInject() {
    Span span = tracer.startSpan("call_tool", SpanKind.CLIENT, null);
    try (Scope scope = span.makeCurrent()) {
      TraceContext outgoing = Context.current().traceContext().orElseThrow();
      assertThat(outgoing.traceId()).isEqualTo(span.traceId());
      assertThat(outgoing.parentSpanId()).contains(span.spanId());
    }
    assertThat(Context.current().traceContext()).isEmpty();
  }
}
