package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import io.hyperlens.trace.DistributedTracer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's OpenTelemetry quick start against this module's classpath. */
class ReadmeOtelQuickStartTest {
  @TempDir Path work;

  @Test
  void theOtelQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    ReadmeJava.compileQuickStart(work, "io.hyperlens.otel.GovernanceMetrics;", "OtelQuickStart");

    // The quick start installs the global OpenTelemetry and tracer; leave the JVM as found.
    GlobalOpenTelemetry.resetForTest();
    DistributedTracer tracer = DistributedTracer.global();
    String printed;
    try {
      printed = ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "OtelQuickStart");
    } finally {
      GlobalOpenTelemetry.resetForTest();
      DistributedTracer.setGlobal(tracer);
    }
    assertThat(printed)
        .isEqualTo(
            "true\n"
                + "agent_governance_tool_calls_blocked_total{decision=\"deny\","
                + "otel_scope_name=\"AgentGovernance\",otel_scope_version=\"1.0.0\"} 1.0\n");
  }
}
