package io.hyperlens.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.trace.DistributedTracer;
import io.hyperlens.trace.Scope;
import io.hyperlens.trace.Span;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class StructuredLoggingTest {
  private static final Logger LOG = LoggerFactory.getLogger("agent");
  private final ObjectMapper json = new ObjectMapper();
  private final DistributedTracer tracer = DistributedTracer.builder().build();
  @TempDir Path dir;

  @AfterEach
  void reset() {
    Logging.shutdown();
    tracer.close();
  }

  private List<JsonNode> lines(Path file) throws Exception {
    return Files.readAllLines(file).stream()
        .map(
            line -> {
              try {
                return json.readTree(line);
              } catch (Exception e) {
                throw new AssertionError(line, e);
              }
            })
        .toList();
  }

  @Test
  @SuppressWarnings("try")
  void jsonLinesCarryTheSeedsFieldsAndTraceIdsOnlyInsideASpan() throws Exception {
    Path file = dir.resolve("agent.log");
    Logging.configure(LoggingConfig.builder().output("file").filePath(file).build());

    Span span = tracer.startSpan("execute");
    try (Scope ignored = span.makeCurrent()) {
      LOG.atInfo()
          .addKeyValue("agent_id", "agent-001")
          .addKeyValue("action", "sql")
          .addKeyValue("resource", "SELECT * FROM users")
          .addKeyValue("decision", "allow")
          .addKeyValue("duration_ms", 5.2)
          .log("Action executed");
    }
    tracer.finishSpan(span);
    LOG.info("outside any span");
    Logging.shutdown();

    List<JsonNode> lines = lines(file);
    JsonNode inside = lines.get(0);
    assertThat(inside.get("timestamp").asText())
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    assertThat(inside.get("level").asText()).isEqualTo("INFO");
    assertThat(inside.get("message").asText()).isEqualTo("Action executed");
    assertThat(inside.get("agent_id").asText()).isEqualTo("agent-001");
    assertThat(inside.get("action").asText()).isEqualTo("sql");
    assertThat(inside.get("resource").asText()).isEqualTo("SELECT * FROM users");
    assertThat(inside.get("decision").asText()).isEqualTo("allow");
    assertThat(inside.get("duration_ms").asDouble()).isEqualTo(5.2);
    assertThat(inside.get("trace_id").asText()).isEqualTo(span.traceId());
    assertThat(inside.get("span_id").asText()).isEqualTo(span.spanId());

    JsonNode outside = lines.get(1);
    assertThat(outside.has("trace_id")).isFalse();
    assertThat(outside.has("span_id")).isFalse();
  }

  @Test
  @SuppressWarnings("try")
  void textLinesCarryTraceIdsInsideASpanAndCanLeaveThemOut() throws Exception {
    Path file = dir.resolve("text.log");
    Logging.configure(LoggingConfig.builder().format("text").output("file").filePath(file).build());
    Span span = tracer.startSpan("execute");
    try (Scope ignored = span.makeCurrent()) {
      LOG.warn("inside");
    }
    LOG.warn("outside");
    Logging.configure(
        LoggingConfig.builder()
            .format("text")
            .output("file")
            .filePath(file)
            .includeTraceIds(false)
            .build());
    try (Scope ignored = span.makeCurrent()) {
      LOG.warn("inside, ids off");
    }
    tracer.finishSpan(span);
    Logging.shutdown();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0))
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z WARN .* agent - inside .*")
        .contains("trace_id=" + span.traceId())
        .contains("span_id=" + span.spanId());
    assertThat(lines.get(1)).doesNotContain("trace_id");
    assertThat(lines.get(2)).doesNotContain("trace_id");
  }

  @Test
  void levelsFilterAndWarningMeansWarn() throws Exception {
    Path file = dir.resolve("levels.log");
    Logging.configure(
        LoggingConfig.builder().level("WARNING").output("file").filePath(file).build());
    LOG.info("dropped");
    LOG.warn("kept");
    LOG.error("kept too");
    Logging.shutdown();

    assertThat(lines(file))
        .extracting(n -> n.get("level").asText())
        .containsExactly("WARN", "ERROR");
    assertThat(Logging.level("WARNING").toString()).isEqualTo("WARN");
  }

  @Test
  void bothWritesStdoutAndTheFile() throws Exception {
    Path file = dir.resolve("nested/dir/both.log");
    PrintStream original = System.out;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    try {
      Logging.configure(LoggingConfig.builder().output("both").filePath(file).build());
      LOG.info("to both, token=abc123xyz");
      Logging.shutdown();
    } finally {
      System.setOut(original);
    }
    String console = stdout.toString(StandardCharsets.UTF_8);
    assertThat(console).contains("to both").doesNotContain("abc123xyz");
    assertThat(Files.readString(file)).contains("to both").doesNotContain("abc123xyz");
  }

  @Test
  @SuppressWarnings("try")
  void aUsersLogbackXmlCanUseTheSamePieces() throws Exception {
    Path file = dir.resolve("xml.log");
    String xml =
        "<configuration>"
            + "<turboFilter class=\"io.hyperlens.logging.TraceIdMdcFilter\"/>"
            + "<appender name=\"F\" class=\"ch.qos.logback.core.FileAppender\">"
            + "<file>"
            + file
            + "</file>"
            + "<encoder class=\"net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder\">"
            + "<jsonGeneratorDecorator class=\"net.logstash.logback.mask.MaskingJsonGeneratorDecorator\">"
            + "<valueMasker class=\"io.hyperlens.logging.SecretMasker\"/>"
            + "</jsonGeneratorDecorator>"
            + "<providers><message/><mdc/></providers>"
            + "</encoder></appender>"
            + "<root level=\"INFO\"><appender-ref ref=\"F\"/></root>"
            + "</configuration>";
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(context);
    joran.doConfigure(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

    Span span = tracer.startSpan("xml");
    try (Scope ignored = span.makeCurrent()) {
      LOG.info("key sk-proj-4fG7hJ2kL9mN3pQ8rS1tU6vW0xY5zA2bC7dE");
    }
    tracer.finishSpan(span);
    context.stop();

    JsonNode line = lines(file).get(0);
    assertThat(line.get("message").asText()).isEqualTo("key [REDACTED:openai_key]");
    assertThat(line.get("trace_id").asText()).isEqualTo(span.traceId());
  }

  @Test
  void badValuesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> LoggingConfig.builder().level("TRACE"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("level must be one of DEBUG, INFO, WARNING, ERROR, got \"TRACE\"");
    assertThatThrownBy(() -> LoggingConfig.builder().format("xml"))
        .hasMessage("format must be one of json, text, got \"xml\"");
    assertThatThrownBy(() -> LoggingConfig.builder().output("syslog"))
        .hasMessage("output must be one of stdout, file, both, got \"syslog\"");
    assertThatThrownBy(() -> LoggingConfig.builder().output("file").build())
        .hasMessage("filePath is required for output file");
    assertThatThrownBy(() -> Logging.configure(null)).hasMessage("config must not be null");
    assertThat(LoggingConfig.builder().level("warn").build().level()).isEqualTo("WARNING");
  }
}
