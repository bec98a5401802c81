package io.hyperlens.prometheus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The seed's AgentCore {@code MetricsCollector} on Prometheus client_java: every {@code record_*}
 * and {@code update_*} method with the seed's metric names ({@code agentcore_*}), label sets and
 * types, custom metrics, snapshots and a bounded per-metric history.
 *
 * <p>Recording never throws: a NaN or infinite value, a negative duration or counter increment, a
 * null label value is dropped and counted in {@code hyperlens_metric_observations_dropped_total
 * {metric,reason}}; each metric keeps at most {@code maxSeriesPerMetric} label sets (default
 * 10,000) and folds the rest into one {@code __overflow__} series, counted in {@code
 * hyperlens_metric_series_dropped_total{metric}}: agent ids as labels are the classic way a
 * Prometheus server dies. Histogram buckets are those of the original implementation, so its
 * dashboards line up.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * PrometheusRegistry registry = new PrometheusRegistry();
 * MetricsCollector collector = MetricsCollector.builder().registry(registry).build();
 * collector.recordAgentCreated(AgentPhilosophy.REACT);
 * collector.recordToolExecution("web_search", 1.5, "failed", "TimeoutError");
 * collector.snapshotMetrics().asMap(); // {timestamp=..., metrics={agents={active=1}, system={...}}}
 * }</pre>
 */
public final class MetricsCollector {
  static final String PREFIX = "agentcore_";

  private final PrometheusRegistry registry;
  private final Labels constantLabels;
  private final SeriesGuard guard;
  private final MetricHistory history;
  private final Instruments instruments;

  private final Family<Counter> agentsTotal;
  private final Family<Gauge> agentsActive;
  private final Family<Histogram> initializationSeconds;
  private final Family<Histogram> executionSeconds;
  private final Family<Counter> stateTransitions;
  private final Family<Gauge> agentCpuPercent;
  private final Family<Gauge> agentMemoryMb;
  private final Family<Histogram> containerCreationSeconds;
  private final Family<Gauge> systemCpuPercent;
  private final Family<Gauge> systemMemoryPercent;
  private final Family<Gauge> systemMemoryAvailableMb;
  private final Family<Counter> cacheHits;
  private final Family<Counter> cacheMisses;
  private final Family<Gauge> cacheSize;
  private final Family<Gauge> containerPoolSize;
  private final Family<Counter> warmStarts;
  private final Family<Counter> coldStarts;
  private final Family<Counter> gcCollections;
  private final Family<Counter> memoryReleased;
  private final Family<Histogram> reactIterations;
  private final Family<Histogram> cotSteps;
  private final Family<Counter> multiAgentMessages;
  private final Family<Counter> consensus;
  private final Family<Counter> autonomousGoals;
  private final Family<Counter> autonomousDecisions;
  private final Family<Counter> toolExecutions;
  private final Family<Histogram> toolExecutionSeconds;
  private final Family<Counter> toolErrors;
  private final Family<Counter> errors;
  private final Family<Counter> agentFailures;
  private final Family<Info> runtimeInfo;
  private final CustomMetrics custom;

