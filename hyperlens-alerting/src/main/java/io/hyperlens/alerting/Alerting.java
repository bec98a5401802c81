package io.hyperlens.alerting;

import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.governance.DecisionRecorder;
import io.hyperlens.governance.PolicyDecision;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Alert rules evaluated on what an agent runtime emits, with notifications to every configured
 * channel. Events, policy decisions and audit verifications are handed over without blocking (a
 * bounded queue: what does not fit is dropped and counted, never waited for); one thread applies
 * them to the rules and evaluates every rule each {@code evaluation_interval}; each channel has its
 * own outbox, so a slow or failing one holds up nobody.
 *
 * <pre>{@code
 * AlertConfig config = AlertConfig.load(Path.of("alerts.yaml"));
 * HypervisorEventBus bus = new HypervisorEventBus();
 * try (Alerting alerting = Alerting.start(config)) {
 *   alerting.attach(bus);
 *   bus.emit(...);                  // breaches, escalations, ... raise alerts
 *   alerting.alerts();              // pending and firing now
 * }
 * }</pre>
 *
 * <p>Counted ({@link #stats()}): observations taken and dropped, evaluations, groups beyond the
 * bound, store failures, and per channel notifications sent, failed, retried and dropped. {@code
 * close()} evaluates once more and delivers what is queued within a deadline.
 */
public final class Alerting implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Alerting.class.getName());

  private final AlertConfig config;
  private final Clock clock;
  private final AlertStateStore store;
  private final AlertEvaluator evaluator;
  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled by the worker after it applied what it took off the queue. */
  private final java.util.concurrent.locks.Condition caughtUp = lock.newCondition();

  /** Observations applied, guarded by {@link #lock}; compared with {@link #observed}. */
  private long applied;

  private final BlockingQueue<Object> inbox;
  private final List<DeliveryQueue> outboxes = new ArrayList<>();
  private final Map<String, Instant> lastResend = new LinkedHashMap<>();
  private final Thread worker;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final LongAdder observed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder evaluations = new LongAdder();
  private final LongAdder storeFailures = new LongAdder();
  private final LongAdder evaluationFailures = new LongAdder();
  private final boolean background;
  private volatile boolean finished; // resolveAll(): nothing is evaluated any more
  private final ReentrantLock persistLock = new ReentrantLock();
  // resolves whose state waits for every channel to take them: the store keeps them firing until
  // then, so a restart sends the resolve again; guarded by persistLock
  private final Map<String, PendingResolve> pendingResolves = new java.util.HashMap<>();

  private static final class PendingResolve {
    final Alert resolved;
    final java.util.Set<String> channels;

    PendingResolve(Alert resolved, java.util.Set<String> channels) {
      this.resolved = resolved;
      this.channels = channels;
    }
  }

  private record Observed(HypervisorEvent event, Instant at) {}

  private record Decision(
      String agent, String session, boolean denied, Double latencyMs, String answers, Instant at) {}

  private record Verified(boolean ok, String detail, Instant at) {}

  private Alerting(Builder b) {
    this.config = b.config;
    this.clock = b.clock;
    this.store = b.store;
    this.background = b.background;
    this.evaluator =
        new AlertEvaluator(
            config.rules(), config.repeatInterval(), config.maxGroups(), config.history());
    this.inbox = new ArrayBlockingQueue<>(config.queueCapacity());
    List<Alert> saved;
    try {
      saved = store.load();
    } catch (RuntimeException e) {
      storeFailures.increment();
      LOG.log(Level.WARNING, "Could not load saved alerts; starting without them", e);
      saved = List.of();
    }
    Instant now = clock.instant();
    evaluator.restore(saved, now);
    for (HypervisorEvent event : b.replay) {
      Instant at = event.timestamp().isAfter(now) ? now : event.timestamp();
      evaluator.observe(event, at);
    }
    for (AlertChannel channel : config.channels()) {
      outboxes.add(
          new DeliveryQueue(
              channel,
              config.retry(),
              config.outboxCapacity(),
              (n, delivered) -> delivered(channel.name(), n, delivered)));
    }
    this.worker = new Thread(this::run, "hyperlens-alerting");
    worker.setDaemon(true);
    if (background) {
      worker.start();
    }
  }

  /** Starts evaluating {@code config}'s rules in the background; keeps no state across restarts. */
  public static Alerting start(AlertConfig config) {
    return builder(config).build();
  }

  /** Configures alerting on {@code config}: clock, state store, events to replay. */
  public static Builder builder(AlertConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    return new Builder(config);
  }

  /** Evaluates every event {@code bus} emits from now on; the subscription ends on close. */
  public Subscription attach(HypervisorEventBus bus) {
    Subscription subscription = bus.subscribeAll(this::observe);
    synchronized (subscriptions) {
      subscriptions.add(subscription);
    }
    return subscription;
  }

  /**
   * Hands {@code event} to the rules without blocking.
   *
   * @return false when the queue was full (the event is dropped and counted) or alerting is closed
   */
  public boolean observe(HypervisorEvent event) {
    return offer(new Observed(event, clock.instant()));
  }

  /**
   * A recorder of policy decisions for the rules: a denial is a violation; a {@code latency_ms} (or
   * {@code evaluation_latency_ms}) number in the context is governance latency. Use it beside the
   * audit trail, e.g. with a composite recorder.
   */
  public DecisionRecorder decisionRecorder() {
    return (agent, action, resource, policy, decision, context) -> {
      Object session = context == null ? null : context.get("session_id");
      Object answers = context == null ? null : context.get("event_id");
      Object latency = null;
      if (context != null) {
        latency = context.get("latency_ms");
        if (latency == null) {
          latency = context.get("evaluation_latency_ms");
        }
      }
      offer(
          new Decision(
              agent,
              session == null ? null : session.toString(),
              decision != null && decision.denied(),
              latency instanceof Number ? ((Number) latency).doubleValue() : null,
              answers == null ? null : answers.toString(),
              clock.instant()));
    };
  }

  /** Records a policy decision directly: {@link #decisionRecorder()} without the audit fields. */
  public boolean decision(String agent, String session, PolicyDecision decision, Double latencyMs) {
    return decision(agent, session, decision, latencyMs, null);
  }

  /**
   * Records a policy decision that answers the event {@code answersEvent} (a breach's denial: the
   * two are one violation), or null.
   */
  public boolean decision(
      String agent,
      String session,
      PolicyDecision decision,
      Double latencyMs,
      String answersEvent) {
    return offer(
        new Decision(
            agent,
            session,
            decision != null && decision.denied(),
            latencyMs,
            answersEvent,
            clock.instant()));
  }

  /** Tells the rules how the audit trail's last verification went. */
  public boolean auditVerified(boolean ok, String detail) {
    return offer(new Verified(ok, detail, clock.instant()));
  }

  private boolean offer(Object item) {
    if (closed.get() || !inbox.offer(item)) {
      dropped.increment();
      return false;
    }
    observed.increment();
    return true;
  }

  private void run() {
    long intervalNanos = config.evaluationInterval().toNanos();
    long next = System.nanoTime() + intervalNanos;
    while (!closed.get()) {
      try {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Object item = inbox.poll(wait, TimeUnit.NANOSECONDS);
          if (item != null) {
            lock.lock();
            try {
              apply(item);
              drain();
            } finally {
              caughtUp
                  .signalAll(); // also when applying threw: a waiter need not sit out its second
              lock.unlock();
            }
          }
          continue;
        }
        next = System.nanoTime() + intervalNanos;
        evaluateNow();
      } catch (InterruptedException stop) {
        return;
      } catch (RuntimeException e) {
        evaluationFailures.increment();
        LOG.log(Level.WARNING, "Alert evaluation failed; carrying on", e);
      }
    }
  }

  private void drain() {
    Object item;
    while ((item = inbox.poll()) != null) {
      apply(item);
    }
  }

  private void apply(Object item) {
    applied++;
    if (item instanceof Observed) {
      Observed o = (Observed) item;
      evaluator.observe(o.event(), o.at());
    } else if (item instanceof Decision) {
      Decision d = (Decision) item;
      evaluator.observeDecision(
          d.agent(), d.session(), d.denied(), d.latencyMs(), d.answers(), d.at());
    } else {
      Verified v = (Verified) item;
      evaluator.observeAudit(v.ok(), v.detail(), v.at());
    }
  }

  /**
   * Applies what is queued and evaluates every rule now, on the calling thread; notifications are
   * queued to the channels. The background thread does this every {@code evaluation_interval};
   * tests and the hub's API call it to see a settled state.
   */
  public void evaluateNow() {
    long target = observed.sum();
    List<Alert> changed = new ArrayList<>();
    boolean persisting = false;
    lock.lock();
    try {
      if (finished) {
        inbox.clear();
        return;
      }
      drain();
      awaitWorker(target);
      if (finished) {
        return; // resolveAll ran while this waited: nothing more is evaluated
      }
      Instant now = clock.instant();
      List<Notification> notifications = evaluator.evaluate(now, changed::add);
      evaluations.increment();
      // the store is written after the evaluation lock is let go (readers of alerts and stats do
      // not wait for the writes, only for an evaluation queued behind them), in evaluation order:
      // the persist lock is taken before it is let go, and before anything is queued, so a channel
      // that takes a resolve at once finds it pending
      persistLock.lock();
      persisting = true;
      for (Notification n : notifications) {
        dispatch(n);
      }
      resend(now);
    } catch (RuntimeException | Error e) {
      if (persisting) {
        persistLock.unlock();
      }
      throw e;
    } finally {
      lock.unlock();
    }
    try {
      for (Alert alert : changed) {
        persist(alert);
      }
    } finally {
      persistLock.unlock();
    }
  }

  /**
   * Waits (the lock let go meanwhile) until the worker has applied what it took off the queue, so
   * an evaluation counts every observation accepted before it was called; at most a second.
   */
  private void awaitWorker(long target) {
    long nanos = TimeUnit.SECONDS.toNanos(1);
    try {
      while (applied < target && worker.isAlive() && nanos > 0) {
        nanos = caughtUp.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Saves {@code alert}'s new state; a resolve only once every channel has taken it. */
  private void persist(Alert alert) {
    String key = alert.dedupKey();
    pendingResolves.remove(key);
    if (alert.state() == AlertState.RESOLVED && alert.notifies() && !outboxes.isEmpty()) {
      java.util.Set<String> channels = new java.util.HashSet<>();
      outboxes.forEach(o -> channels.add(o.channel().name()));
      pendingResolves.put(key, new PendingResolve(alert, channels));
      return;
    }
    write(alert);
  }

  private void write(Alert alert) {
    try {
      if (alert.state() == AlertState.INACTIVE) {
        store.delete(alert.dedupKey());
      } else {
        store.save(alert);
      }
    } catch (RuntimeException e) {
      storeFailures.increment();
      LOG.log(Level.WARNING, "Could not save alert " + alert.ruleId() + "; only counted", e);
    }
  }

  /** A channel's outbox finished with {@code n}: a resolve every channel took is saved as such. */
  private void delivered(String channel, Notification n, boolean delivered) {
    if (!n.resolved() || !delivered) {
      return; // a resolve not delivered stays firing in the store: the next start sends it again
    }
    persistLock.lock();
    try {
      PendingResolve pending = pendingResolves.get(n.alert().dedupKey());
      if (pending == null
          || !java.util.Objects.equals(pending.resolved.resolvedAt(), n.alert().resolvedAt())) {
        return;
      }
      pending.channels.remove(channel);
      if (pending.channels.isEmpty()) {
        pendingResolves.remove(n.alert().dedupKey());
        write(pending.resolved);
      }
    } finally {
      persistLock.unlock();
    }
  }

  /** Channels that need firing alerts sent again (Alertmanager) get them when due. */
  private void resend(Instant now) {
    for (DeliveryQueue outbox : outboxes) {
      Duration every = outbox.channel().resendInterval();
      if (every == null) {
        continue;
      }
      Instant last = lastResend.get(outbox.channel().name());
      if (last != null && Duration.between(last, now).compareTo(every) < 0) {
        continue;
      }
      lastResend.put(outbox.channel().name(), now);
      if (last == null) {
        continue; // the first evaluation: triggers just went out
      }
      for (Alert alert : evaluator.active()) {
        if (alert.state() == AlertState.FIRING && alert.notifies()) {
          outbox.offer(new Notification(Notification.Kind.TRIGGER, alert, true, false, now));
        }
      }
    }
  }

  private void dispatch(Notification notification) {
    if (!notification.alert().notifies()) {
      return;
    }
    for (DeliveryQueue outbox : outboxes) {
      outbox.offer(notification);
    }
  }

  /**
   * Evaluates now and waits up to {@code timeout} for every channel's outbox to empty.
   *
   * @return true when everything queued was sent or given up on in time
   */
  public boolean settle(Duration timeout) throws InterruptedException {
    evaluateNow();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean idle = true;
      for (DeliveryQueue outbox : outboxes) {
        idle &= outbox.queued() == 0;
      }
      if (idle) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(10);
    }
  }

  /**
   * Makes notifications link back to the hub at {@code hubUrl} (its pages, Alertmanager's {@code
   * generatorURL}), on every channel that was given no hub URL of its own ({@code external_url}).
   */
  public void useExternalUrl(String hubUrl) {
    if (hubUrl == null) {
      return;
    }
    for (DeliveryQueue outbox : outboxes) {
      outbox.useHubUrl(hubUrl.replaceAll("/+$", ""));
    }
  }

  /**
   * Resolves every firing alert now, forgets every pending one, and evaluates nothing more,
   * whatever the rules say: for a run that ends for good (the demo), so no incident stays open in
   * PagerDuty or Slack. The resolves go out as any other; wait for them with {@link #settle}.
   */
  public void resolveAll() {
    List<Alert> changed = new ArrayList<>();
    boolean persisting = false;
    lock.lock();
    try {
      finished = true;
      inbox.clear();
      List<Notification> resolves = evaluator.resolveAll(clock.instant(), changed::add);
      persistLock.lock(); // before the resolves are queued, as in evaluateNow
      persisting = true;
      resolves.forEach(this::dispatch);
    } catch (RuntimeException | Error e) {
      if (persisting) {
        persistLock.unlock();
      }
      throw e;
    } finally {
      lock.unlock();
    }
    try {
      changed.forEach(this::persist);
    } finally {
      persistLock.unlock();
    }
  }

  /** Pending and firing alerts, firing first. */
  public List<Alert> alerts() {
    lock.lock();
    try {
      return evaluator.active();
    } finally {
      lock.unlock();
    }
  }

  /** Resolved alerts, newest first, at most {@code history} of them. */
  public List<Alert> history() {
    lock.lock();
    try {
      return evaluator.history();
    } finally {
      lock.unlock();
    }
  }

  /** The rules, in configuration order. */
  public List<AlertRule> rules() {
    return config.rules();
  }

  public AlertConfig config() {
    return config;
  }

  /** The counters now. */
  public AlertingStats stats() {
    Map<String, Integer> firing = new LinkedHashMap<>();
    Map<String, Integer> pending = new LinkedHashMap<>();
    long overflowed;
    lock.lock();
    try {
      evaluator
          .counts()
          .forEach(
              (rule, c) -> {
                firing.put(rule, c[0]);
                pending.put(rule, c[1]);
              });
      overflowed = evaluator.overflowed();
    } finally {
      lock.unlock();
    }
    List<AlertingStats.Channel> channels = new ArrayList<>();
    for (DeliveryQueue q : outboxes) {
      channels.add(
          new AlertingStats.Channel(
              q.channel().name(),
              q.sent(),
              q.failed(),
              q.retried(),
              q.dropped(),
              q.queued(),
              q.lastError()));
    }
    return new AlertingStats(
        observed.sum(),
        dropped.sum(),
        evaluations.sum(),
        overflowed,
        storeFailures.sum(),
        evaluationFailures.sum(),
        firing,
        pending,
        channels);
  }

  /**
   * Stops: unsubscribes, applies what is queued, evaluates once more, and delivers what the
   * channels hold within 5 seconds (what is left is dropped and counted). Alerts still firing stay
   * firing: their state is in the store for the next start. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (subscriptions) {
      subscriptions.forEach(Subscription::close);
    }
    worker.interrupt();
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      evaluateNow();
    } catch (RuntimeException e) {
      evaluationFailures.increment();
      LOG.log(Level.WARNING, "The last alert evaluation failed", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (DeliveryQueue outbox : outboxes) {
      outbox.close(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }
  }

  /** Configures {@link Alerting}. */
  public static final class Builder {
    private final AlertConfig config;
    private Clock clock = Clock.systemUTC();
    private AlertStateStore store = AlertStateStore.none();
    private List<HypervisorEvent> replay = List.of();
    private boolean background = true;

    private Builder(AlertConfig config) {
      this.config = config;
    }

    /** The clock windows and durations are measured on; the system's by default. */
    public Builder clock(Clock clock) {
      if (clock == null) {
        throw new IllegalArgumentException("clock must not be null");
      }
      this.clock = clock;
      return this;
    }

    /** Where alerts are kept across restarts; nowhere by default. */
    public Builder stateStore(AlertStateStore store) {
      if (store == null) {
        throw new IllegalArgumentException("store must not be null");
      }
      this.store = store;
      return this;
    }

    /**
     * Events from before the start (e.g. the hub's last window from its store), applied at their
     * own timestamps before the first evaluation, so windows and silences carry over a restart.
     */
    public Builder replay(List<HypervisorEvent> events) {
      this.replay = List.copyOf(events);
      return this;
    }

    /**
     * Whether a background thread evaluates every {@code evaluation_interval} (true by default);
     * false leaves evaluation to {@link Alerting#evaluateNow()}, for tests on a controlled clock.
     */
    public Builder evaluateInBackground(boolean background) {
      this.background = background;
      return this;
    }

    public Alerting build() {
      return new Alerting(this);
    }
  }
}
