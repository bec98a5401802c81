package io.hyperlens.server.demo;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.event.Subscription;
import io.hyperlens.prometheus.AgentOsMetrics;
import io.hyperlens.prometheus.AgentOsTelemetry;
import io.hyperlens.prometheus.AgentPhilosophy;
import io.hyperlens.prometheus.MetricsCollector;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the demo workload's events mean for the runtime metrics the shipped dashboards chart: the
 * AgentCore runtime ({@code agentcore_*}: agents by philosophy, tool executions and errors, a
 * memory cache, system resources) and Agent OS memory and verification ({@code memory.store},
 * {@code memory.retrieve}, {@code agent.execute}, {@code verification.check}, each one {@link
 * AgentOsTelemetry} call, so a span and its {@code agent_os_*} metrics at once).
 *
 * <ul>
 *   <li>an agent joining a session is an agent created, its philosophy by role (orchestrator
 *       multi-agent, researcher ReAct, writer chain-of-thought, tool agent autonomous); the
 *       session's end completes them ({@code failed} when one of its steps failed);
 *   <li>a saga step started retrieves the agent's memory (a hit once it stored an episode); a step
 *       committed is an action executed and a verification passed, its drift low; a step failed is
 *       a failed tool execution, an error and a verification failed, its drift high;
 *   <li>a file written is an episode stored, the memory growing by its bytes.
 * </ul>
 *
 * <p>Everything is derived from the events, so a seeded run gives the same counts. Thread-safe.
 */
public final class DemoMetrics implements AutoCloseable {
  private static final int MAX_TRACKED = 10_000;
  private static final long SAMPLE_EVERY_NANOS = 1_000_000_000L;

  private final MetricsCollector runtime;
  private final AgentOsMetrics os;
  private final AgentOsTelemetry telemetry;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final Map<String, List<String>> sessionAgents = bounded();
  private final Map<String, Boolean> sessionFailed = bounded();
  private final Map<String, Long> stepStarts = bounded();
  private final Map<String, Boolean> remembers = bounded();
  private final AtomicLong memoryBytes = new AtomicLong();
  private final AtomicInteger activeAgents = new AtomicInteger();
  private final AtomicLong lastSample = new AtomicLong(System.nanoTime() - SAMPLE_EVERY_NANOS);

  /** Subscribes to {@code bus}; records until closed. */
  public DemoMetrics(
      HypervisorEventBus bus,
      MetricsCollector runtime,
      AgentOsMetrics os,
      AgentOsTelemetry telemetry) {
    this.runtime = runtime;
    this.os = os;
    this.telemetry = telemetry;
    subscriptions.add(bus.subscribe(EventType.SESSION_CREATED, this::sessionCreated));
    subscriptions.add(bus.subscribe(EventType.SESSION_JOINED, this::joined));
    subscriptions.add(bus.subscribe(EventType.SESSION_TERMINATED, this::sessionEnded));
    subscriptions.add(bus.subscribe(EventType.SAGA_STEP_STARTED, this::stepStarted));
    subscriptions.add(bus.subscribe(EventType.SAGA_STEP_COMMITTED, e -> stepEnded(e, null)));
    subscriptions.add(
        bus.subscribe(
            EventType.SAGA_STEP_FAILED,
            e -> stepEnded(e, String.valueOf(e.payload().getOrDefault("error", "Error")))));
    subscriptions.add(bus.subscribe(EventType.VFS_WRITE, this::written));
  }

  /** Agents in sessions that have not ended. */
  public int activeAgents() {
    return activeAgents.get();
  }

  private void sessionCreated(HypervisorEvent event) {
    String session = event.sessionId().orElse("");
    String agent = event.agentDid().orElse("unknown");
    synchronized (sessionAgents) {
      sessionAgents.put(session, new ArrayList<>(List.of(agent)));
    }
    agentStarted(agent);
    sampleSystem();
  }

  private void joined(HypervisorEvent event) {
    String agent = event.agentDid().orElse("unknown");
    synchronized (sessionAgents) {
      List<String> agents = sessionAgents.get(event.sessionId().orElse(""));
      if (agents != null) {
        agents.add(agent);
      }
    }
    agentStarted(agent);
  }

  private void agentStarted(String agent) {
    runtime.recordAgentCreated(philosophy(agent));
    os.setActiveAgents(activeAgents.incrementAndGet());
  }