  MetricsCollector(MetricsCollectorBuilder builder) {
    this.registry = builder.registry;
    this.constantLabels = ConstantLabels.of(builder.customLabels, MetricsCollector.labelNames());
    this.guard = new SeriesGuard(registry, builder.maxSeriesPerMetric, constantLabels);
    Clock clock = builder.clock;
    this.history = new MetricHistory(clock, builder.historySize);
    this.instruments = new Instruments(registry, constantLabels, guard, history);

    agentsTotal =
        counter("agents", "Agents created and finished, by final status", "philosophy", "status");
    agentsActive = gauge("agents_active", "Agents currently active", "philosophy");
    initializationSeconds =
        histogram(
            "agent_initialization_seconds",
            "Agent initialization time in seconds",
            new double[] {0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0},
            "philosophy");
    executionSeconds =
        histogram(
            "agent_execution_seconds",
            "Agent execution time in seconds",
            new double[] {0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0},
            "philosophy");
    stateTransitions =
        counter(
            "agent_state_transitions",
            "Agent state transitions",
            "from_state",
            "to_state",
            "philosophy");
    agentCpuPercent =
        gauge("agent_cpu_percent", "Agent CPU usage in percent", "agent_id", "philosophy");
    agentMemoryMb = gauge("agent_memory_mb", "Agent memory usage in MB", "agent_id", "philosophy");
    containerCreationSeconds =
        histogram(
            "container_creation_seconds",
            "Container creation time in seconds",
            new double[] {0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0},
            "philosophy",
            "warm_start");
    systemCpuPercent = gauge("system_cpu_percent", "System CPU usage in percent");
    systemMemoryPercent = gauge("system_memory_percent", "System memory usage in percent");
    systemMemoryAvailableMb = gauge("system_memory_available_mb", "System memory available in MB");
    cacheHits = counter("cache_hits", "Cache hits", "cache_type");
    cacheMisses = counter("cache_misses", "Cache misses", "cache_type");
    cacheSize = gauge("cache_size", "Current cache size in entries", "cache_type");
    containerPoolSize = gauge("container_pool_size", "Warm containers in the pool", "philosophy");
    warmStarts = counter("warm_starts", "Containers started warm", "philosophy");
    coldStarts = counter("cold_starts", "Containers started cold", "philosophy");
    gcCollections = counter("gc_collections", "Garbage collections");
    memoryReleased = counter("memory_released_mb", "Memory released by collections, in MB");
    reactIterations =
        histogram(
            "react_iterations",
            "ReAct iterations per run",
            new double[] {1, 3, 5, 10, 15, 20, 30, 50},
            "agent_id");
    cotSteps =
        histogram(
            "cot_steps",
            "Chain-of-thought steps per run",
            new double[] {1, 3, 5, 10, 15, 20},
            "agent_id");
    multiAgentMessages = counter("multi_agent_messages", "Messages between agents", "message_type");
    consensus = counter("multi_agent_consensus", "Consensus outcomes", "result");
    autonomousGoals = counter("autonomous_goals", "Autonomous goals", "status", "priority");
    autonomousDecisions =
        counter("autonomous_decisions", "Decisions taken by autonomous agents", "agent_id");
    toolExecutions = counter("tool_executions", "Tool executions", "tool_id", "status");
    toolExecutionSeconds =
        histogram(
            "tool_execution_seconds",
            "Tool execution time in seconds",
            new double[] {0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0},
            "tool_id");
    toolErrors = counter("tool_errors", "Tool errors", "tool_id", "error_type");
    errors = counter("errors", "Errors by type and component", "error_type", "component");
    agentFailures =
        counter("agent_failures", "Agent failures by reason", "philosophy", "failure_reason");
    runtimeInfo =
        instruments.info(
            PREFIX + "runtime",
            "Runtime version, environment and platform",
            "version",
            "environment",
            "platform");
    custom = new CustomMetrics(instruments);
  }

  /** A builder: a new registry, 10,000 series per metric, 1,000 history entries. */
  public static MetricsCollectorBuilder builder() {
    return new MetricsCollectorBuilder();
  }

  /** Every label name the built-in metrics use, which custom labels must not reuse. */
  static String[] labelNames() {
    return new String[] {
      "philosophy",
      "status",
      "from_state",
      "to_state",
      "agent_id",
      "warm_start",
      "cache_type",
      "message_type",
      "result",
      "priority",
      "tool_id",
      "error_type",
      "component",
      "failure_reason",
      "version",
      "environment",
      "platform",
      "metric",
      "reason"
    };
  }

  private Family<Counter> counter(String name, String help, String... labels) {
    return instruments.counter(PREFIX + name, help, labels);
  }

  private Family<Gauge> gauge(String name, String help, String... labels) {
    return instruments.gauge(PREFIX + name, help, labels);
  }

  private Family<Histogram> histogram(
      String name, String help, double[] buckets, String... labels) {
    return instruments.histogram(PREFIX + name, help, buckets, labels);
  }

  private static String value(AgentPhilosophy philosophy) {
    return philosophy == null ? null : philosophy.value();
  }

  // ---- agent lifecycle ----

  /** An agent was created with status {@code initializing}: +1 total and active. */
  public void recordAgentCreated(AgentPhilosophy philosophy) {
    recordAgentCreated(philosophy, "initializing");
  }

  /**
   * An agent was created: {@code agentcore_agents_total{philosophy,status}} +1 and {@code
   * agentcore_agents_active{philosophy}} +1.
   */
  public void recordAgentCreated(AgentPhilosophy philosophy, String status) {
    instruments.inc(agentsTotal, 1, value(philosophy), status);
    instruments.add(agentsActive, 1, value(philosophy));
  }

  /**
   * An agent finished ({@code completed}, {@code failed}, {@code terminated}): {@code
   * agentcore_agents_total{philosophy,status}} +1 with the final status and {@code
   * agentcore_agents_active} −1. So {@code agents_total} counts creations (status {@code
   * initializing}) and endings in one family, as in the original.
   */
  public void recordAgentCompleted(AgentPhilosophy philosophy, String status) {
    instruments.inc(agentsTotal, 1, value(philosophy), status);
    instruments.add(agentsActive, -1, value(philosophy));
  }

