package io.hyperlens.trace;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What is current on a thread: the active {@link Span} and the {@link TraceContext} it belongs to.
 * A span started while a context is current joins it: as the child of its span, or under the trace
 * context's parent when there is no span.
 *
 * <p>Contexts are immutable. {@link #makeCurrent()} makes one current on the calling thread until
 * the returned {@link Scope} closes. Work handed to another thread carries its context when
 * wrapped: {@link #wrap(Runnable)}, {@link #wrap(Callable)}, {@link #wrapSupplier(Supplier)},
 * {@link #wrapFunction(Function)}, {@link #wrapConsumer(Consumer)}, {@link #wrap(Executor)} for
 * {@code CompletableFuture} stages, and {@link #taskWrapping(ExecutorService)} for a whole
 * executor. A wrapped task runs with the captured context and leaves the worker thread exactly as
 * it found it.
 *
 * <p>Thread-safe: a context may be shared and wrapped from any thread.
 *
 * <pre>{@code
 * Span parent = tracer.startSpan("fan_out");
 * ExecutorService pool = Context.taskWrapping(Executors.newFixedThreadPool(2));
 * try (Scope scope = parent.makeCurrent()) {
 *   CompletableFuture
 *       .supplyAsync(() -> tracer.traced("fetch", () -> "page"), pool)  // child of fan_out
 *       .thenApplyAsync(page -> tracer.traced("parse", () -> page.length()), pool) // child too
 *       .join();
 * } finally {
 *   tracer.finishSpan(parent);
 *   pool.shutdown();
 * }
 * }</pre>
 */
public final class Context {
  private static final Context ROOT = new Context(null, null);

  private final Span span;
  private final TraceContext trace;

  private Context(Span span, TraceContext trace) {
    this.span = span;
    this.trace = trace;
  }

  /** The context current on the calling thread; {@link #root()} when nothing is. */
  public static Context current() {
    return ContextStorage.get().current();
  }

  /** The empty context: no span, no trace. A span started in it begins a new trace. */
  public static Context root() {
    return ROOT;
  }

  /** How many scopes were closed out of order, twice, or on another thread, process-wide. */
  public static long scopeMisuseCount() {
    return ContextStorage.misuseCount();
  }

  /** The active span, if any. */
  public Optional<Span> span() {
    return Optional.ofNullable(span);
  }

  /**
   * The trace context to hand to the next service: for an active span, its trace with the span as
   * parent ({@link Span#traceContext()}); otherwise the current trace context, if any.
   */
  public Optional<TraceContext> traceContext() {
    if (span != null) {
      return Optional.of(span.traceContext());
    }
    return Optional.ofNullable(trace);
  }

  Span spanOrNull() {
    return span;
  }

  TraceContext traceOrNull() {
    return trace;
  }

  /** This context with {@code span} active. */
  public Context with(Span span) {
    Objects.requireNonNull(span, "span");
    return new Context(span, null);
  }

  /** This context with {@code trace} as the current trace and no active span. */
  public Context with(TraceContext trace) {
    Objects.requireNonNull(trace, "trace");
    return new Context(null, trace);
  }

  /** Makes this context current on the calling thread until the scope closes. */
  public Scope makeCurrent() {
    return ContextStorage.get().push(this);
  }

  /** A runnable that runs {@code task} with this context current, on whatever thread runs it. */
  public Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    return () -> {
      ContextStorage previous = ContextStorage.swap(ContextStorage.based(this));
      try {
        task.run();
      } finally {
        ContextStorage.swap(previous);
      }
    };
  }

  /** A callable that calls {@code task} with this context current. */
  public <T> Callable<T> wrap(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    return () -> {
      ContextStorage previous = ContextStorage.swap(ContextStorage.based(this));
      try {
        return task.call();
      } finally {
        ContextStorage.swap(previous);
      }
    };
  }

  /** A supplier that calls {@code supplier} with this context current. */
  public <T> Supplier<T> wrapSupplier(Supplier<T> supplier) {
    Objects.requireNonNull(supplier, "supplier");
    return () -> {
      ContextStorage previous = ContextStorage.swap(ContextStorage.based(this));
      try {
        return supplier.get();
      } finally {
        ContextStorage.swap(previous);
      }
    };
  }

  /** A function applied with this context current: for {@code thenApply} stages. */
  public <T, R> Function<T, R> wrapFunction(Function<T, R> function) {
    Objects.requireNonNull(function, "function");
    return value -> {
      ContextStorage previous = ContextStorage.swap(ContextStorage.based(this));
      try {
        return function.apply(value);
      } finally {
        ContextStorage.swap(previous);
      }
    };
  }

  /** A consumer run with this context current: for {@code thenAccept} stages. */
  public <T> Consumer<T> wrapConsumer(Consumer<T> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return value -> {
      ContextStorage previous = ContextStorage.swap(ContextStorage.based(this));
      try {
        consumer.accept(value);
      } finally {
        ContextStorage.swap(previous);
      }
    };
  }

  /**
   * An executor that runs every task with this context current, whoever submits it: pass it to
   * {@code CompletableFuture.supplyAsync(..., executor)} and the {@code *Async} stages of one
   * chain.
   */
  public Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  /**
   * An executor that runs each task with the context that was current when the task was submitted.
   * Tasks submitted inside a wrapped task inherit its context, so {@code *Async} stages of a {@code
   * CompletableFuture} chain on this executor keep the context of the chain's start.
   */
  public static Executor taskWrapping(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    if (executor instanceof ExecutorService) {
      return taskWrapping((ExecutorService) executor);
    }
    return task -> executor.execute(current().wrap(task));
  }

  /**
   * An executor service that runs each task with the context that was current when the task was
   * submitted. Shutdown and termination are delegated.
   */
  public static ExecutorService taskWrapping(ExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    if (executor instanceof ContextExecutorService) {
      return executor;
    }
    return new ContextExecutorService(executor);
  }

  private static final class ContextExecutorService implements ExecutorService {
    private final ExecutorService delegate;

    ContextExecutorService(ExecutorService delegate) {
      this.delegate = delegate;
    }

    private static <T> List<Callable<T>> wrapAll(Collection<? extends Callable<T>> tasks) {
      Context context = current();
      return tasks.stream().map(context::wrap).collect(Collectors.toList());
    }

    @Override
    public void execute(Runnable command) {
      delegate.execute(current().wrap(command));
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
      return delegate.submit(current().wrap(task));
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
      return delegate.submit(current().wrap(task), result);
    }

    @Override
    public Future<?> submit(Runnable task) {
      return delegate.submit(current().wrap(task));
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
        throws InterruptedException {
      return delegate.invokeAll(wrapAll(tasks));
    }

    @Override
    public <T> List<Future<T>> invokeAll(
        Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException {
      return delegate.invokeAll(wrapAll(tasks), timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
        throws InterruptedException, ExecutionException {
      return delegate.invokeAny(wrapAll(tasks));
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      return delegate.invokeAny(wrapAll(tasks), timeout, unit);
    }
  }
}
