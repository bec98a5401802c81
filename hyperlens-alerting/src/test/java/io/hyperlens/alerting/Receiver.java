package io.hyperlens.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A local HTTP server standing in for PagerDuty, a webhook receiver, Alertmanager or Slack: it
 * records every request, checks its body with a validator (a problem is answered 400 with the
 * problems, as PagerDuty does), and otherwise answers the scripted statuses in turn, then 202.
 */
final class Receiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Request(String path, String contentType, JsonNode body, long nanos) {}

  private final HttpServer server;
  private final List<Request> requests = new ArrayList<>();
  private final Deque<Integer> script = new ArrayDeque<>();
  private final Function<JsonNode, List<String>> validator;
  private final int okStatus;

  Receiver(Function<JsonNode, List<String>> validator, int okStatus) throws IOException {
    this.validator = validator;
    this.okStatus = okStatus;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] raw = exchange.getRequestBody().readAllBytes();
          JsonNode body;
          try {
            body = JSON.readTree(raw);
          } catch (IOException e) {
            body = JSON.getNodeFactory().textNode(new String(raw, StandardCharsets.UTF_8));
          }
          Request request =
              new Request(
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  body,
                  System.nanoTime());
          int status;
          String answer;
          synchronized (this) {
            requests.add(request);
            notifyAll();
            List<String> problems = validator.apply(body);
            if (!problems.isEmpty()) {
              status = 400;
              answer =
                  JSON.writeValueAsString(
                      java.util.Map.of(
                          "status",
                          "invalid event",
                          "message",
                          "Event object is invalid",
                          "errors",
                          problems));
            } else {
              Integer scripted = script.poll();
              status = scripted == null ? okStatus : scripted;
              answer = status < 300 ? "{\"status\":\"success\"}" : "{\"status\":\"try later\"}";
            }
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  /** The next answers, in order; after them, the ok status. */
  synchronized Receiver answer(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Waits up to 20 s for at least {@code n} requests. */
  synchronized List<Request> await(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (requests.size() < n && System.nanoTime() < deadline) {
      wait(100);
    }
    if (requests.size() < n) {
      throw new AssertionError(
          "expected " + n + " requests, got " + requests.size() + ": " + requests);
    }
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
