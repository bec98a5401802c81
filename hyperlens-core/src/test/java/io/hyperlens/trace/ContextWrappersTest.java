package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Wrapped tasks and executors run with the captured context and give the thread back with the
 * context it had before, whether the task returns or throws.
 */
@SuppressWarnings("try")
class ContextWrappersTest {
  private final DistributedTracer tracer = DistributedTracer.builder().build();
  private final Span captured = tracer.startSpan("captured");
  private final Span outer = tracer.startSpan("outer");
  private final Context bound = Context.root().with(captured);
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private static Span currentSpan() {
    return Context.current().span().orElse(null);
  }

  @Test
  void aWrappedRunnableRunsInTheCapturedContextAndRestoresTheCallers() {
    List<Span> seen = new ArrayList<>();
    Runnable task = bound.wrap((Runnable) () -> seen.add(currentSpan()));

    try (Scope scope = outer.makeCurrent()) {
      task.run();
      assertThat(currentSpan()).isSameAs(outer);
    }

    assertThat(seen).containsExactly(captured);
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void aWrappedRunnableThatThrowsStillRestoresTheCallersContext() {
    Runnable task =
        bound.wrap(
            (Runnable)
                () -> {
                  throw new IllegalStateException("task failed in " + currentSpan().name());
                });

    try (Scope scope = outer.makeCurrent()) {
      assertThatThrownBy(task::run)
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("task failed in captured");
      assertThat(currentSpan()).isSameAs(outer);
    }
  }

  @Test
  void aWrappedCallableReturnsItsValueInTheCapturedContext() throws Exception {
    Callable<Span> task = bound.wrap(ContextWrappersTest::currentSpan);

    try (Scope scope = outer.makeCurrent()) {
      assertThat(task.call()).isSameAs(captured);
      assertThat(currentSpan()).isSameAs(outer);
    }
    assertThat(task.call()).isSameAs(captured);
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void aWrappedCallableThatThrowsStillRestoresTheCallersContext() {
    Callable<String> task =
        bound.wrap(
            () -> {
              throw new java.io.IOException("io in " + currentSpan().name());
            });

    try (Scope scope = outer.makeCurrent()) {
      assertThatThrownBy(task::call)
          .isExactlyInstanceOf(java.io.IOException.class)
          .hasMessage("io in captured");
      assertThat(currentSpan()).isSameAs(outer);
    }
  }

  @Test
  void wrappedSuppliersFunctionsAndConsumersRunInTheCapturedContext() {
    Supplier<Span> supplier = bound.wrapSupplier(ContextWrappersTest::currentSpan);
    Function<String, String> function = bound.wrapFunction(s -> s + currentSpan().name());
    List<String> consumed = new ArrayList<>();
    Consumer<String> consumer = bound.wrapConsumer(s -> consumed.add(s + currentSpan().name()));

    try (Scope scope = outer.makeCurrent()) {
      assertThat(supplier.get()).isSameAs(captured);
      assertThat(currentSpan()).isSameAs(outer);
      assertThat(function.apply("in ")).isEqualTo("in captured");
      assertThat(currentSpan()).isSameAs(outer);
      consumer.accept("in ");
      assertThat(currentSpan()).isSameAs(outer);
    }
    assertThat(consumed).containsExactly("in captured");
  }

  @Test
  void aScopeLeftOpenInsideAWrappedTaskDoesNotLeakIntoTheCaller() {
    Runnable leaky = bound.wrap((Runnable) () -> tracer.startSpan("leaked").makeCurrent());

    try (Scope scope = outer.makeCurrent()) {
      leaky.run();
      assertThat(currentSpan()).isSameAs(outer);
    }
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void aContextBoundExecutorRunsEveryTaskInThatContextWhoeverSubmits() {
    List<Span> seen = new ArrayList<>();
    Executor direct = Runnable::run;
    Executor executor = bound.wrap(direct);

    try (Scope scope = outer.makeCurrent()) {
      executor.execute(() -> seen.add(currentSpan()));
      assertThat(currentSpan()).isSameAs(outer);
    }
    executor.execute(() -> seen.add(currentSpan()));

    assertThat(seen).containsExactly(captured, captured);
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void aTaskWrappingPlainExecutorUsesTheContextCurrentAtSubmission() {
    List<Runnable> queued = new ArrayList<>();
    Executor deferred = queued::add;
    Executor executor = Context.taskWrapping(deferred);
    List<Span> seen = new ArrayList<>();

    try (Scope scope = captured.makeCurrent()) {
      executor.execute(() -> seen.add(currentSpan()));
    }
    executor.execute(() -> seen.add(currentSpan()));
    try (Scope scope = outer.makeCurrent()) {
      queued.forEach(Runnable::run);
      assertThat(currentSpan()).isSameAs(outer);
    }

    assertThat(executor).isNotInstanceOf(ExecutorService.class);
    assertThat(seen).containsExactly(captured, null);
  }

  @Test
  void anExecutorServiceIsWrappedAsAnExecutorServiceOnce() {
    Executor asExecutor = Context.taskWrapping((Executor) pool);
    ExecutorService wrapped = Context.taskWrapping(pool);

    assertThat(asExecutor).isInstanceOf(ExecutorService.class).isNotSameAs(pool);
    assertThat(Context.taskWrapping(wrapped)).isSameAs(wrapped);
    assertThat(Context.taskWrapping((Executor) wrapped)).isSameAs(wrapped);
  }

  @Test
  void everySubmitFormRunsInTheSubmittersContext() throws Exception {
    ExecutorService traced = Context.taskWrapping(pool);
    List<Span> seen = new ArrayList<>();
    Future<Span> called;
    Future<String> withResult;
    Future<?> plain;
    CountDownLatch executed = new CountDownLatch(1);
    Span[] fromExecute = new Span[1];
    try (Scope scope = captured.makeCurrent()) {
      called = traced.submit(ContextWrappersTest::currentSpan);
      withResult = traced.submit(() -> record(seen), "done");
      plain = traced.submit(() -> record(seen));
      traced.execute(
          () -> {
            fromExecute[0] = currentSpan();
            executed.countDown();
          });
    }

    assertThat(called.get(10, TimeUnit.SECONDS)).isSameAs(captured);
    assertThat(withResult.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(plain.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(executed.await(10, TimeUnit.SECONDS)).isTrue();
    synchronized (seen) {
      assertThat(seen).containsExactly(captured, captured);
    }
    assertThat(fromExecute[0]).isSameAs(captured);
  }

  private static void record(List<Span> seen) {
    synchronized (seen) {
      seen.add(currentSpan());
    }
  }

  @Test
  void everyInvokeFormRunsInTheSubmittersContext() throws Exception {
    ExecutorService traced = Context.taskWrapping(pool);
    List<Callable<Span>> tasks =
        List.of(ContextWrappersTest::currentSpan, ContextWrappersTest::currentSpan);
    List<Future<Span>> all;
    List<Future<Span>> allTimed;
    Span any;
    Span anyTimed;
    try (Scope scope = captured.makeCurrent()) {
      all = traced.invokeAll(tasks);
      allTimed = traced.invokeAll(tasks, 10, TimeUnit.SECONDS);
      any = traced.invokeAny(tasks);
      anyTimed = traced.invokeAny(tasks, 10, TimeUnit.SECONDS);
    }

    assertThat(all).hasSize(2);
    assertThat(allTimed).hasSize(2);
    for (Future<Span> future : List.of(all.get(0), all.get(1), allTimed.get(0), allTimed.get(1))) {
      assertThat(future.get()).isSameAs(captured);
    }
    assertThat(any).isSameAs(captured);
    assertThat(anyTimed).isSameAs(captured);
  }

  @Test
  void lifecycleCallsReachTheWrappedExecutor() throws Exception {
    ExecutorService single = Executors.newSingleThreadExecutor();
    ExecutorService traced = Context.taskWrapping(single);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    traced.execute(
        () -> {
          started.countDown();
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    traced.execute(() -> {});

    assertThat(traced.isShutdown()).isFalse();
    assertThat(traced.isTerminated()).isFalse();
    assertThat(traced.awaitTermination(1, TimeUnit.MILLISECONDS)).isFalse();

    List<Runnable> notStarted = traced.shutdownNow();

    assertThat(notStarted).hasSize(1);
    assertThat(single.isShutdown()).isTrue();
    assertThat(traced.isShutdown()).isTrue();
    assertThat(traced.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(traced.isTerminated()).isTrue();
  }

  @Test
  void shutdownReachesTheWrappedExecutor() throws Exception {
    ExecutorService single = Executors.newSingleThreadExecutor();
    ExecutorService traced = Context.taskWrapping(single);

    traced.shutdown();

    assertThat(single.isShutdown()).isTrue();
    assertThat(single.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }
}
