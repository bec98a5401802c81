package io.hyperlens.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEventBus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sink against a scripted HTTP endpoint that answers as a hub would (200 with counts, 429 and
 * 503 with Retry-After, 400, 500): what it sends, what it retries and what it counts. The real hub
 * is the test client of this sink in hyperlens-server.
 */
class HubEventSinkTest {
  private HttpServer server;
  private final Deque<int[]> script = new ArrayDeque<>(); // {status, retryAfterSeconds}
  private final List<String> bodies = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();
  private volatile CountDownLatch release = new CountDownLatch(0);

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
          int[] answer;
          synchronized (script) {
            bodies.add(body);
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            answer = script.isEmpty() ? new int[] {200, 0} : script.poll();
          }
          long lines = body.lines().count();
          String reply =
              answer[0] == 200
                  ? "{\"accepted\":" + lines + ",\"duplicates\":0}"
                  : "{\"error\":\"x\",\"message\":\"scripted " + answer[0] + "\"}";
          if (answer[1] > 0) {
            exchange.getResponseHeaders().add("Retry-After", Integer.toString(answer[1]));
          }
          byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(answer[0], bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
  }

  private static void emit(HypervisorEventBus bus, int n) {
    for (int i = 0; i < n; i++) {
      bus.emit(
          bus.eventBuilder(EventType.SESSION_JOINED).sessionId("s").agentDid("did:mesh:a").build());
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
    script.add(new int[] {503, 1});
    script.add(new int[] {429, 1});
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

  @Test
  void aServerErrorIsRetriedWithBackoffAndAnInvalidBatchNever() throws Exception {
    URI hub = start();
    script.add(new int[] {500, 0});
    script.add(new int[] {200, 0});
    script.add(new int[] {400, 0});
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
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.queueSize(0))
        .hasMessage("queueSize must be at least 1, got 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.retryBudget(Duration.ZERO))
        .hasMessage("retryBudget must be positive, got PT0S");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HubEventSink.builder(null))
        .hasMessage("hub must not be null");
  }
}
