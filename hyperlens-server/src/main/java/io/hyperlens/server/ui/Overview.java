package io.hyperlens.server.ui;

import io.hyperlens.event.EventQuery;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.server.query.AgentQueries;
import io.hyperlens.server.query.AuditQueries;
import io.hyperlens.server.query.QueryParams;
import io.hyperlens.server.query.SagaQueries;
import io.hyperlens.store.JdbcStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The overview page's numbers: ingest rates and the error rate from a per-second history of the
 * hub's counters (the last ten minutes), and the governance state from the store (breaches in the
 * last hour, open and escalated sagas, agents by ring, open elevations, the newest breaches and
 * denials). A snapshot is computed at most once a second, however many pages watch it. Thread-safe.
 */
public final class Overview {
  /** Seconds of rate history kept. */
  static final int HISTORY = 600;

  private final JdbcStore store;
  private final AgentQueries agents;
  private final SagaQueries sagas;
  private final Supplier<AuditQueries> audit;
  private final LongSupplier events;
  private final LongSupplier spans;
  private final LongSupplier errorSpans;
  private final LongSupplier generation;
  private final Supplier<Map<String, Object>> alerts;
  private final Clock clock;
  private long cachedGeneration = -1;
  private final long[] times = new long[HISTORY];
  private final long[][] totals = new long[3][HISTORY];
  private int samples;
  private Map<String, Object> cached;
  private Instant cachedAt = Instant.EPOCH;

  /**
   * An overview.
   *
   * @param events events ingested so far
   * @param spans spans ingested so far
   * @param errorSpans spans ingested with status error so far
   * @param generation changes whenever events are ingested (a snapshot older than it is stale)
   * @param alerts the alerting summary: {@code configured}, {@code firing_count}, {@code
   *     pending_count}, {@code firing} (the newest firing alerts)
   */
  public Overview(
      JdbcStore store,
      AgentQueries agents,
      SagaQueries sagas,
      Supplier<AuditQueries> audit,
      LongSupplier events,
      LongSupplier spans,
      LongSupplier errorSpans,
      LongSupplier generation,
      Supplier<Map<String, Object>> alerts,
      Clock clock) {
    this.generation = generation;
    this.alerts = alerts;
    this.store = store;
    this.agents = agents;
    this.sagas = sagas;
    this.audit = audit;
    this.events = events;
    this.spans = spans;
    this.errorSpans = errorSpans;
    this.clock = clock;
  }

  /** Records the counters now; call once a second. */
  public void sample() {
    synchronized (times) {
      record();
    }
  }

  private void record() {
    int slot = samples % HISTORY;
    times[slot] = clock.millis() / 1000;
    totals[0][slot] = events.getAsLong();
    totals[1][slot] = spans.getAsLong();
    totals[2][slot] = errorSpans.getAsLong();
    samples++;
  }

  /** The per-second rates for the chart: {@code {"t": [...], "events": [...], "spans": [...]}}. */
  public Map<String, Object> rates() {
    synchronized (times) {
      return ratesNow();
    }
  }

  private Map<String, Object> ratesNow() {
    List<Long> t = new ArrayList<>();
    List<Long> e = new ArrayList<>();
    List<Long> s = new ArrayList<>();
    int n = Math.min(samples, HISTORY);
    for (int i = 1; i < n; i++) {
      int now = (samples - n + i) % HISTORY;
      int before = (samples - n + i - 1) % HISTORY;
      t.add(times[now]);
      e.add(totals[0][now] - totals[0][before]);
      s.add(totals[1][now] - totals[1][before]);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("t", t);
    out.put("events", e);
    out.put("spans", s);
    return out;
  }

  /** The change of counter {@code which} per second over the last {@code seconds}. */
  private double perSecond(int which, int seconds) {
    synchronized (times) {
      return perSecondNow(which, seconds);
    }
  }

  private double perSecondNow(int which, int seconds) {
    int n = Math.min(samples, HISTORY);
    if (n < 2) {
      return 0;
    }
    int back = Math.min(seconds, n - 1);
    int now = (samples - 1) % HISTORY;
    int then = (samples - 1 - back) % HISTORY;
    long elapsed = Math.max(1, times[now] - times[then]);
    return (double) (totals[which][now] - totals[which][then]) / elapsed;
  }

  /**
   * The tiles: computed again once something was ingested since (at most four times a second,
   * however many pages watch), else at most a second old.
   */
  public synchronized Map<String, Object> snapshot() {
    Instant now = clock.instant();
    long current = generation.getAsLong();
    boolean fresh =
        current == cachedGeneration
            ? now.isBefore(cachedAt.plusSeconds(1))
            : now.isBefore(cachedAt.plusMillis(250));
    if (cached != null && fresh) {
      return cached;
    }
    cachedGeneration = current;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("events_per_second", perSecond(0, 10));
    out.put("spans_per_second", perSecond(1, 10));
    double spanRate = perSecond(1, 300);
    out.put("error_rate", spanRate == 0 ? null : perSecond(2, 300) / spanRate);
    out.put(
        "breaches_last_hour",
        store.count(
            EventQuery.builder()
                .eventType(EventType.RING_BREACH_DETECTED)
                .timeRange(now.minus(Duration.ofHours(1)), now.plusSeconds(1))
                .build()));
    out.put("sagas_running", sagaCount("running") + sagaCount("compensating"));
    out.put("sagas_escalated", sagaCount("escalated"));
    out.put("alerts", alerts.get());
    Map<String, Integer> byRing = new TreeMap<>();
    List<Map<String, Object>> elevated = new ArrayList<>();
    for (Map<String, Object> agent :
        View.list(agents.list(params(Map.of("limit", "500"))), "agents")) {
      byRing.merge("ring " + agent.get("ring"), 1, Integer::sum);
      if (agent.get("open_elevation") != null) {
        elevated.add(agent);
      }
    }
    out.put("agents_by_ring", byRing);
    out.put("elevations_open", elevated);
    List<HypervisorEvent> breaches =
        store
            .pageNewestFirst(
                EventQuery.builder().eventType(EventType.RING_BREACH_DETECTED).build(),
                null,
                null,
                5)
            .events();
    out.put("newest_breaches", breaches);
    out.put(
        "newest_denials",
        View.values(audit.get().list(params(Map.of("decision", "deny", "limit", "5"))), "records"));
    cached = out;
    cachedAt = now;
    return out;
  }

  private int sagaCount(String state) {
    return View.list(sagas.list(params(Map.of("state", state, "limit", "500"))), "sagas").size();
  }

  private static QueryParams params(Map<String, String> values) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    values.forEach((k, v) -> params.put(k, List.of(v)));
    return new QueryParams(params, Set.copyOf(values.keySet()));
  }
}
