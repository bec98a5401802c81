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

  /** A policy decision was recorded at {@code at}. */
  void observeDecision(
      String agent, String session, boolean denied, Double latencyMs, Instant at) {}

  /** The audit trail was verified at {@code at}. */
  void observeAudit(boolean ok, String detail, Instant at) {}

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
    if (rule.summary() == null && !labels.isEmpty()) {
      List<String> parts = new ArrayList<>();
      labels.forEach((name, v) -> parts.add(name + "=" + v));
      text += " (" + String.join(", ", parts) + ")";
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

    Counting(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
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
      if (counts) {
        add(group(event), at);
      }
    }

    @Override
    void observeDecision(
        String agent, String session, boolean denied, Double latencyMs, Instant at) {
      if (denied && rule.type() == RuleType.VIOLATION) {
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
    private final LinkedHashMap<String, Instant> openSteps =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > MAX_OPEN_STEPS;
          }
        };

    Latency(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      if (rule.source() == AlertRule.LatencySource.GOVERNANCE) {
        return;
      }
      EventType type = event.eventType();
      if (type == EventType.SAGA_STEP_STARTED) {
        openSteps.put(event.eventId(), event.timestamp());
        return;
      }
      if (type != EventType.SAGA_STEP_COMMITTED && type != EventType.SAGA_STEP_FAILED) {
        return;
      }
      Double ms = millis(event.payload().get("duration_ms"));
      if (ms == null) {
        ms = millis(event.payload().get("latency_ms"));
      }
      Instant started = event.parentEventId().map(openSteps::remove).orElse(null);
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
        String agent, String session, boolean denied, Double latencyMs, Instant at) {
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
      }
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

  /** agent_silent: no event from an agent for threshold_seconds (a killed agent is forgotten). */
  static final class Silence extends Since {
    private final Map<List<String>, Instant> lastSeen = new HashMap<>();

    Silence(AlertRule rule, int maxGroups) {
      super(rule, maxGroups);
    }

    @Override
    void observe(HypervisorEvent event, Instant at) {
      if (event.agentDid().isEmpty()) {
        return;
      }
      List<String> group = List.of(event.agentDid().get());
      if (event.eventType() == EventType.AGENT_KILLED) {
        lastSeen.remove(group);
      } else if (roomFor(lastSeen, group)) {
        lastSeen.merge(group, at, (a, b) -> a.isAfter(b) ? a : b);
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
