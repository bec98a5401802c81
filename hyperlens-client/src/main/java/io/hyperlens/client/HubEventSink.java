package io.hyperlens.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.spi.BatchExportQueue;
import io.hyperlens.spi.BatchExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

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
  private static final System.Logger LOG = System.getLogger(HubEventSink.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the sink did so far.
   *
   * @param sent events the hub stored
   * @param duplicates events the hub had already (a retry)
   * @param dropped events dropped because the queue was full
   * @param rejected events in batches the hub refused as invalid (400, never retried)
   * @param failed events in batches given up after the retry budget
   * @param retries requests sent again
   */
  public record Stats(
      long sent, long duplicates, long dropped, long rejected, long failed, long retries) {}

  private final Builder config;
  private final URI endpoint;
  private final HttpClient http;
  private final BatchExportQueue<HypervisorEvent> queue;
  private final LongAdder sent = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final AtomicBoolean rejectionLogged = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private HubEventSink(Builder builder) {
    this.config = builder;
    // relative to the hub's own path, so a hub behind http://proxy/hyperlens/ keeps its prefix
    String base = builder.hub.toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "v1/events");
    this.http =
        builder.httpClient != null
            ? builder.httpClient
            : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.queue =
        new BatchExportQueue<>(
            new Exporter(), builder.queueSize, builder.batchSize, builder.flushInterval, "hub");
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
    queue.offer(event);
  }

  /**
   * Sends what is queued now; whether it all went out within {@code timeout} (false too when a
   * batch failed or was refused: see {@link #stats()}).
   */
  public boolean flush(Duration timeout) {
    return queue.forceFlush(timeout);
  }

  /** What the sink did so far. */
  public Stats stats() {
    return new Stats(
        sent.sum(),
        duplicates.sum(),
        queue.dropped(),
        rejected.sum(),
        queue.failedItems(),
        retries.sum());
  }

  /** Sends what is queued (within the close timeout) and stops the sink's thread. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      queue.shutdown(config.closeTimeout);
    }
  }

  private byte[] body(List<HypervisorEvent> batch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 256);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      for (HypervisorEvent event : batch) {
        zip.write(JSON.writeValueAsBytes(event.toMap()));
        zip.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode events", e);
    }
    return out.toByteArray();
  }

  /** Posts one batch, retrying as the class describes; throws when the budget is spent. */
  private final class Exporter implements BatchExporter<HypervisorEvent> {
    @Override
    public void export(List<HypervisorEvent> batch) {
      byte[] body = body(batch);
      long deadline = System.nanoTime() + config.retryBudget.toNanos();
      for (int attempt = 0; ; attempt++) {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(endpoint)
                .timeout(config.requestTimeout)
                .header("Content-Type", "application/x-ndjson")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (config.apiKey != null) {
          request.header("Authorization", "Bearer " + config.apiKey);
        }
        long waitMillis;
        String failure;
        try {
          HttpResponse<String> response =
              http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          int status = response.statusCode();
          if (status / 100 == 2) {
            count(response.body(), batch.size());
            return;
          }
          if (status == 400 || status == 413 || status == 415 || status == 401 || status == 403) {
            rejected.add(batch.size());
            if (rejectionLogged.compareAndSet(false, true)) {
              LOG.log(
                  System.Logger.Level.WARNING,
                  "the hub at {0} refused a batch of {1} events with {2}: {3}; such batches are"
                      + " counted as rejected and never retried",
                  endpoint,
                  batch.size(),
                  status,
                  response.body());
            }
            return;
          }
          failure = "HTTP " + status;
          waitMillis =
              status == 429 || status == 503
                  ? retryAfter(response).orElse(backoff(attempt))
                  : backoff(attempt);
        } catch (IOException e) {
          failure = e.toString();
          waitMillis = backoff(attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while sending to " + endpoint, e);
        }
        long now = System.nanoTime();
        if (now + waitMillis * 1_000_000L - deadline > 0) {
          throw new IllegalStateException(
              "gave up on a batch of "
                  + batch.size()
                  + " events after "
                  + (attempt + 1)
                  + " attempts to "
                  + endpoint
                  + ": "
                  + failure);
        }
        retries.increment();
        try {
          Thread.sleep(waitMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting to retry " + endpoint, e);
        }
      }
    }
  }

  private void count(String answer, int size) {
    try {
      var json = JSON.readTree(answer);
      long accepted = json.path("accepted").asLong(size);
      sent.add(accepted);
      duplicates.add(json.path("duplicates").asLong(0));
    } catch (IOException e) {
      sent.add(size);
    }
  }

  private static Optional<Long> retryAfter(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .flatMap(
            value -> {
              try {
                return Optional.of(
                    Math.min(60_000L, Math.max(0L, Long.parseLong(value.trim()) * 1000)));
              } catch (NumberFormatException e) {
                return Optional.empty();
              }
            });
  }

  /** Equal jitter: a random wait between half and all of min(max, 100 ms × 2^attempt). */
  private long backoff(int attempt) {
    long cap = Math.min(config.maxBackoff.toMillis(), 100L << Math.min(attempt, 20));
    return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
  }

  /** Builds a {@link HubEventSink}. Not thread-safe. */
  public static final class Builder {
    private final URI hub;
    private String apiKey;
    private int queueSize = 10_000;
    private int batchSize = 500;
    private Duration flushInterval = Duration.ofMillis(200);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration retryBudget = Duration.ofSeconds(30);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private HttpClient httpClient;

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
