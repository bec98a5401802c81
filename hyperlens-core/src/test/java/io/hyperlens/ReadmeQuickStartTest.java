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
  void quickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("README has a ```java block").isTrue();
    Path source = work.resolve("QuickStart.java");
    Files.writeString(source, block.group(1));
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
                    .getJavaFileObjects(source))
            .call();
    assertThat(compiled).as(diagnostics.toString()).isTrue();

    String output = runMain(work, core);
    assertThat(output)
        .containsPattern("Trace started: [0-9a-f]{12}/[0-9a-f]{8}\n")
        .contains("[audit] session.created\n")
        .contains(
            "BREACH: agent=did:mesh:rogue-bot tool=shell_exec\n" + "[audit] ring.breach_detected\n")
        .contains("Events for session-001: 2\n")
        .containsPattern("\\{event_id=[0-9a-f]{16}, event_type=session.created, timestamp=")
        .contains("Breaches: 1\n")
        .contains("{session.created=1, ring.breach_detected=1}\n")
        .endsWith("true\n");
  }

  private static String runMain(Path classes, Path core) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL(), core.toUri().toURL()},
            ClassLoader.getPlatformClassLoader())) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Method main = loader.loadClass("QuickStart").getMethod("main", String[].class);
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
