package io.hyperlens.server.cli;

import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.kafka.KafkaTopics;
import io.hyperlens.otel.GenAiPriceTable;
import io.hyperlens.server.hub.Hub;
import io.hyperlens.server.hub.HubConfig;
import io.hyperlens.server.ingest.IngestLimits;
import io.hyperlens.server.kafka.HubKafka;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.PostgresStore;
import io.hyperlens.store.SqliteStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hyperlens serve}: runs the hub in the foreground until SIGTERM or Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Hyperlens hub in the foreground: ingest over HTTP (/v1/events) and OTLP"
          + " (/v1/traces), a durable store, the query API (/api/...), API keys. SIGTERM or"
          + " Ctrl-C lets requests in flight finish and closes the store.",
      "The first run on an empty data directory prints an admin key, once."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--port",
      defaultValue = "7070",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--data",
      defaultValue = "hyperlens-data",
      description =
          "Data directory: API keys and, unless --db is given, the SQLite store"
              + " (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--db",
      description =
          "A PostgreSQL JDBC URL (jdbc:postgresql://host/db?user=NAME) instead of SQLite; the"
              + " password comes from HYPERLENS_DB_PASSWORD, never the command line.")
  String db;

  @Option(
      names = "--retention",
      defaultValue = "7d",
      converter = DurationConverter.class,
      description = "How long events and spans are kept (default: ${DEFAULT-VALUE}).")
  Duration retention;

  @Option(
      names = "--max-events",
      defaultValue = "0",
      description = "The most events kept, oldest removed first (default: no bound).")
  long maxEvents;

  @Option(
      names = "--no-auth",
      description = "Serve without API keys (refused unless --bind is a loopback address).")
  boolean noAuth;

  @Option(names = "--no-redact", description = "Store secrets in ingested telemetry as sent.")
  boolean noRedact;

  @Option(
      names = "--audit-key-dir",
      paramLabel = "DIR",
      description =
          "Where the private key of the hub's audit trail is kept, never in --data. Default:"
              + " $HYPERLENS_KEY_DIR or ~/.hyperlens/keys.")
  Path auditKeyDir;

  @Option(
      names = "--alerts",
      paramLabel = "FILE",
      converter = AlertConfigConverter.class,
      description =
          "Alert rules and channels (YAML, or JSON by its .json name) evaluated over what the hub"
              + " ingests: PagerDuty, Alertmanager, webhooks, Slack. $${NAME} in it reads an"
              + " environment variable. See deploy/hyperlens/alerts.yaml.")
  AlertConfig alerts;

  @Option(
      names = "--prices",
      paramLabel = "FILE",
      converter = PriceTableConverter.class,
      description =
          "A GenAI price table (JSON, the shape of hyperlens-otel's genai-prices.json) laid over"
              + " the bundled one: its models replace the bundled entries of the same provider and"
              + " model, the others are added. Prices the token usage of spans that carry no"
              + " cost of their own.")
  GenAiPriceTable prices;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description =
          "Consume the events and spans topics of the Kafka brokers at BOOTSTRAP"
              + " (host:port[,host:port...]) into the store, offsets committed after the store"
              + " commits; hubs of one --group share the partitions (use --db for a shared"
              + " PostgreSQL). See deploy/kafka/README.md.")
  String kafka;

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      defaultValue = HubKafka.DEFAULT_GROUP,
      description = "The consumer group of --kafka (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(
      names = "--events-topic",
      paramLabel = "TOPIC",
      defaultValue = "hyperlens.events",
      description =
          "The events topic of --kafka (default: ${DEFAULT-VALUE}; dead letters: TOPIC.dlq).")
  String eventsTopic;

  @Option(
      names = "--spans-topic",
      paramLabel = "TOPIC",
      defaultValue = "hyperlens.spans",
      description =
          "The spans topic of --kafka (default: ${DEFAULT-VALUE}; dead letters: TOPIC.dlq).")
  String spansTopic;

  @Option(
      names = "--ingest-to-kafka",
      description =
          "POST /v1/events and /v1/traces hand what they validate to Kafka (2xx: acknowledged"
              + " with acks=all) instead of the store; needs --kafka.")
  boolean ingestToKafka;

  @Option(
      names = "--kafka-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "With --ingest-to-kafka, how long a request waits for Kafka's acknowledgement before it"
              + " is answered 503 (default: ${DEFAULT-VALUE}).")
  Duration kafkaTimeout;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HubConfig config;
    try {
      config =
          new HubConfig(
              bind,
              port,
              data,
              !noAuth,
              !noRedact,
              IngestLimits.defaults(),
              retention,
              maxEvents,
              64,
              auditKeyDir != null
                  ? auditKeyDir
                  : io.hyperlens.audit.keys.AuditKeys.defaultKeyDirectory(),
              alerts,
              kafkaSettings(),
              prices != null ? prices : GenAiPriceTable.bundled());
    } catch (IllegalArgumentException e) {
      err.println("serve: " + e.getMessage());
      return 2;
    }
    if (maxEvents < 0) {
      err.println("--max-events must not be negative, got " + maxEvents);
      return 2;
    }
    JdbcStore store;
    try {
      store = openStore();
    } catch (RuntimeException e) {
      err.println((db == null ? "--data: " : "--db: ") + e.getMessage());
      return 2;
    }
    Hub hub;
    try {
      hub = Hub.start(config, store);
    } catch (RuntimeException e) {
      err.println("serve: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread shutdown =
        new Thread(
            () -> {
              hub.close();
              out.println("Hyperlens hub stopped: requests finished, store closed.");
              out.flush();
              stopped.countDown();
            },
            "hyperlens-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    out.printf("Hyperlens hub at %s (store: %s)%n", hub.uri(), store.location());
    out.printf(
        noAuth ? "Web UI at %s/ui%n" : "Web UI at %s/ui (sign in with a key of read scope)%n",
        hub.uri());
    hub.initialAdminKey()
        .ifPresent(
            key ->
                out.printf(
                    "Admin key (shown once; keep it, or create others with hyperlens keys"
                        + " create):%n  %s%n",
                    key));
    if (alerts != null) {
      out.printf(
          "Alerting: %d rule(s) to %s; state at %s/api/alerts and %s/ui/alerts%n",
          alerts.rules().size(),
          alerts.channels().isEmpty()
              ? "no channel (state only)"
              : String.join(", ", alerts.channels().stream().map(c -> c.describe()).toList()),
          hub.uri(),
          hub.uri());
    }
    if (prices != null) {
      out.printf(
          "GenAI prices: table %s (%d entries)%n", prices.version(), prices.entries().size());
    }
    if (kafka != null && db == null) {
      out.println(
          "Kafka with the SQLite store: this hub keeps what it consumes to itself; hubs that share"
              + " a group need one PostgreSQL (--db), or each would hold only its partitions.");
    }
    if (kafka != null) {
      out.printf(
          "Kafka: consuming %s and %s from %s in group %s%s; live stream from every hub of it%n",
          eventsTopic,
          spansTopic,
          kafka,
          group,
          ingestToKafka ? "; HTTP ingest goes to Kafka" : "");
    }
    if (noAuth) {
      out.println("Auth is off: anyone on this machine can read and write.");
    }
    out.println("Ctrl-C stops it.");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      hub.close();
    }
    return 0;
  }

  private HubKafka kafkaSettings() {
    if (kafka == null) {
      CommandLine.ParseResult given = spec.commandLine().getParseResult();
      for (String option :
          List.of(
              "--ingest-to-kafka",
              "--group",
              "--events-topic",
              "--spans-topic",
              "--kafka-timeout")) {
        if (given != null && given.hasMatchedOption(option)) {
          throw new IllegalArgumentException(option + " needs --kafka BOOTSTRAP");
        }
      }
      return null;
    }
    KafkaTopics topics;
    try {
      topics = new KafkaTopics(eventsTopic, spansTopic);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--events-topic/--spans-topic: " + e.getMessage(), e);
    }
    return new HubKafka(kafka, group, topics, ingestToKafka, kafkaTimeout);
  }

  private JdbcStore openStore() {
    if (db == null) {
      return SqliteStore.open(data);
    }
    if (!db.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db?user=NAME), got a URL"
              + " of another kind");
    }
    String password = System.getenv("HYPERLENS_DB_PASSWORD");
    return PostgresStore.open(db, null, password);
  }
}
