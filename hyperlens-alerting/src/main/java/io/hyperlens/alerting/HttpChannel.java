package io.hyperlens.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** What the HTTP channels share: one JSON POST per attempt, with timeouts. */
abstract class HttpChannel implements AlertChannel {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final String name;

  HttpChannel(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a channel needs a name");
    }
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  /** POSTs {@code body} as JSON to {@code uri}; the answer's status and text. */
  static Answer post(URI uri, Object body) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("User-Agent", "hyperlens-alerting")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
            .build();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  /** {@code uri} without its path, query and user info: what may be shown of a secret URL. */
  static String hostOnly(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  /** Checks that {@code value} is an absolute http(s) URI; the error names {@code field}. */
  static URI httpUri(String field, String value) {
    URI uri;
    try {
      uri = URI.create(value == null ? "" : value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not a URL: " + maskedForError(value));
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          field + " must be an http or https URL; got " + maskedForError(value));
    }
    return uri;
  }

  /**
   * Enough of a bad URL to recognise it: its scheme and host, never user info, a path, a query or a
   * fragment, which may hold a token.
   */
  static String maskedForError(String value) {
    if (value == null) {
      return "nothing";
    }
    String text = value.trim();
    int slashes = text.indexOf("//");
    int hostStart = slashes < 0 ? 0 : slashes + 2;
    int hostEnd = text.length();
    for (char stop : new char[] {'/', '?', '#', ' '}) {
      int at = text.indexOf(stop, hostStart);
      if (at >= 0 && at < hostEnd) {
        hostEnd = at;
      }
    }
    String host = text.substring(hostStart, hostEnd);
    int at = host.lastIndexOf('@');
    if (at >= 0) {
      host = "..." + host.substring(at); // user info: never shown
    }
    boolean more = hostEnd < text.length();
    return "\"" + text.substring(0, hostStart) + host + (more ? "/..." : "") + "\"";
  }

  static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
