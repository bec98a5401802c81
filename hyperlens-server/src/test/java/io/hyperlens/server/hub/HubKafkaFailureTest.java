package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.kafka.ConsumerGroups;
import io.hyperlens.kafka.KafkaBrokerProcess;
import io.hyperlens.kafka.KafkaEventSink;
import io.hyperlens.kafka.KafkaTopics;
import io.hyperlens.server.cli.HyperlensCommand;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.PostgresStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hubs as child JVMs ({@code hyperlens serve --kafka ... --db ...}) on a real broker (a child JVM)
 * and a real PostgreSQL, killed with SIGKILL: what they consumed is in the database once, whoever
 * stored it.
 */
class HubKafkaFailureTest {
  @TempDir static Path work;
  private static KafkaBrokerProcess broker;
  private static EmbeddedPostgres postgres;
  private final List<Process> hubs = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBrokerProcess.start(work.resolve("broker"));
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
    postgres.close();
  }

  @org.junit.jupiter.api.AfterEach
  void stopHubs() throws InterruptedException {
    for (Process hub : hubs) {
      hub.destroyForcibly();
      hub.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * A hub on the shared database consuming {@code topics} in {@code group}; waits until healthy.
   */
  private HubClient serve(String name, KafkaTopics topics, String group, int port)
      throws Exception {
    Path log = work.resolve(name + ".log");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                HyperlensCommand.class.getName(),
                "serve",
                "--port",
                Integer.toString(port),
                "--data",
                work.resolve("data-" + name).toString(),
                "--audit-key-dir",
                work.resolve("keys-" + name).toString(),
                "--no-auth",
                "--db",
                postgres.getJdbcUrl("postgres", "postgres"),
                "--kafka",
                broker.bootstrap(),
                "--group",
                group,
                "--events-topic",
                topics.events(),
                "--spans-topic",
                topics.spans())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    hubs.add(process);
    HubClient client = new HubClient(URI.create("http://127.0.0.1:" + port), null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
      try {
        if (client.get("/healthz").status() == 200) {
          return client;
        }
      } catch (UncheckedIOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the hub did not start: " + Files.readString(log));
  }

  private static KafkaTopics topics() throws Exception {
    String prefix = "f-" + UUID.randomUUID();
    KafkaTopics topics = new KafkaTopics(prefix + ".events", prefix + ".spans");
    broker.createTopics(4, topics.events(), topics.spans());
    return topics;
  }

  private static void await(String what, Duration within, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + within.toSeconds() + " s for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static JdbcStore store() {
    return PostgresStore.open(postgres.getDatabase("postgres", "postgres"), Clock.systemUTC());
  }

  /** The ids of stored events of sessions starting with {@code prefix}, with their copies. */
  private static List<String> stored(String prefix) {
    try (JdbcStore store = store()) {
      return store.query(EventQuery.all()).stream()
          .filter(e -> e.sessionId().orElse("").startsWith(prefix))
          .map(HypervisorEvent::eventId)
          .toList();
    }
  }

  private static long count(String prefix) {
    return stored(prefix).size();
  }

  /** Emits {@code count} events in 32 sessions named {@code prefix + n}; returns their ids. */
  private static List<String> produce(KafkaTopics topics, String prefix, int count) {
    HypervisorEventBus bus = new HypervisorEventBus();
    List<String> ids = new ArrayList<>(count);
    try (KafkaEventSink sink =
        KafkaEventSink.builder(broker.bootstrap())
            .topic(topics.events())
            .queueSize(count + 1)
            .closeTimeout(Duration.ofSeconds(60))
            .build()) {
      sink.subscribeTo(bus);
      for (int i = 0; i < count; i++) {
        HypervisorEvent event =
            bus.eventBuilder(EventType.SESSION_JOINED)
                .sessionId(prefix + (i % 32))
                .agentDid("did:mesh:agent-" + (i % 32))
                .build();
        ids.add(event.eventId());
        bus.emit(event);
      }
    }
    return ids;
  }

  private static int members(String group) {
    return ConsumerGroups.members(broker.bootstrap(), group);
  }

  private static long committed(String group) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream()
          .filter(o -> o != null)
          .mapToLong(OffsetAndMetadata::offset)
          .sum();
    } catch (Exception e) {
      return -1;
    }
  }

  private static double metric(HubClient hub, String name) {
    return hub.get("/metrics")
        .body()
        .lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not on /metrics"));
  }

  @Test
  void twoHubsOneKilledMidBatchTheOtherTakesOverWithNothingLostOrStoredTwice() throws Exception {
    KafkaTopics topics = topics();
    String group = "g-" + UUID.randomUUID();
    serve("a", topics, group, freePort());
    HubClient b = serve("b", topics, group, freePort());
    await("both hubs in the group", Duration.ofSeconds(60), () -> members(group) == 2);

    String prefix = "kill-" + UUID.randomUUID() + "-";
    List<String> ids = new ArrayList<>(produce(topics, prefix, 30_000));
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", broker.bootstrap(),
                "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class,
                "value.serializer",
                    org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.events(),
                  (prefix + "3").getBytes(StandardCharsets.UTF_8),
                  "{not json".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    ids.addAll(produce(topics, prefix, 30_000));

    await("a tenth stored", Duration.ofSeconds(60), () -> count(prefix) >= 6_000);
    Process a = hubs.get(0);
    a.destroyForcibly(); // SIGKILL, mid-batch: no leaving the group, no last commit
    assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long atKill = count(prefix);
    assertThat(atKill).as("killed while consuming").isLessThan(60_000);

    await("all 60,000 stored", Duration.ofSeconds(120), () -> count(prefix) == 60_000);
    List<String> stored = stored(prefix);
    assertThat(new HashSet<>(stored)).hasSize(60_000).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(stored).hasSize(60_000); // none twice
    assertThat(metric(b, "hyperlens_kafka_dead_letters_total")).isBetween(0.0, 1.0);
    await("every offset committed", Duration.ofSeconds(30), () -> committed(group) == 60_001);
  }

  @Test
  void aHubRestartedAfterACrashResumesFromItsCommittedOffsets() throws Exception {
    KafkaTopics topics = topics();
    String group = "g-" + UUID.randomUUID();
    int port = freePort();
    serve("first", topics, group, port);
    String prefix = "resume-" + UUID.randomUUID() + "-";
    produce(topics, prefix, 5_000);
    await("5,000 stored", Duration.ofSeconds(60), () -> count(prefix) == 5_000);
    await("5,000 committed", Duration.ofSeconds(30), () -> committed(group) == 5_000);
    Process first = hubs.get(0);
    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    List<String> more = produce(topics, prefix, 3_000);
    HubClient again = serve("again", topics, group, port);
    await("8,000 stored", Duration.ofSeconds(90), () -> count(prefix) == 8_000);
    await(
        "3,000 read",
        Duration.ofSeconds(30),
        () -> metric(again, "hyperlens_kafka_records_total") >= 3_000);
    Thread.sleep(1_000);
    // it read only what came after its committed offsets
    assertThat(metric(again, "hyperlens_kafka_records_total")).isEqualTo(3_000.0);
    assertThat(metric(again, "hyperlens_hub_duplicates_total{kind=\"events\"}")).isZero();
    Set<String> stored = new HashSet<>(stored(prefix));
    assertThat(stored).containsAll(more).hasSize(8_000);
  }
}
