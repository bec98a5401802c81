package io.hyperlens.alerting;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Alertmanager: alerts are POSTed to its {@code /api/v2/alerts} as Prometheus does. A firing
 * alert carries an {@code endsAt} four resend intervals ahead and is sent again every interval (one
 * minute), so Alertmanager resolves it by itself if Hyperlens goes away; a resolve carries the time
 * it resolved. Alertmanager then groups, silences, inhibits and routes as configured.
 *
 * <pre>{@code
 * AlertChannel alertmanager = new AlertmanagerChannel("alertmanager", "http://localhost:9093", null);
 * }</pre>
 */
public final class AlertmanagerChannel extends HttpChannel {
  /** How often firing alerts are sent again. */
  public static final Duration RESEND = Duration.ofMinutes(1);

  private final URI alerts;
  private final String hubUrl;

  /**
   * @param name the channel's name
   * @param url the Alertmanager's base URL, e.g. {@code http://localhost:9093}
   * @param hubUrl the hub's URL for {@code generatorURL}, or null
   */
  public AlertmanagerChannel(String name, String url, String hubUrl) {
    super(name);
    URI base = httpUri("url of channel " + name, url);
    String text = base.toString().replaceAll("/+$", "");
    this.alerts = URI.create(text.endsWith("/api/v2/alerts") ? text : text + "/api/v2/alerts");
    this.hubUrl = hubUrl == null ? null : hubUrl.replaceAll("/+$", "");
  }

  @Override
  public Answer send(Notification notification) throws IOException, InterruptedException {
    return send(List.of(notification));
  }

  /** Posts the whole batch in one {@code postableAlerts} array. */
  @Override
  public Answer send(List<Notification> batch) throws IOException, InterruptedException {
    List<Map<String, Object>> body = new ArrayList<>();
    for (Notification notification : batch) {
      body.addAll(body(notification));
    }
    return post(alerts, body);
  }

  /** Alertmanager takes arrays: up to 500 alerts per POST. */
  @Override
  public int maxBatch() {
    return 500;
  }

  /** The {@code postableAlerts} body of {@code notification}. */
  List<Map<String, Object>> body(Notification notification) {
    Alert alert = notification.alert();
    Instant now = notification.at();
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("labels", alert.labels());
    item.put("annotations", alert.annotations());
    item.put("startsAt", time(alert.firedAt() != null ? alert.firedAt() : now));
    item.put(
        "endsAt",
        time(
            notification.resolved()
                ? (alert.resolvedAt() != null ? alert.resolvedAt() : now)
                : now.plus(RESEND.multipliedBy(4))));
    item.put("generatorURL", WebhookChannel.generatorUrl(hubUrl));
    return List.of(item);
  }

  @Override
  public AlertChannel withHubUrl(String hubUrl) {
    return this.hubUrl != null || hubUrl == null
        ? this
        : new AlertmanagerChannel(name(), alerts.toString(), hubUrl);
  }

  @Override
  public Duration resendInterval() {
    return RESEND;
  }

  @Override
  public String describe() {
    return name() + " (Alertmanager API v2 at " + hostOnly(alerts) + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
