package io.hyperlens.alerting;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PagerDuty Events API v2: a trigger per alert that fires (and fires again after the repeat
 * interval), a resolve when it resolves, both under the alert's {@code dedup_key}, so PagerDuty
 * keeps one incident per rule and group. {@code payload.summary} is cut to 1,024 characters; {@code
 * severity} is the rule's; {@code component} is the agent, {@code group} the session, {@code class}
 * the rule id (its type unless the rule has an id of its own); {@code links} point at the hub's
 * pages when its URL is known. At most 2 events a second go out per routing key, PagerDuty's
 * documented rate.
 *
 * <pre>{@code
 * AlertChannel pagerduty =
 *     PagerDutyChannel.builder(System.getenv("PAGERDUTY_ROUTING_KEY"))
 *         .source("agents-prod")
 *         .hubUrl("https://hyperlens.example.com")
 *         .build();
 * }</pre>
 */
public final class PagerDutyChannel extends HttpChannel {
  /** Where PagerDuty takes events. */
  public static final String DEFAULT_ENDPOINT = "https://events.pagerduty.com/v2/enqueue";

  /** PagerDuty's limit on {@code payload.summary}. */
  public static final int MAX_SUMMARY = 1024;

  private final String routingKey;
  private final URI endpoint;
  private final String source;
  private final String serviceId;
  private final String hubUrl;
  private final double maxPerSecond;

  private PagerDutyChannel(Builder b) {
    super(b.name);
    if (b.routingKey == null || b.routingKey.isBlank()) {
      throw new IllegalArgumentException("routing_key of channel " + b.name + " is missing");
    }
    if (b.routingKey.length() > 255 || b.routingKey.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "routing_key of channel "
              + b.name
              + " is not a PagerDuty routing key (its length is "
              + b.routingKey.length()
              + ", no spaces allowed)");
    }
    this.routingKey = b.routingKey;
    this.endpoint = httpUri("endpoint of channel " + b.name, b.endpoint);
    this.source = b.source;
    this.serviceId = b.serviceId;
    this.hubUrl = b.hubUrl;
    if (!(b.maxPerSecond >= 0)) {
      throw new IllegalArgumentException(
          "max_per_second of channel " + b.name + " must not be negative; got " + b.maxPerSecond);
    }
    this.maxPerSecond = b.maxPerSecond;
  }

  /** A channel sending to the integration of {@code routingKey} (a secret). */
  public static Builder builder(String routingKey) {
    return new Builder(routingKey);
  }

  @Override
  public Answer send(Notification notification) throws IOException, InterruptedException {
    return post(endpoint, body(notification, Instant.now()));
  }

  /** The Events v2 body of {@code notification}. */
  Map<String, Object> body(Notification notification, Instant now) {
    Alert alert = notification.alert();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("routing_key", routingKey);
    body.put("event_action", notification.resolved() ? "resolve" : "trigger");
    body.put("dedup_key", alert.dedupKey());
    if (notification.resolved()) {
      return body;
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    String summary = alert.summary();
    payload.put(
        "summary",
        summary.length() > MAX_SUMMARY ? summary.substring(0, MAX_SUMMARY - 3) + "..." : summary);
    payload.put("source", source);
    payload.put("severity", alert.severity().value());
    payload.put("timestamp", time(alert.firedAt() != null ? alert.firedAt() : now));
    String agent = alert.labels().get(AlertRule.AGENT_LABEL);
    String session = alert.labels().get(AlertRule.SESSION_LABEL);
    if (agent != null) {
      payload.put("component", agent);
    }
    if (session != null) {
      payload.put("group", session);
    }
    payload.put("class", alert.ruleId());
    Map<String, Object> details = new LinkedHashMap<>(alert.labels());
    details.put("value", alert.value());
    details.put("state", alert.state().value());
    if (alert.activeAt() != null) {
      details.put("active_since", time(alert.activeAt()));
    }
    if (serviceId != null) {
      details.put("service_id", serviceId);
    }
    if (notification.test()) {
      details.put("test", true);
    }
    payload.put("custom_details", details);
    body.put("payload", payload);
    body.put("client", "Hyperlens");
    if (hubUrl != null) {
      body.put("client_url", hubUrl + "/ui/alerts");
      List<Map<String, String>> links = new ArrayList<>();
      links.add(Map.of("href", hubUrl + "/ui/alerts", "text", "Alerts in Hyperlens"));
      if (agent != null) {
        links.add(Map.of("href", hubUrl + "/ui/agents/" + encode(agent), "text", "Agent " + agent));
      }
      if (session != null) {
        links.add(
            Map.of(
                "href", hubUrl + "/ui/sessions/" + encode(session), "text", "Session " + session));
      }
      body.put("links", links);
    }
    return body;
  }

  private static String encode(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public AlertChannel withHubUrl(String hubUrl) {
    if (this.hubUrl != null || hubUrl == null) {
      return this;
    }
    Builder copy =
        builder(routingKey)
            .name(name())
            .endpoint(endpoint.toString())
            .source(source)
            .serviceId(serviceId)
            .maxPerSecond(maxPerSecond)
            .hubUrl(hubUrl);
    return copy.build();
  }

  @Override
  public double maxPerSecond() {
    return maxPerSecond;
  }

  @Override
  public String describe() {
    return name()
        + " (PagerDuty Events v2 at "
        + hostOnly(endpoint)
        + ", routing key ..."
        // a key too short to be real is not shown at all: its last 4 would be most of it
        + (routingKey.length() >= 16 ? routingKey.substring(routingKey.length() - 4) : "")
        + ")";
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Builds a {@link PagerDutyChannel}. */
  public static final class Builder {
    private final String routingKey;
    private String name = "pagerduty";
    private String endpoint = DEFAULT_ENDPOINT;
    private String source = "hyperlens";
    private String serviceId;
    private String hubUrl;
    private double maxPerSecond = 2;

    private Builder(String routingKey) {
      this.routingKey = routingKey;
    }

    /** The channel's name in counters and logs; {@code pagerduty} by default. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Where events go: PagerDuty's enqueue URL by default, a test server in tests. */
    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** {@code payload.source}: the system that raised it; {@code hyperlens} by default. */
    public Builder source(String source) {
      if (source == null || source.isBlank()) {
        throw new IllegalArgumentException("source must not be blank");
      }
      this.source = source;
      return this;
    }

    /** The seed's {@code service_id}, passed on in {@code custom_details}. */
    public Builder serviceId(String serviceId) {
      this.serviceId = serviceId;
      return this;
    }

    /** The hub's URL, for {@code links} back to its pages. */
    public Builder hubUrl(String hubUrl) {
      this.hubUrl = hubUrl == null ? null : hubUrl.replaceAll("/+$", "");
      return this;
    }

    /** The send rate limit; 2 per second by default, 0 for none. */
    public Builder maxPerSecond(double maxPerSecond) {
      this.maxPerSecond = maxPerSecond;
      return this;
    }

    public PagerDutyChannel build() {
      return new PagerDutyChannel(this);
    }
  }
}
