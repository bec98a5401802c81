package io.hyperlens.server.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.audit.AuditLog;
import io.hyperlens.audit.report.ComplianceReport;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.kafka.KafkaUnavailableException;
import io.hyperlens.prometheus.Metrics;
import io.hyperlens.prometheus.MetricsConfig;
import io.hyperlens.server.alert.HubAlerts;
import io.hyperlens.server.auth.ApiKeys;
import io.hyperlens.server.auth.RateLimiter;
import io.hyperlens.server.auth.Scope;
import io.hyperlens.server.ingest.AuditIngest;
import io.hyperlens.server.ingest.EventIngest;
import io.hyperlens.server.ingest.IngestException;
import io.hyperlens.server.ingest.OtlpErrors;
import io.hyperlens.server.ingest.OtlpIngest;
import io.hyperlens.server.ingest.Problem;
import io.hyperlens.server.ingest.RequestBodies;
import io.hyperlens.server.kafka.KafkaMode;
import io.hyperlens.server.query.AgentQueries;
import io.hyperlens.server.query.AuditQueries;
import io.hyperlens.server.query.EventQueries;
import io.hyperlens.server.query.QueryParams;
import io.hyperlens.server.query.SagaQueries;
import io.hyperlens.server.query.SessionQueries;
import io.hyperlens.server.query.SpanCosts;
import io.hyperlens.server.query.TraceQueries;
import io.hyperlens.server.stream.EventStream;
import io.hyperlens.server.stream.SseStreams;
import io.hyperlens.server.ui.Overview;
import io.hyperlens.server.ui.Ui;
import io.hyperlens.server.ui.UiSessions;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.store.SqliteStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Hyperlens hub: the server agents send telemetry to and people query. One Javalin (Jetty 12)
 * server over one {@link JdbcStore}:
 *
 * <ul>
 *   <li>{@code POST /v1/events} (ingest scope): events as JSON or NDJSON, committed before the 2xx
 *       ({@link EventIngest});
 *   <li>{@code POST /v1/traces} (ingest scope): OTLP/HTTP, protobuf or JSON ({@link OtlpIngest});
 *   <li>{@code POST /v1/audit/decisions} (ingest scope): policy decisions into the hub's own signed
 *       audit trail ({@link AuditIngest}), read back through {@code GET /api/audit}, {@code
 *       /api/audit/verify} and {@code /api/audit/report} ({@link AuditQueries});
 *   <li>{@code GET /api/events}, {@code /api/events/{id}}, {@code /api/traces}, {@code
 *       /api/traces/{traceId}} (read scope): JSON ({@link EventQueries}, {@link TraceQueries});
 *   <li>{@code GET /api/alerts} (read scope): the alert rules of {@link HubConfig#alerts()}, their
 *       firing, pending and resolved alerts and each channel's counters ({@link HubAlerts});
 *   <li>{@code GET|POST /api/keys}, {@code DELETE /api/keys/{name}} (admin scope);
 *   <li>{@code GET /healthz}, {@code /readyz}, {@code /metrics} and {@code /openapi.json} without a
 *       key.
 * </ul>
 *
 * <p>Every error is a JSON body {@code {"error": reason, "message": ..., "problems": [...]}} with
 * its 4xx status, except on {@code /v1/traces}, which answers a {@code google.rpc.Status} as
 * OTLP/HTTP requires ({@link OtlpErrors}); nothing of a refused request is stored. Ingest runs at
 * most {@link HubConfig#maxConcurrentIngest()} requests at once; a request that cannot start within
 * two seconds gets 503 with {@code Retry-After}. Retention runs in the background every minute.
 * {@link #close()} stops taking requests, lets those in flight finish (up to 10 s) and closes the
 * store.
 *
 * <pre>{@code
 * try (Hub hub = Hub.start(HubConfig.defaults(Path.of("hyperlens-data")).withPort(0),
 *     SqliteStore.open(Path.of("hyperlens-data")))) {
 *   System.out.println(hub.uri() + " admin key " + hub.initialAdminKey().orElse("(exists)"));
 * }
 * }</pre>
 */
public final class Hub implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Hub.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json";

  private final HubConfig config;
  private final JdbcStore store;
  private final ApiKeys keys;
  private volatile String initialAdminKey;
  private final RateLimiter rateLimiter;
  private final Semaphore ingestSlots;
  private final EventIngest events;
  private final OtlpIngest traces;
  private final EventQueries eventQueries;
  private final TraceQueries traceQueries;
  private final SessionQueries sessionQueries;
  private final AgentQueries agentQueries;
  private final SagaQueries sagaQueries;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusRegistry served;
  private final HubMetrics metrics;
  private final ScheduledExecutorService retention;
  private final AtomicBoolean closed = new AtomicBoolean();
  private AuditLog auditLog;
  private AuditIngest auditIngest;
  private AuditQueries auditQueries;
  private final EventStream stream = new EventStream(MAX_STREAM_CLIENTS, STREAM_BACKLOG);
  private final Overview overview;
  private final HubAlerts alerts;
  private volatile KafkaMode kafka; // set before the port is bound

  /** Events a Kafka tail saw while nobody watched the stream or alerted: not decoded, counted. */
  private final java.util.concurrent.atomic.LongAdder tailedUnread =
      new java.util.concurrent.atomic.LongAdder();

  private final Ui ui;
  private final Javalin app;

  /** Live-stream clients at once (SSE: the API's stream, tails, the UI's live pages). */
  static final int MAX_STREAM_CLIENTS = 64;

  /** Events a stream client may fall behind by before it is cut off as too slow. */
  static final int STREAM_BACKLOG = 10_000;

  private Hub(HubConfig config, JdbcStore store) {
    this.config = config;
    this.store = store;
    this.keys = ApiKeys.open(config.dataDirectory());
    this.rateLimiter = new RateLimiter(config.limits().requestsPerSecondPerKey());
    this.ingestSlots = new Semaphore(config.maxConcurrentIngest());
    this.alerts = config.alerts() == null ? null : HubAlerts.start(config.alerts(), store);
    this.events = new EventIngest(store, config.limits(), config.redact(), this::stored);
    this.traces = new OtlpIngest(store, config.limits(), config.redact());
    this.eventQueries = new EventQueries(store, Clock.systemUTC());
    SpanCosts costs = new SpanCosts(config.prices());
    this.traceQueries = new TraceQueries(store, Clock.systemUTC(), costs);
    this.sagaQueries = new SagaQueries(store);
    this.sessionQueries = new SessionQueries(store, sagaQueries, costs);
    this.agentQueries = new AgentQueries(store);
    this.metrics =
        new HubMetrics(
            registry,
            this::storeBytes,
            () -> events.redactedValues() + traces.redactedValues(),
            () -> events.truncatedValues() + traces.truncatedValues(),
            traces::droppedAttributes);
    metrics.streams(stream);
    if (alerts != null) {
      alerts.register(registry);
    }
    this.served = Metrics.served(MetricsConfig.defaults().withPort(config.port()), registry);
    this.overview =
        new Overview(
            store,
            agentQueries,
            sagaQueries,
            this::audit,
            () -> (long) metrics.ingested("events"),
            () -> (long) metrics.ingested("spans"),
            traces::errorSpans,
            () -> stream.published() + tailedUnread.sum(),
            this::alertsSummary,
            Clock.systemUTC());
    this.ui =
        new Ui(
            new Ui.Services(
                store,
                keys,
                stream,
                eventQueries,
                traceQueries,
                sessionQueries,
                agentQueries,
                sagaQueries,
                this::audit,
                this::alertsAnswer,
                overview),
            new UiSessions(Clock.systemUTC()),
            config.auth());
    this.retention =
        Executors.newScheduledThreadPool(
            2, // retention, and the overview's per-second sample beside it
            task -> {
              Thread thread = new Thread(task, "hyperlens-hub-background");
              thread.setDaemon(true);
              return thread;
            });
    this.app = Javalin.create(this::configure);
  }

  /**
   * Starts a hub on {@code store}, which it owns from now on (closing the hub closes it). On an
   * empty data directory with auth on, an admin key is created: {@link #initialAdminKey()}.
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public static Hub start(HubConfig config, JdbcStore store) {
    if (config == null || store == null) {
      throw new IllegalArgumentException("config and store must not be null");
    }
    Hub hub = new Hub(config, store);
    if (config.kafka() != null) {
      // before the port is bound: no request may reach a hub whose Kafka mode is not on yet
      try {
        hub.kafka =
            KafkaMode.start(
                config.kafka(),
                store,
                hub.events,
                hub.traces,
                config.limits(),
                config.redact(),
                hub.metrics,
                hub.registry,
                new KafkaMode.Live(
                    hub::stored,
                    () -> hub.stream.subscribers() > 0 || hub.alerts != null,
                    hub.tailedUnread::add));
      } catch (RuntimeException e) {
        hub.abandon();
        throw new IllegalStateException(
            "cannot use Kafka at " + config.kafka().bootstrap() + ": " + e.getMessage(), e);
      }
    }
    try {
      hub.app.start(config.bind(), config.port());
    } catch (RuntimeException e) {
      if (hub.kafka != null) {
        hub.kafka.close();
      }
      hub.abandon();
      throw new IllegalStateException(
          "cannot serve on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    // Only once the port is bound: a key made for a hub that never started would never be shown.
    if (config.auth() && hub.keys.isEmpty()) {
      hub.initialAdminKey = hub.keys.create("admin", EnumSet.of(Scope.ADMIN));
    }
    hub.retention.scheduleWithFixedDelay(hub::applyRetention, 0, 60, TimeUnit.SECONDS);
    hub.retention.scheduleAtFixedRate(hub.overview::sample, 0, 1, TimeUnit.SECONDS);
    if (hub.alerts != null) {
      hub.alerts.useExternalUrl(hub.uri().toString()); // unless external_url says otherwise
    }
    if (hub.alerts != null && hub.alerts.watchesAudit()) {
      hub.retention.scheduleWithFixedDelay(
          hub::verifyAuditForAlerts, 0, AUDIT_CHECK.toSeconds(), TimeUnit.SECONDS);
    }
    return hub;
  }

  /** Lets go of what a hub that never served holds: its background threads, alerting, store. */
  private void abandon() {
    retention.shutdownNow();
    if (alerts != null) {
      alerts.close();
    }
    store.close();
  }

  /** How often the audit trail is verified when an alert rule watches it. */
  static final Duration AUDIT_CHECK = Duration.ofMinutes(5);

  /** Events the store committed: to live-stream clients and to alerting. */
  private void stored(List<HypervisorEvent> committed) {
    stream.publish(committed);
    if (alerts != null) {
      alerts.events(committed);
    }
  }

  /** The background verification an audit_verification_failed rule needs. */
  private void verifyAuditForAlerts() {
    try {
      report(audit().verify());
    } catch (RuntimeException e) {
      alerts.verified(false, "the audit trail could not be verified: " + e.getMessage());
    }
  }

  private void report(Map<String, Object> verification) {
    if (alerts != null) {
      boolean ok = Boolean.TRUE.equals(verification.get("ok"));
      Object failure = verification.get("failure");
      alerts.verified(ok, verification.get("verdict") + (failure == null ? "" : ": " + failure));
    }
  }

  /** The hub's alerting, when configured. */
  public Optional<HubAlerts> alerts() {
    return Optional.ofNullable(alerts);
  }

  /** The port bound. */
  public int port() {
    return app.port();
  }

  /** The hub's base URL, e.g. {@code http://127.0.0.1:7070}. */
  public URI uri() {
    String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
    return URI.create("http://" + host + ":" + port());
  }

  /** The hub's API keys. */
  public ApiKeys keys() {
    return keys;
  }

  /** The admin key created when this hub started on an empty data directory. */
  public Optional<String> initialAdminKey() {
    return Optional.ofNullable(initialAdminKey);
  }

  /** The store. */
  public JdbcStore store() {
    return store;
  }

  /** Records in the hub's audit trail (it is opened if it was not). */
  public long auditRecords() {
    audit();
    synchronized (this) {
      return auditLog.lastSequence();
    }
  }

  /** The registry {@code /metrics} serves; register more collectors on it at any time. */
  public PrometheusRegistry registry() {
    return registry;
  }

  private void configure(io.javalin.config.JavalinConfig javalin) {
    javalin.startup.showJavalinBanner = false;
    javalin.startup.showOldJavalinVersionWarning = false;
    javalin.http.maxRequestSize = config.limits().maxBodyBytes();
    javalin.http.prefer405over404 = true;
    javalin.jetty.modifyServer(server -> server.setStopTimeout(10_000));
    var routes = javalin.routes;
    Ui.configureStaticFiles(javalin);
    routes.get("/", ctx -> ctx.redirect("/ui"));
    routes.get("/ui/login", ctx -> run(ctx, "/ui/login", ui::loginForm));
    routes.post("/ui/login", ctx -> run(ctx, "/ui/login", ui::login));
    routes.post("/ui/logout", ctx -> run(ctx, "/ui/logout", ui::logout));
    routes.get("/ui/assets/bars.css", ctx -> run(ctx, "/ui/assets/bars.css", Ui::barsCss));
    uiPage(routes, "/ui", Scope.READ, ui::overview);
    uiPage(routes, "/ui/live", Scope.READ, ui::live);
    uiPage(routes, "/ui/data/rates", Scope.READ, ui::rates);
    uiPage(routes, "/ui/traces", Scope.READ, ui::traces);
    uiPage(routes, "/ui/traces/{id}", Scope.READ, ui::trace);
    uiPage(routes, "/ui/traces/{id}/rows", Scope.READ, ui::traceRows);
    uiPage(routes, "/ui/traces/{id}/spans/{spanId}", Scope.READ, ui::span);
    uiPage(routes, "/ui/sessions", Scope.READ, ui::sessions);
    uiPage(routes, "/ui/sessions/{id}", Scope.READ, ui::session);
    uiPage(routes, "/ui/agents", Scope.READ, ui::agents);
    uiPage(routes, "/ui/agents/{did}", Scope.READ, ui::agent);
    uiPage(routes, "/ui/sagas", Scope.READ, ui::sagas);
    uiPage(routes, "/ui/sagas/{id}", Scope.READ, ui::saga);
    uiPage(routes, "/ui/audit", Scope.READ, ui::audit);
    uiPage(routes, "/ui/alerts", Scope.READ, ui::alerts);
    uiPage(routes, "/ui/tail", Scope.READ, ui::tail);
    uiPage(routes, "/ui/tail/stream", Scope.READ, ui::tailStream);
    uiPage(routes, "/ui/keys", Scope.ADMIN, ui::keys);
    routes.post(
        "/ui/keys", ctx -> run(ctx, "/ui/keys", c -> ui.serve(c, Scope.ADMIN, ui::createKey)));
    routes.post(
        "/ui/keys/{name}/revoke",
        ctx -> run(ctx, "/ui/keys/{name}/revoke", c -> ui.serve(c, Scope.ADMIN, ui::revokeKey)));
    routes.get("/api/stream", ctx -> guarded(ctx, "/api/stream", Scope.READ, this::streamEvents));
    routes.get("/healthz", ctx -> run(ctx, "/healthz", c -> json(c, 200, Map.of("status", "ok"))));
    routes.get("/readyz", ctx -> run(ctx, "/readyz", this::ready));
    routes.get("/metrics", ctx -> run(ctx, "/metrics", this::scrape));
    routes.get("/openapi.json", ctx -> run(ctx, "/openapi.json", Hub::openApi));
    routes.post("/v1/events", ctx -> guarded(ctx, "/v1/events", Scope.INGEST, this::postEvents));
    routes.post("/v1/traces", ctx -> guarded(ctx, "/v1/traces", Scope.INGEST, this::postTraces));
    routes.post(
        "/v1/audit/decisions",
        ctx -> guarded(ctx, "/v1/audit/decisions", Scope.INGEST, this::postDecisions));
    routes.get("/api/audit", ctx -> guarded(ctx, "/api/audit", Scope.READ, this::listAudit));
    routes.get(
        "/api/audit/verify",
        ctx -> guarded(ctx, "/api/audit/verify", Scope.READ, this::verifyAudit));
    routes.get(
        "/api/audit/report",
        ctx -> guarded(ctx, "/api/audit/report", Scope.READ, this::auditReport));
    routes.get("/api/events", ctx -> guarded(ctx, "/api/events", Scope.READ, this::listEvents));
    routes.get(
        "/api/events/{id}", ctx -> guarded(ctx, "/api/events/{id}", Scope.READ, this::getEvent));
    routes.get("/api/traces", ctx -> guarded(ctx, "/api/traces", Scope.READ, this::listTraces));
    routes.get(
        "/api/traces/{traceId}",
        ctx -> guarded(ctx, "/api/traces/{traceId}", Scope.READ, this::getTrace));
    routes.get(
        "/api/sessions", ctx -> guarded(ctx, "/api/sessions", Scope.READ, this::listSessions));
    routes.get(
        "/api/sessions/{id}",
        ctx -> guarded(ctx, "/api/sessions/{id}", Scope.READ, this::getSession));
    routes.get("/api/agents", ctx -> guarded(ctx, "/api/agents", Scope.READ, this::listAgents));
    routes.get("/api/alerts", ctx -> guarded(ctx, "/api/alerts", Scope.READ, this::listAlerts));
    routes.get(
        "/api/agents/{did}", ctx -> guarded(ctx, "/api/agents/{did}", Scope.READ, this::getAgent));
    routes.get("/api/sagas", ctx -> guarded(ctx, "/api/sagas", Scope.READ, this::listSagas));
    routes.get(
        "/api/sagas/{id}", ctx -> guarded(ctx, "/api/sagas/{id}", Scope.READ, this::getSaga));
    routes.get("/api/keys", ctx -> guarded(ctx, "/api/keys", Scope.ADMIN, this::listKeys));
    routes.post("/api/keys", ctx -> guarded(ctx, "/api/keys", Scope.ADMIN, this::createKey));
    routes.delete(
        "/api/keys/{name}", ctx -> guarded(ctx, "/api/keys/{name}", Scope.ADMIN, this::revokeKey));
    routes.error(
        404,
        "*",
        ctx -> {
          String type = ctx.res().getContentType();
          if (type == null || !(type.startsWith(JSON_TYPE) || type.startsWith("text/html"))) {
            error(ctx, 404, "not_found", "no route " + ctx.method() + " " + ctx.path(), List.of());
          }
        });
    routes.error(
        405,
        "*",
        ctx -> error(ctx, 405, "method_not_allowed", ctx.method() + " " + ctx.path(), List.of()));
  }

  private void uiPage(
      io.javalin.router.JavalinDefaultRoutingApi routes, String path, Scope scope, Ui.Page page) {
    routes.get(path, ctx -> run(ctx, path, c -> ui.serve(c, scope, page)));
  }

  /**
   * {@code GET /api/stream}: ingested events as Server-Sent Events ({@code event: event}, the
   * event's JSON as data), filtered by {@code type}, {@code session} and {@code agent}.
   */
  private void streamEvents(Context ctx) {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      error(
          ctx,
          406,
          "not_acceptable",
          "this route is a Server-Sent Events stream; send Accept: text/event-stream",
          List.of());
      return;
    }
    EventStream.Filter filter = Ui.filter(ctx);
    try {
      SseStreams.serve(
          ctx,
          stream,
          filter,
          batch -> {
            List<SseStreams.Message> out = new ArrayList<>(batch.size());
            for (HypervisorEvent event : batch) {
              try {
                out.add(new SseStreams.Message("event", JSON.writeValueAsString(event.toMap())));
              } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
              }
            }
            return out;
          },
          false,
          0);
    } catch (IllegalStateException full) {
      metrics.rejected("stream_full", 1);
      ctx.header("Retry-After", "5");
      error(ctx, 503, "stream_full", full.getMessage(), List.of());
    }
  }

  /** A handler that throws only what {@link #guarded} turns into answers. */
  @FunctionalInterface
  private interface Route {
    void handle(Context ctx) throws Exception;
  }

  /** Authenticates, checks the scope and the rate, then runs {@code handler}. */
  private void guarded(Context ctx, String route, Scope scope, Route handler) {
    run(
        ctx,
        route,
        c -> {
          String principal = "anonymous";
          Optional<UiSessions.Session> signedIn =
              c.header("Authorization") == null
                      && scope == Scope.READ
                      && c.method() == io.javalin.http.HandlerType.GET
                  ? ui.session(c)
                  : Optional.empty();
          if (signedIn.isPresent()) {
            principal = signedIn.get().keyName(); // the UI's cookie, on read routes only
          } else if (config.auth()) {
            String header = c.header("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
              metrics.rejected("unauthorized", 1);
              c.header("WWW-Authenticate", "Bearer");
              error(
                  c,
                  401,
                  "unauthorized",
                  "send an API key: Authorization: Bearer <key>",
                  List.of());
              return;
            }
            Optional<ApiKeys.Entry> entry = keys.authenticate(header.substring(7).trim());
            if (entry.isEmpty()) {
              metrics.rejected("unauthorized", 1);
              c.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
              error(c, 401, "unauthorized", "the API key is not valid or was revoked", List.of());
              return;
            }
            if (!scope.grantedBy(entry.get().scopes())) {
              metrics.rejected("forbidden", 1);
              error(
                  c,
                  403,
                  "forbidden",
                  "the key \""
                      + entry.get().name()
                      + "\" lacks the "
                      + scope.value()
                      + " scope this route needs",
                  List.of());
              return;
            }
            principal = entry.get().name();
          }
          long wait = rateLimiter.acquire(principal, System.nanoTime());
          if (wait > 0) {
            metrics.rejected("rate_limited", 1);
            c.header("Retry-After", Long.toString(wait));
            error(c, 429, "rate_limited", "too many requests for this key", List.of());
            return;
          }
          handler.handle(c);
        });
  }

  private void run(Context ctx, String route, Route handler) {
    try {
      handler.handle(ctx);
    } catch (IngestException e) {
      metrics.rejected(e.reason(), 1);
      error(ctx, e.status(), e.reason(), e.getMessage(), e.problems());
    } catch (IllegalArgumentException e) {
      metrics.rejected("bad_request", 1);
      error(ctx, 400, "bad_request", e.getMessage(), List.of());
    } catch (HttpResponseException e) {
      String reason = e.getStatus() == 413 ? "too_large" : "http_" + e.getStatus();
      metrics.rejected(reason, 1);
      String message =
          e.getStatus() == 413
              ? "the body is larger than "
                  + config.limits().maxBodyBytes()
                  + " bytes; split the batch"
              : e.getMessage();
      error(ctx, e.getStatus(), reason, message, List.of());
    } catch (Exception e) {
      LOG.log(
          System.Logger.Level.ERROR, "request " + ctx.method() + " " + ctx.path() + " failed", e);
      error(ctx, 500, "internal", "the hub failed on this request; see its log", List.of());
    } finally {
      metrics.request(route, ctx.method().name(), ctx.statusCode());
    }
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType(JSON_TYPE).result(JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void error(
      Context ctx, int status, String reason, String message, List<Problem> problems) {
    if (ctx.path().equals("/v1/traces")) {
      OtlpErrors.Body otlp = OtlpErrors.body(status, message, problems, ctx.header("Content-Type"));
      ctx.status(status).contentType(otlp.contentType()).result(otlp.bytes());
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", reason);
    body.put("message", message);
    if (!problems.isEmpty()) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Problem problem : problems) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("index", problem.index());
        item.put("field", problem.field());
        item.put("message", problem.message());
        list.add(item);
      }
      body.put("problems", list);
    }
    json(ctx, status, body);
  }

  // ---------------------------------------------------------------- ingest

  private byte[] body(Context ctx) {
    return RequestBodies.decode(
        ctx.bodyAsBytes(), ctx.header("Content-Encoding"), config.limits().maxBodyBytes());
  }

  /** Runs {@code work} in an ingest slot: at most maxConcurrentIngest at once, else 503. */
  private void inSlot(Context ctx, Route work) throws Exception {
    if (!ingestSlots.tryAcquire(2, TimeUnit.SECONDS)) {
      metrics.rejected("overloaded", 1);
      ctx.header("Retry-After", "1");
      error(ctx, 503, "overloaded", "the hub is at its ingest capacity; retry shortly", List.of());
      return;
    }
    metrics.inFlight(1);
    try {
      work.handle(ctx);
    } finally {
      metrics.inFlight(-1);
      ingestSlots.release();
    }
  }

  private void postEvents(Context ctx) throws Exception {
    inSlot(
        ctx,
        c -> {
          if (kafka != null && kafka.ingestsToKafka()) {
            List<HypervisorEvent> read = events.read(body(c), c.header("Content-Type"));
            if (publish(c, () -> kafka.publishEvents(read))) {
              Map<String, Object> answer = new LinkedHashMap<>();
              answer.put("accepted", read.size());
              answer.put("duplicates", 0);
              answer.put("kafka", kafka.settings().topics().events());
              json(c, 202, answer);
            }
            return;
          }
          long start = System.nanoTime();
          EventIngest.Result result = events.ingest(body(c), c.header("Content-Type"));
          metrics.committed(
              "events", result.accepted(), result.duplicates(), (System.nanoTime() - start) / 1e9);
          Map<String, Object> answer = new LinkedHashMap<>();
          answer.put("accepted", result.accepted());
          answer.put("duplicates", result.duplicates());
          json(c, 200, answer);
        });
  }

  private void postTraces(Context ctx) throws Exception {
    inSlot(
        ctx,
        c -> {
          if (kafka != null && kafka.ingestsToKafka()) {
            OtlpIngest.Decoded decoded = traces.decode(body(c), c.header("Content-Type"));
            if (publish(c, () -> kafka.publishSpans(decoded.spans()))) {
              OtlpIngest.Answer answer = traces.answer(decoded, decoded.spans().size());
              metrics.rejected("rejected_span", answer.rejected());
              c.status(200).contentType(answer.contentType()).result(answer.body());
            }
            return;
          }
          long start = System.nanoTime();
          OtlpIngest.Answer answer = traces.export(body(c), c.header("Content-Type"));
          metrics.committed("spans", answer.accepted(), 0, (System.nanoTime() - start) / 1e9);
          metrics.rejected("rejected_span", answer.rejected());
          c.status(200).contentType(answer.contentType()).result(answer.body());
        });
  }

  /**
   * Runs a publish to Kafka; when Kafka does not acknowledge in time, answers 503 with {@code
   * Retry-After} (nothing may be assumed stored: the client sends it again) and returns false.
   */
  private boolean publish(Context ctx, Runnable publish) {
    if (kafka != null) {
      try {
        publish.run();
        return true;
      } catch (KafkaUnavailableException e) {
        metrics.rejected("kafka_unavailable", 1);
        ctx.header("Retry-After", "5");
        error(ctx, 503, "kafka_unavailable", e.getMessage(), List.of());
        return false;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- audit

  /**
   * The hub's own audit trail, in {@code audit/} of the data directory with its key outside it,
   * opened when first needed.
   */
  private synchronized AuditQueries audit() {
    if (auditLog == null) {
      if (closed.get()) {
        throw new IllegalStateException("the hub is closed");
      }
      auditLog =
          AuditLog.open(config.dataDirectory().resolve("audit"), config.auditKeyDirectory(), null);
      // a new trail starts with its genesis checkpoint, so it verifies before any decision
      auditLog.checkpoint();
      auditIngest =
          new AuditIngest(
              auditLog, config.redact(), alerts == null ? record -> {} : alerts::decision);
      auditQueries = new AuditQueries(auditLog);
    }
    return auditQueries;
  }

  private void postDecisions(Context ctx) throws Exception {
    audit();
    inSlot(
        ctx,
        c -> {
          long start = System.nanoTime();
          AuditIngest.Result result = auditIngest.ingest(body(c), c.header("Content-Type"));
          metrics.committed(
              "decisions",
              result.accepted(),
              result.duplicates(),
              (System.nanoTime() - start) / 1e9);
          Map<String, Object> answer = new LinkedHashMap<>();
          answer.put("accepted", result.accepted());
          answer.put("duplicates", result.duplicates());
          answer.put("records", result.records());
          json(c, 200, answer);
        });
  }

  private void listAudit(Context ctx) {
    json(ctx, 200, audit().list(params(ctx, AuditQueries.PARAMETERS)));
  }

  private void listAlerts(Context ctx) {
    params(ctx, Set.of());
    json(ctx, 200, alertsAnswer());
  }

  /** {@code GET /api/alerts}'s answer; {@code configured} false and empty lists without rules. */
  private Map<String, Object> alertsAnswer() {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("configured", alerts != null);
    if (alerts == null) {
      for (String list : new String[] {"firing", "pending", "history", "rules", "channels"}) {
        answer.put(list, List.of());
      }
    } else {
      answer.putAll(alerts.api());
    }
    return answer;
  }

  /** What the Kafka consumer did so far ({@code --kafka}); zeros without Kafka mode. */
  public io.hyperlens.kafka.KafkaIngestor.Stats kafkaStats() {
    return kafka == null
        ? new io.hyperlens.kafka.KafkaIngestor.Stats(0, 0, 0, 0, 0, Map.of())
        : kafka.stats();
  }

  /** The overview's alert tile: counts and the newest firing alerts. */
  private Map<String, Object> alertsSummary() {
    return alerts == null ? Map.of("configured", false) : alerts.summary();
  }

  private void verifyAudit(Context ctx) {
    params(ctx, Set.of());
    Map<String, Object> report = audit().verify();
    report(report);
    json(ctx, Boolean.TRUE.equals(report.get("ok")) ? 200 : 409, report);
  }

  private void auditReport(Context ctx) {
    ComplianceReport report = audit().report(params(ctx, AuditQueries.REPORT_PARAMETERS));
    String type;
    switch (report.format()) {
      case PDF:
        type = "application/pdf";
        break;
      case CSV:
        type = "text/csv; charset=utf-8";
        break;
      default:
        type = JSON_TYPE;
        break;
    }
    ctx.status(200).contentType(type).result(report.bytes());
  }

  // ---------------------------------------------------------------- queries

  private static QueryParams params(Context ctx, Set<String> allowed) {
    return new QueryParams(ctx.queryParamMap(), allowed);
  }

  private void listEvents(Context ctx) {
    json(ctx, 200, eventQueries.list(params(ctx, EventQueries.PARAMETERS)));
  }

  private void getEvent(Context ctx) {
    params(ctx, Set.of());
    String id = ctx.pathParam("id");
    Optional<Map<String, Object>> event = eventQueries.event(id);
    if (event.isEmpty()) {
      error(ctx, 404, "not_found", "no event with id \"" + id + "\"", List.of());
      return;
    }
    json(ctx, 200, event.get());
  }

  private void listTraces(Context ctx) {
    json(ctx, 200, traceQueries.list(params(ctx, TraceQueries.PARAMETERS)));
  }

  private void getTrace(Context ctx) {
    String traceId = ctx.pathParam("traceId").toLowerCase(java.util.Locale.ROOT);
    Optional<Map<String, Object>> trace =
        traceQueries.trace(traceId, params(ctx, TraceQueries.TRACE_PARAMETERS));
    if (trace.isEmpty()) {
      error(ctx, 404, "not_found", "no span or event of trace " + traceId, List.of());
      return;
    }
    json(ctx, 200, trace.get());
  }

  private void listSessions(Context ctx) {
    json(ctx, 200, sessionQueries.list(params(ctx, SessionQueries.PARAMETERS)));
  }

  private void getSession(Context ctx) {
    params(ctx, Set.of());
    found(ctx, "session", ctx.pathParam("id"), sessionQueries.session(ctx.pathParam("id")));
  }

  private void listAgents(Context ctx) {
    json(ctx, 200, agentQueries.list(params(ctx, AgentQueries.PARAMETERS)));
  }

  private void getAgent(Context ctx) {
    params(ctx, Set.of());
    found(ctx, "agent", ctx.pathParam("did"), agentQueries.agent(ctx.pathParam("did")));
  }

  private void listSagas(Context ctx) {
    json(ctx, 200, sagaQueries.list(params(ctx, SagaQueries.PARAMETERS)));
  }

  private void getSaga(Context ctx) {
    params(ctx, Set.of());
    found(ctx, "saga", ctx.pathParam("id"), sagaQueries.saga(ctx.pathParam("id")));
  }

  private static void found(
      Context ctx, String what, String id, Optional<Map<String, Object>> answer) {
    if (answer.isEmpty()) {
      error(ctx, 404, "not_found", "no " + what + " \"" + id + "\"", List.of());
      return;
    }
    json(ctx, 200, answer.get());
  }

  // ---------------------------------------------------------------- keys

  private void listKeys(Context ctx) {
    params(ctx, Set.of());
    List<Map<String, Object>> list = new ArrayList<>();
    for (ApiKeys.Entry entry : keys.list()) {
      list.add(keyMap(entry));
    }
    json(ctx, 200, Map.of("keys", list));
  }

  private static Map<String, Object> keyMap(ApiKeys.Entry entry) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", entry.name());
    out.put("scopes", entry.scopeNames());
    out.put("created", entry.created().toString());
    return out;
  }

  private void createKey(Context ctx) throws IOException {
    params(ctx, Set.of());
    Map<?, ?> request;
    try {
      request = JSON.readValue(ctx.bodyAsBytes(), Map.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("the body must be {\"name\": ..., \"scopes\": [...]}");
    }
    Object name = request.get("name");
    Object scopes = request.get("scopes");
    if (!(name instanceof String) || !(scopes instanceof List)) {
      throw new IllegalArgumentException(
          "the body must be {\"name\": \"...\", \"scopes\": [\"ingest\", \"read\"]}");
    }
    Set<Scope> parsed = EnumSet.noneOf(Scope.class);
    for (Object scope : (List<?>) scopes) {
      parsed.add(Scope.parse(String.valueOf(scope)));
    }
    String key = keys.create((String) name, parsed);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("name", name);
    answer.put("key", key);
    json(ctx, 201, answer);
  }

  private void revokeKey(Context ctx) {
    params(ctx, Set.of());
    String name = ctx.pathParam("name");
    if (!keys.revoke(name)) {
      error(ctx, 404, "not_found", "no key named \"" + name + "\"", List.of());
      return;
    }
    json(ctx, 200, Map.of("revoked", name));
  }

  // ---------------------------------------------------------------- operations

  private void ready(Context ctx) {
    try {
      store.event("readyz-probe");
      if (kafka != null && !kafka.running()) {
        json(
            ctx,
            503,
            Map.of(
                "status",
                "kafka consumer stopped",
                "message",
                "the Kafka consumer or the live-stream tail stopped; see the hub's log"));
        return;
      }
      json(ctx, 200, Map.of("status", "ready", "store", store.location()));
    } catch (RuntimeException e) {
      json(ctx, 503, Map.of("status", "store unreachable", "message", String.valueOf(e)));
    }
  }

  private static void openApi(Context ctx) throws IOException {
    try (InputStream in = Hub.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IOException("openapi.json is missing from the hub's resources");
      }
      ctx.status(200).contentType(JSON_TYPE).result(in.readAllBytes());
    }
  }

  private void scrape(Context ctx) throws IOException {
    new PrometheusScrapeHandler(served).handleRequest(new Exchange(ctx));
  }

  private double storeBytes() {
    if (!(store instanceof SqliteStore)) {
      return Double.NaN;
    }
    Path file = ((SqliteStore) store).file();
    double bytes = 0;
    for (String suffix : List.of("", "-wal", "-shm")) {
      try {
        Path part = file.resolveSibling(file.getFileName() + suffix);
        if (Files.exists(part)) {
          bytes += Files.size(part);
        }
      } catch (IOException e) {
        // a file rotated away while measured: count the rest
      }
    }
    return bytes;
  }

  private void applyRetention() {
    try {
      if (config.retention() != null) {
        Instant cutoff = Instant.now().minus(config.retention());
        metrics.retentionDeleted("events", store.deleteOlderThan(cutoff));
        metrics.retentionDeleted("spans", store.deleteSpansOlderThan(cutoff));
      }
      if (config.maxEvents() > 0) {
        metrics.retentionDeleted("events", store.retainNewest(config.maxEvents()));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "retention failed; it runs again in a minute", e);
    }
  }

  /** Stops taking requests, lets those in flight finish (up to 10 s), closes the store. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    retention.shutdownNow();
    stream.shutdown();
    if (kafka != null) {
      // requests waiting for Kafka get their answer (503 if Kafka did not take it in 5 s) before
      // the HTTP server's own grace period runs out
      kafka.stopPublishing(java.time.Duration.ofSeconds(5));
    }
    try {
      app.stop();
    } finally {
      try {
        if (kafka != null) {
          kafka.close(); // the batch in hand is stored and committed, or left to be read again
        }
        if (alerts != null) {
          alerts.close(); // its last evaluation and state go to the store, still open
        }
        synchronized (this) {
          if (auditLog != null) {
            auditLog.close();
          }
        }
      } finally {
        store.close();
      }
    }
  }

  /** client_java's scrape handler on a Javalin request, its answer buffered into the result. */
  private static final class Exchange implements PrometheusHttpExchange {
    private final Context ctx;

    Exchange(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public PrometheusHttpRequest getRequest() {
      return new PrometheusHttpRequest() {
        @Override
        public String getQueryString() {
          return ctx.queryString();
        }

        @Override
        public java.util.Enumeration<String> getHeaders(String name) {
          java.util.Enumeration<String> headers = ctx.req().getHeaders(name);
          return headers != null ? headers : Collections.emptyEnumeration();
        }

        @Override
        public String getMethod() {
          return ctx.method().name();
        }

        @Override
        public String getRequestPath() {
          return ctx.path();
        }
      };
    }

    @Override
    public PrometheusHttpResponse getResponse() {
      return new PrometheusHttpResponse() {
        @Override
        public void setHeader(String name, String value) {
          ctx.header(name, value);
        }

        @Override
        public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
          ctx.status(statusCode);
          return new ByteArrayOutputStream() {
            @Override
            public void close() {
              ctx.result(toByteArray());
            }
          };
        }
      };
    }

    @Override
    public void handleException(IOException e) throws IOException {
      throw e;
    }

    @Override
    public void handleException(RuntimeException e) {
      throw e;
    }

    @Override
    public void close() {
      // the body is set when the handler closes its stream
    }
  }
}
