package io.hyperlens;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.HypervisorEventBus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's quick start, so the first code a user copies works. */
class ReadmeQuickStartTest {
  @TempDir Path work;

  @Test
  void everyJavaBlockCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    List<Path> sources = new ArrayList<>();
    while (block.find()) {
      if (block.group(1).contains("import io.hyperlens.otel.")) {
        continue; // needs OpenTelemetry: hyperlens-otel's ReadmeOtelQuickStartTest runs it
      }
      Matcher name = Pattern.compile("public class (\\w+)").matcher(block.group(1));
      assertThat(name.find()).as("each README block is a public class").isTrue();
      Path source = work.resolve(name.group(1) + ".java");
      Files.writeString(source, block.group(1));
      sources.add(source);
    }
    assertThat(sources)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("QuickStart.java", "CollectorsQuickStart.java", "TracingQuickStart.java");
    Path core =
        Path.of(
            HypervisorEventBus.class.getProtectionDomain().getCodeSource().getLocation().toURI());

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of("-Xlint:all", "-Werror", "-cp", core.toString(), "-d", work.toString()),
                null,
                javac
                    .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjectsFromPaths(sources))
            .call();
    assertThat(compiled).as(diagnostics.toString()).isTrue();

    assertThat(runMain(work, core, "QuickStart"))
        .containsPattern("Trace started: [0-9a-f]{12}/[0-9a-f]{8}\n")
        .contains("[audit] session.created\n")
        .contains(
            "BREACH: agent=did:mesh:rogue-bot tool=shell_exec\n[audit] ring.breach_detected\n")
        .contains("Events for session-001: 2\n")
        .containsPattern("\\{event_id=[0-9a-f]{16}, event_type=session.created, timestamp=")
        .contains("Breaches: 1\n")
        .contains("{session.created=1, ring.breach_detected=1}\n")
        .endsWith("true\n");
    assertThat(runMain(work, core, "CollectorsQuickStart"))
        .isEqualTo("saga.step.migrate error\n{did:mesh:analyst=0}\nerror\n");
    assertThat(runMain(work, core, "TracingQuickStart"))
        .isEqualTo(
            "true\nacme\n3 [agent_lifecycle, initialize_container, execute_task]\n0.0\n"
                + "exported initialize_container\nexported execute_task\n"
                + "exported agent_lifecycle\n");
  }

  private static String runMain(Path classes, Path core, String className) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL(), core.toUri().toURL()},
            ClassLoader.getPlatformClassLoader())) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
