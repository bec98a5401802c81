package io.hyperlens.alerting;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One alert at a point in time: a rule's condition for one group of labels, with its state and when
 * it changed. Immutable.
 *
 * @param ruleId the rule's id, also the {@code alertname} label
 * @param labels every label, sorted: {@code alertname}, {@code severity}, the group's {@code
 *     agent_did} / {@code session_id}, the rule's own
 * @param groupLabels the labels that tell this alert from the rule's others (empty for one alert
 *     per rule)
 * @param annotations {@code summary} and {@code description}
 * @param state where it is in its life
 * @param severity the rule's severity
 * @param value the value the condition last saw (a count, a ratio, milliseconds or seconds)
 * @param activeAt when the condition began to hold (pending), or null
 * @param firedAt when it fired, or null
 * @param resolvedAt when it resolved, or null
 * @param lastNotifiedAt when a trigger was last sent (the repeat interval counts from it), or null
 * @param notifies the rule's {@code alert} flag: whether channels hear of it
 */
public record Alert(
    String ruleId,
    SortedMap<String, String> labels,
    SortedMap<String, String> groupLabels,
    Map<String, String> annotations,
    AlertState state,
    Severity severity,
    double value,
    Instant activeAt,
    Instant firedAt,
    Instant resolvedAt,
    Instant lastNotifiedAt,
    boolean notifies) {

  public Alert {
    // milliseconds, as every receiver and the store show them
    activeAt = millis(activeAt);
    firedAt = millis(firedAt);
    resolvedAt = millis(resolvedAt);
    lastNotifiedAt = millis(lastNotifiedAt);
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    groupLabels = Collections.unmodifiableSortedMap(new TreeMap<>(groupLabels));
    annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
  }

  private static Instant millis(Instant instant) {
    return instant == null ? null : instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  /** The alert's {@code summary} annotation. */
  public String summary() {
    return annotations.getOrDefault("summary", ruleId);
  }

  /**
   * The key that names this alert to PagerDuty and in the hub's store: the hex SHA-256 of the rule
   * id and the sorted group labels, so the same rule and group always give the same key (64
   * characters, within PagerDuty's 255).
   */
  public String dedupKey() {
    return dedupKey(ruleId, groupLabels);
  }

  /** {@link #dedupKey()} of {@code ruleId} and {@code groupLabels}. */
  public static String dedupKey(String ruleId, Map<String, String> groupLabels) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(ruleId.getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, String> label : new TreeMap<>(groupLabels).entrySet()) {
        sha256.update((byte) 0xff);
        sha256.update(label.getKey().getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0xff);
        sha256.update(label.getValue().getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Alertmanager's fingerprint of the labels: FNV-1a 64 over each sorted name and value, each
   * followed by a 0xff byte, as 16 hex digits (what Prometheus' {@code model.LabelSet} computes).
   */
  public String fingerprint() {
    long hash = 0xcbf29ce484222325L;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      hash = fnv(hash, label.getKey());
      hash = fnv(hash, label.getValue());
    }
    return String.format("%016x", hash);
  }

  private static long fnv(long hash, String text) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    hash ^= 0xff;
    hash *= 0x100000001b3L;
    return hash;
  }

  /** The alert as the hub's API shows it. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("rule", ruleId);
    map.put("state", state.value());
    map.put("severity", severity.value());
    map.put("labels", labels);
    map.put("annotations", annotations);
    map.put("value", value);
    map.put("active_at", activeAt == null ? null : activeAt.toString());
    map.put("fired_at", firedAt == null ? null : firedAt.toString());
    map.put("resolved_at", resolvedAt == null ? null : resolvedAt.toString());
    map.put("last_notified_at", lastNotifiedAt == null ? null : lastNotifiedAt.toString());
    map.put("notify", notifies);
    map.put("dedup_key", dedupKey());
    map.put("fingerprint", fingerprint());
    return map;
  }
}
