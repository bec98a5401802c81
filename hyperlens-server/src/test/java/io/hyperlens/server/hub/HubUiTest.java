package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.server.auth.Scope;
import io.hyperlens.server.cli.HyperlensCommand;
import io.hyperlens.server.ui.Ui;
import io.hyperlens.server.ui.UiSessions;
import io.hyperlens.store.SqliteStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The UI and the live stream over plain HTTP, as curl sees them: sign-in and its cookie, the
 * Content-Security-Policy, escaping, CSRF, and {@code GET /api/stream} with {@code hyperlens tail}.
 */
class HubUiTest {
  @TempDir Path data;
  private Hub hub;
  private String readKey;
  private String ingestKey;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    hub = Hub.start(HubConfig.defaults(data).withPort(0), SqliteStore.open(data));
    readKey = hub.keys().create("reader", EnumSet.of(Scope.READ));
    ingestKey = hub.keys().create("ingester", EnumSet.of(Scope.INGEST));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.uri() + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> form(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(hub.uri() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int postEvent(String json) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(hub.uri() + "/v1/events"))
                .header("Authorization", "Bearer " + ingestKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + json + "]"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static String event(String id, String session) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_type\":\"session.created\",\"timestamp\":\"2026-12-06T10:00:00Z\","
        + "\"session_id\":\""
        + session.replace("\"", "\\\"")
        + "\",\"agent_did\":\"did:mesh:ui\"}";
  }

  /** Signs in with {@code key}; the session cookie as a Cookie header value. */
  private String signIn(String key) throws Exception {
    HttpResponse<String> answer =
        form(
            "/ui/login",
            "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&next=/ui/agents");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(302);
    assertThat(answer.headers().firstValue("Location")).hasValue("/ui/agents");
    String cookie = answer.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .startsWith(UiSessions.COOKIE + "=")
        .containsIgnoringCase("HttpOnly")
        .containsIgnoringCase("SameSite=Strict")
        .contains("Path=/");
    return cookie.substring(0, cookie.indexOf(';'));
  }

  @Test
  void pagesNeedASignInWithAReadKeyAndCarryAStrictPolicy() throws Exception {
    HttpResponse<String> page = get("/ui/traces?status=error");
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location"))
        .hasValue(
            "/ui/login?next="
                + URLEncoder.encode("/ui/traces?status=error", StandardCharsets.UTF_8));
    HttpResponse<String> login = get("/ui/login");
    String csp = login.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).isEqualTo(Ui.CSP).contains("script-src 'self'").doesNotContain("unsafe");
    assertThat(login.body()).doesNotContain("<script>").doesNotContain("style=");
    assertThat(form("/ui/login", "key=hl_nope_nope").statusCode()).isEqualTo(401);
    HttpResponse<String> ingestOnly =
        form("/ui/login", "key=" + URLEncoder.encode(ingestKey, StandardCharsets.UTF_8));
    assertThat(ingestOnly.statusCode()).isEqualTo(401);
    assertThat(ingestOnly.body()).contains("lacks the read scope");
    // never a redirect off this UI
    HttpResponse<String> offsite =
        form(
            "/ui/login",
            "key="
                + URLEncoder.encode(readKey, StandardCharsets.UTF_8)
                + "&next=https://evil.example/");
    assertThat(offsite.headers().firstValue("Location")).hasValue("/ui");
    String cookie = signIn(readKey);
    HttpResponse<String> agents = get("/ui/agents", "Cookie", cookie);
    assertThat(agents.statusCode()).isEqualTo(200);
    assertThat(agents.headers().firstValue("Content-Security-Policy")).hasValue(Ui.CSP);
    assertThat(agents.body()).doesNotContain("style=\"").doesNotContain("<script>");
    // the cookie reads the API, but never writes
    assertThat(get("/api/events", "Cookie", cookie).statusCode()).isEqualTo(200);
    HttpResponse<String> write =
        http.send(
            HttpRequest.newBuilder(URI.create(hub.uri() + "/v1/events"))
                .header("Cookie", cookie)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[]"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(write.statusCode()).isEqualTo(401);
    // a read key cannot reach the key pages, and a form without the CSRF token does nothing
    assertThat(get("/ui/keys", "Cookie", cookie).statusCode()).isEqualTo(403);
    String admin = signIn(hub.keys().create("boss", EnumSet.of(Scope.ADMIN)));
    assertThat(form("/ui/keys", "name=forged&scope_admin=on", "Cookie", admin).statusCode())
        .isEqualTo(403);
    assertThat(hub.keys().list()).extracting(ApiKeys -> ApiKeys.name()).doesNotContain("forged");
    // a live stream needs Accept: text/event-stream, and takes no slot without it
    assertThat(get("/ui/tail/stream", "Cookie", cookie).statusCode()).isEqualTo(400);
    assertThat(get("/metrics").body()).contains("hyperlens_hub_stream_clients 0.0");
    // a key revoked anywhere ends its sessions
    String doomed = hub.keys().create("doomed", EnumSet.of(Scope.READ));
    String doomedCookie = signIn(doomed);
    assertThat(get("/ui/agents", "Cookie", doomedCookie).statusCode()).isEqualTo(200);
    hub.keys().revoke("doomed");
    assertThat(get("/ui/agents", "Cookie", doomedCookie).statusCode()).isEqualTo(302);
    assertThat(get("/api/events", "Cookie", doomedCookie).statusCode()).isEqualTo(401);
    // signing out takes the page's CSRF token, and then ends the session
    assertThat(form("/ui/logout", "_csrf=wrong", "Cookie", cookie).statusCode()).isEqualTo(302);
    assertThat(get("/ui/agents", "Cookie", cookie).statusCode()).isEqualTo(200);
    java.util.regex.Matcher csrf =
        java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
            .matcher(get("/ui/agents", "Cookie", cookie).body());
    assertThat(csrf.find()).isTrue();
    assertThat(form("/ui/logout", "_csrf=" + csrf.group(1), "Cookie", cookie).statusCode())
        .isEqualTo(302);
    assertThat(get("/ui/agents", "Cookie", cookie).statusCode()).isEqualTo(302);
  }

  @Test
  void aSessionPageShowsThePolicyDecisionsMadeInIt() throws Exception {
    assertThat(postEvent(event("d1", "decided"))).isEqualTo(200);
    String decisions =
        "[{\"id\":\"r1\",\"timestamp\":\"2026-12-06T10:00:01Z\",\"agent_id\":\"did:mesh:ui\","
            + "\"action\":\"tool_call\",\"resource\":\"tool:shell\",\"decision\":\"deny\","
            + "\"reason\":\"needs ring 1\",\"rule_id\":\"rule-ring\",\"context\":{\"session_id\":\"decided\"}},"
            + "{\"id\":\"r2\",\"timestamp\":\"2026-12-06T10:00:02Z\",\"agent_id\":\"did:mesh:ui\","
            + "\"action\":\"file_write\",\"resource\":\"/tmp/x\",\"decision\":\"allow\","
            + "\"reason\":\"ok\",\"rule_id\":\"rule-vfs\",\"context\":{\"session_id\":\"other\"}}]";
    int status =
        http.send(
                HttpRequest.newBuilder(URI.create(hub.uri() + "/v1/audit/decisions"))
                    .header("Authorization", "Bearer " + ingestKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(decisions))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .statusCode();
    assertThat(status).isEqualTo(200);
    String page = get("/ui/sessions/decided", "Cookie", signIn(readKey)).body();
    assertThat(page).contains("tool:shell").contains("needs ring 1").doesNotContain("/tmp/x");
  }

  @Test
  void aBadTraceSearchIsShownAboveTheFormItCameFrom() throws Exception {
    String cookie = signIn(readKey);
    HttpResponse<String> unknown =
        get(
            "/ui/traces?status=error&attrs=" + URLEncoder.encode("zzz=1", StandardCharsets.UTF_8),
            "Cookie",
            cookie);
    assertThat(unknown.statusCode()).isEqualTo(200);
    assertThat(unknown.body())
        .contains("class=\"problem\"")
        .contains("no span carries the key \"zzz\"")
        .contains("no span attribute is stored yet")
        .contains("value=\"zzz=1\"");
    HttpResponse<String> twice = get("/ui/traces?status=error&status=ok", "Cookie", cookie);
    assertThat(twice.statusCode()).isEqualTo(400);
    assertThat(twice.body()).contains("given more than once");
  }

  @Test
  void everyValueIsEscaped() throws Exception {
    String xss = "<img src=x onerror=alert(1)>";
    assertThat(postEvent(event("x1", xss))).isEqualTo(200);
    String cookie = signIn(readKey);
    String sessions = get("/ui/sessions", "Cookie", cookie).body();
    assertThat(sessions).doesNotContain(xss).contains("&lt;img src=x onerror=alert(1)&gt;");
    String timeline =
        get("/ui/sessions/" + URLEncoder.encode(xss, StandardCharsets.UTF_8), "Cookie", cookie)
            .body();
    assertThat(timeline).doesNotContain(xss).contains("&lt;img");
  }

  @Test
  void theStreamSendsIngestedEventsToWhoeverAsksForIt() throws Exception {
    HttpResponse<String> plain = get("/api/stream", "Authorization", "Bearer " + readKey);
    assertThat(plain.statusCode()).isEqualTo(406);
    assertThat(
            get(
                    "/api/stream?type=nope",
                    "Authorization",
                    "Bearer " + readKey,
                    "Accept",
                    "text/event-stream")
                .statusCode())
        .isEqualTo(400);
    CompletableFuture<HttpResponse<Stream<String>>> response =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create(hub.uri() + "/api/stream?session=watched"))
                .header("Authorization", "Bearer " + readKey)
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> stream = response.get(10, TimeUnit.SECONDS);
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    assertThat(postEvent(event("other", "elsewhere"))).isEqualTo(200);
    assertThat(postEvent(event("seen", "watched"))).isEqualTo(200);
    String data =
        CompletableFuture.supplyAsync(
                () -> stream.body().filter(l -> l.startsWith("data:")).findFirst().orElse(""))
            .get(10, TimeUnit.SECONDS);
    assertThat(data).contains("\"event_id\":\"seen\"").doesNotContain("other");
    assertThat(get("/metrics").body())
        .contains("hyperlens_hub_stream_clients")
        .contains("hyperlens_hub_stream_disconnects_total{reason=\"slow_consumer\"} 0.0");
  }

  @Test
  void hyperlensTailPrintsTheEventsAsTheyCome() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> tail =
        CompletableFuture.supplyAsync(
            () ->
                new CommandLine(new HyperlensCommand())
                    .setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(err, true))
                    .execute(
                        "tail",
                        "--hub",
                        hub.uri().toString(),
                        "--key",
                        readKey,
                        "--type",
                        "session.created",
                        "--count",
                        "2"));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int posted = 0;
    while (!tail.isDone() && System.nanoTime() < deadline) {
      postEvent(event("t" + posted++, "tailed"));
      Thread.sleep(200);
    }
    assertThat(tail.get(10, TimeUnit.SECONDS)).as(err.toString()).isZero();
    assertThat(out.toString().lines().filter(l -> l.contains("session.created"))).hasSize(2);
    assertThat(out.toString()).contains("tailed").contains("did:mesh:ui");
    StringWriter refused = new StringWriter();
    int code =
        new CommandLine(new HyperlensCommand())
            .setOut(new PrintWriter(new StringWriter(), true))
            .setErr(new PrintWriter(refused, true))
            .execute("tail", "--hub", hub.uri().toString(), "--key", "hl_bad_bad");
    assertThat(code).isEqualTo(2);
    assertThat(refused.toString()).contains("401");
  }
}
