package io.hyperlens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Crash tests' child JVM: runs a main class on this JVM's class path, hands every line it prints to
 * a consumer, and once enough has been printed lets it run on a random few milliseconds and kills
 * it with SIGKILL (no shutdown hooks, no {@code close()}).
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Runs {@code main} with {@code args} until {@code enough} holds (within {@code timeout}), then
   * SIGKILLs it and waits for the reader to take every line printed before the kill.
   */
  public static void runAndKill(
      Class<?> main,
      List<String> args,
      Consumer<String> onLine,
      BooleanSupplier enough,
      Duration timeout)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  onLine.accept(line);
                }
              } catch (IOException pipeClosed) {
                // the JDK may close the pipe once the child is gone: nothing more was printed
              }
            });
    reader.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!enough.getAsBoolean() && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(enough.getAsBoolean()).as("the child printed enough before %s", timeout).isTrue();
    Thread.sleep(ThreadLocalRandom.current().nextInt(1, 30));
    // destroyForcibly is SIGKILL on Unix.
    child.destroyForcibly();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);
    reader.join(TimeUnit.SECONDS.toMillis(30));
  }
}
