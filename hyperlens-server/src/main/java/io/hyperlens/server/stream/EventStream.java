package io.hyperlens.server.stream;

import io.hyperlens.event.HypervisorEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live stream of ingested events: what {@code GET /api/stream}, the UI's live pages and {@code
 * hyperlens tail} read. Ingest {@linkplain #publish publishes} each committed batch without ever
 * waiting: every subscriber has a bounded queue, and one that falls behind by more than it holds is
 * cut off (reason {@code slow_consumer}), counted, and never slows ingest or the others. At most
 * {@code maxSubscribers} at once. Thread-safe.
 *
 * <pre>{@code
 * EventStream stream = new EventStream(64, 10_000);
 * try (EventStream.Subscription s = stream.subscribe(EventStream.Filter.ALL)) {
 *   HypervisorEvent next = s.next(1, TimeUnit.SECONDS); // null after a second without one
 * }
 * }</pre>
 */
public final class EventStream {
  /** Why a subscription ended. */
  public enum EndReason {
    /** The client went away or unsubscribed. */
    CLOSED("closed"),
    /** It fell behind by more than its queue holds. */
    SLOW_CONSUMER("slow_consumer"),
    /** The hub is stopping. */
    SHUTDOWN("shutdown");

    private final String value;

    EndReason(String value) {
      this.value = value;
    }

    /** The reason's label on {@code /metrics}. */
    public String value() {
      return value;
    }
  }

  /**
   * Which events a subscriber gets: each non-null criterion must hold.
   *
   * @param type an event type's dotted value
   * @param session a session id
   * @param agent an agent DID
   */
  public record Filter(String type, String session, String agent) {
    /** Every event. */
    public static final Filter ALL = new Filter(null, null, null);

    /** Whether {@code event} passes. */
    public boolean matches(HypervisorEvent event) {
      return (type == null || type.equals(event.eventType().value()))
          && (session == null || session.equals(event.sessionId().orElse(null)))
          && (agent == null || agent.equals(event.agentDid().orElse(null)));
    }
  }

  /** One subscriber's view of the stream; close it when done. */
  public final class Subscription implements AutoCloseable {
    private final Filter filter;
    private final BlockingQueue<HypervisorEvent> queue;
    private volatile EndReason ended;

    private Subscription(Filter filter, int capacity) {
      this.filter = filter;
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /**
     * The next event, waiting up to {@code timeout}; null when none came in time or the
     * subscription {@linkplain #ended() ended} (its queued events are delivered first).
     */
    public HypervisorEvent next(long timeout, TimeUnit unit) throws InterruptedException {
      HypervisorEvent event = queue.poll();
      if (event != null || ended != null) {
        return event;
      }
      return queue.poll(timeout, unit);
    }

    /** Why it ended, or null while it runs. */
    public EndReason ended() {
      return ended;
    }

    private void offer(HypervisorEvent event) {
      if (ended == null && filter.matches(event) && !queue.offer(event)) {
        end(EndReason.SLOW_CONSUMER);
      }
    }

    private void end(EndReason reason) {
      if (ended == null) {
        ended = reason;
        subscribers.remove(this);
        ends.computeIfAbsent(reason, r -> new LongAdder()).increment();
      }
    }

    /** Ends the subscription (reason {@code closed}, unless it ended already). */
    @Override
    public void close() {
      end(EndReason.CLOSED);
    }
  }

  private final int maxSubscribers;
  private final int capacity;
  private final CopyOnWriteArraySet<Subscription> subscribers = new CopyOnWriteArraySet<>();
  private final Map<EndReason, LongAdder> ends = new ConcurrentHashMap<>();
  private final LongAdder published = new LongAdder();

  /**
   * A stream.
   *
   * @param maxSubscribers how many may subscribe at once
   * @param capacity how many events a subscriber may fall behind by before it is cut off
   */
  public EventStream(int maxSubscribers, int capacity) {
    if (maxSubscribers < 1 || capacity < 1) {
      throw new IllegalArgumentException(
          "maxSubscribers and capacity must be at least 1, got "
              + maxSubscribers
              + " and "
              + capacity);
    }
    this.maxSubscribers = maxSubscribers;
    this.capacity = capacity;
  }

  /**
   * Subscribes to the events that pass {@code filter} from now on.
   *
   * @throws IllegalStateException when {@code maxSubscribers} are subscribed already
   */
  public Subscription subscribe(Filter filter) {
    synchronized (subscribers) {
      if (subscribers.size() >= maxSubscribers) {
        throw new IllegalStateException(
            "the live stream has its " + maxSubscribers + " subscribers; try again later");
      }
      Subscription subscription = new Subscription(filter, capacity);
      subscribers.add(subscription);
      return subscription;
    }
  }

  /** Hands {@code events} to every subscriber whose filter they pass; never waits. */
  public void publish(List<HypervisorEvent> events) {
    published.add(events.size());
    for (Subscription subscription : subscribers) {
      for (HypervisorEvent event : events) {
        subscription.offer(event);
      }
    }
  }

  /** Events published so far: it changes whenever something was ingested. */
  public long published() {
    return published.sum();
  }

  /** Subscribers now. */
  public int subscribers() {
    return subscribers.size();
  }

  /** Subscriptions ended for {@code reason} so far. */
  public long ended(EndReason reason) {
    LongAdder count = ends.get(reason);
    return count == null ? 0 : count.sum();
  }

  /** Ends every subscription (reason {@code shutdown}). */
  public void shutdown() {
    for (Subscription subscription : subscribers) {
      subscription.end(EndReason.SHUTDOWN);
    }
  }
}
