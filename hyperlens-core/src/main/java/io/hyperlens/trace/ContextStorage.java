package io.hyperlens.trace;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-thread stack of current contexts behind {@link Context#current()}.
 *
 * <p>Each {@link Context#makeCurrent()} pushes a frame; the current context is the topmost frame
 * still open. A scope closed while open frames lie above it is marked closed and skipped, so out of
 * order closing never resurrects a closed context or hides an open one. Implicit frames (pushed by
 * {@link DistributedTracer#startTrace()}) are not scopes: a new trace replaces the previous one,
 * and closing an enclosing scope discards them.
 */
final class ContextStorage {
  private static final System.Logger LOG = System.getLogger(Context.class.getName());
  private static final ThreadLocal<ContextStorage> STORAGE =
      ThreadLocal.withInitial(ContextStorage::new);
  private static final LongAdder MISUSE = new LongAdder();
  private static final AtomicBoolean MISUSE_LOGGED = new AtomicBoolean();

  private final Thread owner = Thread.currentThread();
  private Frame[] frames = new Frame[8];
  private int size;
  private Context base = Context.root();

  static ContextStorage get() {
    return STORAGE.get();
  }

  /** Replaces the calling thread's storage with a fresh one based on {@code context}. */
  static ContextStorage swap(ContextStorage next) {
    ContextStorage previous = STORAGE.get();
    STORAGE.set(next);
    return previous;
  }

  static ContextStorage based(Context context) {
    ContextStorage storage = new ContextStorage();
    storage.base = context;
    return storage;
  }

  static long misuseCount() {
    return MISUSE.sum();
  }

  Context current() {
    for (int i = size - 1; i >= 0; i--) {
      if (!frames[i].closed) {
        return frames[i].context;
      }
    }
    return base;
  }

  Scope push(Context context) {
    Frame frame = new Frame(this, context, false);
    append(frame);
    return frame;
  }

  /** Makes {@code context} the thread's trace until the next call or the enclosing scope closes. */
  void replaceImplicit(Context context) {
    closeImplicit();
    append(new Frame(this, context, true));
  }

  /** Ends the trace made current by the innermost open implicit frame at the current level. */
  void closeImplicit() {
    for (int i = size - 1; i >= 0; i--) {
      Frame frame = frames[i];
      if (frame.implicit && !frame.closed) {
        frame.closed = true;
        break;
      }
      if (!frame.implicit && !frame.closed) {
        break;
      }
    }
    trimClosed();
  }

  private void append(Frame frame) {
    if (size == frames.length) {
      frames = Arrays.copyOf(frames, size * 2);
    }
    frames[size++] = frame;
  }

  private void trimClosed() {
    while (size > 0 && frames[size - 1].closed) {
      frames[--size] = null;
    }
  }

  void close(Frame frame) {
    if (frame.closed) {
      misuse("a scope was closed twice");
      return;
    }
    if (Thread.currentThread() != owner) {
      // Only the owner may change its stack: the scope stays open there until it closes it.
      misuse("a scope was closed on a thread other than the one that opened it");
      return;
    }
    int index = indexOf(frame);
    if (index < 0) {
      frame.closed = true;
      return;
    }
    boolean onlyImplicitAbove = true;
    for (int i = index + 1; i < size; i++) {
      if (!frames[i].closed && !frames[i].implicit) {
        onlyImplicitAbove = false;
        break;
      }
    }
    frame.closed = true;
    if (onlyImplicitAbove) {
      for (int i = size - 1; i > index; i--) {
        frames[i].closed = true;
      }
      trimClosed();
    } else {
      misuse("scopes were closed out of order");
    }
  }

  private int indexOf(Frame frame) {
    for (int i = size - 1; i >= 0; i--) {
      if (frames[i] == frame) {
        return i;
      }
    }
    return -1;
  }

  private static void misuse(String what) {
    MISUSE.increment();
    if (MISUSE_LOGGED.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          what
              + "; the current context stays the innermost open scope. Close scopes in"
              + " try-with-resources on the thread that opened them. Further misuse is only"
              + " counted (Context.scopeMisuseCount()).",
          new IllegalStateException(what));
    }
  }

  static final class Frame implements Scope {
    private final ContextStorage storage;
    final Context context;
    final boolean implicit;
    volatile boolean closed;

    Frame(ContextStorage storage, Context context, boolean implicit) {
      this.storage = storage;
      this.context = context;
      this.implicit = implicit;
    }

    @Override
    public void close() {
      storage.close(this);
    }
  }
}
