package io.hyperlens.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Ships the events of a bus to a Hyperlens hub ({@code POST /v1/events}), from any agent JVM.
 *
 * <p>Events wait in a bounded queue ({@link Builder#queueSize}, drop-newest: a full queue drops the
 * event and counts it, so {@code emit} never blocks) and go out in gzip NDJSON batches from one
 * background thread. A batch answered 429 or 503 is retried after the hub's {@code Retry-After}; a
 * connection error or another 5xx after an exponential backoff with full jitter (from 100 ms up to
 * {@link Builder#maxBackoff}), until {@link Builder#retryBudget} has passed, when the batch counts
 * as failed. A 400 is never retried: the batch counts as rejected and the hub's answer is logged
 * once. The hub's ids make retries safe: a batch stored twice is stored once. {@link #close()}
 * sends what is queued, within {@link Builder#closeTimeout}. Thread-safe.
 *
 * <pre>{@code
 * HypervisorEventBus bus = new HypervisorEventBus();
 * try (HubEventSink sink =
 *     HubEventSink.builder(URI.create("http://127.0.0.1:7070")).apiKey(System.getenv("HYPERLENS_KEY")).build()) {
 *   sink.subscribeTo(bus);
 *   bus.emit(bus.eventBuilder(EventType.SESSION_CREATED).sessionId("s1").build());
 * } // flushed to the hub here
 * }</pre>
 */
public final class HubEventSink implements Consumer<HypervisorEvent>, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the sink did so far.
   *
   * @param sent items (events, or decisions for a {@link HubDecisionSink}) the hub stored
   * @param duplicates items the hub had already (a retry)
   * @param dropped items dropped because the queue was full
   * @param rejected items in batches the hub refused as invalid (400, never retried)
   * @param failed items in batches given up after the retry budget
   * @param retries requests sent again
   */
  public record Stats(
      long sent, long duplicates, long dropped, long rejected, long failed, long retries) {}

  private final HubShipper<HypervisorEvent> shipper;

  private HubEventSink(Builder builder) {
    this.shipper =
        new HubShipper<>(
            builder,
            "v1/events",
            "application/x-ndjson",
            "events",
            HubEventSink::body,
            HubEventSink.class);
  }

  /**
   * A sink to the hub at {@code hub}: its base URL, e.g. {@code http://127.0.0.1:7070}, or one with
   * a path prefix behind a proxy ({@code http://proxy/hyperlens}), to which {@code v1/events} is
   * added.
   */
  public static Builder builder(URI hub) {
    if (hub == null) {
      throw new IllegalArgumentException("hub must not be null");
    }
    return new Builder(hub);
  }

  /** Subscribes to every event of {@code bus}; close the subscription to stop. */
  public Subscription subscribeTo(HypervisorEventBus bus) {
    return bus.subscribeAll(this);
  }

  /** Queues {@code event}; counted as dropped when the queue is full or the sink closed. */
  @Override
  public void accept(HypervisorEvent event) {
    shipper.offer(event);
  }

  /**
   * Sends what is queued now; whether it all went out within {@code timeout} (false too when a
   * batch failed or was refused: see {@link #stats()}).
   */
  public boolean flush(Duration timeout) {
    return shipper.flush(timeout);
  }

  /** What the sink did so far. */
  public Stats stats() {
    return shipper.stats();
  }

  /** Sends what is queued (within the close timeout) and stops the sink's thread. */
  @Override
  public void close() {
    shipper.close();
  }

  private static byte[] body(List<HypervisorEvent> batch) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 256);
    for (HypervisorEvent event : batch) {
      out.write(JSON.writeValueAsBytes(event.toMap()));
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** Builds a {@link HubEventSink}. Not thread-safe. */
  public static final class Builder {
    final URI hub;
    String apiKey;
    int queueSize = 10_000;
    int batchSize = 500;
    Duration flushInterval = Duration.ofMillis(200);
    Duration requestTimeout = Duration.ofSeconds(10);
    Duration retryBudget = Duration.ofSeconds(30);
    Duration maxBackoff = Duration.ofSeconds(5);
    Duration closeTimeout = Duration.ofSeconds(10);
    HttpClient httpClient;

    private Builder(URI hub) {
      this.hub = hub;
    }

    /** The key sent as {@code Authorization: Bearer}; needs the ingest scope. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** How many events may wait (10,000); past it new events are dropped and counted. */
    public Builder queueSize(int queueSize) {
      this.queueSize = positive("queueSize", queueSize);
      return this;
    }

    /** The most events per request (500). */
    public Builder batchSize(int batchSize) {
      this.batchSize = positive("batchSize", batchSize);
      return this;
    }

    /** The longest an event waits for its batch to fill (200 ms). */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = positive("flushInterval", interval);
      return this;
    }

    /** The timeout of one request (10 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /** How long one batch is retried before it counts as failed (30 s). */
    public Builder retryBudget(Duration budget) {
      this.retryBudget = positive("retryBudget", budget);
      return this;
    }

    /** The longest backoff between two attempts (5 s). */
    public Builder maxBackoff(Duration max) {
      this.maxBackoff = positive("maxBackoff", max);
      return this;
    }

    /** How long {@link HubEventSink#close()} may take to send what is queued (10 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive("closeTimeout", timeout);
      return this;
    }

    /** The HTTP client to send with (a default one otherwise). */
    public Builder httpClient(HttpClient client) {
      this.httpClient = client;
      return this;
    }

    /** The sink; its thread starts with the first event. */
    public HubEventSink build() {
      return new HubEventSink(this);
    }

    /**
     * A sink of policy decisions to the same hub ({@code POST /v1/audit/decisions}), with the same
     * settings.
     */
    public HubDecisionSink buildDecisionSink() {
      return new HubDecisionSink(this);
    }

    private static int positive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + value);
      }
      return value;
    }

    private static Duration positive(String name, Duration value) {
      if (value == null || value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
      return value;
    }
  }
}
