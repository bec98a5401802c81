package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's GenAI cost quick start against this module's classpath. */
class ReadmeGenAiCostQuickStartTest {
  @TempDir Path work;

  @Test
  void theCostQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    ReadmeJava.compileQuickStart(work, "io.hyperlens.otel.GenAiPriceTable;", "GenAiCostQuickStart");

    String printed =
        ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "GenAiCostQuickStart");

    assertThat(printed)
        .isEqualTo("2025-07-01+acme-2025\n" + "gpt-4o 2\n" + "0.0048\n" + "unpriced\n");
  }
}
