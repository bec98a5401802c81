package io.hyperlens.server.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.server.auth.ApiKeys;
import io.hyperlens.server.auth.Scope;
import io.hyperlens.server.query.AgentQueries;
import io.hyperlens.server.query.AuditQueries;
import io.hyperlens.server.query.EventQueries;
import io.hyperlens.server.query.QueryParams;
import io.hyperlens.server.query.SagaQueries;
import io.hyperlens.server.query.SessionQueries;
import io.hyperlens.server.query.TraceQueries;
import io.hyperlens.server.stream.EventStream;
import io.hyperlens.server.stream.SseStreams;
import io.hyperlens.store.JdbcStore;
import io.hyperlens.trace.SpanData;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.javalin.http.staticfiles.Location;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The hub's web UI: server-rendered pages (JTE templates, precompiled) under {@code /ui}, htmx for
 * partial updates and Server-Sent Events for the live overview and tail, uPlot for charts, all from
 * WebJars; plain CSS, with the waterfall's bars positioned by classes of a generated stylesheet, so
 * the Content-Security-Policy allows no inline script or style at all.
 *
 * <p>Sign-in takes an API key of read scope and turns it into a session cookie ({@link
 * UiSessions}); every page and the read routes of the API accept it. Forms that change state carry
 * the session's CSRF token. Every view's filters are in its URL.
 */
public final class Ui {
  /** The Content-Security-Policy of every UI answer. */
  public static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  /** How many of the newest audit records a session or trace page looks through for its own. */
  static final int DECISION_SCAN = 10_000;

  /** The least time between two pushes of the live overview. */
  static final long LIVE_INTERVAL_MILLIS = 500;

  /** Rows of the waterfall rendered per request; the rest load as they scroll into view. */
  static final int ROWS_PER_CHUNK = 300;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the pages read.
   *
   * @param audit the hub's audit trail's queries, opened on first use
   */
  public record Services(
      JdbcStore store,
      ApiKeys keys,
      EventStream stream,
      EventQueries events,
      TraceQueries traces,
      SessionQueries sessions,
      AgentQueries agents,
      SagaQueries sagas,
      Supplier<AuditQueries> audit,
      Supplier<Map<String, Object>> alerts,
      Overview overview) {}

