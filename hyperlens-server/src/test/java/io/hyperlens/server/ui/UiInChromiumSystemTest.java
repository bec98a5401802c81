package io.hyperlens.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.alerting.AlertConfig;
import io.hyperlens.alerting.AlertRule;
import io.hyperlens.alerting.RuleType;
import io.hyperlens.server.auth.Scope;
import io.hyperlens.server.cli.HyperlensCommand;
import io.hyperlens.server.hub.Hub;
import io.hyperlens.server.hub.HubConfig;
import io.hyperlens.store.SqliteStore;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The hub's UI in a real headless Chromium (Debian's chromium and chromium-driver), over a hub
 * loaded with the demo workload: every page against the query API, the live overview, filters in
 * the URL, an inert XSS payload, sign-in, and a 10,000-span trace. Screenshots of each page go to
 * {@code target/ui-screenshots}, and those of the README to {@code docs/img}.
 */
@Tag("system")
class UiInChromiumSystemTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String XSS = "<img src=x onerror=alert(1)>";

  private static Path data;
  private static Hub hub;
  private static String readKey;
  private static String adminKey;
  private static String ingestKey;
  private static String bigTrace;
  private static String thousandTrace;
  private static String pagedTrace;
  private static ChromeDriver driver;
  private static Path shots;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("hyperlens-ui");
    StringWriter out = new StringWriter();
    int code =
        new CommandLine(new HyperlensCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(new StringWriter(), true))
            .execute("demo", "--duration", "3s", "--rate", "40", "--data", data.toString());
    assertThat(code).as(out.toString()).isZero();
    adminKey = find(out.toString(), "admin key \\(shown once\\): (hl_\\S+)");
    // alert rules over the demo's data: the hub replays the last window from its store at start
    AlertConfig alerts =
        AlertConfig.builder()
            .rule(
                AlertRule.builder(RuleType.RING_BREACH_RATE)
                    .threshold(1)
                    .window(Duration.ofHours(1))
                    .build())
            .rule(AlertRule.builder(RuleType.SAGA_ESCALATED).window(Duration.ofHours(1)).build())
            .rule(AlertRule.builder(RuleType.AGENT_SILENT).threshold(Duration.ofHours(1)).build())
            .build();
    hub =
        Hub.start(HubConfig.defaults(data).withPort(0).withAlerts(alerts), SqliteStore.open(data));
    readKey = hub.keys().create("ui-reader", EnumSet.of(Scope.READ));
    ingestKey = hub.keys().create("ui-ingest", EnumSet.of(Scope.INGEST));
    bigTrace = postBigTrace(10_000);
    thousandTrace = postBigTrace(1_000);
    pagedTrace = postBigTrace(12_000);
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,720",
        "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    shots = Path.of("target", "ui-screenshots");
    Files.createDirectories(shots);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (hub != null) {
      hub.close();
    }
  }

  @BeforeEach
  void signedIn() {
    signIn(readKey);
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex + " in " + text).isTrue();
    return m.group(1);
  }

  private static void signIn(String key) {
    driver.manage().deleteAllCookies();
    driver.get(hub.uri() + "/ui/login");
    driver.findElement(By.id("key")).sendKeys(key);
    driver.findElement(By.cssSelector("form.login button")).click();
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(d -> !d.getCurrentUrl().contains("/ui/login"));
  }

  private static void open(String path) {
    driver.get(hub.uri() + path);
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
  }

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(hub.uri() + path))
                .header("Authorization", "Bearer " + readKey)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static int post(String path, String type, byte[] body) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(hub.uri() + path))
                .header("Authorization", "Bearer " + ingestKey)
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static void shot(String name, boolean forReadme) throws IOException {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(shots.resolve(name + ".png"), png);
    Path docs = Path.of("..", "docs", "img");
    if (forReadme && Files.isDirectory(docs.getParent())) {
      Files.createDirectories(docs);
      Files.write(docs.resolve("ui-" + name + ".png"), png);
    }
  }

  /** The element {@code by} finds once the page a form submission loads shows it. */
  private static WebElement waitFor(By by) {
    return new WebDriverWait(driver, Duration.ofSeconds(15))
        .until(d -> d.findElements(by).isEmpty() ? null : d.findElements(by).get(0));
  }

  /** The text of the element with this id now (a live page may swap it at any moment). */
  private static String text(String id) {
    return String.valueOf(
        ((JavascriptExecutor) driver)
            .executeScript(
                "var e = document.getElementById(arguments[0]); return e ? e.textContent : '';",
                id));
  }

  private static void assertNoAlert() {
    try {
      driver.switchTo().alert();
      throw new AssertionError("a script ran: an alert is open");
    } catch (NoAlertPresentException expected) {
      // the payload stayed text
    }
  }

  /** A trace of {@code n} spans, a root and a tree under it, posted over OTLP; its id. */
  private static String postBigTrace(int n) throws Exception {
    byte[] trace = new byte[16];
    new java.security.SecureRandom().nextBytes(trace);
    String traceId = HexFormat.of().formatHex(trace);
    long start = Instant.now().toEpochMilli() * 1_000_000L;
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Span.Builder span =
          Span.newBuilder()
              .setTraceId(com.google.protobuf.ByteString.copyFrom(trace))
              .setSpanId(com.google.protobuf.ByteString.copyFrom(spanId(i)))
              .setName(i == 0 ? "big.root" : "tool.call." + i)
              .setStartTimeUnixNano(start + i * 1_000L)
              .setEndTimeUnixNano(start + i * 1_000L + (i == 0 ? n * 2_000L : 500_000L))
              .addAttributes(
                  KeyValue.newBuilder()
                      .setKey("agent.did")
                      .setValue(AnyValue.newBuilder().setStringValue("did:mesh:big" + (i % 7))));
      if (i > 0) {
        span.setParentSpanId(com.google.protobuf.ByteString.copyFrom(spanId(i < 10 ? 0 : i / 10)));
      }
      spans.add(span.build());
    }
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(
                                KeyValue.newBuilder()
                                    .setKey("service.name")
                                    .setValue(AnyValue.newBuilder().setStringValue("big-service"))))
                    .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans)))
            .build();
    assertThat(post("/v1/traces", "application/x-protobuf", request.toByteArray())).isEqualTo(200);
    return traceId;
  }

  private static byte[] spanId(int i) {
    return java.nio.ByteBuffer.allocate(8).putLong(0x1000_0000_0000L + i).array();
  }

  @Test
  void signInIsRequiredAndABadKeyIsRefused() throws Exception {
    driver.manage().deleteAllCookies();
    driver.get(hub.uri() + "/ui/traces?status=error");
    assertThat(driver.getCurrentUrl()).contains("/ui/login");
    driver.findElement(By.id("key")).sendKeys("hl_000000000000_wrong");
    driver.findElement(By.cssSelector("form.login button")).click();
    assertThat(waitFor(By.cssSelector(".problem")).getText()).contains("not valid");
    shot("login", false);
    driver.findElement(By.id("key")).sendKeys(readKey);
    driver.findElement(By.cssSelector("form.login button")).click();
    // back where the user was going, with the filter
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(d -> d.getCurrentUrl().contains("/ui/traces?status=error"));
    // a read key cannot manage keys
    open("/ui/keys");
    assertThat(driver.findElement(By.cssSelector(".problem")).getText()).contains("admin");
  }

  @Test
  void theOverviewShowsABreachWithinTwoSecondsWithoutAReload() throws Exception {
    open("/ui");
    shot("overview", true);
    long before = Long.parseLong(text("tile-breaches").replaceAll("\\D", ""));
    assertThat(before)
        .isEqualTo(api("/api/events?type=ring.breach_detected&limit=500").path("events").size());
    ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");
    String breach =
        "{\"event_id\":\"ui-breach-1\",\"event_type\":\"ring.breach_detected\",\"timestamp\":\""
            + Instant.now()
            + "\",\"session_id\":\"ui-session\",\"agent_did\":\"did:mesh:ui-breacher\","
            + "\"payload\":{\"ring\":1,\"severity\":\"high\"}}";
    long posted = System.nanoTime();
    assertThat(post("/v1/events", "application/x-ndjson", breach.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(200);
    new WebDriverWait(driver, Duration.ofSeconds(2), Duration.ofMillis(50))
        .until(d -> text("newest-breaches").contains("did:mesh:ui-breacher"));
    long seenAfterMs = (System.nanoTime() - posted) / 1_000_000;
    assertThat(seenAfterMs).isLessThanOrEqualTo(2_000);
    assertThat(Long.parseLong(text("tile-breaches").replaceAll("\\D", ""))).isEqualTo(before + 1);
    // the same document: no reload happened
    assertThat(
            ((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true;"))
        .isEqualTo(true);
  }

  @Test
  void tracesMatchTheApiAndFiltersLiveInTheUrl() throws Exception {
    open("/ui/traces");
    shot("traces", true);
    int all = driver.findElements(By.cssSelector("#traces tbody tr[data-trace]")).size();
    assertThat(all).isEqualTo(api("/api/traces").path("traces").size()).isPositive();
    open("/ui/traces?status=error");
    List<WebElement> errors = driver.findElements(By.cssSelector("#traces tbody tr[data-trace]"));
    assertThat(errors.size()).isEqualTo(api("/api/traces?status=error").path("traces").size());
    driver.navigate().refresh();
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(d -> d.findElement(By.name("status")).getAttribute("value").equals("error"));
    // a strict attribute grammar: an unknown key is an error with a suggestion
    open("/ui/traces?attrs=agent.dd%3Dx");
    assertThat(driver.findElement(By.cssSelector(".problem")).getText())
        .contains("agent.dd")
        .contains("did you mean \"agent.did\"");
    open("/ui/traces?service=big-service");
    assertThat(driver.findElements(By.cssSelector("#traces tbody tr[data-trace]"))).hasSize(3);
  }

  @Test
  void aTraceViewShowsItsSpansNestedAndItsAgentsCausalTree() throws Exception {
    JsonNode list = api("/api/traces?limit=100");
    String traceId = null;
    for (JsonNode t : list.path("traces")) {
      if (!t.path("service").asText().equals("big-service") && t.path("span_count").asInt() > 2) {
        traceId = t.path("trace_id").asText();
        break;
      }
    }
    assertThat(traceId).isNotNull();
    JsonNode trace = api("/api/traces/" + traceId);
    open("/ui/traces/" + traceId);
    shot("trace", true);
    assertThat(driver.findElement(By.id("span-total")).getText())
        .isEqualTo(trace.path("span_total").asText());
    List<WebElement> rows = driver.findElements(By.cssSelector("#waterfall-rows tr.span-row"));
    assertThat(rows).hasSize(trace.path("spans").size());
    // nesting: each row's parent is the nearest row above it one level up
    List<String[]> seen = new ArrayList<>();
    for (WebElement row : rows) {
      int depth = Integer.parseInt(row.getAttribute("data-depth"));
      String parent = row.getAttribute("data-parent");
      if (depth > 0) {
        String above = null;
        for (int i = seen.size() - 1; i >= 0; i--) {
          if (Integer.parseInt(seen.get(i)[1]) == depth - 1) {
            above = seen.get(i)[0];
            break;
          }
        }
        assertThat(parent).isEqualTo(above);
      }
      seen.add(new String[] {row.getAttribute("data-span"), Integer.toString(depth)});
    }
    // the causal tree equals the ids of the API's
    List<String> apiNodes = new ArrayList<>();
    collect(trace.path("agents"), apiNodes);
    List<String> uiNodes = new ArrayList<>();
    for (WebElement li : driver.findElements(By.cssSelector("#causal-tree li[data-causal-span]"))) {
      uiNodes.add(li.getAttribute("data-causal-span"));
    }
    assertThat(uiNodes).containsExactlyElementsOf(apiNodes);
    // the policy decisions that answered this trace's events, as the audit API has them
    java.util.Set<String> eventIds = new java.util.HashSet<>();
    trace.path("events").forEach(e -> eventIds.add(e.path("event_id").asText()));
    int expected = 0;
    for (JsonNode record : api("/api/audit?limit=10000").path("records")) {
      if (eventIds.contains(record.path("context").path("event_id").asText())) {
        expected++;
      }
    }
    assertThat(expected).as("the demo's decisions reach the hub").isPositive();
    assertThat(driver.findElements(By.cssSelector("ul.decisions li time"))).hasSize(expected);
    // the span panel, in-trace search and collapse
    rows.get(0).click();
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(d -> d.findElement(By.id("span-detail")).getText().contains("Span id"));
    String name = rows.get(rows.size() - 1).getAttribute("data-search").split(" ")[0];
    driver.findElement(By.id("trace-search")).sendKeys(name);
    assertThat(driver.findElements(By.cssSelector("#waterfall-rows tr.match"))).isNotEmpty();
    WebElement toggle = driver.findElement(By.cssSelector("#waterfall-rows .toggle"));
    toggle.click();
    assertThat(driver.findElements(By.cssSelector("#waterfall-rows tr.span-row[hidden]")))
        .isNotEmpty();
    toggle.click();
    assertThat(driver.findElements(By.cssSelector("#waterfall-rows tr.span-row[hidden]")))
        .isEmpty();
    assertThat(driver.findElements(By.cssSelector("#waterfall-rows tr.critical"))).isNotEmpty();
  }

  private static void collect(JsonNode nodes, List<String> out) {
    for (JsonNode node : nodes) {
      out.add(node.path("causal_span_id").asText());
      collect(node.path("children"), out);
    }
  }

  /** Navigation Timing of the page open now: first contentful paint, interactive, HTML bytes. */
  private static String timing() {
    Object timing =
        ((JavascriptExecutor) driver)
            .executeScript(
                "var t = performance.getEntriesByType('navigation')[0];"
                    + " var p = performance.getEntriesByName('first-contentful-paint')[0];"
                    + " return 'first paint ' + Math.round(p ? p.startTime : -1) + ' ms, interactive '"
                    + " + Math.round(t.domInteractive) + ' ms, complete ' + Math.round(t.domComplete)"
                    + " + ' ms, HTML ' + t.decodedBodySize + ' bytes';");
    return String.valueOf(timing);
  }

  @Test
  void aTenThousandSpanTraceOpensAndLoadsItsRowsAsTheyScrollIntoView() throws Exception {
    open("/ui/traces/" + thousandTrace);
    System.out.println("UI-TIMING 1,000-span trace: " + timing());
    open("/ui/traces/" + bigTrace);
    System.out.println("UI-TIMING 10,000-span trace: " + timing());
    assertThat(driver.findElement(By.id("span-total")).getText()).isEqualTo("10000");
    assertThat(driver.findElements(By.cssSelector("#waterfall-rows tr.span-row")))
        .hasSize(Ui.ROWS_PER_CHUNK);
    JavascriptExecutor js = (JavascriptExecutor) driver;
    for (int i = 0; i < 200; i++) {
      int loaded = driver.findElements(By.cssSelector("#waterfall-rows tr.span-row")).size();
      if (loaded == 10_000) {
        break;
      }
      js.executeScript("window.scrollTo(0, document.body.scrollHeight);");
      int before = loaded;
      new WebDriverWait(driver, Duration.ofSeconds(20))
          .until(
              d -> d.findElements(By.cssSelector("#waterfall-rows tr.span-row")).size() > before);
    }
    assertThat(driver.findElements(By.cssSelector("#waterfall-rows tr.span-row"))).hasSize(10_000);
    // by keyboard: a focused row opens its detail with Enter
    WebElement row = driver.findElement(By.cssSelector("#waterfall-rows tr.span-row"));
    js.executeScript("arguments[0].focus();", row);
    row.sendKeys(org.openqa.selenium.Keys.ENTER);
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(d -> d.findElement(By.id("span-detail")).getText().contains("big.root"));
    shot("big-trace", false);
  }

  @Test
  void aTraceOverTenThousandSpansShowsItsFirstPageALinkToTheNextAndAJsonDownload()
      throws Exception {
    open("/ui/traces/" + pagedTrace);
    assertThat(driver.findElement(By.id("span-total")).getText()).isEqualTo("12000");
    WebElement more = driver.findElement(By.id("load-more"));
    assertThat(more.getAttribute("href")).endsWith("?span_offset=10000");
    more.click();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> d.getCurrentUrl().endsWith("span_offset=10000"));
    assertThat(driver.findElement(By.id("trace-summary")).getText()).contains("10001 to 12000");
    String json = driver.findElement(By.cssSelector("a[download]")).getAttribute("href");
    driver.get(json);
    JsonNode page = JSON.readTree(driver.findElement(By.tagName("pre")).getText());
    assertThat(page.path("span_total").asInt()).isEqualTo(12_000);
    assertThat(page.path("spans").size()).isEqualTo(2_000);
  }

  @Test
  void theOverviewDrawsItsRatesAndADarkModeFollowsTheSystem() {
    open("/ui");
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(d -> !d.findElements(By.cssSelector("#rates-chart canvas")).isEmpty());
    String light =
        String.valueOf(
            ((JavascriptExecutor) driver)
                .executeScript(
                    "return getComputedStyle(document.documentElement).backgroundColor;"));
    driver.executeCdpCommand(
        "Emulation.setEmulatedMedia",
        java.util.Map.of(
            "features",
            List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
    try {
      open("/ui");
      String dark =
          String.valueOf(
              ((JavascriptExecutor) driver)
                  .executeScript(
                      "return getComputedStyle(document.documentElement).backgroundColor;"));
      assertThat(dark).isNotEqualTo(light);
      // status by more than colour: a breach tile carries a symbol and words
      String breaches = text("tile-breaches");
      assertThat(breaches).matches("(⚠ )?[\\d,]+");
      if (!breaches.equals("0")) {
        assertThat(breaches).startsWith("⚠ ");
      }
    } finally {
      driver.executeCdpCommand(
          "Emulation.setEmulatedMedia", java.util.Map.of("features", List.of()));
    }
  }

  @Test
  void noPageBreaksItsLayoutAt1280x720Or1920x1080() {
    for (org.openqa.selenium.Dimension size :
        List.of(
            new org.openqa.selenium.Dimension(1280, 720),
            new org.openqa.selenium.Dimension(1920, 1080))) {
      driver.manage().window().setSize(size);
      for (String path :
          List.of(
              "/ui",
              "/ui/traces",
              "/ui/traces/" + thousandTrace,
              "/ui/sessions",
              "/ui/agents",
              "/ui/sagas",
              "/ui/audit",
              "/ui/tail")) {
        open(path);
        Object overflow =
            ((JavascriptExecutor) driver)
                .executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).as(path + " at " + size).isLessThanOrEqualTo(0);
      }
    }
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 720));
  }

  @Test
  void anXssPayloadInAnEventRendersAsText() throws Exception {
    String event =
        "{\"event_id\":\"ui-xss-1\",\"event_type\":\"session.created\",\"timestamp\":\""
            + Instant.now()
            + "\",\"session_id\":\""
            + XSS.replace("\"", "\\\"")
            + "\",\"agent_did\":\"did:mesh:xss\",\"payload\":{\"note\":\""
            + XSS.replace("\"", "\\\"")
            + "\"}}";
    assertThat(
            post(
                "/v1/events",
                "application/json",
                ("[" + event + "]").getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(200);
    open("/ui/sessions");
    assertThat(driver.findElement(By.id("sessions")).getText()).contains(XSS);
    assertThat(driver.findElements(By.cssSelector("#sessions img"))).isEmpty();
    assertNoAlert();
    open("/ui/tail");
    open("/ui/agents/did:mesh:xss");
    assertThat(driver.getPageSource()).doesNotContain(XSS);
    assertThat(driver.findElement(By.id("timeline")).getText()).contains(XSS);
    assertNoAlert();
  }

  @Test
  void everyOtherPageAgreesWithTheApi() throws Exception {
    open("/ui/sessions");
    shot("sessions", false);
    JsonNode sessions = api("/api/sessions");
    assertThat(driver.findElements(By.cssSelector("#sessions tbody tr a")))
        .hasSize(sessions.path("sessions").size());
    String sessionId = sessions.path("sessions").get(0).path("session_id").asText();
    open("/ui/sessions/" + java.net.URLEncoder.encode(sessionId, StandardCharsets.UTF_8));
    JsonNode session =
        api("/api/sessions/" + java.net.URLEncoder.encode(sessionId, StandardCharsets.UTF_8));
    assertThat(driver.findElements(By.cssSelector("#timeline li")))
        .hasSize(session.path("timeline").size());
    open("/ui/agents");
    shot("agents", true);
    JsonNode agents = api("/api/agents");
    assertThat(driver.findElements(By.cssSelector("#agents tbody tr")))
        .hasSize(agents.path("agents").size());
    String did = agents.path("agents").get(0).path("agent_did").asText();
    open("/ui/agents/" + did);
    assertThat(driver.findElement(By.id("agent-ring")).getText())
        .isEqualTo(api("/api/agents/" + did).path("ring").asText());
    // the ring history: a uPlot chart, or the words saying there is nothing to draw
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(
            d ->
                !d.findElements(By.cssSelector("#ring-chart canvas")).isEmpty()
                    || d.findElement(By.id("ring-chart")).getText().contains("No ring change"));
    open("/ui/sagas");
    shot("sagas", false);
    assertThat(driver.findElements(By.cssSelector("#sagas tbody tr a[href^='/ui/sagas/']")))
        .hasSize(api("/api/sagas").path("sagas").size());
    open("/ui/sagas?state=escalated");
    assertThat(driver.findElements(By.cssSelector("#sagas tbody tr a[href^='/ui/sagas/']")))
        .hasSize(api("/api/sagas?state=escalated").path("sagas").size());
    JsonNode saga = api("/api/sagas").path("sagas").get(0);
    open("/ui/sagas/" + saga.path("saga_id").asText());
    assertThat(driver.findElement(By.id("saga-state")).getText())
        .isEqualTo(saga.path("state").asText());
    open("/ui/audit");
    shot("audit", false);
    assertThat(driver.findElement(By.id("verdict")).getText())
        .contains(api("/api/audit/verify").path("verdict").asText());
    assertThat(driver.findElements(By.cssSelector("#audit-records tbody tr td:first-child time")))
        .hasSize(api("/api/audit").path("records").size());
    open("/ui/alerts");
    shot("alerts", true);
    JsonNode alerts = api("/api/alerts");
    assertThat(alerts.path("firing").size()).isGreaterThan(0);
    assertThat(driver.findElements(By.cssSelector("#alerts-firing tbody tr")))
        .hasSize(alerts.path("firing").size());
    assertThat(driver.findElements(By.cssSelector("#alert-rules tbody tr"))).hasSize(3);
    open("/ui");
    assertThat(driver.findElement(By.id("tile-alerts")).getText())
        .endsWith(Integer.toString(api("/api/alerts").path("firing").size()));
    open("/ui/tail?type=ring.breach_detected");
    shot("tail", false);
    assertThat(driver.findElement(By.name("type")).getAttribute("value"))
        .isEqualTo("ring.breach_detected");
  }

  @Test
  void theLiveTailShowsEventsAsTheyComeAndPauses() throws Exception {
    open("/ui/tail?session=tail-session");
    Thread.sleep(500); // the stream connects
    String event =
        "{\"event_id\":\"ui-tail-%d\",\"event_type\":\"vfs.write\",\"timestamp\":\"%s\","
            + "\"session_id\":\"tail-session\",\"agent_did\":\"did:mesh:tail\",\"payload\":{}}";
    post(
        "/v1/events",
        "application/x-ndjson",
        String.format(Locale.ROOT, event, 1, Instant.now()).getBytes(StandardCharsets.UTF_8));
    new WebDriverWait(driver, Duration.ofSeconds(5))
        .until(d -> d.findElements(By.cssSelector("#tail-rows tr")).size() == 1);
    driver.findElement(By.id("tail-pause")).click();
    post(
        "/v1/events",
        "application/x-ndjson",
        String.format(Locale.ROOT, event, 2, Instant.now()).getBytes(StandardCharsets.UTF_8));
    Thread.sleep(1500);
    assertThat(driver.findElements(By.cssSelector("#tail-rows tr"))).hasSize(1);
    assertThat(driver.findElement(By.id("tail-state")).getText()).isEqualTo("paused");
    // another session's event never shows
    assertThat(driver.findElement(By.id("tail-rows")).getText()).doesNotContain("ui-breach");
  }

  @Test
  void anAdminCreatesAndRevokesAKeyThroughForms() throws Exception {
    signIn(adminKey);
    open("/ui/keys");
    driver.findElement(By.name("name")).sendKeys("made-in-ui");
    driver.findElement(By.name("scope_read")).click();
    driver.findElement(By.cssSelector("form.search button")).click();
    String key = waitFor(By.id("new-key")).getText();
    assertThat(hub.keys().authenticate(key)).isPresent();
    for (WebElement row : driver.findElements(By.cssSelector("#keys tbody tr"))) {
      if (row.getText().startsWith("made-in-ui")) {
        row.findElement(By.tagName("button")).click();
        break;
      }
    }
    new WebDriverWait(driver, Duration.ofSeconds(15))
        .until(d -> d.findElement(By.tagName("main")).getText().contains("Revoked \"made-in-ui\""));
    assertThat(hub.keys().authenticate(key)).isEmpty();
    // a forged form without the CSRF token changes nothing
    HttpResponse<String> forged =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(hub.uri() + "/ui/keys"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                    "Cookie",
                    UiSessions.COOKIE
                        + "="
                        + driver.manage().getCookieNamed(UiSessions.COOKIE).getValue())
                .POST(HttpRequest.BodyPublishers.ofString("name=forged&scope_admin=on"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(hub.keys().list().stream().map(e -> e.name())).doesNotContain("forged");
  }
}
