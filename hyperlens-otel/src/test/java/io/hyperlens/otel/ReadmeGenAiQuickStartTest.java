package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import io.hyperlens.trace.DistributedTracer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's GenAI quick start against this module's classpath. */
class ReadmeGenAiQuickStartTest {
  @TempDir Path work;

  @Test
  void theGenAiQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    // GenAiOperation, not GenAiTelemetry: the LangChain4j agents quick start imports that one too.
    ReadmeJava.compileQuickStart(work, "io.hyperlens.otel.GenAiOperation;", "GenAiQuickStart");

    // The quick start installs the global OpenTelemetry and tracer; leave the JVM as found.
    GlobalOpenTelemetry.resetForTest();
    DistributedTracer tracer = DistributedTracer.global();
    String printed;
    try {
      printed = ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "GenAiQuickStart");
    } finally {
      GlobalOpenTelemetry.resetForTest();
      DistributedTracer.setGlobal(tracer);
    }
    assertThat(printed)
        .isEqualTo(
            "chat gpt-4o UNSET\n"
                + "session-42\n"
                + "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\","
                + "\"content\":\"Log in with password=[REDACTED:credential]\"}]}]\n");
  }
}
