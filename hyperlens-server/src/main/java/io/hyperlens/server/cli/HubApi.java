package io.hyperlens.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options and HTTP calls the query commands share: which hub ({@code --hub}, {@code
 * $HYPERLENS_HUB}, else {@code http://127.0.0.1:7070}), with which key ({@code --key}, {@code
 * $HYPERLENS_KEY}), and {@code --json} for scripts.
 */
final class HubApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--hub",
      paramLabel = "URL",
      description = "The hub's URL. Default: $HYPERLENS_HUB or http://127.0.0.1:7070.")
  String hub;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "An API key with the read scope. Default: $HYPERLENS_KEY.")
  String key;

  @Option(names = "--json", description = "Print the hub's JSON answer, for scripts.")
  boolean json;

  /** A failed call, its message ready for the terminal. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    Failure(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  URI base() throws Failure {
    String url = hub != null ? hub : System.getenv("HYPERLENS_HUB");
    if (url == null || url.isBlank()) {
      url = "http://127.0.0.1:7070";
    }
    try {
      URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new Failure(
          "--hub must be a URL such as http://127.0.0.1:7070, got \"" + url + "\"", 2);
    }
  }

  /** A GET of {@code path} with the query {@code params} (null values left out) and the key. */
  private HttpRequest.Builder request(String path, Map<String, Object> params) throws Failure {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, Object> param : params.entrySet()) {
      if (param.getValue() != null) {
        query
            .append(query.length() == 0 ? "?" : "&")
            .append(URLEncoder.encode(param.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(String.valueOf(param.getValue()), StandardCharsets.UTF_8));
      }
    }
    URI uri = URI.create(base() + path + query);
    String token = key != null ? key : System.getenv("HYPERLENS_KEY");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token.trim());
    }
    return request;
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  private Failure unreachable(IOException e) throws Failure {
    return new Failure(
        "no hub answers at "
            + base()
            + " ("
            + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())
            + ")",
        1);
  }

  /**
   * Reads the Server-Sent Events of {@code path}: hands the data of each event named {@code event}
   * to {@code onData} until it answers false or the stream ends.
   *
   * @throws Failure when the hub answers an error, or ends the stream with an {@code error} event
   *     (a client too slow for it)
   */
  void stream(String path, Map<String, Object> params, java.util.function.Predicate<String> onData)
      throws Failure {
    HttpRequest request = request(path, params).header("Accept", "text/event-stream").build();
    HttpResponse<java.util.stream.Stream<String>> response;
    try {
      response = client().send(request, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted", 1);
    }
    if (response.statusCode() / 100 != 2) {
      String body = String.join("\n", response.body().toList());
      String message;
      try {
        message = JSON.readTree(body).path("message").asText(body);
      } catch (IOException e) {
        message = body;
      }
      throw new Failure(
          "the hub answered " + response.statusCode() + ": " + message,
          response.statusCode() < 500 ? 2 : 1);
    }
    // Server-Sent Events: "event:" names the next data, a blank line ends an event.
    String[] name = {"message"};
    StringBuilder data = new StringBuilder();
    try (java.util.stream.Stream<String> lines = response.body()) {
      java.util.Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (line.isEmpty()) {
          if (data.length() > 0 && name[0].equals("error")) {
            String message;
            try {
              message = JSON.readTree(data.toString()).path("message").asText(data.toString());
            } catch (IOException e) {
              message = data.toString();
            }
            throw new Failure("the hub ended the stream: " + message, 1);
          }
          if (data.length() > 0 && name[0].equals("event") && !onData.test(data.toString())) {
            return;
          }
          data.setLength(0);
          name[0] = "message";
        } else if (line.startsWith("event:")) {
          name[0] = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
        }
      }
    } catch (java.io.UncheckedIOException e) {
      throw unreachable(e.getCause());
    }
  }

  /** GETs {@code path} with the query {@code params} (null values left out). */
  JsonNode get(String path, Map<String, Object> params) throws Failure {
    HttpRequest.Builder request = request(path, params).timeout(Duration.ofSeconds(30));
    HttpResponse<String> response;
    try {
      response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted", 1);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new Failure(
          "the hub at " + base() + " answered " + response.statusCode() + " with no JSON", 1);
    }
    if (response.statusCode() / 100 != 2) {
      String hint =
          response.statusCode() == 401 ? " (give a key with --key or $HYPERLENS_KEY)" : "";
      throw new Failure(
          "the hub answered "
              + response.statusCode()
              + ": "
              + body.path("message").asText(response.body())
              + hint,
          response.statusCode() == 404 ? 1 : response.statusCode() < 500 ? 2 : 1);
    }
    return body;
  }

  static Map<String, Object> params(Object... pairs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], pairs[i + 1]);
    }
    return out;
  }

  static String pretty(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (IOException e) {
      return node.toString();
    }
  }
}
