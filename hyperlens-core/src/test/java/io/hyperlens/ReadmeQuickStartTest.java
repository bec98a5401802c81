package io.hyperlens;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.HypervisorEventBus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's quick start, so the first code a user copies works. */
class ReadmeQuickStartTest {
  @TempDir Path work;

  @Test
  void everyJavaBlockCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    // Blocks that need other modules are those modules' Readme*QuickStartTest's.
    List<Path> sources =
        ReadmeJava.extract(
            work,
            block ->
                !block.contains("import io.hyperlens.otel.")
                    && !block.contains("import io.hyperlens.audit.")
                    && !block.contains("import io.hyperlens.store.")
                    && !block.contains("import io.hyperlens.prometheus.")
                    && !block.contains("import io.hyperlens.client.")
                    && !block.contains("import io.hyperlens.alerting.")
                    && !block.contains("import io.hyperlens.kafka.")
                    && !block.contains("import io.hyperlens.langchain4j."));
    assertThat(sources)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("QuickStart.java", "CollectorsQuickStart.java", "TracingQuickStart.java");
    Path core =
        Path.of(
            HypervisorEventBus.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    // Against the core alone: the quick starts need nothing else on the classpath.
    ReadmeJava.compile(sources, core.toString(), work);

    assertThat(runMain("QuickStart"))
        .containsPattern("Trace started: [0-9a-f]{12}/[0-9a-f]{8}\n")
        .contains("[audit] session.created\n")
        .contains(
            "BREACH: agent=did:mesh:rogue-bot tool=shell_exec\n[audit] ring.breach_detected\n")
        .contains("Events for session-001: 2\n")
        .containsPattern("\\{event_id=[0-9a-f]{16}, event_type=session.created, timestamp=")
        .contains("Breaches: 1\n")
        .contains("{session.created=1, ring.breach_detected=1}\n")
        .endsWith("true\n");
    assertThat(runMain("CollectorsQuickStart"))
        .isEqualTo("saga.step.migrate error\n{did:mesh:analyst=0}\nerror\n");
    assertThat(runMain("TracingQuickStart"))
        .isEqualTo(
            "true\nacme\n3 [agent_lifecycle, initialize_container, execute_task]\n0.0\n"
                + "exported initialize_container\nexported execute_task\n"
                + "exported agent_lifecycle\n");
  }

  private String runMain(String className) throws Exception {
    Path core =
        Path.of(
            HypervisorEventBus.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return ReadmeJava.runMain(List.of(work, core), ClassLoader.getPlatformClassLoader(), className);
  }
}
