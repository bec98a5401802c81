package io.hyperlens.client;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.zip.GZIPOutputStream;

/**
 * What {@link HubEventSink} and {@link HubDecisionSink} share: a bounded queue, gzip batches from
 * one background thread to one hub route, retries with backoff and jitter (the hub's {@code
 * Retry-After} on 429 and 503), never a retry of a refused batch, and the counts. Thread-safe.
 */
final class HubShipper<T> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String apiKey;
  private final Duration requestTimeout;
  private final Duration retryBudget;
  private final Duration maxBackoff;
  private final Duration closeTimeout;
  private final URI endpoint;
  private final HttpClient http;
  private final BatchExportQueue<T> queue;
  private final String noun;
  private final System.Logger log;
  private final String contentType;
  private final Encoder<T> encoder;
  private final LongAdder sent = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final AtomicBoolean rejectionLogged = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Encodes a batch as a request body, before gzip. */
  @FunctionalInterface
  interface Encoder<T> {
    byte[] encode(List<T> batch) throws IOException;
  }

  HubShipper(
      HubEventSink.Builder builder,
      String path,
      String contentType,
      String noun,
      Encoder<T> encoder,
      Class<?> owner) {
    this.log = System.getLogger(owner.getName()); // logged under the sink the user made
    // copied: the builder may go on to make other sinks with other settings
    this.apiKey = builder.apiKey;
    this.requestTimeout = builder.requestTimeout;
    this.retryBudget = builder.retryBudget;
    this.maxBackoff = builder.maxBackoff;
    this.closeTimeout = builder.closeTimeout;
    this.noun = noun;
    this.contentType = contentType;
    this.encoder = encoder;
    // relative to the hub's own path, so a hub behind http://proxy/hyperlens/ keeps its prefix
    String base = builder.hub.toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + path);
    this.http =
        builder.httpClient != null
            ? builder.httpClient
            : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.queue =
        new BatchExportQueue<>(
            new Exporter(), builder.queueSize, builder.batchSize, builder.flushInterval, "hub");
  }

  /** Queues {@code item}; counted as dropped when the queue is full or the shipper closed. */
  void offer(T item) {
    queue.offer(item);
  }

  /**
   * Sends what is queued now; whether it all went out within {@code timeout} (false too when a
   * batch failed or was refused: see {@link #stats()}).
   */
  boolean flush(Duration timeout) {
    return queue.forceFlush(timeout);
  }

  /** What the shipper did so far. */
  HubEventSink.Stats stats() {
    return new HubEventSink.Stats(
        sent.sum(),
        duplicates.sum(),
        queue.dropped(),
        rejected.sum(),
        queue.failedItems(),
        retries.sum());
  }

  /** Sends what is queued (within the close timeout) and stops the sink's thread. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      queue.shutdown(closeTimeout);
    }
  }

  private byte[] body(List<T> batch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(encoder.encode(batch));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + noun, e);
    }
    return out.toByteArray();
  }

  /** Posts one batch, retrying as the class describes; throws when the budget is spent. */
  private final class Exporter implements BatchExporter<T> {
    @Override
    public void export(List<T> batch) {
      byte[] body = body(batch);
      long deadline = System.nanoTime() + retryBudget.toNanos();
      for (int attempt = 0; ; attempt++) {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", contentType)
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) {
          request.header("Authorization", "Bearer " + apiKey);
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
              log.log(
                  System.Logger.Level.WARNING,
                  "the hub at {0} refused a batch of {1} {4} with {2}: {3}; such batches are"
                      + " counted as rejected and never retried",
                  endpoint,
                  batch.size(),
                  status,
                  response.body(),
                  noun);
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
                  + " "
                  + noun
                  + " after "
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
    long cap = Math.min(maxBackoff.toMillis(), 100L << Math.min(attempt, 20));
    return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
  }
}
