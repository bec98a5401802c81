package io.hyperlens.alerting;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A webhook receiving Alertmanager's webhook payload, version 4: {@code version}, {@code groupKey},
 * {@code status}, {@code receiver}, {@code groupLabels}, {@code commonLabels}, {@code
 * commonAnnotations}, {@code externalURL} and {@code alerts[]} (each with {@code status}, {@code
 * labels}, {@code annotations}, {@code startsAt}, {@code endsAt}, {@code generatorURL}, {@code
 * fingerprint}), one alert per message, so receivers written for Alertmanager work unchanged.
 *
 * <pre>{@code
 * AlertChannel webhook = new WebhookChannel("oncall-bot", "https://bot.example.com/alerts", null);
 * }</pre>
 */
public final class WebhookChannel extends HttpChannel {
  /** Alertmanager's zero time: the {@code endsAt} of an alert still firing. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private final URI url;
  private final String hubUrl;

  /**
   * @param name the channel's name, also the payload's {@code receiver}
   * @param url where to POST (may hold a token: it is never logged)
   * @param hubUrl the hub's URL for {@code externalURL} and {@code generatorURL}, or null
   */
  public WebhookChannel(String name, String url, String hubUrl) {
    super(name);
    this.url = httpUri("url of channel " + name, url);
    this.hubUrl = hubUrl == null ? null : hubUrl.replaceAll("/+$", "");
  }

  @Override
  public Answer send(Notification notification) throws IOException, InterruptedException {
    return post(url, body(notification));
  }

  /** The webhook v4 body of {@code notification}. */
  Map<String, Object> body(Notification notification) {
    Alert alert = notification.alert();
    String status = notification.resolved() ? "resolved" : "firing";
    SortedMap<String, String> groupLabels = new TreeMap<>(alert.groupLabels());
    groupLabels.put(AlertRule.ALERTNAME, alert.ruleId());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", "4");
    body.put("groupKey", groupKey(groupLabels));
    body.put("truncatedAlerts", 0);
    body.put("status", status);
    body.put("receiver", name());
    body.put("groupLabels", groupLabels);
    body.put("commonLabels", alert.labels());
    body.put("commonAnnotations", alert.annotations());
    body.put("externalURL", hubUrl == null ? "" : hubUrl);
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("status", status);
    item.put("labels", alert.labels());
    item.put("annotations", alert.annotations());
    item.put("startsAt", time(alert.firedAt() != null ? alert.firedAt() : alert.activeAt()));
    item.put(
        "endsAt",
        notification.resolved() && alert.resolvedAt() != null
            ? time(alert.resolvedAt())
            : ZERO_TIME);
    item.put("generatorURL", generatorUrl(hubUrl));
    item.put("fingerprint", alert.fingerprint());
    body.put("alerts", List.of(item));
    return body;
  }

  /** Alertmanager's group key shape: {@code {}:{alertname="x", agent_did="y"}}. */
  static String groupKey(SortedMap<String, String> groupLabels) {
    StringBuilder key = new StringBuilder("{}:{");
    boolean first = true;
    for (Map.Entry<String, String> label : groupLabels.entrySet()) {
      key.append(first ? "" : ", ")
          .append(label.getKey())
          .append("=\"")
          .append(label.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
      first = false;
    }
    return key.append('}').toString();
  }

  static String generatorUrl(String hubUrl) {
    return hubUrl == null ? "" : hubUrl + "/ui/alerts";
  }

  @Override
  public AlertChannel withHubUrl(String hubUrl) {
    return this.hubUrl != null || hubUrl == null
        ? this
        : new WebhookChannel(name(), url.toString(), hubUrl);
  }

  @Override
  public String describe() {
    return name() + " (Alertmanager-shaped webhook at " + hostOnly(url) + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
