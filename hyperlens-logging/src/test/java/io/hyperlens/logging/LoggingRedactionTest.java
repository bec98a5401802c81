package io.hyperlens.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.redact.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.argument.StructuredArguments;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Every secret of the corpus logged through every channel (the message, a {@code {}} argument, a
 * key-value pair, a structured argument, the MDC, an exception message) in both formats: none
 * leaks. Every look-alike logged the same way comes out unchanged.
 */
class LoggingRedactionTest {
  private static final Logger LOG = LoggerFactory.getLogger("agent");
  @TempDir Path dir;

  @AfterEach
  void reset() {
    MDC.clear();
    Logging.shutdown();
  }

  private Path configure(String format) {
    Path file = dir.resolve(format + "/agent.log");
    Logging.configure(
        LoggingConfig.builder().format(format).output("file").filePath(file.toString()).build());
    return file;
  }

  private static void logEveryWay(String value) {
    LOG.info(value);
    LOG.info("argument: {}", value);
    LOG.atInfo().addKeyValue("detail", value).log("key-value");
    LOG.info("structured {}", StructuredArguments.kv("detail", value));
    MDC.put("detail", value);
    LOG.info("mdc");
    MDC.remove("detail");
    LOG.error("exception", new IllegalStateException("failed: " + value));
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "text"})
  void noSecretLeaksThroughAnyChannel(String format) throws Exception {
    Corpus corpus = Corpus.load();
    Path file = configure(format);
    for (Corpus.Entry entry : corpus.secrets()) {
      logEveryWay(entry.line());
    }
    Logging.shutdown();

    String out = Files.readString(file);
    List<String> leaks = new ArrayList<>();
    for (Corpus.Entry entry : corpus.secrets()) {
      if (out.contains(entry.secret())) {
        leaks.add(entry.kind() + ": " + entry.secret());
      }
    }
    assertThat(leaks).as("secrets in the %s output", format).isEmpty();
    for (Corpus.Entry entry : corpus.secrets()) {
      assertThat(out).contains("[REDACTED:" + entry.kind() + "]");
    }
    // Six channels per secret, each redacted at least once.
    assertThat(count(out, "[REDACTED:")).isGreaterThanOrEqualTo(6 * corpus.secrets().size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "text"})
  void noLookAlikeIsRedacted(String format) throws Exception {
    Corpus corpus = Corpus.load();
    Path file = configure(format);
    for (String line : corpus.lookAlikes()) {
      logEveryWay(line);
    }
    Logging.shutdown();

    String out = Files.readString(file);
    assertThat(out).doesNotContain("[REDACTED");
    if (format.equals("text")) {
      for (String line : corpus.lookAlikes()) {
        assertThat(out).contains(line);
      }
    } else {
      ObjectMapper json = new ObjectMapper();
      List<String> messages = new ArrayList<>();
      for (String row : out.split("\n")) {
        JsonNode node = json.readTree(row);
        messages.add(node.get("message").asText());
        if (node.has("detail")) {
          messages.add(node.get("detail").asText());
        }
      }
      for (String line : corpus.lookAlikes()) {
        assertThat(messages).contains(line, "argument: " + line);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "text"})
  void aSecretKeyHidesItsValueWhateverItLooksLike(String format) throws Exception {
    Path file = configure(format);
    LOG.atInfo().addKeyValue("password", "plain words").addKeyValue("user", "bob").log("login");
    Logging.shutdown();

    String out = Files.readString(file);
    assertThat(out).doesNotContain("plain words").contains("bob").contains("[REDACTED:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "text"})
  void redactionCanBeTurnedOff(String format) throws Exception {
    Path file = dir.resolve("off.log");
    Logging.configure(
        LoggingConfig.builder()
            .format(format)
            .output("file")
            .filePath(file)
            .redactSecrets(false)
            .build());
    LOG.info("password=hunter2");
    Logging.shutdown();
    assertThat(Files.readString(file)).contains("password=hunter2");
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