  /** {@code agentcore_agent_initialization_seconds{philosophy}}. */
  public void recordAgentInitialization(AgentPhilosophy philosophy, double durationSeconds) {
    instruments.observe(initializationSeconds, durationSeconds, value(philosophy));
  }

  /** {@code agentcore_agent_execution_seconds{philosophy}}. */
  public void recordAgentExecution(AgentPhilosophy philosophy, double durationSeconds) {
    instruments.observe(executionSeconds, durationSeconds, value(philosophy));
  }

  /** {@code agentcore_agent_state_transitions_total{from_state,to_state,philosophy}} +1. */
  public void recordStateTransition(String fromState, String toState, AgentPhilosophy philosophy) {
    instruments.inc(stateTransitions, 1, fromState, toState, value(philosophy));
  }

  // ---- resources ----

  /** {@code agentcore_agent_cpu_percent} and {@code agentcore_agent_memory_mb} of one agent. */
  public void updateResourceUsage(
      String agentId, AgentPhilosophy philosophy, double cpuPercent, double memoryMb) {
    instruments.set(agentCpuPercent, cpuPercent, agentId, value(philosophy));
    instruments.set(agentMemoryMb, memoryMb, agentId, value(philosophy));
  }

  /**
   * Drops an ended agent's resource series so they stop being exposed and stop counting against the
   * series bound (not in the seed, which let them grow forever).
   */
  public void removeAgent(String agentId, AgentPhilosophy philosophy) {
    if (agentId == null || philosophy == null) {
      return;
    }
    for (Family<Gauge> family : List.of(agentCpuPercent, agentMemoryMb)) {
      family.metric().remove(agentId, philosophy.value());
      guard.forget(family, agentId, philosophy.value());
    }
  }

  /**
   * {@code agentcore_container_creation_seconds{philosophy,warm_start}} (warm_start {@code
   * "true"}/{@code "false"}) and {@code agentcore_warm_starts_total} or {@code
   * agentcore_cold_starts_total}.
   */
  public void recordContainerCreation(
      AgentPhilosophy philosophy, double durationSeconds, boolean warmStart) {
    instruments.observe(
        containerCreationSeconds, durationSeconds, value(philosophy), Boolean.toString(warmStart));
    instruments.inc(warmStart ? warmStarts : coldStarts, 1, value(philosophy));
  }

  /** {@code agentcore_container_pool_size{philosophy}} (the seed lists it but never sets it). */
  public void updateContainerPoolSize(AgentPhilosophy philosophy, int size) {
    instruments.set(containerPoolSize, size, value(philosophy));
  }

  /** The three {@code agentcore_system_*} gauges. */
  public void updateSystemResources(
      double cpuPercent, double memoryPercent, double memoryAvailableMb) {
    instruments.set(systemCpuPercent, cpuPercent);
    instruments.set(systemMemoryPercent, memoryPercent);
    instruments.set(systemMemoryAvailableMb, memoryAvailableMb);
  }

  // ---- performance ----

  /** A hit or miss on {@code cacheType}, and its current size. */
  public void recordCacheAccess(String cacheType, boolean hit, int currentSize) {
    instruments.inc(hit ? cacheHits : cacheMisses, 1, cacheType);
    instruments.set(cacheSize, currentSize, cacheType);
  }

  /** {@code agentcore_gc_collections_total} +1, {@code agentcore_memory_released_mb_total}. */
  public void recordGcCollection(double memoryReleasedMb) {
    if (guard.valid(memoryReleased.name(), memoryReleasedMb, true)) {
      instruments.inc(gcCollections, 1);
      instruments.inc(memoryReleased, memoryReleasedMb);
    }
  }

  // ---- philosophies ----

  /** {@code agentcore_react_iterations{agent_id}}. */
  public void recordReactIterations(String agentId, int iterations) {
    instruments.observe(reactIterations, iterations, agentId);
  }

  /** {@code agentcore_cot_steps{agent_id}}. */
  public void recordCotSteps(String agentId, int steps) {
    instruments.observe(cotSteps, steps, agentId);
  }

  /** {@code agentcore_multi_agent_messages_total{message_type}} (direct, broadcast, …). */
  public void recordMultiAgentMessage(String messageType) {
    instruments.inc(multiAgentMessages, 1, messageType);
  }

