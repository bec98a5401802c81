package io.hyperlens.alerting;

import java.io.IOException;
import java.time.Duration;

/**
 * Where notifications go: PagerDuty, an Alertmanager, a webhook, Slack, or your own. {@link #send}
 * makes one attempt; retries, backoff, rate limits and counting are the caller's ({@link
 * Alerting}), so an implementation only speaks its protocol.
 *
 * <pre>{@code
 * AlertChannel printing =
 *     new AlertChannel() {
 *       public String name() {
 *         return "stdout";
 *       }
 *
 *       public Answer send(Notification n) {
 *         System.out.println(n.kind() + " " + n.alert().summary());
 *         return new Answer(200, "printed");
 *       }
 *     };
 * }</pre>
 */
public interface AlertChannel {
  /** The channel's name: the {@code channel} label of its counters; unique within a config. */
  String name();

  /**
   * Delivers {@code notification} once.
   *
   * @return the receiver's answer: 2xx delivered; 429 and 5xx are retried; any other status fails
   *     without a retry
   * @throws IOException when the receiver could not be reached (retried)
   */
  Answer send(Notification notification) throws IOException, InterruptedException;

  /**
   * Delivers {@code batch} (at most {@link #maxBatch()} notifications) in one attempt. The default
   * sends a batch of one through {@link #send(Notification)}.
   */
  default Answer send(java.util.List<Notification> batch) throws IOException, InterruptedException {
    if (batch.size() != 1) {
      throw new IllegalArgumentException(
          name() + " takes one notification at a time, got " + batch.size());
    }
    return send(batch.get(0));
  }

  /** How many notifications one {@link #send(java.util.List)} takes; 1 by default. */
  default int maxBatch() {
    return 1;
  }

  /**
   * How often alerts still firing are sent again without waiting for the repeat interval, or null
   * for never. Alertmanager needs it: an alert not re-sent before its {@code endsAt} resolves.
   */
  default Duration resendInterval() {
    return null;
  }

  /** At most this many sends per second (PagerDuty allows about 2 per routing key); 0: no limit. */
  default double maxPerSecond() {
    return 0;
  }

  /**
   * This channel linking back to the hub at {@code hubUrl}, when it was given no hub URL of its
   * own; itself by default.
   */
  default AlertChannel withHubUrl(String hubUrl) {
    return this;
  }

  /**
   * What went wrong in words: the exception's message, or its cause's, or what its kind means
   * ({@code ConnectException} without a message is a refused or unreachable address).
   */
  static String problem(Throwable e) {
    String name = e.getClass().getSimpleName();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return name + ": " + t.getMessage();
      }
      if (t instanceof java.nio.channels.UnresolvedAddressException) {
        return name + ": unknown host";
      }
    }
    if (e instanceof java.net.ConnectException) {
      return name + ": connection refused or address unreachable";
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return name + ": no answer in time";
    }
    return name;
  }

  /** What the channel is, for logs and {@code alerts test}: never its secrets. */
  default String describe() {
    return name();
  }

  /**
   * A receiver's answer to one attempt.
   *
   * @param status the HTTP status
   * @param body what it said, cut to 2,000 characters
   */
  record Answer(int status, String body) {
    public Answer {
      body = body == null ? "" : body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
    }

    /** A 2xx. */
    public boolean delivered() {
      return status >= 200 && status < 300;
    }

    /** 429 or 5xx: worth another attempt. */
    public boolean retryable() {
      return status == 429 || status >= 500;
    }
  }
}
