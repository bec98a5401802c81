package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's audit quick start against this module's classpath. */
class ReadmeAuditQuickStartTest {
  @TempDir Path work;

  @Test
  void theAuditQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    ReadmeJava.compileQuickStart(work, "io.hyperlens.audit.", "AuditQuickStart");
    String printed =
        ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "AuditQuickStart");
    assertThat(printed)
        .matches(
            "agent-001 \\| file_write \\| Production writes blocked\n"
                + "VERIFIED\n"
                + "SHA256:[0-9a-f]{64}\n");
  }
}
