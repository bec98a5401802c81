package io.hyperlens.bench.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.kafka.KafkaBrokerProcess;
import io.hyperlens.kafka.KafkaEventSink;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka mode under load, each figure beside its floor in the same run, on a real broker (a child
 * JVM), a real PostgreSQL (embedded) and hubs run from the CLI jar as users run them:
 *
 * <ol>
 *   <li>the floor: a plain {@code kafka-clients} producer with the same settings (idempotent,
 *       {@code acks=all}, lz4, 5 ms linger) sending the same events as Jackson JSON keyed by
 *       session, events/s until the last is acknowledged; beside it {@code KafkaEventSink} fed from
 *       one thread, until {@code flush} returns;
 *   <li>end to end, producer to PostgreSQL, with 1 and then 2 hubs ({@code hyperlens serve --kafka
 *       ... --db ...}) in one group, and the CPU each process used;
 *   <li>the single hub's HTTP path into the same PostgreSQL (8 client threads posting NDJSON
 *       batches of 100 to {@code /v1/events}).
 * </ol>
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * java -cp hyperlens-bench/target/benchmarks.jar io.hyperlens.bench.kafka.KafkaLoad [events] [repeats]
 * </pre>
 */
public final class KafkaLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PARTITIONS = 4;

  private KafkaLoad() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path jar = Path.of("hyperlens-server", "target", "hyperlens.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: mvn -B -q -DskipTests package");
    }
    Path work = Files.createTempDirectory("kafka-load");
    List<HypervisorEvent> events = events(count);
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("broker"))) {
      producers(broker, events, repeats);
      try (EmbeddedPostgres postgres =
          EmbeddedPostgres.builder().setDataDirectory(work.resolve("pg")).start()) {
        endToEnd(broker, postgres, jar, work, events, repeats);
        http(postgres, jar, work, events, repeats);
      }
    }
  }

  private static List<HypervisorEvent> events(int count) {
    List<HypervisorEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(
          HypervisorEvent.builder(EventType.SESSION_JOINED)
              .sessionId("session-" + (i % 256))
              .agentDid("did:mesh:agent-" + (i % 64))
              .payload(Map.of("ring", 2, "sigma", 0.8))
              .build());
    }
    return events;
  }

  // ------------------------------------------------------------------ producers

  private static void producers(
      KafkaBrokerProcess broker, List<HypervisorEvent> events, int repeats) throws Exception {
    double[] floors = new double[repeats];
    double[] sinks = new double[repeats];
    floor(broker, topic(broker), events.subList(0, Math.min(50_000, events.size()))); // warm-up
    sink(broker, topic(broker), events.subList(0, Math.min(50_000, events.size())));
    for (int r = 0; r < repeats; r++) {
      floors[r] = floor(broker, topic(broker), events);
      sinks[r] = sink(broker, topic(broker), events);
    }
    double floor = median(floors);
    double sink = median(sinks);
    System.out.printf(
        Locale.ROOT,
        "producer, %,d events: kafka-clients %,.0f ev/s, KafkaEventSink %,.0f ev/s = %.0f %%"
            + "   runs: %s / %s%n",
        events.size(),
        floor,
        sink,
        100 * sink / floor,
        Arrays.toString(round(floors)),
        Arrays.toString(round(sinks)));
  }

  private static String topic(KafkaBrokerProcess broker) throws Exception {
    String topic = "load-" + System.nanoTime();
    broker.createTopics(PARTITIONS, topic);
    return topic;
  }

  /** A plain producer with the sink's settings: serialize, send, until every ack is in. */
  private static double floor(KafkaBrokerProcess broker, String topic, List<HypervisorEvent> events)
      throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", broker.bootstrap());
    config.put("acks", "all");
    config.put("enable.idempotence", true);
    config.put("compression.type", "lz4");
    config.put("linger.ms", 5);
    config.put("batch.size", 128 * 1024);
    config.put("key.serializer", ByteArraySerializer.class);
    config.put("value.serializer", ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      producer.partitionsFor(topic); // metadata before the clock starts, as the sink's warm-up
      CountDownLatch acked = new CountDownLatch(events.size());
      AtomicLong failed = new AtomicLong();
      long start = System.nanoTime();
      for (HypervisorEvent event : events) {
        producer.send(
            new ProducerRecord<>(
                topic,
                event.sessionId().orElseThrow().getBytes(StandardCharsets.UTF_8),
                JSON.writeValueAsBytes(event.toMap())),
            (metadata, error) -> {
              if (error != null) {
                failed.incrementAndGet();
              }
              acked.countDown();
            });
      }
      acked.await();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (failed.get() > 0) {
        throw new IllegalStateException(failed + " sends failed");
      }
      return events.size() / seconds;
    }
  }

  private static double sink(KafkaBrokerProcess broker, String topic, List<HypervisorEvent> events)
      throws Exception {
    try (KafkaEventSink sink =
        KafkaEventSink.builder(broker.bootstrap()).topic(topic).queueSize(events.size()).build()) {
      sink.accept(events.get(0)); // metadata before the clock starts
      sink.flush(Duration.ofSeconds(30));
      long start = System.nanoTime();
      for (HypervisorEvent event : events) {
        sink.accept(event);
      }
      if (!sink.flush(Duration.ofMinutes(5))) {
        throw new IllegalStateException("flush timed out: " + sink.stats());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      KafkaEventSink.Stats stats = sink.stats();
      if (stats.dropped() + stats.failed() > 0 || stats.sent() != events.size() + 1) {
        throw new IllegalStateException("not all sent: " + stats);
      }
      return events.size() / seconds;
    }
  }

  // ------------------------------------------------------------------ end to end

  private static void endToEnd(
      KafkaBrokerProcess broker,
      EmbeddedPostgres postgres,
      Path jar,
      Path work,
      List<HypervisorEvent> events,
      int repeats)
      throws Exception {
    for (int hubs : new int[] {1, 2}) {
      double[] floors = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        floors[r] = storeFloor(postgres, "floor_" + hubs + "_" + r, events, hubs);
      }
      System.out.printf(
          Locale.ROOT,
          "store floor, PostgresStore.append of batches of 2,000 from %d thread(s): %,.0f ev/s"
              + "   runs: %s%n",
          hubs,
          median(floors),
          Arrays.toString(round(floors)));
      double[] rates = new double[repeats];
      String cpu = "";
      for (int r = 0; r < repeats; r++) {
        String db = "e2e_" + hubs + "_" + r;
        execute(postgres, "CREATE DATABASE " + db);
        String eventsTopic = "e2e-" + hubs + "-" + r + "-" + System.nanoTime();
        broker.createTopics(PARTITIONS, eventsTopic, eventsTopic + "-spans");
        String group = "g-" + eventsTopic;
        List<Process> started = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
          for (int h = 0; h < hubs; h++) {
            int port = freePort();
            ports.add(port);
            started.add(
                hub(
                    jar,
                    work.resolve(db + "-" + h),
                    List.of(
                        "--port",
                        Integer.toString(port),
                        "--db",
                        postgres.getJdbcUrl("postgres", db),
                        "--kafka",
                        broker.bootstrap(),
                        "--group",
                        group,
                        "--events-topic",
                        eventsTopic,
                        "--spans-topic",
                        eventsTopic + "-spans")));
          }
          awaitMembers(broker, group, hubs);
          Map<String, Double> before = cpuSeconds(started, work);
          long start = System.nanoTime();
          try (KafkaEventSink sink =
              KafkaEventSink.builder(broker.bootstrap())
                  .topic(eventsTopic)
                  .queueSize(events.size())
                  .build()) {
            events.forEach(sink::accept);
          }
          awaitIngested(ports, events.size());
          double seconds = (System.nanoTime() - start) / 1e9;
          rates[r] = events.size() / seconds;
          Map<String, Double> after = cpuSeconds(started, work);
          StringBuilder used = new StringBuilder();
          after.forEach(
              (name, total) ->
                  used.append(
                      String.format(
                          Locale.ROOT,
                          " %s %.1f s",
                          name,
                          total - before.getOrDefault(name, 0.0))));
          cpu = String.format(Locale.ROOT, "%.1f s wall;", seconds) + used;
        } finally {
          for (Process process : started) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "end to end, %d hub(s), %,d events into PostgreSQL: %,.0f ev/s   runs: %s   CPU of the"
              + " last run:%s%n",
          hubs,
          events.size(),
          median(rates),
          Arrays.toString(round(rates)),
          cpu.isEmpty() ? "" : " " + cpu);
    }
  }

  /** CPU seconds used so far by the hubs, the broker, PostgreSQL's processes and this JVM. */
  private static Map<String, Double> cpuSeconds(List<Process> hubs, Path work) {
    Map<String, Double> cpu = new java.util.LinkedHashMap<>();
    for (int h = 0; h < hubs.size(); h++) {
      cpu.put("hub" + (char) ('A' + h), seconds(hubs.get(h).toHandle()));
    }
    double broker = 0;
    double postgres = 0;
    for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
      String command = process.info().commandLine().orElse("");
      if (!command.contains(work.toString())) {
        continue; // only this run's broker and database, not others on the machine
      }
      if (command.contains("kafka.Kafka ")) {
        broker += seconds(process);
      } else if (command.contains("postgres")) {
        // the postmaster (started with -D under work) and its backends
        postgres += seconds(process);
        postgres += process.descendants().mapToDouble(KafkaLoad::seconds).sum();
      }
    }
    cpu.put("broker", broker);
    cpu.put("postgres", postgres);
    cpu.put("machine", machineBusySeconds());
    cpu.put(
        "bench",
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9);
    return cpu;
  }

  /** CPU seconds the whole machine spent busy (all cores, /proc/stat: not idle, not iowait). */
  private static double machineBusySeconds() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < fields.length; i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(fields[i]);
        }
      }
      return busy / 100.0; // USER_HZ
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static double seconds(ProcessHandle process) {
    return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  private static void awaitMembers(KafkaBrokerProcess broker, String group, int members)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
      while (System.nanoTime() < deadline) {
        try {
          if (admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size()
              == members) {
            return;
          }
        } catch (Exception notYet) {
          // the group is being made
        }
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("the group never had " + members + " members");
  }

  /**
   * Waits until the hubs together stored {@code rows} new events, by their own {@code
   * hyperlens_hub_ingested_total} (a count(*) every 50 ms would load the database being measured).
   */
  private static void awaitIngested(List<Integer> ports, long rows) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      double ingested = 0;
      for (int port : ports) {
        String metrics =
            client
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        java.util.regex.Matcher line = INGESTED.matcher(metrics);
        if (line.find()) {
          ingested += Double.parseDouble(line.group(1));
        }
      }
      if (ingested >= rows) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the hubs never stored " + rows + " events");
  }

  private static final java.util.regex.Pattern INGESTED =
      java.util.regex.Pattern.compile(
          "(?m)^hyperlens_hub_ingested_total\\{kind=\"events\"\\} ([\\d.E+]+)$");

  /**
   * The database's own ceiling here: {@code PostgresStore.append} of the same events in batches of
   * 2,000 (what a hub stores per poll) from {@code threads} threads in this JVM, no Kafka, no hub.
   */
  private static double storeFloor(
      EmbeddedPostgres postgres, String db, List<HypervisorEvent> events, int threads)
      throws Exception {
    execute(postgres, "CREATE DATABASE " + db);
    try (io.hyperlens.store.JdbcStore store =
        io.hyperlens.store.PostgresStore.open(
            postgres.getDatabase("postgres", db), java.time.Clock.systemUTC())) {
      AtomicInteger next = new AtomicInteger();
      List<Thread> workers = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        Thread worker =
            new Thread(
                () -> {
                  for (int from; (from = next.getAndAdd(2_000)) < events.size(); ) {
                    store.append(events.subList(from, Math.min(from + 2_000, events.size())));
                  }
                });
        worker.start();
        workers.add(worker);
      }
      for (Thread worker : workers) {
        worker.join();
      }
      return events.size() / ((System.nanoTime() - start) / 1e9);
    }
  }

  // ------------------------------------------------------------------ HTTP

  private static void http(
      EmbeddedPostgres postgres, Path jar, Path work, List<HypervisorEvent> events, int repeats)
      throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    for (int from = 0; from < events.size(); from += 100) {
      StringBuilder body = new StringBuilder();
      for (HypervisorEvent event : events.subList(from, Math.min(from + 100, events.size()))) {
        body.append(JSON.writeValueAsString(event.toMap())).append('\n');
      }
      bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
    }
    double[] rates = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      String db = "http_" + r;
      execute(postgres, "CREATE DATABASE " + db);
      int port = freePort();
      Process hub =
          hub(
              jar,
              work.resolve(db),
              List.of(
                  "--db", postgres.getJdbcUrl("postgres", db), "--port", Integer.toString(port)));
      try {
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/events");
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < 8; t++) {
          Thread thread =
              new Thread(
                  () -> {
                    for (int b; (b = next.getAndIncrement()) < bodies.size(); ) {
                      try {
                        HttpResponse<String> answer =
                            client.send(
                                HttpRequest.newBuilder(uri)
                                    .header("Content-Type", "application/x-ndjson")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(b)))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() != 200) {
                          throw new IllegalStateException(
                              answer.statusCode() + " " + answer.body());
                        }
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    }
                  });
          thread.start();
          threads.add(thread);
        }
        for (Thread thread : threads) {
          thread.join();
        }
        rates[r] = events.size() / ((System.nanoTime() - start) / 1e9);
      } finally {
        hub.destroy();
        hub.waitFor(30, TimeUnit.SECONDS);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "one hub's HTTP path, 8 connections, batches of 100, %,d events into PostgreSQL: %,.0f ev/s"
            + "   runs: %s%n",
        events.size(),
        median(rates),
        Arrays.toString(round(rates)));
  }

  // ------------------------------------------------------------------ helpers

  /** A hub from the CLI jar, auth off on loopback; waits until it answers /healthz. */
  private static Process hub(Path jar, Path data, List<String> options) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms1g",
                "-Xmx1g",
                "-jar",
                jar.toString(),
                "serve",
                "--no-auth",
                "--data",
                data.toString(),
                "--audit-key-dir",
                data.resolve("keys").toString()));
    int port = freePort();
    if (!options.contains("--port")) {
      command.addAll(List.of("--port", Integer.toString(port)));
    } else {
      port = Integer.parseInt(options.get(options.indexOf("--port") + 1));
    }
    command.addAll(options);
    Files.createDirectories(data);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("hub.log").toFile())
            .start();
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the hub exited: " + Files.readString(data.resolve("hub.log")));
      }
      try {
        if (client
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return process;
        }
      } catch (java.io.IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the hub did not start");
  }

  private static void execute(EmbeddedPostgres postgres, String sql) throws Exception {
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static long[] round(double[] values) {
    return Arrays.stream(values).mapToLong(Math::round).toArray();
  }
}
