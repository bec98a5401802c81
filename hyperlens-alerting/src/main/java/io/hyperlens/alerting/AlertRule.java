package io.hyperlens.alerting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One alert rule: what to watch ({@link RuleType}), when it counts as a problem (threshold, window,
 * quantile), for how long before it fires ({@code for}), which labels make separate alerts ({@code
 * group_by}: {@code agent}, {@code session}), and how it is presented (severity, extra labels,
 * summary). Immutable; built with {@link #builder(RuleType)} or read from an {@link AlertConfig}
 * file.
 *
 * <pre>{@code
 * AlertRule spike =
 *     AlertRule.builder(RuleType.LATENCY_SPIKE)
 *         .thresholdMs(1000)
 *         .window(Duration.ofMinutes(1))
 *         .forDuration(Duration.ofSeconds(30))
 *         .severity(Severity.ERROR)
 *         .build();
 * }</pre>
 */
public final class AlertRule {
  /** The label that names the rule on every alert, as Prometheus names its alerts. */
  public static final String ALERTNAME = "alertname";

  /** The label of the agent an alert is about. */
  public static final String AGENT_LABEL = "agent_did";

  /** The label of the session an alert is about. */
  public static final String SESSION_LABEL = "session_id";

  /** The label that carries the rule's severity. */
  public static final String SEVERITY_LABEL = "severity";

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,63}");

  /** Where a latency_spike rule reads latencies. */
  public enum LatencySource {
    /** Tool work: saga steps (start to commit or failure, or a {@code duration_ms} payload). */
    TOOL,
    /** Policy evaluation: decisions recorded with a {@code latency_ms} context value. */
    GOVERNANCE,
    /** Both. */
    ANY;

    /** The wire value, lower case. */
    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static LatencySource fromValue(String value) {
      for (LatencySource source : values()) {
        if (source.value().equals(value)) {
          return source;
        }
      }
      throw new IllegalArgumentException("source must be tool, governance or any; got " + value);
    }
  }

  private final String id;
  private final RuleType type;
  private final Severity severity;
  private final boolean alert;
  private final List<String> groupBy;
  private final Duration forDuration;
  private final Duration window;
  private final double threshold;
  private final double quantile;
  private final LatencySource source;
  private final int minEvents;
  private final Map<String, String> labels;
  private final String summary;

  private AlertRule(Builder b) {
    this.type = b.type;
    this.id = b.id != null ? b.id : b.type.value();
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "id must be 1 to 128 letters, digits or _.:- ; got \"" + id + "\"");
    }
    this.severity = b.severity != null ? b.severity : defaultSeverity(type);
    this.alert = b.alert;
    this.groupBy = List.copyOf(b.groupBy != null ? b.groupBy : defaultGroupBy(type));
    for (String group : groupBy) {
      if (!group.equals("agent") && !group.equals("session")) {
        throw new IllegalArgumentException(
            "group_by of rule " + id + " takes agent and session; got \"" + group + "\"");
      }
    }
    if ((type == RuleType.ELEVATION_TOO_LONG || type == RuleType.AGENT_SILENT)
        && !groupBy.equals(List.of("agent"))) {
      throw new IllegalArgumentException(
          "group_by of rule " + id + " (" + type.value() + ") is always [agent]; got " + groupBy);
    }
    if (type == RuleType.AUDIT_VERIFICATION_FAILED && !groupBy.isEmpty()) {
      throw new IllegalArgumentException(
          "group_by of rule " + id + " (audit_verification_failed) must be empty; got " + groupBy);
    }
    this.forDuration = b.forDuration != null ? b.forDuration : Duration.ZERO;
    if (forDuration.isNegative() || forDuration.compareTo(Duration.ofDays(30)) > 0) {
      throw new IllegalArgumentException(
          "for of rule " + id + " must be within 0s..30d; got " + forDuration);
    }
    this.window = b.window != null ? b.window : Duration.ofMinutes(5);
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "window of rule " + id + " must be within 1s..24h; got " + window);
    }
    this.threshold = b.threshold != null ? b.threshold : defaultThreshold(type, id);
    if (!(threshold > 0) || Double.isInfinite(threshold)) {
      throw new IllegalArgumentException(
          thresholdName(type) + " of rule " + id + " must be a positive number; got " + threshold);
    }
    if (type == RuleType.ERROR_RATE && threshold > 1) {
      throw new IllegalArgumentException(
          "threshold of rule " + id + " (error_rate) is a ratio within 0..1; got " + threshold);
    }
    this.quantile = b.quantile;
    if (!(quantile > 0 && quantile <= 1)) {
      throw new IllegalArgumentException(
          "quantile of rule " + id + " must be within (0, 1]; got " + quantile);
    }
    this.source = b.source;
    this.minEvents = b.minEvents;
    if (minEvents < 1) {
      throw new IllegalArgumentException(
          "min_events of rule " + id + " must be at least 1; got " + minEvents);
    }
    Map<String, String> extra = new TreeMap<>();
    b.labels.forEach(
        (name, value) -> {
          if (!LABEL.matcher(name).matches()
              || name.equals(ALERTNAME)
              || name.equals(SEVERITY_LABEL)
              || name.equals(AGENT_LABEL)
              || name.equals(SESSION_LABEL)) {
            throw new IllegalArgumentException(
                "labels of rule "
                    + id
                    + ": \""
                    + name
                    + "\" is not a label name of your own (alertname, severity, agent_did and"
                    + " session_id are set by Hyperlens)");
          }
          if (value == null) {
            throw new IllegalArgumentException(
                "labels of rule " + id + ": the value of " + name + " is missing");
          }
          extra.put(name, value);
        });
    this.labels = Collections.unmodifiableMap(extra);
    if (b.summary != null && b.summary.isBlank()) {
      throw new IllegalArgumentException(
          "summary of rule " + id + " must not be blank (PagerDuty refuses an empty summary)");
    }
    if ((type == RuleType.ELEVATION_TOO_LONG || type == RuleType.AGENT_SILENT)
        && threshold > 366 * 86_400) {
      throw new IllegalArgumentException(
          "threshold_seconds of rule " + id + " must be at most a year; got " + threshold);
    }
    this.summary = b.summary;
  }

  private static Severity defaultSeverity(RuleType type) {
    return type == RuleType.AUDIT_VERIFICATION_FAILED || type == RuleType.VIOLATION
        ? Severity.CRITICAL
        : Severity.WARNING;
  }

  private static List<String> defaultGroupBy(RuleType type) {
    switch (type) {
      case VIOLATION:
      case RING_BREACH_RATE:
      case ELEVATION_TOO_LONG:
      case AGENT_SILENT:
        return List.of("agent");
      default:
        return List.of();
    }
  }

  private static double defaultThreshold(RuleType type, String id) {
    switch (type) {
      case LATENCY_SPIKE:
        throw new IllegalArgumentException(
            "threshold_ms of rule " + id + " (latency_spike) is required");
      case RING_BREACH_RATE:
      case COMPENSATION_RATE:
        return 5;
      case ELEVATION_TOO_LONG:
      case AGENT_SILENT:
        return 300;
      case ERROR_RATE:
        return 0.1;
      default:
        return 1;
    }
  }

  /** The configuration key of this type's threshold. */
  static String thresholdName(RuleType type) {
    switch (type) {
      case LATENCY_SPIKE:
        return "threshold_ms";
      case ELEVATION_TOO_LONG:
      case AGENT_SILENT:
        return "threshold_seconds";
      default:
        return "threshold";
    }
  }

  /** A rule of {@code type} with its defaults, to be adjusted. */
  public static Builder builder(RuleType type) {
    if (type == null) {
      throw new IllegalArgumentException("type must not be null");
    }
    return new Builder(type);
  }

  /** The rule's id: the {@code alertname} of its alerts. Defaults to the type's name. */
  public String id() {
    return id;
  }

  public RuleType type() {
    return type;
  }

  public Severity severity() {
    return severity;
  }

  /** The seed's {@code alert} flag: false keeps the rule's state without notifying anyone. */
  public boolean alert() {
    return alert;
  }

  /** The labels that make separate alerts: {@code agent}, {@code session}, in the given order. */
  public List<String> groupBy() {
    return groupBy;
  }

  /** How long the condition must hold before the alert fires. */
  public Duration forDuration() {
    return forDuration;
  }

  /** The window counts, ratios and quantiles are taken over. */
  public Duration window() {
    return window;
  }

  /**
   * The threshold: a count for the counting rules, a ratio for {@code error_rate}, milliseconds for
   * {@code latency_spike}, seconds for {@code elevation_too_long} and {@code agent_silent}.
   */
  public double threshold() {
    return threshold;
  }

  /** The latency quantile a {@code latency_spike} rule compares, 0.95 by default. */
  public double quantile() {
    return quantile;
  }

  /** Where a {@code latency_spike} rule reads latencies. */
  public LatencySource source() {
    return source;
  }

  /** Finished steps an {@code error_rate} window needs before its ratio counts. */
  public int minEvents() {
    return minEvents;
  }

  /** Extra labels put on every alert of the rule. */
  public Map<String, String> labels() {
    return labels;
  }

  /** The summary's template, or null for the type's own wording. */
  public String summary() {
    return summary;
  }

  /** The rule as the API shows it: its configuration keys. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", id);
    map.put("type", type.value());
    map.put("severity", severity.value());
    map.put("alert", alert);
    map.put("group_by", groupBy);
    map.put("for", forDuration.toString());
    switch (type) {
      case AUDIT_VERIFICATION_FAILED:
        break;
      case ELEVATION_TOO_LONG:
      case AGENT_SILENT:
        map.put(thresholdName(type), threshold);
        break;
      case LATENCY_SPIKE:
        map.put("threshold_ms", threshold);
        map.put("quantile", quantile);
        map.put("source", source.value());
        map.put("window", window.toString());
        break;
      case ERROR_RATE:
        map.put("threshold", threshold);
        map.put("min_events", minEvents);
        map.put("window", window.toString());
        break;
      default:
        map.put("threshold", threshold);
        map.put("window", window.toString());
        break;
    }
    if (!labels.isEmpty()) {
      map.put("labels", labels);
    }
    if (summary != null) {
      map.put("summary", summary);
    }
    return map;
  }

  /** The condition in words, e.g. {@code at least 5 ring breaches in 5m, for 1m}. */
  public String describe() {
    String condition;
    switch (type) {
      case VIOLATION:
        condition = "at least " + RuleState.number(threshold) + " policy violations";
        break;
      case RING_BREACH_RATE:
        condition = "at least " + RuleState.number(threshold) + " ring breaches";
        break;
      case SAGA_ESCALATED:
        condition = "at least " + RuleState.number(threshold) + " escalated sagas";
        break;
      case COMPENSATION_RATE:
        condition = "at least " + RuleState.number(threshold) + " saga compensations";
        break;
      case LATENCY_SPIKE:
        condition =
            "p"
                + RuleState.number(quantile * 100)
                + " "
                + source.value()
                + " latency over "
                + RuleState.number(threshold)
                + " ms";
        break;
      case ERROR_RATE:
        condition =
            "failed saga steps at least "
                + RuleState.number(threshold * 100)
                + " % of at least "
                + minEvents;
        break;
      case ELEVATION_TOO_LONG:
        return "an agent elevated for over "
            + RuleState.number(threshold)
            + " s, for "
            + RuleState.human(forDuration);
      case AGENT_SILENT:
        return "an agent silent for "
            + RuleState.number(threshold)
            + " s, for "
            + RuleState.human(forDuration);
      default:
        return "the last audit verification failed";
    }
    return condition + " in " + RuleState.human(window) + ", for " + RuleState.human(forDuration);
  }

  @Override
  public String toString() {
    return "AlertRule" + toMap();
  }

  /** Builds an {@link AlertRule}; every setter checks nothing until {@link #build()}. */
  public static final class Builder {
    private final RuleType type;
    private String id;
    private Severity severity;
    private boolean alert = true;
    private List<String> groupBy;
    private Duration forDuration;
    private Duration window;
    private Double threshold;
    private double quantile = 0.95;
    private LatencySource source = LatencySource.ANY;
    private int minEvents = 20;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String summary;

    private Builder(RuleType type) {
      this.type = type;
    }

    /** The rule's id and alert name; unique within a config. */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder severity(Severity severity) {
      this.severity = severity;
      return this;
    }

    /** The seed's {@code alert}: false evaluates the rule without notifying. */
    public Builder alert(boolean alert) {
      this.alert = alert;
      return this;
    }

    /** Labels that make separate alerts: any of {@code agent}, {@code session}. */
    public Builder groupBy(String... groups) {
      this.groupBy = new ArrayList<>(List.of(groups));
      return this;
    }

    /** How long the condition must hold before the alert fires (Prometheus' {@code for}). */
    public Builder forDuration(Duration forDuration) {
      this.forDuration = forDuration;
      return this;
    }

    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    /** A count, or a ratio for {@code error_rate}. */
    public Builder threshold(double threshold) {
      this.threshold = threshold;
      return this;
    }

    /** The {@code latency_spike} threshold in milliseconds. */
    public Builder thresholdMs(double thresholdMs) {
      this.threshold = thresholdMs;
      return this;
    }

    /** The {@code elevation_too_long} or {@code agent_silent} threshold. */
    public Builder threshold(Duration threshold) {
      this.threshold = threshold.toMillis() / 1000.0;
      return this;
    }

    public Builder quantile(double quantile) {
      this.quantile = quantile;
      return this;
    }

    public Builder source(LatencySource source) {
      this.source = source;
      return this;
    }

    public Builder minEvents(int minEvents) {
      this.minEvents = minEvents;
      return this;
    }

    /** An extra label on every alert of the rule, e.g. {@code team=agents}. */
    public Builder label(String name, String value) {
      this.labels.put(name, value);
      return this;
    }

    /**
     * The summary's template; {@code {agent}}, {@code {session}}, {@code {value}} and {@code
     * {threshold}} are filled in.
     */
    public Builder summary(String summary) {
      this.summary = summary;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the rule, the field and the value that is wrong
     */
    public AlertRule build() {
      return new AlertRule(this);
    }
  }
}
