package io.hyperlens.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.otel.GenAiPriceTable;
import io.hyperlens.server.query.CausalTree;
import io.hyperlens.server.query.QueryParams;
import io.hyperlens.server.query.SpanCosts;
import io.hyperlens.server.query.TraceQueries;
import io.hyperlens.store.SqliteStore;
import io.hyperlens.trace.SpanData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
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
  void theLangChain4jWorkloadReachesTheHubAsOneCausalTreePerTrace() throws Exception {
    Path data = work.resolve("hub");
    assertThat(
            run(
                "demo",
                "--workload",
                "langchain4j",
                "--duration",
                "1500ms",
                "--rate",
                "10",
                "--breach-rate",
                "1",
                "--data",
                data.toString()))
        .as(err.toString())
        .isZero();
    String text = out.toString();
    long emitted = number(text, "workflows, ([\\d,]+) events");
    long spansExported = number(text, ": ([\\d,]+) spans and");
    long sagaSpans = number(text, "spans and ([\\d,]+) saga spans");
    assertThat(text).contains("did:mesh:supervisor (span").contains("├─ did:mesh:researcher");
    assertThat(number(text, "stored ([\\d,]+) events")).isEqualTo(emitted);
    assertThat(number(text, "events and ([\\d,]+) spans")).isEqualTo(spansExported + sagaSpans);
    // every workflow asked for the denied tool: its decision is in the hub's audit trail
    assertThat(number(text, "and ([\\d,]+) policy decisions in its audit trail")).isPositive();

    try (SqliteStore store = SqliteStore.open(data)) {
      TraceQueries traces =
          new TraceQueries(store, Clock.systemUTC(), new SpanCosts(GenAiPriceTable.bundled()));
      List<?> found =
          (List<?>)
              traces
                  .list(
                      new QueryParams(
                          Map.of("agent", List.of("did:mesh:researcher")), TraceQueries.PARAMETERS))
                  .get("traces");
      assertThat(found).isNotEmpty();
      String traceId = (String) ((Map<?, ?>) found.get(0)).get("trace_id");
      TraceQueries.TraceView view = traces.view(traceId, 0, 1000).orElseThrow();
      assertThat(view.agents()).hasSize(1);
      assertThat(view.agents().get(0).agentDid()).isEqualTo("did:mesh:supervisor");
      assertThat(view.agents().get(0).children())
          .extracting(CausalTree.Node::agentDid)
          .containsExactly("did:mesh:researcher", "did:mesh:writer");
      assertThat(view.spans())
          .extracting(SpanData::name)
          .contains("invoke_agent supervisor", "execute_tool shell_exec", "chat gpt-4o-mini");
      // every model call priced by the bundled table: gpt-4o plans and writes, gpt-4o-mini
      // researches
      long chats = view.spans().stream().filter(s -> s.name().startsWith("chat ")).count();
      assertThat(view.cost().pricedCalls()).isEqualTo(chats);
      assertThat(view.cost().unpricedCalls()).isZero();
      assertThat(view.cost().usd()).isPositive();
      assertThat(view.cost().byModel())
          .extracting(SpanCosts.ModelCost::model)
          .containsExactlyInAnyOrder("gpt-4o", "gpt-4o-mini");
    }
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
