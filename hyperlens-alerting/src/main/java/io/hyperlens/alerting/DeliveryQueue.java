package io.hyperlens.alerting;

import io.hyperlens.redact.Redactor;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One channel's outbox: a bounded queue and its own thread, so a slow or failing channel never
 * holds up the others or the evaluation. Sends are retried by the {@link RetryPolicy} and paced by
 * the channel's {@link AlertChannel#maxPerSecond()}; what happened is counted: sent, failed (after
 * the last attempt, or a 4xx at once), retried (attempts after the first), dropped (the queue was
 * full, or it was closed before they went).
 */
final class DeliveryQueue implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DeliveryQueue.class.getName());
  private static final Redactor REDACTOR = Redactor.standard();

  private final AlertChannel channel;
  private final RetryPolicy retry;
  private final BlockingQueue<Notification> queue;
  private final Thread worker;
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private volatile boolean closing;
  private volatile boolean busy;
  private long nextSendNanos;
  private volatile String lastError;

  DeliveryQueue(AlertChannel channel, RetryPolicy retry, int capacity) {
    this.channel = channel;
    this.retry = retry;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.worker = new Thread(this::run, "hyperlens-alerts-" + channel.name());
    worker.setDaemon(true);
    worker.start();
  }

  AlertChannel channel() {
    return channel;
  }

  /** Queues {@code notification}; false (and counted as dropped) when the queue is full. */
  boolean offer(Notification notification) {
    if (closing || !queue.offer(notification)) {
      dropped.increment();
      return false;
    }
    return true;
  }

  private void run() {
    try {
      while (!closing || !queue.isEmpty()) {
        Notification next = queue.poll(100, TimeUnit.MILLISECONDS);
        if (next != null) {
          busy = true;
          try {
            deliver(next);
          } finally {
            busy = false;
          }
        }
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    } finally {
      dropped.add(queue.size());
      queue.clear();
    }
  }

  /** Sends with retries; returns when it was delivered or given up on. */
  private void deliver(Notification notification) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      pace();
      String problem;
      boolean retryable;
      try {
        AlertChannel.Answer answer = channel.send(notification);
        if (answer.delivered()) {
          sent.increment();
          return;
        }
        problem = "HTTP " + answer.status() + ": " + answer.body();
        retryable = answer.retryable();
      } catch (IOException | RuntimeException e) {
        problem =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        retryable = e instanceof IOException;
      }
      lastError = REDACTOR.redact(problem);
      if (!retryable || attempt >= retry.attempts() || closingPastDeadline()) {
        failed.increment();
        LOG.log(
            Level.WARNING,
            "Alert channel "
                + channel.describe()
                + " failed to deliver "
                + notification.kind().name().toLowerCase(java.util.Locale.ROOT)
                + " of "
                + notification.alert().ruleId()
                + " after "
                + attempt
                + (attempt == 1 ? " attempt: " : " attempts: ")
                + lastError);
        return;
      }
      retried.increment();
      Thread.sleep(retry.delay(attempt).toMillis());
    }
  }

  private volatile long deadlineNanos = Long.MAX_VALUE;

  private boolean closingPastDeadline() {
    return closing && System.nanoTime() - deadlineNanos > 0;
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

  int queued() {
    return queue.size() + (busy ? 1 : 0);
  }

  /** The last failure, redacted, or null. */
  String lastError() {
    return lastError;
  }

  /**
   * Stops taking notifications and delivers what is queued within {@code deadline}; what is left
   * after it is dropped (counted).
   */
  void close(Duration deadline) {
    deadlineNanos = System.nanoTime() + deadline.toNanos();
    closing = true;
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
