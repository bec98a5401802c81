package io.hyperlens.alerting;

import io.hyperlens.redact.Redactor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * One channel's outbox: a bounded queue and its own thread, so a slow or failing channel never
 * holds up the others or the evaluation. Sends go in batches when the channel takes them ({@link
 * AlertChannel#maxBatch()}), are paced by its {@link AlertChannel#maxPerSecond()} and retried with
 * the {@link RetryPolicy}'s waits: a trigger or a resolve keeps trying, at the longest wait once it
 * is reached, until it is delivered, refused or the outbox closes, because nothing else would send
 * it (a page lost to a short outage would wait for the repeat interval); a repeat or a resend gives
 * up after the policy's attempts.
 *
 * <p>A full outbox makes room for a resolve by dropping the oldest trigger or resend it holds; a
 * trigger that finds it full is dropped. What happened is counted: sent, failed (a 4xx other than
 * 429, or out of attempts), retried (attempts after the first), dropped. Each notification's end is
 * reported to {@code done}: delivered (or refused for good: sending it again cannot help) or not.
 */
final class DeliveryQueue implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DeliveryQueue.class.getName());
  private static final Redactor REDACTOR = Redactor.standard();

  private volatile AlertChannel channel;
  private final RetryPolicy retry;
  private final int capacity;
  private final BiConsumer<Notification, Boolean> done;
  private final ArrayDeque<Notification> queue = new ArrayDeque<>();
  private final Thread worker;
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private int inFlight; // queued or being sent; guarded by this
  private boolean closing; // guarded by this
  private volatile long deadlineNanos = Long.MAX_VALUE;
  private long nextSendNanos;
  private volatile String lastError;

  /**
   * @param done told of each notification's end: true when delivered or refused for good, false
   *     when it was dropped or given up on
   */
  DeliveryQueue(
      AlertChannel channel,
      RetryPolicy retry,
      int capacity,
      BiConsumer<Notification, Boolean> done) {
    this.channel = channel;
    this.retry = retry;
    this.capacity = capacity;
    this.done = done;
    this.worker = new Thread(this::run, "hyperlens-alerts-" + channel.name());
    worker.setDaemon(true);
    worker.start();
  }

  AlertChannel channel() {
    return channel;
  }

  /** Links back to {@code hubUrl} from now on, unless the channel was given its own. */
  void useHubUrl(String hubUrl) {
    channel = channel.withHubUrl(hubUrl);
  }

  /**
   * Queues {@code notification}; false (and counted as dropped) when the outbox is closed, or full
   * of what it cannot drop for it.
   */
  boolean offer(Notification notification) {
    Notification evicted = null;
    synchronized (this) {
      if (closing) {
        dropped.increment();
        return false;
      }
      if (queue.size() >= capacity) {
        if (!notification.resolved()) {
          dropped.increment();
          return false;
        }
        for (Iterator<Notification> it = queue.iterator(); it.hasNext(); ) {
          Notification queued = it.next();
          if (!queued.resolved()) {
            it.remove();
            evicted = queued;
            inFlight--;
            break;
          }
        }
        if (evicted == null) {
          dropped.increment();
          return false;
        }
        dropped.increment();
      }
      queue.addLast(notification);
      inFlight++;
      notifyAll();
    }
    if (evicted != null) {
      report(evicted, false);
    }
    return true;
  }

  private void run() {
    try {
      while (true) {
        List<Notification> batch = new ArrayList<>();
        synchronized (this) {
          while (queue.isEmpty() && !closing) {
            wait(100);
          }
          if (queue.isEmpty()) {
            return; // closing, and everything went
          }
          int most = Math.max(1, channel.maxBatch());
          while (!queue.isEmpty() && batch.size() < most) {
            batch.add(queue.pollFirst());
          }
        }
        boolean delivered;
        try {
          delivered = deliver(batch);
        } catch (InterruptedException stopped) {
          // closed while it was still trying: given up, counted, and reported as not delivered
          failed.add(batch.size());
          batch.forEach(n -> report(n, false));
          synchronized (this) {
            inFlight -= batch.size();
          }
          throw stopped;
        }
        for (Notification n : batch) {
          report(n, delivered); // before it stops counting as queued: settle() waits for both
        }
        synchronized (this) {
          inFlight -= batch.size();
        }
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    } finally {
      List<Notification> left;
      synchronized (this) {
        left = new ArrayList<>(queue);
        queue.clear();
        inFlight = 0;
      }
      dropped.add(left.size());
      left.forEach(n -> report(n, false));
    }
  }

  private void report(Notification notification, boolean delivered) {
    try {
      done.accept(notification, delivered);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Alert delivery callback failed", e);
    }
  }

  /**
   * Sends {@code batch} with retries.
   *
   * @return true when delivered or refused for good, false when given up on
   */
  private boolean deliver(List<Notification> batch) throws InterruptedException {
    // a first trigger and a resolve are never sent again by anyone else: they are tried until
    // delivered or refused; a repeat or resend gives up after the policy's attempts
    boolean persistent = batch.stream().anyMatch(n -> !n.repeat());
    for (int attempt = 1; ; attempt++) {
      pace();
      String problem;
      boolean retryable;
      try {
        AlertChannel.Answer answer = channel.send(batch);
        if (answer.delivered()) {
          sent.add(batch.size());
          return true;
        }
        problem = "HTTP " + answer.status() + ": " + answer.body();
        retryable = answer.retryable();
      } catch (IOException | RuntimeException e) {
        problem = AlertChannel.problem(e);
        retryable = e instanceof IOException;
      }
      lastError = REDACTOR.redact(problem);
      boolean outOfAttempts = attempt >= retry.attempts() && !persistent;
      if (!retryable || outOfAttempts || pastDeadline()) {
        failed.add(batch.size());
        LOG.log(
            Level.WARNING,
            "Alert channel "
                + channel.describe()
                + " failed to deliver "
                + describe(batch)
                + " after "
                + attempt
                + (attempt == 1 ? " attempt: " : " attempts: ")
                + lastError);
        return !retryable; // refused for good: sending it again cannot help
      }
      retried.increment();
      long wait = retry.delay(attempt).toNanos();
      synchronized (this) {
        if (closing) {
          wait = Math.min(wait, Math.max(0, deadlineNanos - System.nanoTime()));
        }
      }
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private static String describe(List<Notification> batch) {
    Notification first = batch.get(0);
    String what = first.kind().name().toLowerCase(Locale.ROOT) + " of " + first.alert().ruleId();
    return batch.size() == 1 ? what : batch.size() + " notifications (the first a " + what + ")";
  }

  private boolean pastDeadline() {
    synchronized (this) {
      return closing && System.nanoTime() - deadlineNanos > 0;
    }
  }

  /** Waits until the channel's rate allows another send. */
  private void pace() throws InterruptedException {
    double perSecond = channel.maxPerSecond();
    if (perSecond <= 0) {
      return;
    }
    long now = System.nanoTime();
    long wait = nextSendNanos - now;
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
      now = System.nanoTime();
    }
    nextSendNanos = now + (long) (1e9 / perSecond);
  }

  long sent() {
    return sent.sum();
  }

  long failed() {
    return failed.sum();
  }

  long retried() {
    return retried.sum();
  }

  long dropped() {
    return dropped.sum();
  }

  /** Notifications queued or being sent now. */
  synchronized int queued() {
    return inFlight;
  }

  /** The last failure, redacted, or null. */
  String lastError() {
    return lastError;
  }

  /**
   * Stops taking notifications and delivers what is queued within {@code deadline}; what is left
   * after it is dropped (counted, and reported as not delivered).
   */
  void close(Duration deadline) {
    synchronized (this) {
      deadlineNanos = System.nanoTime() + deadline.toNanos();
      closing = true;
      notifyAll();
    }
    try {
      worker.join(Math.max(1, deadline.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      worker.interrupt();
      try {
        worker.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
