package io.hyperlens.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker (KRaft, broker and controller in one process) as a child JVM: {@code
 * kafka_2.13}'s {@code kafka.Kafka server.properties}, its log directory formatted by {@code
 * kafka.tools.StorageTool}, so a test can kill it with SIGKILL and start it again on the same log
 * directory and port. Its output goes to {@code broker.log} in its directory.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
  private final Path directory;
  private final Path properties;
  private final int port;
  private Process process;

  private KafkaBrokerProcess(Path directory, Path properties, int port) {
    this.directory = directory;
    this.properties = properties;
    this.port = port;
  }

  /** Formats a log directory under {@code directory} and starts a broker on a free port. */
  public static KafkaBrokerProcess start(Path directory) throws Exception {
    int port = freePort();
    int controllerPort = freePort();
    Files.createDirectories(directory);
    Path properties = directory.resolve("server.properties");
    Files.writeString(
        properties,
        String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:"
                    + port
                    + ",CONTROLLER://127.0.0.1:"
                    + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + directory.resolve("logs"),
                "num.partitions=4",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "")
            + "\n");
    Process format =
        new ProcessBuilder(
                command(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    Uuid.randomUuid().toString(),
                    "-c",
                    properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("format.log").toFile())
            .start();
    if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new IllegalStateException(
          "StorageTool format failed: " + Files.readString(directory.resolve("format.log")));
    }
    KafkaBrokerProcess broker = new KafkaBrokerProcess(directory, properties, port);
    broker.restart();
    return broker;
  }

  private static List<String> command(String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  /** Starts the broker (again, on the same log directory and port) and waits until it serves. */
  public void restart() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the broker is running");
    }
    process =
        new ProcessBuilder(command("kafka.Kafka", properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    try (Admin admin =
        Admin.create(
            Map.of(
                "bootstrap.servers", bootstrap(),
                "request.timeout.ms", 2_000,
                "default.api.timeout.ms", 3_000))) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the broker exited: " + log());
        }
        try {
          admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
          if (!admin.describeCluster().nodes().get().isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the broker did not start in 120 s: " + log());
          }
          Thread.sleep(200);
        }
      }
    }
  }

  /** Kills the broker with SIGKILL, as a crash would, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Stops the broker's process where it stands (SIGSTOP): a broker that hangs. */
  public void pause() throws Exception {
    signal("-STOP");
  }

  /** Lets a paused broker go on (SIGCONT). */
  public void resume() throws Exception {
    signal("-CONT");
  }

  private void signal(String signal) throws Exception {
    Process kill =
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill " + signal + " failed");
    }
  }

  /** {@code 127.0.0.1:port}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** Creates {@code topics} with {@code partitions} partitions each. */
  public void createTopics(int partitions, String... topics) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
      List<NewTopic> created =
          java.util.Arrays.stream(topics).map(t -> new NewTopic(t, partitions, (short) 1)).toList();
      admin.createTopics(created).all().get();
      ConsumerGroups.awaitLeaders(admin, List.of(topics));
    }
  }

  /** What the broker printed. */
  public String log() {
    try {
      return Files.readString(directory.resolve("broker.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 20 s). */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
