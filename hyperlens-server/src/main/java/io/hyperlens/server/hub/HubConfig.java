package io.hyperlens.server.hub;

import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.otel.GenAiPriceTable;
import io.hyperlens.server.ingest.IngestLimits;
import io.hyperlens.server.kafka.HubKafka;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How a hub runs.
 *
 * @param bind the address to listen on ({@code 127.0.0.1} by default)
 * @param port the port ({@value #DEFAULT_PORT} by default; 0 picks a free one)
 * @param dataDirectory where the hub keeps its API keys and, with SQLite, its store
 * @param auth whether requests need an API key (off only on a loopback address)
 * @param redact whether secrets are redacted at ingest
 * @param limits the ingest limits
 * @param retention how long events and spans are kept (null: forever)
 * @param maxEvents the most events kept (0: no bound)
 * @param maxConcurrentIngest ingest requests processed at once; more wait briefly, then get 503
 * @param auditKeyDirectory where the private key of the hub's audit trail is kept: never in the
 *     data directory, whose writer could otherwise sign what it rewrote
 * @param alerts the alert rules evaluated over what the hub ingests, and where they notify; null
 *     for none
 * @param kafka Kafka mode: the topics consumed into the store, and whether HTTP ingest goes to
 *     Kafka; null for none
 * @param prices the prices of GenAI calls whose spans carry token usage but no cost of their own
 *     ({@link GenAiPriceTable#bundled()} by default; {@code hyperlens serve --prices FILE} lays a
 *     file over it)
 */
public record HubConfig(
    String bind,
    int port,
    Path dataDirectory,
    boolean auth,
    boolean redact,
    IngestLimits limits,
    Duration retention,
    long maxEvents,
    int maxConcurrentIngest,
    Path auditKeyDirectory,
    AlertConfig alerts,
    HubKafka kafka,
    GenAiPriceTable prices) {

  /** The hub's default port. */
  public static final int DEFAULT_PORT = 7070;

  /**
   * Validates the config.
   *
   * @throws IllegalArgumentException naming the field and the value; also when auth is off on an
   *     address other than loopback
   */
  public HubConfig {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("bind must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    if (dataDirectory == null) {
      throw new IllegalArgumentException("dataDirectory must not be null");
    }
    if (limits == null) {
      throw new IllegalArgumentException("limits must not be null");
    }
    if (retention != null && (retention.isNegative() || retention.isZero())) {
      throw new IllegalArgumentException("retention must be positive, got " + retention);
    }
    if (maxEvents < 0) {
      throw new IllegalArgumentException("maxEvents must not be negative, got " + maxEvents);
    }
    if (maxConcurrentIngest < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentIngest must be at least 1, got " + maxConcurrentIngest);
    }
    if (auditKeyDirectory == null) {
      throw new IllegalArgumentException("auditKeyDirectory must not be null");
    }
    if (prices == null) {
      throw new IllegalArgumentException("prices must not be null");
    }
    if (!auth && !loopback(bind)) {
      throw new IllegalArgumentException(
          "--no-auth is refused on "
              + bind
              + ": without keys anyone who reaches the port could read and write; bind to"
              + " 127.0.0.1 or keep auth on");
    }
  }

  /** Defaults on {@code dataDirectory}: loopback, port 7070, auth and redaction on, 7 days. */
  public static HubConfig defaults(Path dataDirectory) {
    return new HubConfig(
        "127.0.0.1",
        DEFAULT_PORT,
        dataDirectory,
        true,
        true,
        IngestLimits.defaults(),
        Duration.ofDays(7),
        0,
        64,
        io.hyperlens.audit.keys.AuditKeys.defaultKeyDirectory(),
        null,
        null,
        GenAiPriceTable.bundled());
  }

  /** This config on another port. */
  public HubConfig withPort(int port) {
    return edit(f -> f.port = port);
  }

  /** This config listening on {@code bind}. */
  public HubConfig withBind(String bind) {
    return edit(f -> f.bind = bind);
  }

  /** This config with auth on or off. */
  public HubConfig withAuth(boolean auth) {
    return edit(f -> f.auth = auth);
  }

  /** This config with other ingest limits. */
  public HubConfig withLimits(IngestLimits limits) {
    return edit(f -> f.limits = limits);
  }

  /**
   * This config keeping events and spans for {@code retention} (null: forever) and at most {@code
   * maxEvents} events (0: no bound).
   */
  public HubConfig withRetention(Duration retention, long maxEvents) {
    return edit(
        f -> {
          f.retention = retention;
          f.maxEvents = maxEvents;
        });
  }

  /** This config keeping the audit trail's key in {@code directory}. */
  public HubConfig withAuditKeyDirectory(Path directory) {
    return edit(f -> f.auditKeyDirectory = directory);
  }

  /** This config evaluating {@code alerts} (null: none). */
  public HubConfig withAlerts(AlertConfig alerts) {
    return edit(f -> f.alerts = alerts);
  }

  /** This config in Kafka mode ({@code kafka}; null: none). */
  public HubConfig withKafka(HubKafka kafka) {
    return edit(f -> f.kafka = kafka);
  }

  /** This config pricing GenAI calls with {@code prices}. */
  public HubConfig withPrices(GenAiPriceTable prices) {
    return edit(f -> f.prices = prices);
  }

  /** A copy with {@code change} applied, validated as any config is. */
  private HubConfig edit(Consumer<Fields> change) {
    Fields fields = new Fields(this);
    change.accept(fields);
    return new HubConfig(
        fields.bind,
        fields.port,
        dataDirectory,
        fields.auth,
        redact,
        fields.limits,
        fields.retention,
        fields.maxEvents,
        maxConcurrentIngest,
        fields.auditKeyDirectory,
        fields.alerts,
        fields.kafka,
        fields.prices);
  }

  /** The fields a {@code with...} method may change. */
  private static final class Fields {
    String bind;
    int port;
    boolean auth;
    IngestLimits limits;
    Duration retention;
    long maxEvents;
    Path auditKeyDirectory;
    AlertConfig alerts;
    HubKafka kafka;
    GenAiPriceTable prices;

    Fields(HubConfig config) {
      bind = config.bind;
      port = config.port;
      auth = config.auth;
      limits = config.limits;
      retention = config.retention;
      maxEvents = config.maxEvents;
      auditKeyDirectory = config.auditKeyDirectory;
      alerts = config.alerts;
      kafka = config.kafka;
      prices = config.prices;
    }
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
