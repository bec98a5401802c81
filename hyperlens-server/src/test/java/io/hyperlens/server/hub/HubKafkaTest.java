package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.kafka.ConsumerGroups;
import io.hyperlens.kafka.InJvmKafka;
import io.hyperlens.kafka.KafkaEventSink;
import io.hyperlens.kafka.KafkaIngestor;
import io.hyperlens.kafka.KafkaSpanExporter;
import io.hyperlens.kafka.KafkaTopics;
import io.hyperlens.kafka.TopicReader;
import io.hyperlens.server.kafka.HubKafka;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.PostgresStore;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanKind;
import io.hyperlens.trace.SpanStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hubs in Kafka mode on a real (in-JVM) Kafka and a real PostgreSQL: two hubs of one group share
 * the partitions into one database, each answers queries and streams what either ingested; poison
 * goes to the dead-letter topic; HTTP ingest can go to Kafka.
 */
class HubKafkaTest {
  private static InJvmKafka kafka;
  private static EmbeddedPostgres postgres;

  @TempDir Path work;
  private final List<Hub> hubs = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    kafka = InJvmKafka.start();
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
    postgres.close();
  }

  @AfterEach
  void closeHubs() {
    hubs.forEach(Hub::close);
  }

  private static JdbcStore store() {
    return PostgresStore.open(postgres.getDatabase("postgres", "postgres"), Clock.systemUTC());
  }

  private Hub hub(String name, HubKafka settings) {
    Path data = work.resolve(name);
    Hub hub =
        Hub.start(
            HubConfig.defaults(data)
                .withPort(0)
                .withAuth(false)
                .withAuditKeyDirectory(work.resolve("keys-" + name))
                .withKafka(settings),
            store());
    hubs.add(hub);
    return hub;
  }

  /** Kafka mode on {@code topics} in a group of its own, HTTP ingest going to Kafka. */
  private static HubKafka toKafka(KafkaTopics topics) {
    return new HubKafka(
        kafka.bootstrap(),
        "g-" + UUID.randomUUID(),
        topics,
        true,
        HubKafka.DEFAULT_PUBLISH_TIMEOUT);
  }

  private static KafkaTopics topics() throws Exception {
    String prefix = "h-" + UUID.randomUUID();
    KafkaTopics topics = new KafkaTopics(prefix + ".events", prefix + ".spans");
    kafka.createTopics(4, topics.events(), topics.spans());
    return topics;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 90 s for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static int members(String group) {
    return ConsumerGroups.members(kafka.bootstrap(), group);
  }

  private static long storedWithPrefix(String prefix) {
    try (JdbcStore store = store()) {
      return store.query(EventQuery.all()).stream()
          .filter(e -> e.sessionId().orElse("").startsWith(prefix))
          .count();
    }
  }

  @Test
  void twoHubsShareThePartitionsIntoOneDatabaseAndEachStreamsWhatEitherIngested() throws Exception {
    KafkaTopics topics = topics();
    String group = "g-" + UUID.randomUUID();
    HubKafka settings =
        new HubKafka(kafka.bootstrap(), group, topics, false, HubKafka.DEFAULT_PUBLISH_TIMEOUT);
    Hub first = hub("first", settings);
    Hub second = hub("second", settings);
    await(
        "both hubs hold partitions",
        () ->
            members(group) == 2
                && first.kafkaStats().lag().size() + second.kafkaStats().lag().size() == 8
                && !first.kafkaStats().lag().isEmpty()
                && !second.kafkaStats().lag().isEmpty());

    Set<String> streamed = ConcurrentHashMap.newKeySet();
    HttpResponse<Stream<String>> stream =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(second.uri() + "/api/stream"))
                    .header("Accept", "text/event-stream")
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    Thread reader =
        new Thread(
            () ->
                stream
                    .body()
                    .filter(l -> l.startsWith("data:"))
                    .forEach(
                        l -> {
                          try {
                            streamed.add(
                                HubClient.JSON.readTree(l.substring(5)).get("event_id").asText());
                          } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                          }
                        }));
    reader.setDaemon(true);
    reader.start();
    Thread.sleep(2_000); // the tails are at the end of every partition

    String prefix = "shared-" + UUID.randomUUID() + "-";
    HypervisorEventBus bus = new HypervisorEventBus();
    List<String> ids = new ArrayList<>();
    try (KafkaEventSink sink =
        KafkaEventSink.builder(kafka.bootstrap()).topic(topics.events()).build()) {
      sink.subscribeTo(bus);
      for (int i = 0; i < 2_000; i++) {
        HypervisorEvent event =
            bus.eventBuilder(EventType.SESSION_JOINED)
                .sessionId(prefix + (i % 40))
                .agentDid("did:mesh:agent-" + (i % 40))
                .payload(Map.of("api_key", "sk-live-" + "a".repeat(30)))
                .build();
        ids.add(event.eventId());
        bus.emit(event);
      }
    }
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    KafkaSpanExporter spans =
        KafkaSpanExporter.builder(kafka.bootstrap()).topic(topics.spans()).build();
    spans.export(
        List.of(
            SpanData.builder(traceId, "00f067aa0ba902b7", "plan")
                .serviceName("planner")
                .kind(SpanKind.SERVER)
                .times(1_700_000_000_000_000_000L, 1_700_000_000_500_000_000L)
                .status(SpanStatus.OK, null)
                .build()));
    spans.flush();
    spans.shutdown();

    await("2,000 events in the database", () -> storedWithPrefix(prefix) == 2_000);
    assertThat(first.kafkaStats().records()).isPositive();
    assertThat(second.kafkaStats().records()).isPositive(); // both hubs stored a share
    await("the second hub streamed all 2,000", () -> streamed.containsAll(ids));

    HubClient client = new HubClient(first.uri(), null);
    await("the span", () -> client.get("/api/traces/" + traceId).status() == 200);
    HubClient.Answer trace = client.get("/api/traces/" + traceId);
    assertThat(trace.body()).contains("\"plan\"").contains("planner");
    HubClient.Answer events =
        new HubClient(second.uri(), null).get("/api/events?session=" + prefix + "7&limit=100");
    assertThat(events.status()).isEqualTo(200);
    JsonNode listed = events.json().get("events");
    assertThat(listed).hasSize(50);
    // redacted as the HTTP ingest redacts
    assertThat(listed.get(0).path("payload").path("api_key").asText()).doesNotContain("sk-live");

    String metrics =
        client.get("/metrics").body() + new HubClient(second.uri(), null).get("/metrics").body();
    assertThat(metrics)
        .contains("hyperlens_kafka_consumer_lag{partition=\"")
        .contains("hyperlens_kafka_records_total")
        .contains("hyperlens_kafka_commit_seconds_bucket")
        .contains("hyperlens_kafka_dead_letters_total 0.0")
        .contains("hyperlens_hub_ingested_total{kind=\"events\"}");
  }

  @Test
  void poisonGoesToTheDeadLetterTopicWithItsReasonAndThePartitionKeepsFlowing() throws Exception {
    KafkaTopics topics = topics();
    Hub hub =
        hub(
            "poison",
            new HubKafka(
                kafka.bootstrap(),
                "g-" + UUID.randomUUID(),
                topics,
                false,
                HubKafka.DEFAULT_PUBLISH_TIMEOUT));
    String session = "poisoned-" + UUID.randomUUID();
    byte[] key = session.getBytes(StandardCharsets.UTF_8);
    try (var producer =
        new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
            Map.of(
                "bootstrap.servers", kafka.bootstrap(),
                "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class,
                "value.serializer",
                    org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.events(),
                  key,
                  HubClient.event("p1", "session.joined", session)
                      .getBytes(StandardCharsets.UTF_8)))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  topics.events(), key, "{not json".getBytes(StandardCharsets.UTF_8)))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  topics.events(),
                  key,
                  HubClient.event("p2", "no.such.type", session).getBytes(StandardCharsets.UTF_8)))
          .get();
      producer.send(new ProducerRecord<>(topics.spans(), key, new byte[] {1, 2, 3})).get();
      producer
          .send(
              new ProducerRecord<>(
                  topics.events(),
                  key,
                  HubClient.event("p3", "session.joined", session)
                      .getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    await("both good events stored", () -> storedWithPrefix(session) == 2);
    await("five records committed", () -> hub.kafkaStats().records() == 5);
    assertThat(hub.kafkaStats().deadLetters()).isEqualTo(3);

    List<ConsumerRecord<byte[], byte[]>> dead;
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      dead = TopicReader.readAll(consumer, KafkaTopics.deadLetter(topics.events()));
      assertThat(TopicReader.readAll(consumer, KafkaTopics.deadLetter(topics.spans()))).hasSize(1);
    }
    assertThat(dead).hasSize(2);
    List<String> reasons =
        dead.stream()
            .map(
                r ->
                    new String(
                        r.headers().lastHeader(KafkaIngestor.REASON).value(),
                        StandardCharsets.UTF_8))
            .toList();
    assertThat(reasons.get(0)).contains("malformed JSON");
    assertThat(reasons.get(1)).contains("event_type").contains("no.such.type");
    assertThat(
            new String(
                dead.get(1).headers().lastHeader(KafkaIngestor.SOURCE_OFFSET).value(),
                StandardCharsets.UTF_8))
        .isEqualTo("2"); // the third record of its partition: the first good one, then "{not json"
    assertThat(new HubClient(hub.uri(), null).get("/metrics").body())
        .contains("hyperlens_kafka_dead_letters_total 3.0");
  }

  @Test
  void withIngestToKafkaA202MeansKafkaHasItAndTheConsumerStoresIt() throws Exception {
    KafkaTopics topics = topics();
    Hub hub = hub("http", toKafka(topics));
    HubClient client = new HubClient(hub.uri(), null);
    String session = "via-http-" + UUID.randomUUID();
    HubClient.Answer answer =
        client.post(
            "/v1/events",
            "application/x-ndjson",
            HubClient.event("h1", "session.joined", session)
                + "\n"
                + HubClient.event("h2", "session.joined", session)
                + "\n");
    assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    assertThat(answer.json().get("accepted").asInt()).isEqualTo(2);
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      assertThat(TopicReader.readAll(consumer, topics.events())).hasSize(2); // in Kafka already
    }
    await("both stored", () -> storedWithPrefix(session) == 2);

    HubClient.Answer invalid =
        client.post("/v1/events", "application/x-ndjson", "{\"event_id\":\"x\"}\n");
    assertThat(invalid.status()).isEqualTo(400); // validated before Kafka, nothing produced
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      assertThat(TopicReader.readAll(consumer, topics.events())).hasSize(2);
    }
    assertThat(client.get("/metrics").body())
        .contains("hyperlens_kafka_published_total{kind=\"events\"} 2.0");
  }

  @Test
  void withIngestToKafkaSpansGoThroughKafkaAndAKafkaThatDoesNotAnswerIsA503() throws Exception {
    KafkaTopics topics = topics();
    Hub hub = hub("spans", toKafka(topics));
    String traceId = "7bf92f3577b34da6a3ce929d0e0e4738";
    byte[] body =
        io.hyperlens.kafka.OtlpSpans.encode(
                List.of(
                    SpanData.builder(traceId, "30f067aa0ba902b7", "tool")
                        .serviceName("tools")
                        .times(1_700_000_000_000_000_000L, 1_700_000_000_100_000_000L)
                        .build()))
            .toByteArray();
    HubClient client = new HubClient(hub.uri(), null);
    HubClient.Answer answer = client.post("/v1/traces", "application/x-protobuf", body, null);
    assertThat(answer.status()).isEqualTo(200);
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      assertThat(TopicReader.readAll(consumer, topics.spans())).hasSize(1);
    }
    await("the span stored", () -> client.get("/api/traces/" + traceId).status() == 200);

    Hub nowhere =
        hub("nowhere", new HubKafka("127.0.0.1:1", "g", topics, true, Duration.ofSeconds(2)));
    HubClient lost = new HubClient(nowhere.uri(), null);
    HubClient.Answer refused =
        lost.post(
            "/v1/events",
            "application/x-ndjson",
            HubClient.event("n1", "session.joined", "nowhere") + "\n");
    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
    assertThat(refused.header("Retry-After")).isEqualTo("5");
    assertThat(refused.json().path("error").asText()).isEqualTo("kafka_unavailable");
    assertThat(refused.body()).contains("2000 ms");
    assertThat(lost.post("/v1/traces", "application/x-protobuf", body, null).status())
        .isEqualTo(503);
    assertThat(lost.get("/metrics").body())
        .contains("hyperlens_hub_rejected_total{reason=\"kafka_unavailable\"} 2.0");
  }

  /** The data lines of an SSE stream, collected on a daemon thread. */
  private static List<String> sse(URI uri) throws Exception {
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpResponse<Stream<String>> stream =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    Thread reader =
        new Thread(() -> stream.body().filter(l -> l.startsWith("data:")).forEach(lines::add));
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  @Test
  void aClientsRetryIsInKafkaTwiceAndShownOnTheLiveStreamOnce() throws Exception {
    KafkaTopics topics = topics();
    Hub hub = hub("retry", toKafka(topics));
    List<String> shown = sse(URI.create(hub.uri() + "/api/stream"));
    Thread.sleep(3_000); // the tail is at the end
    HubClient client = new HubClient(hub.uri(), null);
    String session = "retried-" + UUID.randomUUID();
    String first = HubClient.event("r1", "session.joined", session) + "\n";
    assertThat(client.post("/v1/events", "application/x-ndjson", first).status()).isEqualTo(202);
    assertThat(client.post("/v1/events", "application/x-ndjson", first).status()).isEqualTo(202);
    String last = HubClient.event("r2", "session.joined", session) + "\n";
    assertThat(client.post("/v1/events", "application/x-ndjson", last).status()).isEqualTo(202);
    await("r2 shown", () -> shown.stream().anyMatch(l -> l.contains("\"r2\"")));
    assertThat(shown.stream().filter(l -> l.contains("\"r1\""))).hasSize(1);
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
      assertThat(TopicReader.readAll(consumer, topics.events())).hasSize(3);
    }
  }

  @Test
  void aHubStoppingWhileARequestWaitsForKafkaAnswersIt503() throws Exception {
    KafkaTopics topics = topics();
    Hub hub =
        hub(
            "stopping",
            new HubKafka("127.0.0.1:1", "g", topics, true, HubKafka.DEFAULT_PUBLISH_TIMEOUT));
    HubClient client = new HubClient(hub.uri(), null);
    java.util.concurrent.CompletableFuture<HubClient.Answer> waiting =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () ->
                client.post(
                    "/v1/events",
                    "application/x-ndjson",
                    HubClient.event("w1", "session.joined", "waiting") + "\n"));
    Thread.sleep(1_500); // the request waits for a Kafka that is not there
    long start = System.nanoTime();
    hub.close();
    Duration closing = Duration.ofNanos(System.nanoTime() - start);
    HubClient.Answer answer = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(answer.status()).as(answer.body()).isEqualTo(503);
    assertThat(answer.json().path("error").asText()).isEqualTo("kafka_unavailable");
    assertThat(closing).isLessThan(Duration.ofSeconds(15)); // not the 30 s publish timeout
  }
}