  /** {@code agentcore_multi_agent_consensus_total{result}} (reached, failed, …). */
  public void recordConsensus(String result) {
    instruments.inc(consensus, 1, result);
  }

  /** {@code agentcore_autonomous_goals_total{status,priority}}. */
  public void recordAutonomousGoal(String status, String priority) {
    instruments.inc(autonomousGoals, 1, status, priority);
  }

  /** {@code agentcore_autonomous_decisions_total{agent_id}}. */
  public void recordAutonomousDecision(String agentId) {
    instruments.inc(autonomousDecisions, 1, agentId);
  }

  // ---- tools ----

  /** A successful tool execution. */
  public void recordToolExecution(String toolId, double durationSeconds) {
    recordToolExecution(toolId, durationSeconds, "success", null);
  }

  /** A tool execution with {@code status}. */
  public void recordToolExecution(String toolId, double durationSeconds, String status) {
    recordToolExecution(toolId, durationSeconds, status, null);
  }

  /**
   * {@code agentcore_tool_executions_total{tool_id,status}} +1, {@code
   * agentcore_tool_execution_seconds{tool_id}}, and {@code
   * agentcore_tool_errors_total{tool_id,error_type}} +1 when {@code errorType} is given.
   */
  public void recordToolExecution(
      String toolId, double durationSeconds, String status, String errorType) {
    instruments.inc(toolExecutions, 1, toolId, status);
    instruments.observe(toolExecutionSeconds, durationSeconds, toolId);
    if (errorType != null && !errorType.isEmpty()) {
      instruments.inc(toolErrors, 1, toolId, errorType);
    }
  }

  // ---- errors and runtime ----

  /** {@code agentcore_errors_total{error_type,component}} +1. */
  public void recordError(String errorType, String component) {
    instruments.inc(errors, 1, errorType, component);
  }

  /**
   * {@code agentcore_agent_failures_total{philosophy,failure_reason}} +1; the active gauge is left
   * to {@link #recordAgentCompleted} with status {@code failed}, so it never drops twice.
   */
  public void recordAgentFailure(AgentPhilosophy philosophy, String failureReason) {
    instruments.inc(agentFailures, 1, value(philosophy), failureReason);
  }

  /**
   * {@code agentcore_runtime_info{version,environment,platform}} = 1, replacing the previous
   * values; a missing key becomes an empty value, other keys are dropped and counted.
   */
  public void setRuntimeInfo(Map<String, String> info) {
    if (info == null) {
      guard.drop(runtimeInfo.name(), "null_label");
      return;
    }
    for (String key : info.keySet()) {
      if (!List.of("version", "environment", "platform").contains(key)) {
        guard.drop(runtimeInfo.name(), "unknown_label");
      }
    }
    instruments.info(
        runtimeInfo,
        info.getOrDefault("version", ""),
        info.getOrDefault("environment", ""),
        info.getOrDefault("platform", ""));
  }

  // ---- custom metrics, snapshots, history ----

  /**
   * Creates and registers a custom metric exposed as {@code agentcore_<name>} (counters with {@code
   * _total}).
   *
   * @throws IllegalArgumentException naming the metric when the name is taken, invalid, or a label
   *     name is invalid
   */
  public CustomMetric createCustomMetric(
      String name, MetricType type, String description, String... labels) {
    return custom.create(name, type, description, labels);
  }

  /** A custom metric by the name it was created with; empty when there is none. */
  public Optional<CustomMetric> getCustomMetric(String name) {
    return custom.get(name);
  }

  /**
   * The seed's snapshot (active agents summed over philosophies, the system gauges), appended to
   * the snapshot history; every metric's current value is appended to its own history too.
   */
  public MetricsSnapshot snapshotMetrics() {
    double active = history.sum(agentsActive);
    MetricsSnapshot snapshot =
        new MetricsSnapshot(
            history.now(),
            Math.round(active),
            systemCpuPercent.metric().get(),
            systemMemoryPercent.metric().get(),
            systemMemoryAvailableMb.metric().get());
    history.record(snapshot);
    return snapshot;
  }

  /**
   * The last {@code limit} snapshots ({@code metricName} null) or entries of one metric, oldest
   * first. A metric is named as exposed ({@code agentcore_tool_executions_total}) or short ({@code
   * tool_executions}); an unknown name gives an empty list.
   *
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  public List<Map<String, Object>> getMetricHistory(String metricName, int limit) {
    return history.get(metricName, limit);
  }

  /** The registry the metrics are registered in. */
  public PrometheusRegistry registry() {
    return registry;
  }
}
