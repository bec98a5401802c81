package io.hyperlens.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Agent OS example compiles against the modules it names and prints what it says. */
class ReadmeAgentOsQuickStartTest {
  @TempDir Path work;

  @Test
  void theAgentOsExampleCompilesAndRuns() throws Exception {
    ReadmeJava.compileQuickStart(
        work, "io.hyperlens.prometheus.AgentOsTelemetry;", "AgentOsQuickStart");
    String printed =
        ReadmeJava.runMain(
            List.of(work), Thread.currentThread().getContextClassLoader(), "AgentOsQuickStart");
    assertThat(printed).isEqualTo("deny\n1\n");
  }
}
