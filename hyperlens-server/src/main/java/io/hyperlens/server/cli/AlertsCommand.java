package io.hyperlens.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.alerting.Alert;
import io.hyperlens.alerting.AlertChannel;
import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.alerting.AlertState;
import io.hyperlens.alerting.Notification;
import io.hyperlens.alerting.Severity;
import io.hyperlens.redact.Redactor;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hyperlens alerts}: try an alert config's channels, list a hub's alerts. */
@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    versionProvider = HyperlensCommand.Version.class,
    description =
        "Alerting: send a test alert through each channel of a config, or list a hub's alerts.",
    subcommands = {AlertsCommand.Test.class, AlertsCommand.ListAlerts.class})
final class AlertsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code hyperlens alerts test --config alerts.yaml}. */
  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Sends a test alert through each channel of the config, then its resolve, and prints what"
            + " each receiver answered. One attempt each, no retries. Exit 0 when every channel"
            + " took both, 1 when one did not."
      })
  static final class Test implements Callable<Integer> {
    private static final Redactor REDACTOR = Redactor.standard();

    @Spec CommandSpec spec;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        converter = AlertConfigConverter.class,
        description = "The alert config (YAML, or JSON by its .json name).")
    AlertConfig alerts;

    @Option(names = "--channel", paramLabel = "NAME", description = "Only this channel.")
    String only;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (alerts.channels().isEmpty()) {
        err.println("alerts test: the config names no channel (provider: or channels:)");
        return 2;
      }
      if (only != null && alerts.channels().stream().noneMatch(c -> c.name().equals(only))) {
        err.println(
            "alerts test: no channel named "
                + only
                + " (there are: "
                + String.join(", ", alerts.channels().stream().map(AlertChannel::name).toList())
                + ")");
        return 2;
      }
      Instant now = Instant.now();
      TreeMap<String, String> labels = new TreeMap<>();
      labels.put("alertname", "hyperlens_test");
      labels.put("severity", Severity.INFO.value());
      Alert firing =
          new Alert(
              "hyperlens_test",
              labels,
              new TreeMap<>(),
              Map.of(
                  "summary",
                  "Hyperlens test alert: the channel works (sent by hyperlens alerts test)",
                  "description",
                  "A test, not a problem; its resolve follows."),
              AlertState.FIRING,
              Severity.INFO,
              1,
              now,
              now,
              null,
              now,
              true);
      Alert resolved =
          new Alert(
              firing.ruleId(),
              firing.labels(),
              firing.groupLabels(),
              firing.annotations(),
              AlertState.RESOLVED,
              firing.severity(),
              0,
              now,
              now,
              Instant.now(),
              now,
              true);
      int failures = 0;
      for (AlertChannel channel : alerts.channels()) {
        if (only != null && !channel.name().equals(only)) {
          continue;
        }
        out.println(channel.describe());
        failures +=
            attempt(
                    out,
                    channel,
                    new Notification(Notification.Kind.TRIGGER, firing, false, true, now))
                ? 0
                : 1;
        failures +=
            attempt(
                    out,
                    channel,
                    new Notification(
                        Notification.Kind.RESOLVE, resolved, false, true, Instant.now()))
                ? 0
                : 1;
        if (channel instanceof io.hyperlens.alerting.AlertmanagerChannel) {
          out.println(
              "  note: Alertmanager took both; it notifies its receivers after group_wait, so an"
                  + " alert resolved at once may never reach them");
        }
      }
      out.flush();
      return failures == 0 ? 0 : 1;
    }

    private static boolean attempt(PrintWriter out, AlertChannel channel, Notification n) {
      String kind = n.kind().name().toLowerCase(Locale.ROOT);
      try {
        AlertChannel.Answer answer = channel.send(n);
        out.printf(
            "  %-8s HTTP %d %s%s%n",
            kind,
            answer.status(),
            answer.delivered()
                ? "delivered"
                : answer.retryable() ? "(would be retried)" : "refused",
            answer.body().isBlank() ? "" : ": " + REDACTOR.redact(answer.body().strip()));
        return answer.delivered();
      } catch (IOException | RuntimeException e) {
        out.printf(
            "  %-8s failed: %s%n",
            kind,
            REDACTOR.redact(
                e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())));
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.printf("  %-8s interrupted%n", kind);
        return false;
      }
    }
  }

  /** {@code hyperlens alerts list}: a hub's firing, pending and resolved alerts. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists a hub's alerts: firing, pending, then the latest resolved.")
  static final class ListAlerts implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HubApi api = new HubApi();

    @Override
    public Integer call() {
      return QueryCommands.query(
          spec,
          api,
          "/api/alerts",
          Map.of(),
          (out, answer) -> {
            if (!answer.path("configured").asBoolean()) {
              out.println("This hub evaluates no alert rules (start it with --alerts FILE).");
              return;
            }
            out.printf(
                "%-8s %-9s %-24s %-20s %s%n", "STATE", "SEVERITY", "RULE", "SINCE", "SUMMARY");
            for (String state : new String[] {"firing", "pending", "history"}) {
              int shown = 0;
              for (JsonNode alert : answer.path(state)) {
                if (state.equals("history") && shown++ >= 10) {
                  break;
                }
                out.printf(
                    "%-8s %-9s %-24s %-20s %s%n",
                    alert.path("state").asText(),
                    alert.path("severity").asText(),
                    alert.path("rule").asText(),
                    alert.path(state.equals("history") ? "resolved_at" : "active_at").asText("-"),
                    alert.path("annotations").path("summary").asText());
              }
            }
            if (answer.path("firing").isEmpty() && answer.path("pending").isEmpty()) {
              out.println("(nothing firing or pending)");
            }
          });
    }
  }
}
