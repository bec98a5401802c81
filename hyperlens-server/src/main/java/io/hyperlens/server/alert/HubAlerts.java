package io.hyperlens.server.alert;

import io.hyperlens.alerting.Alert;
import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.alerting.AlertRule;
import io.hyperlens.alerting.AlertState;
import io.hyperlens.alerting.Alerting;
import io.hyperlens.alerting.AlertingStats;
import io.hyperlens.alerting.RuleType;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.event.EventQuery;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.governance.PolicyDecision;
import io.hyperlens.store.JdbcStore;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hub's alerting: the configured rules evaluated over every event and policy decision the hub
 * ingests and over its audit trail's verifications, with state in the hub's database and the events
 * of the longest window replayed from it at start, so a restart neither fires twice nor forgets a
 * resolve. Shows itself at {@code GET /api/alerts}, on the UI's alerts page and on {@code
 * /metrics}.
 */
public final class HubAlerts implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(HubAlerts.class.getName());

  /** Events replayed at start at most. */
  static final int MAX_REPLAY = 100_000;

  private final AlertConfig config;
  private final Alerting alerting;

  private HubAlerts(AlertConfig config, Alerting alerting) {
    this.config = config;
    this.alerting = alerting;
  }

  /**
   * Starts alerting on {@code store}: saved alerts resume; events of the last window (at most
   * 100,000) are replayed.
   */
  public static HubAlerts start(AlertConfig config, JdbcStore store) {
    Duration window = Duration.ZERO;
    for (AlertRule rule : config.rules()) {
      Duration needs =
          rule.type() == RuleType.ELEVATION_TOO_LONG || rule.type() == RuleType.AGENT_SILENT
              ? Duration.ofSeconds((long) Math.ceil(rule.threshold())).plus(rule.forDuration())
              : rule.window();
      window = needs.compareTo(window) > 0 ? needs : window;
    }
    Instant now = Instant.now();
    Instant from = now.minus(window);
    // back to the start of what a restored alert on a duration watches (an elevation opened before
    // the window), so a demotion or the agent's return since is seen
    StoredAlerts stored = new StoredAlerts(store, config.history());
    for (Alert saved : stored.load()) {
      AlertRule rule =
          config.rules().stream()
              .filter(r -> r.id().equals(saved.ruleId()))
              .findFirst()
              .orElse(null);
      boolean duration =
          rule != null
              && (rule.type() == RuleType.ELEVATION_TOO_LONG
                  || rule.type() == RuleType.AGENT_SILENT);
      if (duration && saved.state() != AlertState.RESOLVED && saved.activeAt() != null) {
        Instant start = saved.activeAt().minusSeconds((long) Math.ceil(rule.threshold()));
        from = start.isBefore(from) ? start : from;
      }
    }
    List<HypervisorEvent> replay = List.of();
    if (from.isBefore(now)) {
      try {
        replay =
            store.query(
                EventQuery.builder()
                    .timeRange(from, now.plus(Duration.ofDays(1)))
                    .limit(MAX_REPLAY)
                    .build());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Could not replay the last window of events for alerting", e);
      }
    }
    Alerting alerting = Alerting.builder(config).stateStore(stored).replay(replay).build();
    return new HubAlerts(config, alerting);
  }

  /** Links notifications back to {@code hubUrl} where the config set no {@code external_url}. */
  public void useExternalUrl(String hubUrl) {
    if (config.externalUrl() == null) {
      alerting.useExternalUrl(hubUrl);
    }
  }

  /** Resolves every firing alert now (a run that ends for good); see {@link #settle}. */
  public void resolveAll() {
    alerting.resolveAll();
  }

  /** Whether a rule watches the audit trail's verification. */
  public boolean watchesAudit() {
    return config.rules().stream().anyMatch(r -> r.type() == RuleType.AUDIT_VERIFICATION_FAILED);
  }

  /** Events the hub stored. */
  public void events(List<HypervisorEvent> events) {
    for (HypervisorEvent event : events) {
      alerting.observe(event);
    }
  }

  /** A policy decision the hub's audit trail recorded. */
  public void decision(AuditRecord record) {
    Object session = record.context().get("session_id");
    Object latency = record.context().get("latency_ms");
    Object answers = record.context().get("event_id");
    alerting.decision(
        record.agentId(),
        session == null ? null : session.toString(),
        record.isViolation() ? PolicyDecision.deny(record.reason()) : PolicyDecision.allow(null),
        latency instanceof Number ? ((Number) latency).doubleValue() : null,
        answers == null ? null : answers.toString());
  }

  /** A verification of the hub's audit trail: {@code ok} and, when not, what failed. */
  public void verified(boolean ok, String detail) {
    alerting.auditVerified(ok, detail);
  }

  /**
   * {@code GET /api/alerts}: alerts firing and pending now, the resolved ones (newest first), the
   * rules with how many of each state they hold, and each channel's counters.
   */
  public Map<String, Object> api() {
    alerting.evaluateNow();
    List<List<Map<String, Object>>> byState = firingAndPending();
    List<Map<String, Object>> firing = byState.get(0);
    List<Map<String, Object>> pending = byState.get(1);
    List<Map<String, Object>> history = new ArrayList<>();
    alerting.history().forEach(a -> history.add(a.toMap()));
    AlertingStats stats = alerting.stats();
    List<Map<String, Object>> rules = new ArrayList<>();
    for (AlertRule rule : config.rules()) {
      Map<String, Object> r = new LinkedHashMap<>(rule.toMap());
      r.put("condition", rule.describe());
      r.put("firing", stats.firing().getOrDefault(rule.id(), 0));
      r.put("pending", stats.pending().getOrDefault(rule.id(), 0));
      rules.add(r);
    }
    List<Map<String, Object>> channels = new ArrayList<>();
    for (int i = 0; i < stats.channels().size(); i++) {
      AlertingStats.Channel c = stats.channels().get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("description", config.channels().get(i).describe());
      m.put("sent", c.sent());
      m.put("failed", c.failed());
      m.put("retried", c.retried());
      m.put("dropped", c.dropped());
      m.put("queued", c.queued());
      m.put("last_error", c.lastError());
      channels.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("firing", firing);
    out.put("pending", pending);
    out.put("history", history);
    out.put("rules", rules);
    out.put("channels", channels);
    return out;
  }

  /** Evaluates now and waits up to {@code timeout} for the channels to deliver what is queued. */
  public boolean settle(Duration timeout) throws InterruptedException {
    return alerting.settle(timeout);
  }

  /** The alerts now as the API shows them: firing ones, then pending ones. */
  private List<List<Map<String, Object>>> firingAndPending() {
    List<Map<String, Object>> firing = new ArrayList<>();
    List<Map<String, Object>> pending = new ArrayList<>();
    for (Alert alert : alerting.alerts()) {
      (alert.state() == AlertState.FIRING ? firing : pending).add(alert.toMap());
    }
    return List.of(firing, pending);
  }

  /**
   * The overview's tile: {@code configured}, {@code firing_count}, {@code pending_count} and the
   * newest five firing alerts.
   */
  public Map<String, Object> summary() {
    List<List<Map<String, Object>>> byState = firingAndPending();
    List<Map<String, Object>> firing = byState.get(0);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("configured", true);
    summary.put("firing_count", firing.size());
    summary.put("pending_count", byState.get(1).size());
    summary.put("firing", firing.subList(0, Math.min(5, firing.size())));
    return summary;
  }

  /** How many alerts fire now. */
  public int firingCount() {
    return alerting.stats().firing().values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Pending and firing alerts. */
  public List<Alert> active() {
    return alerting.alerts();
  }

  /** Resolved alerts, newest first. */
  public List<Alert> history() {
    return alerting.history();
  }

  public AlertConfig config() {
    return config;
  }

  public AlertingStats stats() {
    return alerting.stats();
  }

  /** Puts alerting's state and counters on {@code registry}. */
  public void register(PrometheusRegistry registry) {
    GaugeWithCallback.builder()
        .name("hyperlens_alerts_firing")
        .help("Alerts firing now, by rule")
        .labelNames("rule")
        .callback(cb -> alerting.stats().firing().forEach((rule, n) -> cb.call(n, rule)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("hyperlens_alerts_pending")
        .help("Alerts pending (waiting for their rule's for) now, by rule")
        .labelNames("rule")
        .callback(cb -> alerting.stats().pending().forEach((rule, n) -> cb.call(n, rule)))
        .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_alert_notifications_total")
        .help(
            "Alert notifications by channel and outcome: sent (a 2xx), failed (a 4xx, or every"
                + " attempt failed), dropped (the channel's outbox was full)")
        .labelNames("channel", "outcome")
        .callback(
            cb -> {
              for (AlertingStats.Channel c : alerting.stats().channels()) {
                cb.call(c.sent(), c.name(), "sent");
                cb.call(c.failed(), c.name(), "failed");
                cb.call(c.dropped(), c.name(), "dropped");
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_alert_notification_retries_total")
        .help("Notification attempts after the first (429, 5xx, connection errors), by channel")
        .labelNames("channel")
        .callback(
            cb -> {
              for (AlertingStats.Channel c : alerting.stats().channels()) {
                cb.call(c.retried(), c.name());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_alert_observations_total")
        .help(
            "Events, decisions and verifications handed to alerting: taken, or dropped because its"
                + " queue was full")
        .labelNames("outcome")
        .callback(
            cb -> {
              AlertingStats s = alerting.stats();
              cb.call(s.observed(), "taken");
              cb.call(s.dropped(), "dropped");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_alert_groups_overflowed_total")
        .help("Observations a rule could not keep: it already tracked max_groups groups")
        .callback(cb -> cb.call(alerting.stats().groupsOverflowed()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hyperlens_alert_store_failures_total")
        .help("Saves of alert state to the hub's database that failed")
        .callback(cb -> cb.call(alerting.stats().storeFailures()))
        .register(registry);
  }

  @Override
  public void close() {
    alerting.close();
  }
}
