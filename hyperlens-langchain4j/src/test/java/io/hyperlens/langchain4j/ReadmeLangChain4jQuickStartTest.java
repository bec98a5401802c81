package io.hyperlens.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's LangChain4j quick start against this module's classpath. */
class ReadmeLangChain4jQuickStartTest {
  @TempDir Path work;

  @Test
  void theLangChain4jQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    ReadmeJava.compileQuickStart(
        work, "io.hyperlens.langchain4j.HyperlensChatModelListener;", "LangChain4jQuickStart");

    String printed =
        ReadmeJava.runMain(List.of(work), getClass().getClassLoader(), "LangChain4jQuickStart");

    assertThat(printed).isEqualTo("Paris\n12\n[stop]\n");
  }
}
