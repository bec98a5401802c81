package io.hyperlens.otel;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Zipkin server ({@code io.zipkin:zipkin-server}, the exec jar Maven copies into {@code
 * target/zipkin}) running as a child JVM on a free loopback port with in-memory storage.
 */
final class ZipkinServer implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Process process;
  private final Path log;
  final URI base;

  private ZipkinServer(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  static ZipkinServer start() throws IOException, InterruptedException {
    String jarProperty = System.getProperty("zipkin.jar");
    if (jarProperty == null || !Files.isRegularFile(Path.of(jarProperty))) {
      throw new IllegalStateException(
          "zipkin.jar is " + jarProperty + "; run the tests through Maven, which copies it");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = Path.of(jarProperty).resolveSibling("zipkin-" + port + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-jar",
                    jarProperty,
                    "--STORAGE_TYPE=mem",
                    "--armeria.ports[0].port=" + port,
                    "--armeria.ports[0].ip=127.0.0.1",
                    "--armeria.ports[0].protocols=http"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    ZipkinServer server = new ZipkinServer(process, log, URI.create("http://127.0.0.1:" + port));
    try {
      server.awaitHealthy();
    } catch (RuntimeException | IOException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Zipkin exited at startup:\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> health =
            client.send(
                HttpRequest.newBuilder(base.resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "Zipkin not healthy within " + STARTUP + ":\n" + Files.readString(log));
  }

  /** Zipkin's span intake, for the exporter. */
  String spansEndpoint() {
    return base.resolve("/api/v2/spans").toString();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