  private void sessionEnded(HypervisorEvent event) {
    String session = event.sessionId().orElse("");
    List<String> agents;
    Boolean failed;
    synchronized (sessionAgents) {
      agents = sessionAgents.remove(session);
      failed = sessionFailed.remove(session);
    }
    if (agents == null) {
      return;
    }
    for (String agent : agents) {
      runtime.recordAgentCompleted(
          philosophy(agent), Boolean.TRUE.equals(failed) ? "failed" : "completed");
      os.setActiveAgents(activeAgents.decrementAndGet());
    }
  }

  private void stepStarted(HypervisorEvent event) {
    String agent = event.agentDid().orElse("unknown");
    synchronized (stepStarts) {
      stepStarts.put(stepKey(event), System.nanoTime());
    }
    boolean hit = telemetry.retrieveMemory(agent, () -> remembered(agent));
    runtime.recordCacheAccess("episodic_memory", hit, size(remembers));
  }

  private void stepEnded(HypervisorEvent event, String error) {
    String agent = event.agentDid().orElse("unknown");
    String tool = String.valueOf(event.payload().getOrDefault("step_action", "step"));
    Long started;
    synchronized (stepStarts) {
      started = stepStarts.remove(stepKey(event));
    }
    double seconds = started == null ? 0.0 : (System.nanoTime() - started) / 1e9;
    // A deterministic drift per event: low for a step that did its job, high for one that failed.
    double jitter = Math.floorMod(event.eventId().hashCode(), 1000) / 1000.0;
    if (error == null) {
      runtime.recordToolExecution(tool, seconds, "success");
      telemetry.executeAgent(
          agent,
          tool,
          () ->
              telemetry.verify(agent, () -> new AgentOsTelemetry.Verification(true, 0.3 * jitter)));
      return;
    }
    runtime.recordToolExecution(tool, seconds, "failed", error);
    runtime.recordError(error, "saga");
    runtime.recordAgentFailure(philosophy(agent), error);
    telemetry.verify(agent, () -> new AgentOsTelemetry.Verification(false, 0.5 + 0.4 * jitter));
    synchronized (sessionAgents) {
      sessionFailed.put(event.sessionId().orElse(""), true);
    }
  }

  private void written(HypervisorEvent event) {
    String agent = event.agentDid().orElse("unknown");
    Object bytes = event.payload().get("bytes");
    long size = bytes instanceof Number ? ((Number) bytes).longValue() : 0L;
    telemetry.storeMemory(
        agent,
        () -> {
          synchronized (remembers) {
            remembers.put(agent, true);
          }
          return memoryBytes.addAndGet(size);
        });
  }

  private boolean remembered(String agent) {
    synchronized (remembers) {
      return remembers.containsKey(agent);
    }
  }

  private static int size(Map<?, ?> map) {
    synchronized (map) {
      return map.size();
    }
  }

  /** The host's CPU and memory, at most once a second. */
  private void sampleSystem() {
    long now = System.nanoTime();
    long last = lastSample.get();
    if (now - last < SAMPLE_EVERY_NANOS || !lastSample.compareAndSet(last, now)) {
      return;
    }
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean) {
      com.sun.management.OperatingSystemMXBean host =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      double total = host.getTotalMemorySize();
      double free = host.getFreeMemorySize();
      // getCpuLoad is negative until the JVM has a reading: report 0 rather than drop it.
      runtime.updateSystemResources(
          Math.max(0.0, host.getCpuLoad() * 100.0),
          total <= 0 ? 0.0 : 100.0 * (total - free) / total,
          free / (1024.0 * 1024.0));
    }
  }

  private static String stepKey(HypervisorEvent event) {
    return event.payload().get("saga_id") + "/" + event.payload().get("step_id");
  }

  static AgentPhilosophy philosophy(String agent) {
    if (agent.contains(":researcher-")) {
      return AgentPhilosophy.REACT;
    }
    if (agent.contains(":writer-")) {
      return AgentPhilosophy.CHAIN_OF_THOUGHT;
    }
    if (agent.contains(":tool-agent-")) {
      return AgentPhilosophy.AUTONOMOUS;
    }
    return AgentPhilosophy.MULTI_AGENT;
  }

  private static <V> Map<String, V> bounded() {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::close);
  }
}
