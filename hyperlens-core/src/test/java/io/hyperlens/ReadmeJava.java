package io.hyperlens;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The README's Java blocks as programs: extracted, compiled with {@code -Xlint:all -Werror} and
 * run. Shared with other modules' README tests through this module's test jar.
 */
public final class ReadmeJava {
  private ReadmeJava() {}

  /**
   * Writes every {@code ```java} block of the repository's README that {@code which} accepts to
   * {@code dir} as {@code <public class name>.java}, in order.
   */
  public static List<Path> extract(Path dir, Predicate<String> which) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    List<Path> sources = new ArrayList<>();
    while (block.find()) {
      if (!which.test(block.group(1))) {
        continue;
      }
      Matcher name = Pattern.compile("public class (\\w+)").matcher(block.group(1));
      assertThat(name.find()).as("each README block is a public class").isTrue();
      Path source = dir.resolve(name.group(1) + ".java");
      Files.writeString(source, block.group(1));
      sources.add(source);
    }
    return sources;
  }

  /**
   * Extracts the one README block that imports from {@code packagePrefix} (it must be the public
   * class {@code className}) and compiles it into {@code dir} against this JVM's class path.
   */
  public static void compileQuickStart(Path dir, String packagePrefix, String className)
      throws Exception {
    List<Path> sources = extract(dir, block -> block.contains("import " + packagePrefix));
    assertThat(sources)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(className + ".java");
    compile(sources, System.getProperty("java.class.path"), dir);
  }

  /**
   * Compiles {@code sources} into {@code dir} against {@code classpath}; fails with javac's words.
   */
  public static void compile(List<Path> sources, String classpath, Path dir) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of("-Xlint:all", "-Werror", "-cp", classpath, "-d", dir.toString()),
                null,
                javac
                    .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjectsFromPaths(sources))
            .call();
    assertThat(compiled).as(diagnostics.toString()).isTrue();
  }

  /**
   * Runs {@code className}'s {@code main} from {@code classpath} (the compiled blocks first) with
   * {@code parent} as the parent loader, and returns what it printed.
   */
  public static String runMain(List<Path> classpath, ClassLoader parent, String className)
      throws Exception {
    URL[] urls = new URL[classpath.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = classpath.get(i).toUri().toURL();
    }
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(urls, parent)) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
