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
public final class ZipkinServer implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Process process;
  private final Path log;

  /** Where Zipkin listens, {@code http://127.0.0.1:<port>}. */
  public final URI base;

  private ZipkinServer(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  /**
   * Starts Zipkin from the jar named by the {@code zipkin.jar} system property and waits until it
   * is healthy.
   */
  public static ZipkinServer start() throws IOException, InterruptedException {
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
  public String spansEndpoint() {
    return base.resolve("/api/v2/spans").toString();
  }

  /** Zipkin's answer to {@code path} (a GET), as text; fails on a status other than 200. */
  public String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("Zipkin answered " + response.statusCode() + " to " + path);
    }
    return response.body();
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
