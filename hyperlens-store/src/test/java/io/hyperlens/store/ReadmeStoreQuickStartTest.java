package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's store quick start against this module's classpath. */
class ReadmeStoreQuickStartTest {
  @TempDir Path work;

  @Test
  void theStoreQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    ReadmeJava.compileQuickStart(work, "io.hyperlens.store.", "StoreQuickStart");
    String printed =
        ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "StoreQuickStart");
    assertThat(printed).isEqualTo("1\n1\n");
  }
}
