package io.hyperlens.alerting;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * A Slack incoming webhook: one message per trigger or resolve, its {@code text} in Slack's markup
 * with a link to the hub's alerts page when the hub's URL is known. The webhook URL is a secret: it
 * is never logged.
 *
 * <pre>{@code
 * AlertChannel slack = new SlackChannel("slack", System.getenv("SLACK_WEBHOOK_URL"), null);
 * }</pre>
 */
public final class SlackChannel extends HttpChannel {
  private final URI webhook;
  private final String hubUrl;

  /**
   * @param name the channel's name
   * @param webhookUrl the incoming webhook's URL (a secret)
   * @param hubUrl the hub's URL for a link back, or null
   */
  public SlackChannel(String name, String webhookUrl, String hubUrl) {
    super(name);
    this.webhook = httpUri("webhook_url of channel " + name, webhookUrl);
    this.hubUrl = hubUrl == null ? null : hubUrl.replaceAll("/+$", "");
  }

  @Override
  public Answer send(Notification notification) throws IOException, InterruptedException {
    return post(webhook, body(notification));
  }

  /** The message of {@code notification}. */
  Map<String, Object> body(Notification notification) {
    Alert alert = notification.alert();
    String head =
        notification.resolved()
            ? ":white_check_mark: *RESOLVED*"
            : ":rotating_light: *FIRING* (" + alert.severity().value() + ")";
    StringBuilder text =
        new StringBuilder(head)
            .append(' ')
            .append(escape(alert.ruleId()))
            .append(": ")
            .append(escape(alert.summary()));
    if (notification.test()) {
      text.append(" _(test alert)_");
    }
    if (hubUrl != null) {
      text.append("\n<").append(hubUrl).append("/ui/alerts|Open in Hyperlens>");
    }
    return Map.of("text", text.toString());
  }

  /** Slack's three control characters, escaped as its docs require. */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public AlertChannel withHubUrl(String hubUrl) {
    return this.hubUrl != null || hubUrl == null
        ? this
        : new SlackChannel(name(), webhook.toString(), hubUrl);
  }

  @Override
  public String describe() {
    return name() + " (Slack incoming webhook at " + hostOnly(webhook) + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
