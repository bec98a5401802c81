package io.hyperlens.server.demo;

import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.client.HubDecisionSink;
import io.hyperlens.client.HubEventSink;
import io.hyperlens.event.EventQuery;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.server.alert.HubAlerts;
import io.hyperlens.server.auth.Scope;
import io.hyperlens.server.hub.Hub;
import io.hyperlens.server.hub.HubConfig;
import io.hyperlens.store.SqliteStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The hub the demo runs in-process: the same {@link Hub} as {@code hyperlens serve}, fed through
 * its real ingest API over HTTP, events by a {@link HubEventSink}, policy decisions by a {@link
 * HubDecisionSink} into the hub's audit trail, and spans by the OpenTelemetry OTLP exporter. Its
 * data lives in a directory of the caller's choosing (kept for a later {@code serve}) or in a
 * temporary one removed on {@link #close()}. It makes an ingest key for the workload and a read key
 * to print.
 */
public final class DemoHub implements AutoCloseable {
  private final Hub hub;
  private final Path data;
  private final boolean temporary;
  private final String ingestKey;
  private final String readKey;
  private final HubEventSink sink;
  private final HubDecisionSink decisions;
  private Subscription subscription;

  private DemoHub(Hub hub, Path data, boolean temporary) {
    this.hub = hub;
    this.data = data;
    this.temporary = temporary;
    String stamp = Long.toString(System.currentTimeMillis(), 36);
    this.ingestKey = hub.keys().create("demo-ingest-" + stamp, EnumSet.of(Scope.INGEST));
    this.readKey = hub.keys().create("demo-read-" + stamp, EnumSet.of(Scope.READ));
    HubEventSink.Builder shipping =
        HubEventSink.builder(hub.uri()).apiKey(ingestKey).closeTimeout(Duration.ofSeconds(10));
    this.sink = shipping.build();
    this.decisions = shipping.buildDecisionSink();
  }

  /**
   * Starts a hub on {@code port} (0: a free one) with its data in {@code data}, or in a temporary
   * directory when {@code data} is null.
   *
   * @throws IllegalStateException when the port cannot be bound
   * @throws UncheckedIOException when no temporary directory can be made
   */
  public static DemoHub start(Path data, int port) {
    return start(data, port, null);
  }

  /** {@link #start(Path, int)} evaluating {@code alerts} (null: none) over what it ingests. */
  public static DemoHub start(Path data, int port, AlertConfig alerts) {
    boolean temporary = data == null;
    Path directory;
    try {
      directory = temporary ? Files.createTempDirectory("hyperlens-demo-hub") : data;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data directory for the demo's hub", e);
    }
    Hub hub =
        Hub.start(
            HubConfig.defaults(directory).withPort(port).withAlerts(alerts),
            SqliteStore.open(directory));
    try {
      return new DemoHub(hub, directory, temporary);
    } catch (RuntimeException e) {
      hub.close();
      throw e;
    }
  }

  /** The hub's alerting, when the demo runs with {@code --alerts}. */
  public Optional<HubAlerts> alerts() {
    return hub.alerts();
  }

  /** Ships every event of {@code bus} to the hub. */
  public void feed(HypervisorEventBus bus) {
    subscription = sink.subscribeTo(bus);
  }

  /** The hub's base URL. */
  public URI uri() {
    return hub.uri();
  }

  /** Where OTLP/HTTP spans go. */
  public String tracesEndpoint() {
    return hub.uri() + "/v1/traces";
  }

  /** The key the workload ships with (ingest scope). */
  public String ingestKey() {
    return ingestKey;
  }

  /** A key to query the hub with (read scope). */
  public String readKey() {
    return readKey;
  }

  /** The admin key, when this run created the data directory. */
  public Optional<String> adminKey() {
    return hub.initialAdminKey();
  }

  /** The data directory, kept after the demo unless it was temporary. */
  public Optional<Path> keptData() {
    return temporary ? Optional.empty() : Optional.of(data);
  }

  /** Where the workload's policy decisions go: the hub's audit trail. */
  public HubDecisionSink decisions() {
    return decisions;
  }

  /** Sends what the sinks still queue; the event sink's stats after. */
  public HubEventSink.Stats drain() {
    if (subscription != null) {
      subscription.close();
    }
    decisions.close();
    sink.close();
    return sink.stats();
  }

  /** Policy decisions the hub's audit trail holds. */
  public long storedDecisions() {
    return hub.auditRecords();
  }

  /**
   * What the hub holds.
   *
   * @param events events stored
   * @param spans spans stored
   */
  public record Stored(long events, long spans) {}

  /** Events and spans the hub stored. */
  public Stored stored() {
    return new Stored(hub.store().count(EventQuery.all()), hub.store().spanCount());
  }

  /** Drains the sink, stops the hub and removes a temporary data directory. */
  @Override
  public void close() {
    try {
      drain();
    } finally {
      hub.close();
      if (temporary) {
        try (Stream<Path> files = Files.walk(data)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // a temporary directory left behind is the operating system's to clean
        }
      }
    }
  }
}
