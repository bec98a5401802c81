package io.hyperlens.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.CookieHandler;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sink against a scripted HTTP endpoint that answers as a hub would (200 with counts, 429 and
 * 503 with Retry-After, 400, 500, or no answer at all): what it sends, what it retries and what it
 * counts. The real hub is the test client of this sink in hyperlens-server.
 */
class HubEventSinkTest {
  /** One scripted answer; a status of 0 never answers (until the test ends). */
  private record Answer(int status, int retryAfterSeconds, String body) {}

  private static final Answer HANG = new Answer(0, 0, null);

  private HttpServer server;
  private ExecutorService handlers;
  private final Deque<Answer> script = new ArrayDeque<>();
  private final List<String> bodies = new ArrayList<>();
  private final List<Headers> headers = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();
  private final CountDownLatch firstRequest = new CountDownLatch(1);
  private final CountDownLatch hang = new CountDownLatch(1);
  private volatile CountDownLatch release = new CountDownLatch(0);

  private static Answer answer(int status, int retryAfterSeconds) {
    return new Answer(status, retryAfterSeconds, null);
  }

  private URI start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/events",
        exchange -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] raw = exchange.getRequestBody().readAllBytes();
          String body =
              "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                  ? new String(
                      new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes(),
                      StandardCharsets.UTF_8)
                  : new String(raw, StandardCharsets.UTF_8);
          Answer answer;
          synchronized (script) {
            bodies.add(body);
            headers.add(exchange.getRequestHeaders());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            answer = script.isEmpty() ? answer(200, 0) : script.poll();
          }
          firstRequest.countDown();
          if (answer.status() == 0) {
            try {
              hang.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
          }
          long lines = body.lines().count();
          String reply =
              answer.body() != null
                  ? answer.body()
                  : answer.status() == 200
                      ? "{\"accepted\":" + lines + ",\"duplicates\":0}"
                      : "{\"error\":\"x\",\"message\":\"scripted " + answer.status() + "\"}";
          if (answer.retryAfterSeconds() > 0) {
            exchange
                .getResponseHeaders()
                .add("Retry-After", Integer.toString(answer.retryAfterSeconds()));
          }
          byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(answer.status(), bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    // A hanging answer must not hold up the next request.
    handlers = Executors.newCachedThreadPool();
    server.setExecutor(handlers);
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    release.countDown();
    hang.countDown();
    if (server != null) {
      server.stop(0);
      handlers.shutdownNow();
    }
  }

  private static void emit(HypervisorEventBus bus, int n) {
    for (int i = 0; i < n; i++) {
      bus.emit(
          bus.eventBuilder(EventType.SESSION_JOINED).sessionId("s").agentDid("did:mesh:a").build());
    }
  }

  /** Records what one JUL logger (System.Logger's default backend) logs while open. */
  private static final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    CapturedLog(Class<?> source) {
      logger = Logger.getLogger(source.getName());
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }

  @Test
  void eventsGoOutAsGzipNdjsonWithTheKeyAndCloseFlushesThem() throws Exception {
    URI hub = start();
    HypervisorEventBus bus = new HypervisorEventBus();
    HubEventSink sink = HubEventSink.builder(hub).apiKey("hl_k").batchSize(40).build();
    sink.subscribeTo(bus);
    emit(bus, 100);
    sink.close();

    assertThat(sink.stats().sent()).isEqualTo(100);
    assertThat(sink.stats().dropped()).isZero();
    assertThat(bodies.stream().mapToLong(b -> b.lines().count()).sum()).isEqualTo(100);
    assertThat(bodies.get(0).lines().findFirst().orElseThrow())
        .startsWith("{\"event_id\":")
        .contains("\"event_type\":\"session.joined\"");
    assertThat(authorizations).allMatch("Bearer hl_k"::equals);
    assertThat(bodies).allSatisfy(b -> assertThat(b.lines().count()).isLessThanOrEqualTo(40));
  }

  @Test
  void aBusyHubIsRetriedAfterItsRetryAfter() throws Exception {
    URI hub = start();
    script.add(answer(503, 1));
    script.add(answer(429, 1));
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink = HubEventSink.builder(hub).build()) {
      sink.subscribeTo(bus);
      emit(bus, 3);
      assertThat(sink.flush(Duration.ofSeconds(20))).isTrue();
      assertThat(sink.stats().retries()).isEqualTo(2);
      assertThat(sink.stats().sent()).isEqualTo(3);
      assertThat(sink.stats().failed()).isZero();
    }
    assertThat(bodies).hasSize(3);
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void aBusyHubAskingForMoreThanTheRetryBudgetFailsTheBatchWithoutWaiting(int status)
      throws Exception {
    URI hub = start();
    script.add(answer(status, 60));
    HypervisorEventBus bus = new HypervisorEventBus();
    try (CapturedLog log = new CapturedLog(io.hyperlens.spi.BatchExportQueue.class);
        HubEventSink sink = HubEventSink.builder(hub).retryBudget(Duration.ofSeconds(5)).build()) {
      sink.subscribeTo(bus);
      emit(bus, 2);

      assertThat(sink.flush(Duration.ofSeconds(10))).isFalse(); // the batch failed
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(0, 0, 0, 0, 2, 0));
      assertThat(bodies).hasSize(1);
      assertThat(log.records).hasSize(1);
      assertThat(log.records.get(0).getThrown())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "gave up on a batch of 2 events after 1 attempts to "
                  + hub.resolve("/v1/events")
                  + ": HTTP "
                  + status);
    }
  }

  @Test
  void theRetryAfterWaitIsSpentBeforeTheNextAttempt() throws Exception {
    URI hub = start();
    script.add(answer(503, 1));
    script.add(answer(503, 1)); // a second second would pass the budget: given up
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink =
        HubEventSink.builder(hub).retryBudget(Duration.ofMillis(1900)).build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);

      assertThat(sink.flush(Duration.ofSeconds(10))).isFalse();
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(0, 0, 0, 0, 1, 1));
    }
    assertThat(bodies).hasSize(2);
  }

  @Test
  void aServerErrorIsRetriedWithBackoffAndAnInvalidBatchNever() throws Exception {
    URI hub = start();
    script.add(answer(500, 0));
    script.add(answer(200, 0));
    script.add(answer(400, 0));
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink = HubEventSink.builder(hub).batchSize(1).build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);
      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      emit(bus, 1);
      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(1, 0, 0, 1, 0, 1));
    }
    assertThat(bodies).hasSize(3); // 500, its retry, the 400 once
  }

  @Test
  void aServerErrorIgnoresRetryAfterAndBacksOff() throws Exception {
    URI hub = start();
    script.add(answer(500, 60)); // only 429 and 503 set the wait
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink = HubEventSink.builder(hub).retryBudget(Duration.ofSeconds(5)).build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);

      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(1, 0, 0, 0, 0, 1));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 413, 415})
  void aRefusedBatchIsCountedAsRejectedAndNeverRetried(int status) throws Exception {
    URI hub = start();
    script.add(answer(status, 0));
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink = HubEventSink.builder(hub).build()) {
      sink.subscribeTo(bus);
      emit(bus, 2);

      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(0, 0, 0, 2, 0, 0));
    }
    assertThat(bodies).hasSize(1);
  }

  @Test
  void theFirstRefusalIsLoggedWithTheHubsAnswerAndLaterOnesOnlyCounted() throws Exception {
    URI hub = start();
    script.add(answer(400, 0));
    script.add(answer(403, 0));
    HypervisorEventBus bus = new HypervisorEventBus();
    try (CapturedLog log = new CapturedLog(HubEventSink.class);
        HubEventSink sink = HubEventSink.builder(hub).batchSize(1).build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);
      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      emit(bus, 1);
      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();

      assertThat(sink.stats().rejected()).isEqualTo(2);
      assertThat(log.records).hasSize(1);
      assertThat(log.records.get(0).getLevel()).isEqualTo(Level.WARNING);
      assertThat(new SimpleFormatter().formatMessage(log.records.get(0)))
          .isEqualTo(
              "the hub at "
                  + hub.resolve("/v1/events")
                  + " refused a batch of 1 events with 400:"
                  + " {\"error\":\"x\",\"message\":\"scripted 400\"}; such batches are counted as"
                  + " rejected and never retried");
    }
  }

  @Test
  void consecutiveServerErrorsAreRetriedUntilOneSucceeds() throws Exception {
    URI hub = start();
    for (int i = 0; i < 4; i++) {
      script.add(answer(500, 0));
    }
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink =
        HubEventSink.builder(hub)
            .maxBackoff(Duration.ofMillis(20))
            .retryBudget(Duration.ofSeconds(10))
            .build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);

      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(1, 0, 0, 0, 0, 4));
    }
    assertThat(bodies).hasSize(5);
  }

  @Test
  void aOneMillisecondMaxBackoffStillRetries() throws Exception {
    URI hub = start();
    script.add(answer(500, 0));
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink = HubEventSink.builder(hub).maxBackoff(Duration.ofMillis(1)).build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);

      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(1, 0, 0, 0, 0, 1));
    }
  }

  @Test
  void theBackoffDoublesSoAFailingHubGetsFewAttemptsWithinTheBudget() throws Exception {
    URI hub = start();
    for (int i = 0; i < 200; i++) {
      script.add(answer(500, 0));
    }
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink =
        HubEventSink.builder(hub).retryBudget(Duration.ofMillis(1500)).build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);

      assertThat(sink.flush(Duration.ofSeconds(10))).isFalse();
      // The k-th retry waits at least 50 ms × 2^k (half its cap), and 50 + 100 + 200 + 400 + 800
      // is past 1.5 s: at most four retries fit, however fast the hub answers.
      HubEventSink.Stats stats = sink.stats();
      assertThat(stats.retries()).isBetween(1L, 4L);
      assertThat(stats.failed()).isEqualTo(1);
      assertThat(bodies).hasSize((int) stats.retries() + 1);
    }
  }

  @Test
  void theHubsCountsAreTakenAsItGivesThemAndAnAnswerWithoutJsonCountsAllAsSent() throws Exception {
    assertThat(statsAfterThreeEvents(new Answer(200, 0, "{\"accepted\":2,\"duplicates\":1}")))
        .isEqualTo(new HubEventSink.Stats(2, 1, 0, 0, 0, 0));
    assertThat(statsAfterThreeEvents(new Answer(202, 0, "queued")))
        .isEqualTo(new HubEventSink.Stats(3, 0, 0, 0, 0, 0));
  }

  private HubEventSink.Stats statsAfterThreeEvents(Answer answer) throws Exception {
    if (server != null) {
      server.stop(0);
    }
    URI hub = start();
    script.add(answer);
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink = HubEventSink.builder(hub).build()) {
      sink.subscribeTo(bus);
      emit(bus, 3);
      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      return sink.stats();
    }
  }

  @Test
  void anUnansweredRequestTimesOutAndIsRetried() throws Exception {
    URI hub = start();
    script.add(HANG);
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink =
        HubEventSink.builder(hub).requestTimeout(Duration.ofMillis(300)).build()) {
      sink.subscribeTo(bus);
      emit(bus, 2);

      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(2, 0, 0, 0, 0, 1));
    }
    assertThat(bodies).hasSize(2);
  }

  @Test
  void closeGivesUpAfterItsTimeoutAndDropsWhatIsStillQueued() throws Exception {
    URI hub = start();
    script.add(HANG);
    HypervisorEventBus bus = new HypervisorEventBus();
    HubEventSink sink =
        HubEventSink.builder(hub).batchSize(2).closeTimeout(Duration.ofMillis(300)).build();
    sink.subscribeTo(bus);
    emit(bus, 2); // a full batch: sent at once, never answered
    assertThat(firstRequest.await(10, TimeUnit.SECONDS)).isTrue();
    emit(bus, 3);

    sink.close();

    assertThat(sink.stats().dropped()).isEqualTo(3);
    assertThat(sink.stats().sent()).isZero();
  }

  @Test
  void aGivenHttpClientSendsTheRequests() throws Exception {
    URI hub = start();
    CookieHandler cookies =
        new CookieHandler() {
          @Override
          public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) {
            return Map.of("Cookie", List.of("client=given"));
          }

          @Override
          public void put(URI uri, Map<String, List<String>> responseHeaders) {}
        };
    HypervisorEventBus bus = new HypervisorEventBus();
    try (HubEventSink sink =
        HubEventSink.builder(hub)
            .httpClient(HttpClient.newBuilder().cookieHandler(cookies).build())
            .flushInterval(Duration.ofMillis(50))
            .build()) {
      sink.subscribeTo(bus);
      emit(bus, 1);
      assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(headers).hasSize(1);
    assertThat(headers.get(0).getFirst("Cookie")).isEqualTo("client=given");
    assertThat(headers.get(0).getFirst("Authorization")).isNull(); // no key, no header
  }

  @Test
  void closingTheSubscriptionStopsTheEvents() throws Exception {
    URI hub = start();
    HypervisorEventBus bus = new HypervisorEventBus();
    HubEventSink sink = HubEventSink.builder(hub).build();
    Subscription subscription = sink.subscribeTo(bus);
    emit(bus, 1);
    subscription.close();
    emit(bus, 4);
    sink.close();

    assertThat(subscription.isActive()).isFalse();
    assertThat(sink.stats()).isEqualTo(new HubEventSink.Stats(1, 0, 0, 0, 0, 0));
    assertThat(bodies.stream().mapToLong(b -> b.lines().count()).sum()).isEqualTo(1);
  }

  @Test
  void anUnreachableHubFailsTheBatchAfterTheRetryBudget() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    HypervisorEventBus bus = new HypervisorEventBus();
    HubEventSink sink =
        HubEventSink.builder(URI.create("http://127.0.0.1:" + port))
            .retryBudget(Duration.ofMillis(800))
            .maxBackoff(Duration.ofMillis(200))
            .build();
    sink.subscribeTo(bus);
    emit(bus, 5);
    sink.close();
    assertThat(sink.stats().failed()).isEqualTo(5);
    assertThat(sink.stats().sent()).isZero();
    assertThat(sink.stats().retries()).isPositive();
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlockingEmit() throws Exception {
    URI hub = start();
    release = new CountDownLatch(1); // the hub stalls
    HypervisorEventBus bus = new HypervisorEventBus();
    HubEventSink sink = HubEventSink.builder(hub).queueSize(10).batchSize(5).build();
    sink.subscribeTo(bus);
    long start = System.nanoTime();
    emit(bus, 200);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    release.countDown();
    sink.close();
    HubEventSink.Stats stats = sink.stats();
    assertThat(stats.dropped()).isPositive();
    assertThat(stats.sent() + stats.dropped()).isEqualTo(200);
  }

  @Test
  void badSettingsAreNamed() {
    HubEventSink.Builder builder = HubEventSink.builder(URI.create("http://127.0.0.1:1"));
    assertThatThrownBy(() -> builder.queueSize(0))
        .hasMessage("queueSize must be at least 1, got 0");
    assertThatThrownBy(() -> builder.retryBudget(Duration.ZERO))
        .hasMessage("retryBudget must be positive, got PT0S");
    assertThatThrownBy(() -> HubEventSink.builder(null)).hasMessage("hub must not be null");
  }

  @Test
  void missingAndNegativeSettingsAreNamedToo() {
    HubEventSink.Builder builder = HubEventSink.builder(URI.create("http://127.0.0.1:1"));
    assertThatThrownBy(() -> builder.batchSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must be at least 1, got -1");
    assertThatThrownBy(() -> builder.requestTimeout(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestTimeout must be positive, got null");
    assertThatThrownBy(() -> builder.maxBackoff(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBackoff must be positive, got PT-1S");
  }

  @Test
  void aHubBehindAPathPrefixKeepsItsPrefix() throws Exception {
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.atomic.AtomicInteger posts =
        new java.util.concurrent.atomic.AtomicInteger();
    proxy.createContext(
        "/hyperlens/v1/events",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          posts.incrementAndGet();
          byte[] reply = "{\"accepted\":1,\"duplicates\":0}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, reply.length);
          exchange.getResponseBody().write(reply);
          exchange.close();
        });
    proxy.start();
    try {
      HypervisorEventBus bus = new HypervisorEventBus();
      HubEventSink sink =
          HubEventSink.builder(
                  URI.create("http://127.0.0.1:" + proxy.getAddress().getPort() + "/hyperlens"))
              .build();
      sink.subscribeTo(bus);
      emit(bus, 1);
      sink.close();
      assertThat(posts.get()).isEqualTo(1);
      assertThat(sink.stats().sent()).isEqualTo(1);
    } finally {
      proxy.stop(0);
    }
  }
}
