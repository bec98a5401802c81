package io.hyperlens.bench.hub;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.PostgresStore;
import io.hyperlens.store.SqliteStore;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub under load, beside its floor in the same run. For SQLite and PostgreSQL and 1, 8 and 64
 * connections: {@code wrk} posting NDJSON batches of 100 events to {@code POST /v1/events} of a
 * {@code hyperlens serve} child JVM (the CLI jar, as a user runs it), events/s with p50 and p99
 * request latency; and the floor, the store's own synchronous {@code append} of the same batches
 * from as many threads in this JVM. Then OTLP: the OpenTelemetry SDK's batch processor and
 * OTLP/HTTP exporter against the hub, spans stored per second and the hub's heap.
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * java -cp hyperlens-bench/target/benchmarks.jar io.hyperlens.bench.hub.HubLoad [seconds] [sqlite|postgresql] [repeats]
 * </pre>
 *
 * Needs {@code wrk} (Debian package) and {@code hyperlens-server/target/hyperlens.jar}.
 */
public final class HubLoad {
  private static final int BATCH = 100;
  private static final int[] CONNECTIONS = {1, 8, 64};

  /** Seconds of load before each measured run, floor and hub alike, so both are measured warm. */
  private static final int WARMUP_SECONDS = 5;

  private static final String INGESTED_EVENTS =
      "hyperlens_hub_ingested_total\\{kind=\"events\"\\} ([\\d.E]+)";
  private static final AtomicLong RUNS = new AtomicLong();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private HubLoad() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String only = args.length > 1 ? args[1] : "";
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path jar = Path.of("hyperlens-server", "target", "hyperlens.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: mvn -B -q -DskipTests package");
    }
    Path script = Files.createTempFile("post-events", ".lua");
    try (InputStream in = HubLoad.class.getResourceAsStream("post-events.lua")) {
      Files.write(script, in.readAllBytes());
    }
    System.out.printf(
        Locale.ROOT,
        "%-11s %5s %14s %14s %7s %9s %9s   (median of %d, floor and hub taking turns)%n",
        "store",
        "conns",
        "floor ev/s",
        "hub ev/s",
        "ratio",
        "p50 ms",
        "p99 ms",
        repeats);
    if ("sqlite".startsWith(only)) {
      for (int connections : CONNECTIONS) {
        double[] floors = new double[repeats];
        double[][] hubs = new double[repeats][];
        for (int r = 0; r < repeats; r++) {
          Path floorDir = Files.createTempDirectory("hub-load-floor");
          floors[r] = floor(() -> SqliteStore.open(floorDir), connections, seconds);
          Path data = Files.createTempDirectory("hub-load");
          hubs[r] = wrk(jar, script, data, null, connections, seconds);
        }
        row("SQLite", connections, floors, hubs);
      }
    }
    if ("postgresql".startsWith(only)) {
      try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
        for (int connections : CONNECTIONS) {
          double[] floors = new double[repeats];
          double[][] hubs = new double[repeats][];
          for (int r = 0; r < repeats; r++) {
            String db = "load_" + connections + "_" + r;
            execute(postgres, "CREATE DATABASE " + db);
            String floorDb = "floor_" + connections + "_" + r;
            execute(postgres, "CREATE DATABASE " + floorDb);
            floors[r] =
                floor(
                    () ->
                        PostgresStore.open(
                            postgres.getDatabase("postgres", floorDb), Clock.systemUTC()),
                    connections,
                    seconds);
            Path data = Files.createTempDirectory("hub-load");
            hubs[r] =
                wrk(jar, script, data, postgres.getJdbcUrl("postgres", db), connections, seconds);
          }
          row("PostgreSQL", connections, floors, hubs);
        }
      }
    }
    otlp(jar, seconds);
  }

  private static void execute(EmbeddedPostgres postgres, String sql) throws Exception {
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** One row: the median floor, the median hub run (with its latencies), each run after it. */
  private static void row(String store, int connections, double[] floors, double[][] hubs) {
    double[] sortedFloors = floors.clone();
    Arrays.sort(sortedFloors);
    double floor = sortedFloors[floors.length / 2];
    double[][] sortedHubs = hubs.clone();
    Arrays.sort(sortedHubs, (a, b) -> Double.compare(a[0], b[0]));
    double[] hub = sortedHubs[hubs.length / 2];
    StringBuilder runs = new StringBuilder();
    for (int r = 0; r < floors.length; r++) {
      runs.append(String.format(Locale.ROOT, " %.0f%%", 100 * hubs[r][0] / floors[r]));
    }
    System.out.printf(
        Locale.ROOT,
        "%-11s %5d %,14.0f %,14.0f %6.0f%% %9.2f %9.2f   runs:%s%n",
        store,
        connections,
        floor,
        hub[0],
        100 * hub[0] / floor,
        hub[1] / 1000,
        hub[2] / 1000,
        runs);
  }

  /** Events/s of {@code threads} threads appending batches of 100 to one store. */
  private static double floor(Supplier<JdbcStore> open, int threads, int seconds) throws Exception {
    try (JdbcStore store = open.get()) {
      AtomicLong stored = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String run = "f" + t + "-";
        Thread worker =
            new Thread(
                () -> {
                  for (long b = 0; !stop.get(); b++) {
                    stored.addAndGet(store.append(batch(run, b)));
                  }
                });
        workers.add(worker);
      }
      workers.forEach(Thread::start);
      Thread.sleep(WARMUP_SECONDS * 1000L);
      long before = stored.get();
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long after = stored.get();
      double elapsed = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      for (Thread worker : workers) {
        worker.join();
      }
      return (after - before) / elapsed;
    }
  }

  /** The events post-events.lua sends in request {@code b}: the same shape, parsed. */
  private static List<HypervisorEvent> batch(String run, long b) {
    List<HypervisorEvent> batch = new ArrayList<>(BATCH);
    Instant at = Instant.parse("2026-12-06T10:00:00Z");
    for (int i = 1; i <= BATCH; i++) {
      batch.add(
          HypervisorEvent.builder(EventType.SESSION_JOINED)
              .eventId("w" + run + b + "-" + i)
              .timestamp(at)
              .sessionId("s" + (b % 1000))
              .agentDid("did:mesh:a" + (i % 50))
              .payload(Map.of("ring", 3, "reason", "load"))
              .build());
    }
    return batch;
  }

  /** {events/s, p50 µs, p99 µs} of wrk against a fresh hub. */
  private static double[] wrk(
      Path jar, Path script, Path data, String db, int connections, int seconds) throws Exception {
    int port = freePort();
    Hub hub = Hub.start(jar, data, db, port);
    try {
      runWrk(hub, script, connections, WARMUP_SECONDS);
      double storedBefore = hub.metric(INGESTED_EVENTS);
      Matcher m = runWrk(hub, script, connections, seconds);
      long ok = Long.parseLong(m.group(1)) - Long.parseLong(m.group(2));
      double stored = hub.metric(INGESTED_EVENTS) - storedBefore;
      if (Math.abs(stored - ok * BATCH) > BATCH * connections) {
        throw new IllegalStateException(
            "wrk saw " + ok + " answered requests but the hub stored " + stored + " events");
      }
      return new double[] {
        ok * BATCH / Double.parseDouble(m.group(3)),
        Double.parseDouble(m.group(4)),
        Double.parseDouble(m.group(5))
      };
    } finally {
      hub.stop();
    }
  }

  /** Runs wrk against {@code hub} for {@code seconds}; its RESULT line, matched. */
  private static Matcher runWrk(Hub hub, Path script, int connections, int seconds)
      throws Exception {
    ProcessBuilder wrkBuilder =
        new ProcessBuilder(
                "wrk",
                "-t" + Math.min(2, connections),
                "-c" + connections,
                "-d" + seconds + "s",
                "--latency",
                "-s",
                script.toString(),
                "http://127.0.0.1:" + hub.port + "/v1/events")
            .redirectErrorStream(true);
    wrkBuilder.environment().put("HYPERLENS_KEY", hub.key);
    wrkBuilder.environment().put("HYPERLENS_RUN", "r" + RUNS.incrementAndGet() + "-");
    Process wrk = wrkBuilder.start();
    wrk.getOutputStream().close();
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor();
    Matcher m =
        Pattern.compile(
                "RESULT requests=(\\d+) errors=(\\d+) seconds=([\\d.]+) p50_us=(\\d+) p99_us=(\\d+)")
            .matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("wrk said:\n" + output);
    }
    return m;
  }

  /** The OTel SDK's batch processor and OTLP/HTTP exporter against a hub, for {@code seconds}. */
  private static void otlp(Path jar, int seconds) throws Exception {
    int port = freePort();
    Hub hub = Hub.start(jar, Files.createTempDirectory("hub-load-otlp"), null, port);
    try {
      OtlpHttpSpanExporter exporter =
          OtlpHttpSpanExporter.builder()
              .setEndpoint("http://127.0.0.1:" + port + "/v1/traces")
              .addHeader("Authorization", "Bearer " + hub.key)
              .setCompression("gzip")
              .build();
      SdkTracerProvider provider =
          SdkTracerProvider.builder()
              .setResource(
                  Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "load")))
              .addSpanProcessor(
                  BatchSpanProcessor.builder(exporter)
                      .setMaxQueueSize(8192)
                      .setMaxExportBatchSize(512)
                      .build())
              .build();
      Tracer tracer = provider.get("hub-load");
      long made = 0;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long start = System.nanoTime();
      while (System.nanoTime() < end) {
        Span span = tracer.spanBuilder("tool.call").startSpan();
        span.setAttribute("agent.did", "did:mesh:a" + (made % 50));
        span.setAttribute("tool", "search");
        span.end();
        made++;
        if (made % 512 == 0) {
          Thread.sleep(1); // about what an agent fleet emits, not a spin
        }
      }
      provider.forceFlush().join(30, TimeUnit.SECONDS);
      double elapsed = (System.nanoTime() - start) / 1e9;
      provider.shutdown().join(30, TimeUnit.SECONDS);
      double stored = hub.metric("hyperlens_hub_ingested_total\\{kind=\"spans\"\\} ([\\d.E]+)");
      double heap = hub.metric("jvm_memory_used_bytes\\{area=\"heap\"\\} ([\\d.E]+)");
      System.out.printf(
          Locale.ROOT,
          "%nOTLP/HTTP (SDK batch processor, gzip protobuf) into SQLite: %,d spans made, %,.0f"
              + " stored (%,.0f spans/s over %.1f s), hub heap %,.0f MiB%n",
          made,
          stored,
          stored / elapsed,
          elapsed,
          heap / (1 << 20));
    } finally {
      hub.stop();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A {@code hyperlens serve} child JVM. */
  private static final class Hub {
    final Process process;
    final int port;
    final String key;

    private Hub(Process process, int port, String key) {
      this.process = process;
      this.port = port;
      this.key = key;
    }

    static Hub start(Path jar, Path data, String db, int port) throws Exception {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xms1g",
                  "-Xmx1g"));
      // e.g. -Dhub.jvmArgs=-XX:StartFlightRecording=filename=hub.jfr to profile the hub
      String extra = System.getProperty("hub.jvmArgs", "").trim();
      if (!extra.isEmpty()) {
        command.addAll(List.of(extra.split("\\s+")));
      }
      command.addAll(
          List.of(
              "-jar",
              jar.toString(),
              "serve",
              "--port",
              Integer.toString(port),
              "--data",
              data.toString()));
      if (db != null) {
        command.add("--db");
        command.add(db);
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      Process process = builder.start();
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String key = null;
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.trim().startsWith("hl_")) {
          key = line.trim();
        }
        if (line.startsWith("Ctrl-C stops it.")) {
          break;
        }
      }
      if (key == null) {
        process.destroyForcibly();
        throw new IllegalStateException("the hub printed no admin key");
      }
      Thread drain =
          new Thread(
              () -> {
                try {
                  while (lines.readLine() != null) {
                    // keep the pipe open
                  }
                } catch (IOException e) {
                  // the hub stopped
                }
              });
      drain.setDaemon(true);
      drain.start();
      return new Hub(process, port, key);
    }

    double metric(String regex) throws Exception {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher m = Pattern.compile(regex).matcher(response.body());
      return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
