package io.hyperlens.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's alerting quick start against this module's classpath. */
class ReadmeAlertingQuickStartTest {
  @TempDir Path work;

  @Test
  void theAlertingQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    ReadmeJava.compileQuickStart(work, "io.hyperlens.alerting.", "AlertingQuickStart");
    String printed =
        ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "AlertingQuickStart");
    assertThat(printed)
        .isEqualTo(
            "FIRING ring_breach_rate: 2 ring breaches in 5m (agent_did=did:mesh:tool)\n"
                + "FIRING violation: 2 policy violations in 5m (agent_did=did:mesh:tool)\n");
  }
}
