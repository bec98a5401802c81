package io.hyperlens.alerting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hyperlens.config.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Agent OS's {@code AlertConfig} in Java: the rules to evaluate and the channels to notify, with
 * how often to evaluate and repeat. The seed's shape ({@code provider}, {@code api_key}, {@code
 * service_id}, {@code rules}) works as it is; more channels go in {@code channels}.
 *
 * <pre>{@code
 * AlertConfig config =
 *     AlertConfig.builder()
 *         .provider("pagerduty")
 *         .apiKey(System.getenv("PAGERDUTY_ROUTING_KEY"))
 *         .serviceId("agent-os-prod")
 *         .rule(Map.of("type", "violation", "severity", "critical", "alert", true))
 *         .rule(Map.of("type", "latency_spike", "threshold_ms", 1000, "alert", true))
 *         .build();
 * }</pre>
 *
 * <p>The same from a file ({@link #load(Path)}; YAML, or JSON for a {@code .json} name), where
 * {@code ${NAME}} takes an environment variable, so secrets stay out of the file:
 *
 * <pre>
 * provider: pagerduty
 * api_key: ${PAGERDUTY_ROUTING_KEY}
 * service_id: agent-os-prod
 * rules:
 *   - type: violation
 *     severity: critical
 *   - type: latency_spike
 *     threshold_ms: 1000
 *     for: 1m
 * channels:
 *   - type: alertmanager
 *     url: http://localhost:9093
 * </pre>
 */
public final class AlertConfig {
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Set<String> TOP_KEYS =
      Set.of(
          "provider",
          "api_key",
          "routing_key",
          "service_id",
          "endpoint",
          "url",
          "source",
          "rules",
          "channels",
          "evaluation_interval",
          "repeat_interval",
          "queue_capacity",
          "outbox_capacity",
          "max_groups",
          "history",
          "external_url",
          "retry");
  private static final Set<String> RULE_KEYS =
      Set.of(
          "type",
          "id",
          "severity",
          "alert",
          "group_by",
          "for",
          "window",
          "threshold",
          "threshold_ms",
          "threshold_seconds",
          "quantile",
          "source",
          "min_events",
          "labels",
          "summary");
  private static final Set<String> CHANNEL_KEYS =
      Set.of(
          "type",
          "name",
          "api_key",
          "routing_key",
          "service_id",
          "endpoint",
          "source",
          "max_per_second",
          "url",
          "webhook_url");
  private static final Set<String> RETRY_KEYS = Set.of("initial", "max", "attempts");
  private static final Set<String> PROVIDER_KEYS =
      Set.of("api_key", "routing_key", "service_id", "endpoint", "url", "source");
  private static final Map<String, Set<String>> KEYS_BY_CHANNEL =
      Map.of(
          "pagerduty",
          Set.of(
              "type",
              "name",
              "api_key",
              "routing_key",
              "service_id",
              "endpoint",
              "source",
              "max_per_second"),
          "webhook",
          Set.of("type", "name", "url"),
          "alertmanager",
          Set.of("type", "name", "url"),
          "slack",
          Set.of("type", "name", "webhook_url", "url"));
  private static final io.hyperlens.redact.Redactor REDACTOR =
      io.hyperlens.redact.Redactor.standard();

  private final List<AlertRule> rules;
  private final List<AlertChannel> channels;
  private final Duration evaluationInterval;
  private final Duration repeatInterval;
  private final int queueCapacity;
  private final int outboxCapacity;
  private final int maxGroups;
  private final int history;
  private final RetryPolicy retry;
  private final String externalUrl;

  private AlertConfig(Builder b) {
    this.externalUrl = b.externalUrl;
    List<AlertRule> built = new ArrayList<>(b.rules);
    for (int i = 0; i < b.ruleMaps.size(); i++) {
      built.add(b.ruleMaps.get(i));
    }
    Set<String> ids = new HashSet<>();
    for (AlertRule rule : built) {
      if (!ids.add(rule.id())) {
        throw new IllegalArgumentException(
            "rule id " + rule.id() + " is used twice; give the second an id of its own (id: ...)");
      }
    }
    this.rules = List.copyOf(built);
    List<AlertChannel> all = new ArrayList<>();
    if (b.provider != null) {
      all.add(channel("provider", b.providerSettings(), externalUrl));
    }
    all.addAll(b.channels);
    Set<String> names = new HashSet<>();
    for (AlertChannel channel : all) {
      if (!names.add(channel.name())) {
        throw new IllegalArgumentException(
            "channel name " + channel.name() + " is used twice; give each channel a name");
      }
    }
    this.channels = List.copyOf(all);
    this.evaluationInterval = positive("evaluation_interval", b.evaluationInterval);
    this.repeatInterval = positive("repeat_interval", b.repeatInterval);
    this.queueCapacity = within("queue_capacity", b.queueCapacity, 1_000_000);
    this.outboxCapacity = within("outbox_capacity", b.outboxCapacity, 1_000_000);
    this.maxGroups = within("max_groups", b.maxGroups, 1_000_000);
    this.history = within("history", b.history, 100_000);
    this.retry = b.retry;
  }

  private static Duration positive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be a positive duration; got " + value);
    }
    return value;
  }

  private static int within(String field, int value, int most) {
    if (value < 1 || value > most) {
      throw new IllegalArgumentException(
          field + " must be within 1.." + String.format("%,d", most) + "; got " + value);
    }
    return value;
  }

  /** An empty config to fill in. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code file}: YAML, or JSON when its name ends in {@code .json}; {@code ${NAME}} and
   * {@code ${NAME:-default}} take environment variables.
   *
   * @throws IllegalArgumentException naming the file, the field and what is wrong with it (never a
   *     secret's value)
   * @throws IOException when the file cannot be read
   */
  public static AlertConfig load(Path file) throws IOException {
    return load(file, System::getenv);
  }

  /** {@link #load(Path)} with {@code environment} in place of the process's. */
  public static AlertConfig load(Path file, Function<String, String> environment)
      throws IOException {
    String text = Files.readString(file);
    boolean json =
        file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json");
    try {
      return parse(text, json, environment);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a config from {@code text}, YAML (of which JSON is a part) unless {@code json}.
   *
   * @throws IllegalArgumentException naming the field and what is wrong with it
   */
  public static AlertConfig parse(String text, boolean json, Function<String, String> environment) {
    ObjectMapper mapper = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
    // a key written twice is a mistake (two channels: blocks), never "the last one wins"
    mapper.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not valid "
              + (json ? "JSON" : "YAML")
              + ": "
              // a parser quotes the token it choked on: never repeat a secret written unquoted
              + REDACTOR.redact(
                  e.getOriginalMessage().replaceAll("(Unrecognized token )'[^']*'", "$1'...'"))
              + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new IllegalArgumentException("the file is empty; it needs at least rules:");
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("the top level must be a mapping of settings");
    }
    return new Reader(environment).config((ObjectNode) root);
  }

  /** Builds a channel from the settings of a {@code channels} entry (or the seed's top level). */
  static AlertChannel channel(String path, Map<String, Object> s, String hubUrl) {
    String type = text(s.get("type"));
    if (type == null) {
      throw new IllegalArgumentException(
          path + ".type is missing (pagerduty, webhook, alertmanager or slack)");
    }
    String name = s.get("name") != null ? text(s.get("name")) : type;
    Set<String> allowed = KEYS_BY_CHANNEL.get(type);
    if (allowed != null) {
      for (String key : s.keySet()) {
        if (!allowed.contains(key)) {
          throw new IllegalArgumentException(
              path
                  + "."
                  + key
                  + " does not apply to a "
                  + type
                  + " channel (it takes "
                  + new java.util.TreeSet<>(allowed)
                  + ")");
        }
      }
    }
    try {
      return channel(type, name, s, hubUrl, path);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new IllegalArgumentException(
          message.startsWith(path) ? message : path + ": " + message, e);
    }
  }

  private static AlertChannel channel(
      String type, String name, Map<String, Object> s, String hubUrl, String path) {
    switch (type) {
      case "pagerduty":
        String key = text(s.get("routing_key") != null ? s.get("routing_key") : s.get("api_key"));
        if (key == null) {
          throw new IllegalArgumentException(
              path + ".routing_key (or api_key) is missing: PagerDuty's Events v2 integration key");
        }
        PagerDutyChannel.Builder pd = PagerDutyChannel.builder(key).name(name).hubUrl(hubUrl);
        if (s.get("endpoint") != null) {
          pd.endpoint(text(s.get("endpoint")));
        }
        if (s.get("source") != null) {
          pd.source(text(s.get("source")));
        }
        if (s.get("service_id") != null) {
          pd.serviceId(text(s.get("service_id")));
        }
        if (s.get("max_per_second") != null) {
          pd.maxPerSecond(number(path + ".max_per_second", s.get("max_per_second")));
        }
        return pd.build();
      case "webhook":
        return new WebhookChannel(name, required(path, s, "url"), hubUrl);
      case "alertmanager":
        return new AlertmanagerChannel(name, required(path, s, "url"), hubUrl);
      case "slack":
        if (s.get("webhook_url") != null && s.get("url") != null) {
          throw new IllegalArgumentException(
              path + " has both webhook_url and url: give the incoming webhook's URL once");
        }
        String url = text(s.get("webhook_url") != null ? s.get("webhook_url") : s.get("url"));
        if (url == null) {
          throw new IllegalArgumentException(path + ".webhook_url is missing");
        }
        return new SlackChannel(name, url, hubUrl);
      default:
        throw new IllegalArgumentException(
            path + ".type must be pagerduty, webhook, alertmanager or slack; got \"" + type + "\"");
    }
  }

  private static String required(String path, Map<String, Object> s, String key) {
    String value = text(s.get(key));
    if (value == null) {
      throw new IllegalArgumentException(path + "." + key + " is missing");
    }
    return value;
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static double number(String field, Object value) {
    if (value instanceof Number) {
      return ((Number) value).doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be a number; got \"" + value + "\"");
    }
  }

  static Duration duration(String field, Object value) {
    if (value instanceof Number) {
      double seconds = ((Number) value).doubleValue();
      if (Double.isFinite(seconds)) {
        return Duration.ofMillis(Math.round(seconds * 1000));
      }
    }
    try {
      return Durations.parse(String.valueOf(value))
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      field
                          + " is not a duration ("
                          + Durations.EXAMPLES
                          + "); got \""
                          + value
                          + "\""));
    } catch (ArithmeticException | NumberFormatException tooLong) {
      throw new IllegalArgumentException(field + " is too long; got \"" + value + "\"");
    }
  }

  /**
   * A rule from its configuration keys ({@code type}, {@code severity}, {@code alert}, {@code
   * threshold_ms}, ...), as in the seed's {@code rules=[{...}]}.
   *
   * @param path how errors name the rule, e.g. {@code rules[1]}
   */
  static AlertRule rule(String path, Map<String, ?> settings) {
    for (String key : settings.keySet()) {
      if (!RULE_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            path
                + "."
                + key
                + " is not a rule setting (known: "
                + new java.util.TreeSet<>(RULE_KEYS)
                + ")");
      }
    }
    Object type = settings.get("type");
    if (type == null) {
      throw new IllegalArgumentException(path + ".type is missing");
    }
    AlertRule.Builder b;
    RuleType ruleType;
    try {
      ruleType = RuleType.fromValue(type.toString());
      b = AlertRule.builder(ruleType);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + "." + e.getMessage());
    }
    for (String key : settings.keySet()) {
      boolean applies;
      switch (key) {
        case "quantile":
        case "source":
          applies = ruleType == RuleType.LATENCY_SPIKE;
          break;
        case "min_events":
          applies = ruleType == RuleType.ERROR_RATE;
          break;
        case "window":
          applies =
              ruleType != RuleType.ELEVATION_TOO_LONG
                  && ruleType != RuleType.AGENT_SILENT
                  && ruleType != RuleType.AUDIT_VERIFICATION_FAILED;
          break;
        default:
          applies = true;
          break;
      }
      if (!applies) {
        throw new IllegalArgumentException(
            path + "." + key + " does not apply to a " + ruleType.value() + " rule");
      }
    }
    try {
      for (Map.Entry<String, ?> e : settings.entrySet()) {
        String field = path + "." + e.getKey();
        Object v = e.getValue();
        if (v == null) {
          throw new IllegalArgumentException(field + " has no value");
        }
        switch (e.getKey()) {
          case "id":
            b.id(v.toString());
            break;
          case "severity":
            try {
              b.severity(Severity.fromValue(v.toString()));
            } catch (IllegalArgumentException bad) {
              throw new IllegalArgumentException(path + "." + bad.getMessage());
            }
            break;
          case "alert":
            if (!(v instanceof Boolean)) {
              throw new IllegalArgumentException(
                  field + " must be true or false; got \"" + v + "\"");
            }
            b.alert((Boolean) v);
            break;
          case "group_by":
            List<String> groups = new ArrayList<>();
            if (v instanceof List) {
              for (Object g : (List<?>) v) {
                groups.add(String.valueOf(g));
              }
            } else {
              groups.add(v.toString());
            }
            b.groupBy(groups.toArray(new String[0]));
            break;
          case "for":
            b.forDuration(duration(field, v));
            break;
          case "window":
            b.window(duration(field, v));
            break;
          case "threshold":
          case "threshold_ms":
          case "threshold_seconds":
            String expected = AlertRule.thresholdName(RuleType.fromValue(type.toString()));
            if (!e.getKey().equals(expected)) {
              throw new IllegalArgumentException(
                  field + " does not apply to a " + type + " rule; its threshold is " + expected);
            }
            b.threshold(number(field, v));
            break;
          case "quantile":
            b.quantile(number(field, v));
            break;
          case "source":
            try {
              b.source(AlertRule.LatencySource.fromValue(v.toString()));
            } catch (IllegalArgumentException bad) {
              throw new IllegalArgumentException(path + "." + bad.getMessage());
            }
            break;
          case "min_events":
            double n = number(field, v);
            if (n != Math.rint(n) || n > Integer.MAX_VALUE) {
              throw new IllegalArgumentException(field + " must be a whole number; got " + v);
            }
            b.minEvents((int) n);
            break;
          case "labels":
            if (!(v instanceof Map)) {
              throw new IllegalArgumentException(
                  field + " must be a mapping of label names to values");
            }
            ((Map<?, ?>) v)
                .forEach((k, lv) -> b.label(String.valueOf(k), lv == null ? null : lv.toString()));
            break;
          case "summary":
            b.summary(v.toString());
            break;
          default: // type
            break;
        }
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new IllegalArgumentException(
          message.startsWith(path) ? message : path + ": " + message, e);
    }
  }

  public List<AlertRule> rules() {
    return rules;
  }

  public List<AlertChannel> channels() {
    return channels;
  }

  /** How often the rules are evaluated; 1 s by default. */
  public Duration evaluationInterval() {
    return evaluationInterval;
  }

  /** How long a firing alert waits before its trigger is sent again; 4 h by default. */
  public Duration repeatInterval() {
    return repeatInterval;
  }

  /** Observations waiting for evaluation at most; more are dropped and counted. 10,000. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** Notifications waiting in each channel's outbox at most; 10,000. */
  public int outboxCapacity() {
    return outboxCapacity;
  }

  /** Groups (agents, sessions) each rule tracks at most; 10,000. */
  public int maxGroups() {
    return maxGroups;
  }

  /** Resolved alerts kept for the history; 1,000. */
  public int history() {
    return history;
  }

  public RetryPolicy retry() {
    return retry;
  }

  /** The hub's URL for links in notifications, or null. */
  public String externalUrl() {
    return externalUrl;
  }

  /** The settings without secrets, as the API and {@code alerts test} show them. */
  public Map<String, Object> describe() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("evaluation_interval", evaluationInterval.toString());
    map.put("repeat_interval", repeatInterval.toString());
    List<String> names = new ArrayList<>();
    channels.forEach(c -> names.add(c.describe()));
    map.put("channels", names);
    List<Map<String, Object>> list = new ArrayList<>();
    rules.forEach(r -> list.add(r.toMap()));
    map.put("rules", list);
    return map;
  }

  /** Builds an {@link AlertConfig}. */
  public static final class Builder {
    private String provider;
    private String apiKey;
    private String serviceId;
    private String endpoint;
    private String url;
    private String source;
    private final List<AlertRule> rules = new ArrayList<>();
    private final List<AlertRule> ruleMaps = new ArrayList<>();
    private final List<AlertChannel> channels = new ArrayList<>();
    private Duration evaluationInterval = Duration.ofSeconds(1);
    private Duration repeatInterval = Duration.ofHours(4);
    private int queueCapacity = 10_000;
    private int outboxCapacity = 10_000;
    private int maxGroups = 10_000;
    private int history = 1_000;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private String externalUrl;

    private Builder() {}

    /** The seed's {@code provider}: pagerduty, webhook, alertmanager or slack. */
    public Builder provider(String provider) {
      this.provider = provider;
      return this;
    }

    /** The seed's {@code api_key}: PagerDuty's routing key (a secret). */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The seed's {@code service_id}, passed on to PagerDuty in {@code custom_details}. */
    public Builder serviceId(String serviceId) {
      this.serviceId = serviceId;
      return this;
    }

    /** The provider's endpoint, when not PagerDuty's own (a test server, a proxy). */
    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** The provider's URL: of the webhook, the Alertmanager or Slack's incoming webhook. */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** PagerDuty's {@code payload.source}. */
    public Builder source(String source) {
      this.source = source;
      return this;
    }

    public Builder rule(AlertRule rule) {
      if (rule == null) {
        throw new IllegalArgumentException("rule must not be null");
      }
      rules.add(rule);
      return this;
    }

    /** A rule in the seed's dictionary shape, e.g. {@code Map.of("type", "violation")}. */
    public Builder rule(Map<String, ?> settings) {
      if (settings == null) {
        throw new IllegalArgumentException("rule must not be null");
      }
      ruleMaps.add(AlertConfig.rule("rules[" + (rules.size() + ruleMaps.size()) + "]", settings));
      return this;
    }

    public Builder channel(AlertChannel channel) {
      if (channel == null) {
        throw new IllegalArgumentException("channel must not be null");
      }
      channels.add(channel);
      return this;
    }

    public Builder evaluationInterval(Duration interval) {
      this.evaluationInterval = interval;
      return this;
    }

    public Builder repeatInterval(Duration interval) {
      this.repeatInterval = interval;
      return this;
    }

    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Notifications each channel's outbox holds at most (resolves make room by dropping others).
     */
    public Builder outboxCapacity(int capacity) {
      this.outboxCapacity = capacity;
      return this;
    }

    public Builder maxGroups(int maxGroups) {
      this.maxGroups = maxGroups;
      return this;
    }

    public Builder history(int history) {
      this.history = history;
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      if (retry == null) {
        throw new IllegalArgumentException("retry must not be null");
      }
      this.retry = retry;
      return this;
    }

    /** The hub's URL, for links back from PagerDuty, Slack and Alertmanager. */
    public Builder externalUrl(String externalUrl) {
      this.externalUrl =
          externalUrl == null
              ? null
              : HttpChannel.httpUri("external_url", externalUrl).toString().replaceAll("/+$", "");
      return this;
    }

    private Map<String, Object> providerSettings() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("type", provider);
      s.put("api_key", apiKey);
      s.put("service_id", serviceId);
      s.put("endpoint", endpoint);
      s.put("url", url);
      s.put("source", source);
      s.values().removeIf(java.util.Objects::isNull);
      return s;
    }

    /**
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public AlertConfig build() {
      return new AlertConfig(this);
    }
  }

  /** Walks a parsed file, naming each field by its path in errors. */
  private static final class Reader {
    private final Function<String, String> environment;

    Reader(Function<String, String> environment) {
      this.environment = environment;
    }

    AlertConfig config(ObjectNode root) {
      known(root, TOP_KEYS, "");
      Builder b = builder();
      if (root.has("external_url")) {
        b.externalUrl(string(root, "external_url", ""));
      }
      if (!root.has("provider")) {
        for (String key : PROVIDER_KEYS) {
          if (root.has(key)) {
            throw new IllegalArgumentException(
                key
                    + " belongs to a provider: add provider: pagerduty (or webhook, alertmanager,"
                    + " slack), or move it into channels:");
          }
        }
      }
      if (root.has("provider")) {
        b.provider(string(root, "provider", ""));
        if (root.has("api_key") || root.has("routing_key")) {
          b.apiKey(string(root, root.has("routing_key") ? "routing_key" : "api_key", ""));
        }
        if (root.has("service_id")) {
          b.serviceId(string(root, "service_id", ""));
        }
        if (root.has("endpoint")) {
          b.endpoint(string(root, "endpoint", ""));
        }
        if (root.has("url")) {
          b.url(string(root, "url", ""));
        }
        if (root.has("source")) {
          b.source(string(root, "source", ""));
        }
      }
      JsonNode rules = root.path("rules");
      if (!rules.isMissingNode() && !rules.isArray()) {
        throw new IllegalArgumentException("rules must be a list");
      }
      for (int i = 0; i < rules.size(); i++) {
        String path = "rules[" + i + "]";
        JsonNode rule = rules.get(i);
        if (!rule.isObject()) {
          throw new IllegalArgumentException(path + " must be a mapping (type: ..., ...)");
        }
        b.rule(AlertConfig.rule(path, values(rule, path)));
      }
      JsonNode channels = root.path("channels");
      if (!channels.isMissingNode() && !channels.isArray()) {
        throw new IllegalArgumentException("channels must be a list");
      }
      for (int i = 0; i < channels.size(); i++) {
        String path = "channels[" + i + "]";
        JsonNode channel = channels.get(i);
        if (!channel.isObject()) {
          throw new IllegalArgumentException(path + " must be a mapping (type: ..., ...)");
        }
        known(channel, CHANNEL_KEYS, path + ".");
        b.channel(AlertConfig.channel(path, values(channel, path), b.externalUrl));
      }
      if (root.has("evaluation_interval")) {
        b.evaluationInterval(
            duration(
                "evaluation_interval",
                value(root.get("evaluation_interval"), "evaluation_interval")));
      }
      if (root.has("repeat_interval")) {
        b.repeatInterval(
            duration("repeat_interval", value(root.get("repeat_interval"), "repeat_interval")));
      }
      if (root.has("queue_capacity")) {
        b.queueCapacity(whole(root, "queue_capacity", ""));
      }
      if (root.has("outbox_capacity")) {
        b.outboxCapacity(whole(root, "outbox_capacity", ""));
      }
      if (root.has("max_groups")) {
        b.maxGroups(whole(root, "max_groups", ""));
      }
      if (root.has("history")) {
        b.history(whole(root, "history", ""));
      }
      if (root.has("retry")) {
        JsonNode retry = root.get("retry");
        if (!retry.isObject()) {
          throw new IllegalArgumentException("retry must be a mapping (initial, max, attempts)");
        }
        known(retry, RETRY_KEYS, "retry.");
        RetryPolicy d = RetryPolicy.DEFAULT;
        b.retry(
            new RetryPolicy(
                retry.has("initial")
                    ? duration("retry.initial", value(retry.get("initial"), "retry.initial"))
                    : d.initial(),
                retry.has("max")
                    ? duration("retry.max", value(retry.get("max"), "retry.max"))
                    : d.max(),
                retry.has("attempts") ? whole(retry, "attempts", "retry.") : d.attempts()));
      }
      return b.build();
    }

    private void known(JsonNode node, Set<String> keys, String prefix) {
      Iterator<String> names = node.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (!keys.contains(name)) {
          throw new IllegalArgumentException(
              prefix
                  + name
                  + " is not a setting here (known: "
                  + new java.util.TreeSet<>(keys)
                  + ")");
        }
      }
    }

    private Map<String, Object> values(JsonNode node, String path) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        map.put(e.getKey(), value(e.getValue(), path + "." + e.getKey()));
      }
      return map;
    }

    private Object value(JsonNode node, String field) {
      if (node.isTextual()) {
        return substitute(node.asText(), field);
      }
      if (node.isBoolean()) {
        return node.booleanValue();
      }
      if (node.isNumber()) {
        return node.numberValue();
      }
      if (node.isArray()) {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
          list.add(value(node.get(i), field + "[" + i + "]"));
        }
        return list;
      }
      if (node.isObject()) {
        return values(node, field);
      }
      return null;
    }

    private String string(JsonNode node, String key, String prefix) {
      Object value = value(node.get(key), prefix + key);
      if (value == null || value instanceof Map || value instanceof List) {
        throw new IllegalArgumentException(prefix + key + " must be a string");
      }
      return value.toString();
    }

    private int whole(JsonNode node, String key, String prefix) {
      JsonNode v = node.get(key);
      if (!v.canConvertToInt() || !v.isIntegralNumber()) {
        throw new IllegalArgumentException(prefix + key + " must be a whole number; got " + v);
      }
      return v.intValue();
    }

    /** Replaces {@code ${NAME}} and {@code ${NAME:-default}}; the error names the field. */
    private String substitute(String text, String field) {
      Matcher m = ENV.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = environment.apply(m.group(1));
        if (value == null || (value.isEmpty() && m.group(2) != null)) {
          value = m.group(3);
        }
        if (value == null) {
          throw new IllegalArgumentException(
              field + " takes the environment variable " + m.group(1) + ", which is not set");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }
  }
}
