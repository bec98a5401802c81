package io.hyperlens.server.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/** A plain HTTP client of a hub, as curl or any agent would be. */
final class HubClient {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String key;

  HubClient(URI base, String key) {
    this.base = base;
    this.key = key;
  }

  HubClient withKey(String other) {
    return new HubClient(base, other);
  }

  /** An answer: status, headers and body (as bytes, and as UTF-8 text). */
  record Answer(int status, String body, byte[] bytes, HttpResponse<byte[]> response) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  Answer delete(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
  }

  Answer post(String path, String contentType, String body) {
    return post(path, contentType, body.getBytes(StandardCharsets.UTF_8), null);
  }

  Answer post(String path, String contentType, byte[] body, String encoding) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (encoding != null) {
      request.header("Content-Encoding", encoding);
    }
    return send(request);
  }

  private Answer send(HttpRequest.Builder request) {
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try {
      HttpResponse<byte[]> response =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      return new Answer(
          response.statusCode(),
          new String(response.body(), StandardCharsets.UTF_8),
          response.body(),
          response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** One event in the to_dict shape. */
  static String event(String id, String type, String session) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\""
        + type
        + "\",\"timestamp\":\"2026-12-06T10:00:00+00:00\",\"session_id\":\""
        + session
        + "\",\"agent_did\":\"did:mesh:a\",\"causal_trace_id\":null,\"parent_event_id\":null,"
        + "\"payload\":{\"ring\":2}}";
  }
}
