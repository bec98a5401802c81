package io.hyperlens.prometheus;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-in-time view of the collector, in the seed's {@code snapshot_metrics()} shape.
 *
 * @param timestamp when it was taken
 * @param agentsActive {@code agentcore_agents_active} summed over philosophies
 * @param cpuPercent {@code agentcore_system_cpu_percent}
 * @param memoryPercent {@code agentcore_system_memory_percent}
 * @param memoryAvailableMb {@code agentcore_system_memory_available_mb}
 */
public record MetricsSnapshot(
    Instant timestamp,
    long agentsActive,
    double cpuPercent,
    double memoryPercent,
    double memoryAvailableMb) {
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** {@code 2025-01-15T12:34:56.789Z}: UTC, always three fraction digits. */
  static String format(Instant instant) {
    return MILLIS.format(instant);
  }

  /**
   * {@code {timestamp, metrics: {agents: {active}, system: {cpu_percent, memory_percent,
   * memory_available_mb}}}}, as the seed prints it.
   */
  public Map<String, Object> asMap() {
    Map<String, Object> system = new LinkedHashMap<>();
    system.put("cpu_percent", cpuPercent);
    system.put("memory_percent", memoryPercent);
    system.put("memory_available_mb", memoryAvailableMb);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("agents", Map.of("active", agentsActive));
    metrics.put("system", system);
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("timestamp", format(timestamp));
    map.put("metrics", metrics);
    return map;
  }
}
