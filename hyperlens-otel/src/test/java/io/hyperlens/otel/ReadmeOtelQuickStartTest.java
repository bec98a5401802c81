package io.hyperlens.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.trace.DistributedTracer;
import io.opentelemetry.api.GlobalOpenTelemetry;
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

/** Compiles and runs the README's OpenTelemetry quick start against this module's classpath. */
class ReadmeOtelQuickStartTest {
  @TempDir Path work;

  @Test
  void theOtelQuickStartCompilesAndPrintsWhatItsCommentsSay() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    List<Path> sources = new ArrayList<>();
    while (block.find()) {
      if (block.group(1).contains("import io.hyperlens.otel.")) {
        Matcher name = Pattern.compile("public class (\\w+)").matcher(block.group(1));
        assertThat(name.find()).isTrue();
        Path source = work.resolve(name.group(1) + ".java");
        Files.writeString(source, block.group(1));
        sources.add(source);
      }
    }
    assertThat(sources)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("OtelQuickStart.java");

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of(
                    "-Xlint:all",
                    "-Werror",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-d",
                    work.toString()),
                null,
                javac
                    .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjectsFromPaths(sources))
            .call();
    assertThat(compiled).as(diagnostics.toString()).isTrue();

    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // The quick start installs the global OpenTelemetry and tracer; leave the JVM as found.
    GlobalOpenTelemetry.resetForTest();
    DistributedTracer tracer = DistributedTracer.global();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {work.toUri().toURL()}, getClass().getClassLoader())) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Method main = loader.loadClass("OtelQuickStart").getMethod("main", String[].class);
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
      GlobalOpenTelemetry.resetForTest();
      DistributedTracer.setGlobal(tracer);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "true\n"
                + "agent_governance_tool_calls_blocked_total{decision=\"deny\","
                + "otel_scope_name=\"AgentGovernance\",otel_scope_version=\"1.0.0\"} 1.0\n");
  }
}
