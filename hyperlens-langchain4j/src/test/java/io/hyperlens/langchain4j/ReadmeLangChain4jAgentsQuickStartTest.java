package io.hyperlens.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.ReadmeJava;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs the README's LangChain4j agents quick start against this module's classpath.
 */
class ReadmeLangChain4jAgentsQuickStartTest {
  @TempDir Path work;

  @Test
  void theAgentsQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    ReadmeJava.compileQuickStart(
        work, "io.hyperlens.langchain4j.HyperlensLangChain4j;", "LangChain4jAgentsQuickStart");

    String printed =
        ReadmeJava.runMain(
            List.of(work), getClass().getClassLoader(), "LangChain4jAgentsQuickStart");

    assertThat(printed)
        .isEqualTo(
            "Found: 3 sources\n"
                + "invoke_agent pipeline unset\n"
                + "invoke_agent researcher unset\n"
                + "chat unset\n"
                + "execute_tool search unset\n"
                + "execute_tool shell error\n"
                + "chat unset\n"
                + "1\n");
  }
}