  private final Services services;
  private final UiSessions sessions;
  private final UiSessions.Session anonymous;
  private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);

  /**
   * The UI over {@code services}, signing users in to {@code sessions}; with {@code auth} off (a
   * hub on loopback with {@code --no-auth}) everyone is signed in with every scope.
   */
  public Ui(Services services, UiSessions sessions, boolean auth) {
    this.services = services;
    this.sessions = sessions;
    this.anonymous = auth ? null : sessions.create("anonymous", null, EnumSet.allOf(Scope.class));
  }

  /** Serves the UI's static files: its own assets and the WebJars. */
  public static void configureStaticFiles(JavalinConfig javalin) {
    javalin.staticFiles.enableWebjars();
    javalin.staticFiles.add(
        files -> {
          files.hostedPath = "/ui/assets";
          files.directory = "/io/hyperlens/server/ui/assets";
          files.location = Location.CLASSPATH;
          files.headers =
              Map.of("Cache-Control", "max-age=300", "X-Content-Type-Options", "nosniff");
        });
  }

  /** The signed-in session of this request, if its cookie names a live one. */
  public Optional<UiSessions.Session> session(Context ctx) {
    if (anonymous != null) {
      return Optional.of(anonymous);
    }
    Optional<UiSessions.Session> session = sessions.find(ctx.cookie(UiSessions.COOKIE));
    if (session.isPresent()) {
      // a key revoked anywhere (the API, the CLI on the data directory) ends its sessions
      Set<String> live = new java.util.HashSet<>();
      services.keys().list().forEach(k -> live.add(k.id()));
      sessions.retainKeys(live);
      return sessions.find(ctx.cookie(UiSessions.COOKIE));
    }
    return session;
  }

  // ---------------------------------------------------------------- rendering

  private void render(Context ctx, int status, String template, Map<String, Object> model) {
    StringOutput out = new StringOutput();
    templates.render(template, model, out);
    headers(ctx);
    ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
  }

  /** Renders {@code template} inside the page layout. */
  private void page(
      Context ctx,
      UiSessions.Session session,
      String title,
      String template,
      Map<String, Object> model) {
    Map<String, Object> all = new LinkedHashMap<>(model);
    all.put("session", session);
    all.put("title", title);
    render(ctx, 200, template, all);
  }

  static void headers(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Cache-Control", "no-store");
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- routes

  /** A page handler, given the signed-in session. */
  @FunctionalInterface
  public interface Page {
    void handle(Context ctx, UiSessions.Session session) throws Exception;
  }

  /**
   * Runs {@code page} for a signed-in user holding {@code scope}; sends anyone else to sign in. A
   * bad filter is shown on the page's error view with its message.
   */
  public void serve(Context ctx, Scope scope, Page page) throws Exception {
    Optional<UiSessions.Session> session = session(ctx);
    if (session.isEmpty()) {
      if (ctx.header("HX-Request") != null
          || ctx.path().endsWith("/stream")
          || ctx.path().equals("/ui/live")) {
        headers(ctx);
        ctx.status(401).result("sign in again");
        return;
      }
      String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
      ctx.redirect("/ui/login?next=" + View.enc(next));
      return;
    }
    if (!session.get().may(scope)) {
      error(
          ctx,
          session.get(),
          403,
          "Your key lacks the " + scope.value() + " scope this page needs.");
      return;
    }
    try {
      page.handle(ctx, session.get());
    } catch (IllegalArgumentException e) {
      error(ctx, session.get(), 400, e.getMessage());
    }
  }

  private void error(Context ctx, UiSessions.Session session, int status, String message) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("session", session);
    model.put("title", status == 404 ? "Not found" : "Cannot show this");
    model.put("status", status);
    model.put("message", message);
    render(ctx, status, "error.jte", model);
  }

  /** {@code GET /ui/login}. */
  public void loginForm(Context ctx) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("next", safeNext(ctx.queryParam("next")));
    model.put("message", null);
    render(ctx, 200, "login.jte", model);
  }

  /** {@code POST /ui/login}: a key of read scope starts a session. */
  public void login(Context ctx) {
    String key = ctx.formParam("key");
    String next = safeNext(ctx.formParam("next"));
    Optional<ApiKeys.Entry> entry =
        key == null || key.isBlank() ? Optional.empty() : services.keys().authenticate(key.trim());
    if (entry.isEmpty() || !Scope.READ.grantedBy(entry.get().scopes())) {
      Map<String, Object> model = new LinkedHashMap<>();
      model.put("next", next);
      model.put(
          "message",
          entry.isEmpty()
              ? "That key is not valid or was revoked."
              : "That key lacks the read scope the UI needs.");
      render(ctx, 401, "login.jte", model);
      return;
    }
    UiSessions.Session session =
        sessions.create(entry.get().name(), entry.get().id(), entry.get().scopes());
    ctx.cookie(
        new Cookie(
            UiSessions.COOKIE,
            session.id(),
            "/",
            (int) UiSessions.LIFETIME.getSeconds(),
            ctx.scheme().equals("https")
                || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto")),
            true,
            null,
            SameSite.STRICT));
    ctx.redirect(next);
  }

  /** {@code POST /ui/logout}. */
  public void logout(Context ctx) {
    Optional<UiSessions.Session> session = session(ctx);
    if (session.isPresent() && csrfOk(ctx, session.get())) {
      sessions.remove(session.get().id());
    }
    ctx.removeCookie(UiSessions.COOKIE, "/");
    ctx.redirect("/ui/login");
  }

  /** Only a path of this UI: never an absolute URL someone slipped in. */
  private static String safeNext(String next) {
    if (next == null || !next.startsWith("/ui") || next.startsWith("//") || next.contains("\\")) {
      return "/ui";
    }
    return next;
  }

  private static boolean csrfOk(Context ctx, UiSessions.Session session) {
    String sent = ctx.formParam("_csrf");
    return sent != null
        && java.security.MessageDigest.isEqual(
            sent.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            session.csrf().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- overview

  /** {@code GET /ui}. */
  public void overview(Context ctx, UiSessions.Session session) {
    page(ctx, session, "Overview", "overview.jte", Map.of("o", services.overview().snapshot()));
  }

  /** {@code GET /ui/live}: the overview's tiles, pushed as they change. */
  public void live(Context ctx, UiSessions.Session session) {
    stream(
        ctx,
        EventStream.Filter.ALL,
        batch -> {
          StringOutput out = new StringOutput();
          templates.render("overview_tiles.jte", Map.of("o", services.overview().snapshot()), out);
          return List.of(new SseStreams.Message("overview", out.toString()));
        },
        true,
        LIVE_INTERVAL_MILLIS);
  }

  /** {@code GET /ui/data/rates}: the rates chart's data. */
  public void rates(Context ctx, UiSessions.Session session) {
    headers(ctx);
    ctx.contentType("application/json").result(json(services.overview().rates()));
  }

  // ---------------------------------------------------------------- traces

  /** The attribute filter box: {@code key=value} pairs, separated by spaces. */
  static Map<String, String> attributes(String text, List<String> knownKeys) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String pair : text.trim().split("\\s+")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new IllegalArgumentException(
            "attributes: \"" + pair + "\" is not key=value (e.g. tool=search)");
      }
      String key = pair.substring(0, eq);
      if (!knownKeys.contains(key)) {
        String hint =
            Suggestions.closest(key, knownKeys)
                .map(k -> "; did you mean \"" + k + "\"?")
                .orElse(
                    knownKeys.isEmpty()
                        ? "; no span attribute is stored yet"
                        : "; keys spans carry: "
                            + String.join(
                                ", ", knownKeys.subList(0, Math.min(20, knownKeys.size())))
                            + (knownKeys.size() > 20 ? ", ..." : ""));
        throw new IllegalArgumentException(
            "attributes: no span carries the key \"" + key + "\"" + hint);
      }
      out.put(key, pair.substring(eq + 1));
    }
    return out;
  }

  /** {@code GET /ui/traces}. */
  public void traces(Context ctx, UiSessions.Session session) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    Set<String> form =
        Set.of(
            "service",
            "agent",
            "session",
            "status",
            "min_duration_ms",
            "max_duration_ms",
            "since",
            "until",
            "cursor");
    for (String name : ctx.queryParamMap().keySet()) {
      if (ctx.queryParamMap().get(name).size() > 1) {
        throw new IllegalArgumentException("parameter \"" + name + "\" is given more than once");
      }
      if (!form.contains(name) && !name.equals("attrs")) {
        throw new IllegalArgumentException(
            "unknown parameter \""
                + name
                + "\"; this page takes "
                + new TreeSet<>(form)
                + " and attrs");
      }
    }
    for (String name : form) {
      String value = ctx.queryParam(name);
      if (value != null && !value.isBlank()) {
        params.put(name, List.of(value.trim()));
      }
    }
    String attrs = ctx.queryParam("attrs");
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("q", flat(params));
    model.put("attrs", attrs == null ? "" : attrs);
    Map<String, Object> result;
    try {
      attributes(attrs, services.store().spanAttributeKeys(1000))
          .forEach((k, v) -> params.put("attr." + k, List.of(v)));
      result = services.traces().list(new QueryParams(params, TraceQueries.PARAMETERS));
      model.put("problem", null);
    } catch (IllegalArgumentException e) {
      // shown above the search form, which keeps what was typed
      result = Map.of("traces", List.of());
      model.put("problem", e.getMessage());
    }
    model.put("result", result);
    List<List<Object>> points = List.of(new ArrayList<>(), new ArrayList<>());
    for (Map<String, Object> trace : View.list(result, "traces")) {
      points.get(0).add(java.time.Instant.parse(View.s(trace, "start")).toEpochMilli() / 1000.0);
      points.get(1).add(View.n(trace, "duration_ms"));
    }
    model.put("points", json(points));
    page(ctx, session, "Traces", "traces.jte", model);
  }

  private static Map<String, String> flat(Map<String, List<String>> params) {
    Map<String, String> out = new LinkedHashMap<>();
    params.forEach((k, v) -> out.put(k, v.get(0)));
    return out;
  }

  /** {@code GET /ui/traces/{id}}. */
  public void trace(Context ctx, UiSessions.Session session) {
    String id = ctx.pathParam("id").toLowerCase(Locale.ROOT);
    int offset = parseInt(ctx.queryParam("span_offset"), "span_offset");
    Optional<TraceQueries.TraceView> found = services.traces().view(id, offset, 10_000);
    if (found.isEmpty()) {
      error(ctx, session, 404, "No span and no event of trace " + id + " is stored.");
      return;
    }
    TraceQueries.TraceView view = found.get();
    Waterfall waterfall = Waterfall.of(view.spans(), view.events());
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("view", view);
    model.put("waterfall", waterfall);
    model.put(
        "rows", waterfall.rows().subList(0, Math.min(ROWS_PER_CHUNK, waterfall.rows().size())));
    model.put("next", waterfall.rows().size() > ROWS_PER_CHUNK ? ROWS_PER_CHUNK : -1);
    Set<String> eventIds = new java.util.HashSet<>();
    view.events().forEach(e -> eventIds.add(e.eventId()));
    model.put("decisions", services.audit().get().withContext("event_id", eventIds, DECISION_SCAN));
    page(ctx, session, "Trace " + id, "trace.jte", model);
  }

  /** {@code GET /ui/traces/{id}/rows?from=N}: the next rows of the waterfall. */
  public void traceRows(Context ctx, UiSessions.Session session) {
    String id = ctx.pathParam("id").toLowerCase(Locale.ROOT);
    int offset = parseInt(ctx.queryParam("span_offset"), "span_offset");
    int from = parseInt(ctx.queryParam("from"), "from");
    TraceQueries.TraceView view =
        services
            .traces()
            .view(id, offset, 10_000)
            .orElseThrow(() -> new IllegalArgumentException("no trace " + id));
    Waterfall waterfall = Waterfall.of(view.spans(), view.events());
    int to = (int) Math.min(waterfall.rows().size(), (long) from + ROWS_PER_CHUNK);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("view", view);
    model.put("rows", waterfall.rows().subList(Math.min(from, to), to));
    model.put("next", to < waterfall.rows().size() ? to : -1);
    render(ctx, 200, "trace_rows.jte", model);
  }

  /** {@code GET /ui/traces/{id}/spans/{spanId}}: the span detail panel. */
  public void span(Context ctx, UiSessions.Session session) {
    String spanId = ctx.pathParam("spanId");
    Optional<SpanData> span = services.store().span(spanId);
    if (span.isEmpty()
        || !span.get().traceId().equals(ctx.pathParam("id").toLowerCase(Locale.ROOT))) {
      render(ctx, 404, "span_detail.jte", spanModel(null));
      return;
    }
    render(ctx, 200, "span_detail.jte", spanModel(span.get()));
  }

  private static Map<String, Object> spanModel(SpanData span) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("span", span);
    return model;
  }

  private static int parseInt(String value, String name) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(
        name + " must be a whole number, 0 or more, got \"" + value + "\"");
  }

  // ---------------------------------------------------------------- the rest

  private static QueryParams params(Context ctx, Set<String> allowed) {
    return new QueryParams(ctx.queryParamMap(), allowed);
  }

  /** {@code GET /ui/sessions}. */
  public void sessions(Context ctx, UiSessions.Session session) {
    Map<String, Object> result = services.sessions().list(params(ctx, SessionQueries.PARAMETERS));
    page(ctx, session, "Sessions", "sessions.jte", Map.of("result", result));
  }

  /** {@code GET /ui/sessions/{id}}. */
  public void session(Context ctx, UiSessions.Session session) {
    String id = ctx.pathParam("id");
    Optional<Map<String, Object>> found = services.sessions().session(id);
    if (found.isEmpty()) {
      error(ctx, session, 404, "No event of session " + id + " is stored.");
      return;
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("s", found.get());
    model.put(
        "decisions", services.audit().get().withContext("session_id", Set.of(id), DECISION_SCAN));
    page(ctx, session, "Session " + id, "session.jte", model);
  }

  /** {@code GET /ui/alerts}: firing, pending and resolved alerts, the rules and the channels. */
  public void alerts(Context ctx, UiSessions.Session session) {
    params(ctx, Set.of());
    page(ctx, session, "Alerts", "alerts.jte", Map.of("a", services.alerts().get()));
  }

  /** {@code GET /ui/agents}. */
  public void agents(Context ctx, UiSessions.Session session) {
    Map<String, Object> result = services.agents().list(params(ctx, AgentQueries.PARAMETERS));
    page(ctx, session, "Agents", "agents.jte", Map.of("result", result));
  }

  /** {@code GET /ui/agents/{did}}. */
  public void agent(Context ctx, UiSessions.Session session) {
    String did = ctx.pathParam("did");
    Optional<Map<String, Object>> found = services.agents().agent(did);
    if (found.isEmpty()) {
      error(ctx, session, 404, "No event of agent " + did + " is stored.");
      return;
    }
    List<List<Object>> history = List.of(new ArrayList<>(), new ArrayList<>());
    List<Map<String, Object>> ringEvents = new ArrayList<>();
    for (Map<String, Object> event : View.list(found.get(), "recent_events")) {
      String type = View.s(event, "event_type");
      Object ring =
          View.map(event, "payload").get(type.equals("ring.elevated") ? "to_ring" : "ring");
      if (type.startsWith("ring.") && ring instanceof Number) {
        ringEvents.add(0, event);
      }
    }
    for (Map<String, Object> event : ringEvents) {
      Object ring =
          View.map(event, "payload")
              .get(View.s(event, "event_type").equals("ring.elevated") ? "to_ring" : "ring");
      history
          .get(0)
          .add(
              java.time.OffsetDateTime.parse(View.s(event, "timestamp")).toInstant().toEpochMilli()
                  / 1000.0);
      history.get(1).add(ring);
    }
    Map<String, List<String>> traceParams = new LinkedHashMap<>();
    traceParams.put("agent", List.of(did));
    Map<String, Object> traces =
        services.traces().list(new QueryParams(traceParams, TraceQueries.PARAMETERS));
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("a", found.get());
    model.put("history", json(history));
    model.put("traces", traces);
    page(ctx, session, "Agent " + did, "agent.jte", model);
  }

  /** {@code GET /ui/sagas}. */
  public void sagas(Context ctx, UiSessions.Session session) {
    Map<String, Object> result = services.sagas().list(params(ctx, SagaQueries.PARAMETERS));
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("result", result);
    model.put("state", ctx.queryParam("state") == null ? "" : ctx.queryParam("state"));
    page(ctx, session, "Sagas", "sagas.jte", model);
  }

  /** {@code GET /ui/sagas/{id}}. */
  public void saga(Context ctx, UiSessions.Session session) {
    String id = ctx.pathParam("id");
    Optional<Map<String, Object>> found = services.sagas().saga(id);
    if (found.isEmpty()) {
      error(ctx, session, 404, "No saga " + id + " is stored.");
      return;
    }
    page(ctx, session, "Saga " + id, "saga.jte", Map.of("s", found.get()));
  }

  /** {@code GET /ui/audit}. */
  public void audit(Context ctx, UiSessions.Session session) {
    AuditQueries audit = services.audit().get();
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("verify", audit.verify());
    model.put("result", audit.list(params(ctx, AuditQueries.PARAMETERS)));
    Map<String, String> q = new LinkedHashMap<>();
    for (String name : List.of("decision", "agent", "action", "time_range")) {
      q.put(name, ctx.queryParam(name) == null ? "" : ctx.queryParam(name));
    }
    model.put("q", q);
    page(ctx, session, "Audit", "audit.jte", model);
  }

  /** {@code GET /ui/tail}. */
  public void tail(Context ctx, UiSessions.Session session) {
    EventStream.Filter filter = filter(ctx);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("filter", filter);
    StringBuilder query = new StringBuilder();
    for (String name : List.of("type", "session", "agent")) {
      String value = ctx.queryParam(name);
      if (value != null && !value.isBlank()) {
        query
            .append(query.length() == 0 ? "?" : "&")
            .append(name)
            .append('=')
            .append(View.enc(value));
      }
    }
    model.put("query", query.toString());
    page(ctx, session, "Live tail", "tail.jte", model);
  }

  /** {@code GET /ui/tail/stream}: each event as a table row. */
  public void tailStream(Context ctx, UiSessions.Session session) {
    EventStream.Filter filter = filter(ctx);
    stream(
        ctx,
        filter,
        batch -> {
          List<SseStreams.Message> out = new ArrayList<>();
          for (HypervisorEvent event : batch) {
            StringOutput html = new StringOutput();
            templates.render("tail_row.jte", Map.of("e", event), html);
            out.add(new SseStreams.Message("event", html.toString()));
          }
          return out;
        },
        false,
        0);
  }

  /** Serves a stream, or a 503 when it has all the clients it takes. */
  private void stream(
      Context ctx,
      EventStream.Filter filter,
      java.util.function.Function<List<HypervisorEvent>, List<SseStreams.Message>> render,
      boolean current,
      long coalesceMillis) {
    try {
      SseStreams.serve(ctx, services.stream(), filter, render, current, coalesceMillis);
    } catch (IllegalStateException full) {
      headers(ctx);
      ctx.header("Retry-After", "5");
      ctx.status(503).result(full.getMessage());
    }
  }

  /** The {@code type}, {@code session} and {@code agent} filter of a stream request. */
  public static EventStream.Filter filter(Context ctx) {
    new QueryParams(ctx.queryParamMap(), Set.of("type", "session", "agent"));
    String type = blankToNull(ctx.queryParam("type"));
    if (type != null) {
      try {
        EventType.fromValue(type);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("type: unknown event type \"" + type + "\"", e);
      }
    }
    return new EventStream.Filter(
        type, blankToNull(ctx.queryParam("session")), blankToNull(ctx.queryParam("agent")));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  // ---------------------------------------------------------------- keys

  /** {@code GET /ui/keys} (admin). */
  public void keys(Context ctx, UiSessions.Session session) {
    keysPage(ctx, session, null, null);
  }

  private void keysPage(Context ctx, UiSessions.Session session, String created, String message) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("keys", services.keys().list());
    model.put("created", created);
    model.put("message", message);
    page(ctx, session, "API keys", "keys.jte", model);
  }

  /** {@code POST /ui/keys} (admin): creates a key and shows it once. */
  public void createKey(Context ctx, UiSessions.Session session) {
    if (!csrfOk(ctx, session)) {
      error(ctx, session, 403, "The form's CSRF token is missing or stale; reload the page.");
      return;
    }
    String name = ctx.formParam("name");
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (Scope scope : Scope.values()) {
      if (ctx.formParam("scope_" + scope.value()) != null) {
        scopes.add(scope);
      }
    }
    try {
      if (scopes.isEmpty()) {
        throw new IllegalArgumentException("choose at least one scope");
      }
      String key = services.keys().create(name == null ? "" : name.trim(), scopes);
      keysPage(ctx, session, key, null);
    } catch (IllegalArgumentException e) {
      keysPage(ctx, session, null, e.getMessage());
    }
  }

  /** {@code POST /ui/keys/{name}/revoke} (admin). */
  public void revokeKey(Context ctx, UiSessions.Session session) {
    if (!csrfOk(ctx, session)) {
      error(ctx, session, 403, "The form's CSRF token is missing or stale; reload the page.");
      return;
    }
    String name = ctx.pathParam("name");
    boolean revoked = services.keys().revoke(name);
    keysPage(
        ctx,
        session,
        null,
        revoked ? "Revoked \"" + name + "\"." : "No key is named \"" + name + "\".");
  }

  /** {@code GET /ui/assets/bars.css}: the classes that place the waterfall's bars. */
  public static void barsCss(Context ctx) {
    StringBuilder css = new StringBuilder(64_000);
    for (int i = 0; i <= 1000; i++) {
      String pct = String.format(Locale.ROOT, "%.1f%%", i / 10.0);
      css.append(".l").append(i).append("{left:").append(pct).append("}");
      css.append(".w").append(i).append("{width:").append(pct).append("}\n");
    }
    headers(ctx);
    ctx.header("Cache-Control", "max-age=86400");
    ctx.contentType("text/css").result(css.toString());
  }
}
