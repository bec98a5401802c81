package io.hyperlens.alerting;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.ring.Elevations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one rule keeps to decide whether its condition holds, per group of labels: windowed counts,
 * latencies, open elevations, when agents were last heard from, the last audit verification.
 * Bounded: at most {@code maxGroups} groups per rule; what would need more is counted in {@link
 * #overflowed}. Not thread-safe (the evaluator's one thread owns it).
 */
abstract class RuleState {
  /** The value of a missing agent or session label. */
  static final String UNKNOWN = "unknown";

  /** A group's reading at an evaluation. */
  record Reading(boolean holds, double value) {}

  final AlertRule rule;
  final int maxGroups;
  long overflowed;

  RuleState(AlertRule rule, int maxGroups) {
    this.rule = rule;
    this.maxGroups = maxGroups;
  }

  static RuleState of(AlertRule rule, int maxGroups) {
    switch (rule.type()) {
      case VIOLATION:
      case RING_BREACH_RATE:
      case SAGA_ESCALATED:
      case COMPENSATION_RATE:
        return new Counting(rule, maxGroups);
      case LATENCY_SPIKE:
        return new Latency(rule, maxGroups);
      case ERROR_RATE:
        return new ErrorRate(rule, maxGroups);
      case ELEVATION_TOO_LONG:
        return new Elevation(rule, maxGroups);
      case AGENT_SILENT:
        return new Silence(rule, maxGroups);
      default:
        return new AuditFailure(rule);
    }
  }

  /** An event arrived at {@code at} (its arrival time, or its own time when replayed). */
  void observe(HypervisorEvent event, Instant at) {}

  /**
   * A policy decision was recorded at {@code at}; {@code answers} is the id of the event it
   * answers, or null.
   */
  void observeDecision(
      String agent, String session, boolean denied, Double latencyMs, String answers, Instant at) {}

  /** The audit trail was verified at {@code at}. */
  void observeAudit(boolean ok, String detail, Instant at) {}

  /**
   * Takes back what a restored alert of {@code group} says about the state (a duration rule's
   * start, the audit rule's failure); nothing by default.
   */
  void restore(List<String> group, Alert alert, Instant now) {}

  /**
   * Until when a restored firing alert is not resolved for want of a reading: one window for rules
   * that count over one (what made it fire may not be replayed), null for the rest, which {@link
   * #restore} brings back.
   */
  Instant holdAfterRestart(Instant now) {
    return now.plus(rule.window());
  }

  /**
   * Every group the rule knows of with its reading at {@code now}; groups gone quiet are dropped.
   */
  abstract Map<List<String>, Reading> evaluate(Instant now);

  /** The summary of a reading of {@code group}. */
  String summary(List<String> group, double value) {
    Map<String, String> labels = groupLabels(group);
    String template = rule.summary() != null ? rule.summary() : defaultSummary();
    String text =
        template
            .replace("{agent}", labels.getOrDefault(AlertRule.AGENT_LABEL, ""))
            .replace("{session}", labels.getOrDefault(AlertRule.SESSION_LABEL, ""))
            .replace("{value}", number(value))
            .replace("{threshold}", number(rule.threshold()))
            .replace("{window}", human(rule.window()));
    if (rule.summary() == null) {
      // the group's labels the wording does not name already
      List<String> parts = new ArrayList<>();
      labels.forEach(
          (name, v) -> {
            String placeholder = name.equals(AlertRule.AGENT_LABEL) ? "{agent}" : "{session}";
            if (!template.contains(placeholder)) {
              parts.add(name + "=" + v);
            }
          });
      text += parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }
    return text;
  }

  abstract String defaultSummary();

  /** The group's labels by name, in the rule's group_by order. */
  Map<String, String> groupLabels(List<String> group) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < group.size(); i++) {
      labels.put(labelName(rule.groupBy().get(i)), group.get(i));
    }
    return labels;
  }

  static String labelName(String groupBy) {
    return groupBy.equals("agent") ? AlertRule.AGENT_LABEL : AlertRule.SESSION_LABEL;
  }

  List<String> group(String agent, String session) {
    List<String> groupBy = rule.groupBy();
    if (groupBy.isEmpty()) {
      return List.of();
    }
    String[] values = new String[groupBy.size()];
    for (int i = 0; i < values.length; i++) {
      String v = groupBy.get(i).equals("agent") ? agent : session;
      values[i] = v == null ? UNKNOWN : v;
    }
    return Arrays.asList(values);
  }

  List<String> group(HypervisorEvent event) {
    return group(event.agentDid().orElse(null), event.sessionId().orElse(null));
  }

  /** Whether {@code groups} may hold {@code key}; counts a refusal. */
  boolean roomFor(Map<List<String>, ?> groups, List<String> key) {
    if (groups.size() < maxGroups || groups.containsKey(key)) {
      return true;
    }
    overflowed++;
    return false;
  }

  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return String.format(Locale.ROOT, "%.3g", value);
  }

  static String human(Duration d) {
    long s = d.getSeconds();
    if (d.isZero()) {
      return "0s";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return d.toMillis() % 1000 == 0 ? s + "s" : d.toMillis() + "ms";
  }

  // ------------------------------------------------------------------ counting

  /** violation, ring_breach_rate, saga_escalated, compensation_rate: a count in the window. */
  static final class Counting extends RuleState {
    private final Map<List<String>, WindowCounts> groups = new HashMap<>();
    // violation: the ids of breaches counted, or answered by a denial counted (the newest 10,000)
    private final java.util.Set<String> counted =
        java.util.Collections.newSetFromMap(
            new LinkedHashMap<>(16, 0.75f, false) {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > 10_000;
              }
            });

    Counting(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
    }

    @Override
    Instant holdAfterRestart(Instant now) {
      // the replay restores a window of events; only violations count decisions, not replayed
      return rule.type() == RuleType.VIOLATION ? super.holdAfterRestart(now) : null;
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      EventType type = event.eventType();
      boolean counts;
      switch (rule.type()) {
        case VIOLATION:
        case RING_BREACH_RATE:
          counts = type == EventType.RING_BREACH_DETECTED;
          break;
        case SAGA_ESCALATED:
          counts = type == EventType.SAGA_ESCALATED;
          break;
        default:
          counts = type == EventType.SAGA_COMPENSATING;
          break;
      }
      if (counts && (rule.type() != RuleType.VIOLATION || counted.add(event.eventId()))) {
        add(group(event), at);
      }
    }

    @Override
    void observeDecision(
        String agent,
        String session,
        boolean denied,
        Double latencyMs,
        String answers,
        Instant at) {
      // a denial answering a breach already counted is the same violation, and the other way round
      if (denied
          && rule.type() == RuleType.VIOLATION
          && (answers == null || counted.add(answers))) {
        add(group(agent, session), at);
      }
    }

    private void add(List<String> group, Instant at) {
      if (roomFor(groups, group)) {
        groups.computeIfAbsent(group, g -> new WindowCounts(rule.window())).add(at, 1);
      }
    }

    @Override
    Map<List<String>, Reading> evaluate(Instant now) {
      Map<List<String>, Reading> readings = new HashMap<>();
      Iterator<Map.Entry<List<String>, WindowCounts>> it = groups.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<List<String>, WindowCounts> e = it.next();
        double count = e.getValue().sum(now);
        if (count == 0) {
          it.remove();
        }
        readings.put(e.getKey(), new Reading(count >= rule.threshold(), count));
      }
      return readings;
    }

    @Override
    String defaultSummary() {
      switch (rule.type()) {
        case VIOLATION:
          return "{value} policy violations in {window}";
        case RING_BREACH_RATE:
          return "{value} ring breaches in {window}";
        case SAGA_ESCALATED:
          return "{value} sagas escalated in {window}";
        default:
          return "{value} saga compensations in {window}";
      }
    }
  }

  // ------------------------------------------------------------------ latency

  /** latency_spike: a quantile of the window's latencies above threshold_ms. */
  static final class Latency extends RuleState {
    /** Latencies kept per group; the oldest go first. */
    static final int MAX_SAMPLES = 1024;

    /** Step starts waiting for their end, by event id. */
    static final int MAX_OPEN_STEPS = 10_000;

    private final Map<List<String>, ArrayDeque<double[]>> groups = new HashMap<>();
    // step starts by their event id (an end names it as its parent) and by saga and step id (as
    // the saga span exporter pairs them); the oldest go first
    private final Map<String, Instant> startsById = bounded();
    private final Map<String, Instant> startsByStep = bounded();

    private static Map<String, Instant> bounded() {
      return new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > MAX_OPEN_STEPS;
        }
      };
    }

    private static String stepKey(HypervisorEvent event) {
      Object saga = event.payload().get("saga_id");
      Object step = event.payload().get("step_id");
      return saga == null || step == null ? null : saga + "\u0000" + step;
    }

    Latency(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
    }

    @Override
    Instant holdAfterRestart(Instant now) {
      // steps are replayed; policy latencies (decisions) are not
      return rule.source() == AlertRule.LatencySource.TOOL ? null : super.holdAfterRestart(now);
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      if (rule.source() == AlertRule.LatencySource.GOVERNANCE) {
        return;
      }
      EventType type = event.eventType();
      if (type == EventType.SAGA_STEP_STARTED) {
        startsById.put(event.eventId(), event.timestamp());
        String step = stepKey(event);
        if (step != null) {
          startsByStep.put(step, event.timestamp());
        }
        return;
      }
      if (type != EventType.SAGA_STEP_COMMITTED && type != EventType.SAGA_STEP_FAILED) {
        return;
      }
      Double ms = millis(event.payload().get("duration_ms"));
      if (ms == null) {
        ms = millis(event.payload().get("latency_ms"));
      }
      Instant started = event.parentEventId().map(startsById::remove).orElse(null);
      String step = stepKey(event);
      Instant byStep = step == null ? null : startsByStep.remove(step);
      started = started != null ? started : byStep;
      if (ms == null && started != null) {
        Duration d = Duration.between(started, event.timestamp());
        ms = d.isNegative() ? 0.0 : d.toNanos() / 1e6;
      }
      if (ms != null) {
        add(group(event), ms, at);
      }
    }

    @Override
    void observeDecision(
        String agent,
        String session,
        boolean denied,
        Double latencyMs,
        String answers,
        Instant at) {
      if (latencyMs != null && rule.source() != AlertRule.LatencySource.TOOL) {
        add(group(agent, session), latencyMs, at);
      }
    }

    private static Double millis(Object value) {
      if (value instanceof Number) {
        double ms = ((Number) value).doubleValue();
        return Double.isFinite(ms) && ms >= 0 ? ms : null;
      }
      return null;
    }

    private void add(List<String> group, double ms, Instant at) {
      if (!roomFor(groups, group)) {
        return;
      }
      ArrayDeque<double[]> samples = groups.computeIfAbsent(group, g -> new ArrayDeque<>());
      if (samples.size() == MAX_SAMPLES) {
        samples.removeFirst();
      }
      samples.addLast(new double[] {at.toEpochMilli(), ms});
    }

    @Override
    Map<List<String>, Reading> evaluate(Instant now) {
      Map<List<String>, Reading> readings = new HashMap<>();
      long from = now.minus(rule.window()).toEpochMilli();
      Iterator<Map.Entry<List<String>, ArrayDeque<double[]>>> it = groups.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<List<String>, ArrayDeque<double[]>> e = it.next();
        ArrayDeque<double[]> samples = e.getValue();
        samples.removeIf(sample -> sample[0] <= from);
        if (samples.isEmpty()) {
          it.remove();
          readings.put(e.getKey(), new Reading(false, 0));
          continue;
        }
        double[] values = new double[samples.size()];
        int i = 0;
        for (double[] sample : samples) {
          values[i++] = sample[1];
        }
        Arrays.sort(values);
        // nearest rank: the smallest value with at least quantile of the samples at or below it
        int rank = (int) Math.ceil(rule.quantile() * values.length);
        double q = values[Math.max(0, rank - 1)];
        readings.put(e.getKey(), new Reading(q > rule.threshold(), q));
      }
      return readings;
    }

    @Override
    String defaultSummary() {
      String p = number(rule.quantile() * 100);
      return "p" + p + " latency {value} ms over {window} exceeds {threshold} ms";
    }
  }

  // ------------------------------------------------------------------ error rate

  /** error_rate: failed saga steps over finished ones in the window. */
  static final class ErrorRate extends RuleState {
    private final Map<List<String>, WindowCounts[]> groups = new HashMap<>();

    ErrorRate(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
    }

    @Override
    Instant holdAfterRestart(Instant now) {
      return null; // its steps are all replayed
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      EventType type = event.eventType();
      if (type != EventType.SAGA_STEP_COMMITTED && type != EventType.SAGA_STEP_FAILED) {
        return;
      }
      List<String> group = group(event);
      if (!roomFor(groups, group)) {
        return;
      }
      WindowCounts[] counts =
          groups.computeIfAbsent(
              group,
              g ->
                  new WindowCounts[] {
                    new WindowCounts(rule.window()), new WindowCounts(rule.window())
                  });
      counts[0].add(at, 1);
      if (type == EventType.SAGA_STEP_FAILED) {
        counts[1].add(at, 1);
      }
    }

    @Override
    Map<List<String>, Reading> evaluate(Instant now) {
      Map<List<String>, Reading> readings = new HashMap<>();
      Iterator<Map.Entry<List<String>, WindowCounts[]>> it = groups.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<List<String>, WindowCounts[]> e = it.next();
        double total = e.getValue()[0].sum(now);
        double failed = e.getValue()[1].sum(now);
        if (total == 0) {
          it.remove();
        }
        double ratio = total == 0 ? 0 : failed / total;
        readings.put(
            e.getKey(), new Reading(total >= rule.minEvents() && ratio >= rule.threshold(), ratio));
      }
      return readings;
    }

    @Override
    String defaultSummary() {
      return "{value} of saga steps failed in {window} (threshold {threshold})";
    }
  }

  // ------------------------------------------------------------------ durations

  /** A rule on how long ago something began, per agent: elevation_too_long, agent_silent. */
  abstract static class Since extends RuleState {
    Since(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
    }

    /** When it began, by group. */
    abstract Map<List<String>, Instant> starts();

    /** Whether {@code seconds} since the start break the rule. */
    abstract boolean over(double seconds);

    /** A restored alert's start: when it began to hold, less the threshold. */
    Instant start(Alert alert, Instant now) {
      Instant active = alert.activeAt() != null ? alert.activeAt() : now;
      return active.minusMillis((long) (rule.threshold() * 1000));
    }

    @Override
    Instant holdAfterRestart(Instant now) {
      return null; // restore() brings the start back
    }

    @Override
    Map<List<String>, Reading> evaluate(Instant now) {
      Map<List<String>, Reading> readings = new HashMap<>();
      starts()
          .forEach(
              (group, since) -> {
                Duration d = Duration.between(since, now);
                double seconds = d.isNegative() ? 0 : d.toMillis() / 1000.0;
                readings.put(group, new Reading(over(seconds), seconds));
              });
      return readings;
    }

    @Override
    String summary(List<String> group, double value) {
      return super.summary(group, Math.floor(value));
    }
  }

  /** elevation_too_long: an agent's open elevation held longer than threshold_seconds. */
  static final class Elevation extends Since {
    private final Elevations elevations;

    Elevation(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
      this.elevations = new Elevations(maxGroups);
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      if (!elevations.observe(event)) {
        overflowed++;
      } else if (event.eventType() != EventType.RING_ELEVATED) {
        // closed (or never open): nothing left to watch; only open elevations take room
        event
            .agentDid()
            .filter(agent -> elevations.openSince(agent).isEmpty())
            .ifPresent(elevations::forget);
      }
    }

    @Override
    void restore(List<String> group, Alert alert, Instant now) {
      // open since about when it crossed the threshold, less the threshold; a replayed demotion
      // closes it again
      elevations.observe(
          HypervisorEvent.builder(EventType.RING_ELEVATED)
              .agentDid(group.get(0))
              .timestamp(start(alert, now))
              .build());
    }

    @Override
    Map<List<String>, Instant> starts() {
      Map<List<String>, Instant> starts = new HashMap<>();
      elevations.open().forEach((agent, since) -> starts.put(List.of(agent), since));
      return starts;
    }

    @Override
    boolean over(double seconds) {
      return seconds > rule.threshold(); // as deploy/'s rule: over 300 s
    }

    @Override
    String defaultSummary() {
      return "Agent {agent} elevated for {value} s, over {threshold} s";
    }
  }

  /**
   * agent_silent: no event from an agent for threshold_seconds. Agents are watched while they have
   * a session open: once every session they took part in is terminated or archived (or the agent is
   * killed), it is done, not silent, and forgotten. An agent whose events carry no session is
   * watched until it is killed.
   */
  static final class Silence extends Since {
    private final Map<List<String>, Instant> lastSeen = new HashMap<>();
    private final Map<String, java.util.Set<String>> sessionAgents = new HashMap<>();
    private final Map<String, Integer> openSessions = new HashMap<>();

    Silence(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
    }

    private void forget(String agent) {
      lastSeen.remove(List.of(agent));
      openSessions.remove(agent);
    }

    @Override
    void restore(List<String> group, Alert alert, Instant now) {
      lastSeen.putIfAbsent(group, start(alert, now));
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      String agent = event.agentDid().orElse(null);
      String session = event.sessionId().orElse(null);
      EventType type = event.eventType();
      if (agent != null) {
        List<String> group = List.of(agent);
        if (type == EventType.AGENT_KILLED) {
          forget(agent);
        } else if (roomFor(lastSeen, group)) {
          lastSeen.merge(group, at, (a, b) -> a.isAfter(b) ? a : b);
          boolean room = sessionAgents.containsKey(session) || sessionAgents.size() < maxGroups;
          if (session != null
              && room
              && sessionAgents
                  .computeIfAbsent(session, s -> new java.util.HashSet<>())
                  .add(agent)) {
            openSessions.merge(agent, 1, Integer::sum);
          }
        }
      }
      if (session != null
          && (type == EventType.SESSION_TERMINATED || type == EventType.SESSION_ARCHIVED)) {
        java.util.Set<String> agents = sessionAgents.remove(session);
        if (agents != null) {
          for (String done : agents) {
            if (openSessions.merge(done, -1, Integer::sum) <= 0) {
              forget(done);
            }
          }
        }
      }
    }

    @Override
    Map<List<String>, Instant> starts() {
      return lastSeen;
    }

    @Override
    boolean over(double seconds) {
      return seconds >= rule.threshold(); // silent for the whole threshold
    }

    @Override
    String defaultSummary() {
      return "Agent {agent} silent for {value} s (threshold {threshold} s)";
    }
  }

  // ------------------------------------------------------------------ audit

  /** audit_verification_failed: the last verification of the trail failed. */
  static final class AuditFailure extends RuleState {
    private Boolean lastOk;
    private String detail = "";

    AuditFailure(AlertRule rule) {
      super(rule, 1);
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      if (event.eventType() == EventType.HISTORY_VERIFIED) {
        Object verified = event.payload().get("verified");
        if (verified instanceof Boolean) {
          Object reason = event.payload().get("reason");
          observeAudit((Boolean) verified, reason == null ? "" : reason.toString(), at);
        }
      }
    }

    @Override
    void observeAudit(boolean ok, String detail, Instant at) {
      this.lastOk = ok;
      this.detail = detail == null ? "" : detail;
    }

    @Override
    void restore(List<String> group, Alert alert, Instant now) {
      // failed until a verification after the start says otherwise
      String prefix = defaultSummary() + ": ";
      String summary = alert.summary();
      observeAudit(
          false, summary.startsWith(prefix) ? summary.substring(prefix.length()) : "", now);
    }

    @Override
    Instant holdAfterRestart(Instant now) {
      return null;
    }

    @Override
    Map<List<String>, Reading> evaluate(Instant now) {
      if (lastOk == null) {
        return Map.of();
      }
      return Map.of(List.of(), new Reading(!lastOk, lastOk ? 0 : 1));
    }

    @Override
    String defaultSummary() {
      return "Audit trail verification failed";
    }

    @Override
    String summary(List<String> group, double value) {
      String base = super.summary(group, value);
      return detail.isEmpty() || rule.summary() != null ? base : base + ": " + detail;
    }
  }
}
