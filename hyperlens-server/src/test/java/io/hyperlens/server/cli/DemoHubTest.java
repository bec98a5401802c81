package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.store.SqliteStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hyperlens demo} starts the hub in-process and feeds it over HTTP, events through the
 * HubEventSink and spans through the OTLP exporter: everything the workload emitted is in the hub's
 * store, which {@code --data} keeps for a later {@code serve}.
 */
class DemoHubTest {
  @TempDir Path work;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new HyperlensCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex + " in\n" + text).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void everyEventAndSpanOfTheWorkloadReachesTheHubAndIsKept() throws Exception {
    Path data = work.resolve("hub");
    assertThat(run("demo", "--duration", "1500ms", "--rate", "40", "--data", data.toString()))
        .as(err.toString())
        .isZero();
    String text = out.toString();
    assertThat(text)
        .containsPattern("^Hub at http://127\\.0\\.0\\.1:\\d+  read key: hl_[0-9a-f]{12}_\\S{43}\n")
        .contains("admin key (shown once): hl_")
        .contains("data kept in " + data);
    long emitted = number(text, "workflows, ([\\d,]+) events");
    long spansExported = number(text, ": ([\\d,]+) spans and");
    long sagaSpans = number(text, "spans and ([\\d,]+) saga spans");
    assertThat(number(text, "stored ([\\d,]+) events")).isEqualTo(emitted);
    assertThat(number(text, "events and ([\\d,]+) spans")).isEqualTo(spansExported + sagaSpans);
    assertThat(text).contains("dropped 0, failed 0");
    // the workload's policy decisions went to the hub's audit trail, every one
    long decisions = number(text, "and ([\\d,]+) policy decisions in its audit trail");
    assertThat(decisions).isPositive();
    assertThat(number(text, "audit trail \\(shipped ([\\d,]+)")).isEqualTo(decisions);

    try (SqliteStore store = SqliteStore.open(data)) {
      assertThat(store.count(EventQuery.all())).isEqualTo(emitted);
      assertThat(store.spanCount()).isEqualTo(spansExported + sagaSpans);
    }
    assertThat(Files.readString(data.resolve("api-keys.json")))
        .contains("demo-read-")
        .contains("demo-ingest-")
        .contains("\"admin\"");
  }

  @Test
  void withoutDataTheHubsDirectoryIsRemovedAndNoHubMeansNoneOfIt() {
    assertThat(run("demo", "--duration", "300ms")).isZero();
    assertThat(out.toString()).contains("(its data was temporary; --data DIR keeps it)");
    out.getBuffer().setLength(0);
    assertThat(run("demo", "--no-hub", "--duration", "300ms")).isZero();
    assertThat(out.toString()).doesNotContain("Hub at");
    assertThat(run("demo", "--no-hub", "--data", work.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--data keeps the hub's data: it cannot go with --no-hub");
  }
}
