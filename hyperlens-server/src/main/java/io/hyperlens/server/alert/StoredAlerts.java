package io.hyperlens.server.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperlens.alerting.Alert;
import io.hyperlens.alerting.AlertState;
import io.hyperlens.alerting.AlertStateStore;
import io.hyperlens.alerting.Severity;
import io.hyperlens.store.JdbcStore;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hub's alerts in its database (table {@code alert_state}), one JSON row per alert under its
 * dedup key, so a restarted hub resumes firing alerts and still sends their resolves. A row that no
 * longer reads (a hand edit) is skipped with a warning, never fatal.
 */
final class StoredAlerts implements AlertStateStore {
  private static final System.Logger LOG = System.getLogger(StoredAlerts.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  private final JdbcStore store;
  private final int keepResolved;

  StoredAlerts(JdbcStore store, int keepResolved) {
    this.store = store;
    this.keepResolved = keepResolved;
  }

  @Override
  public List<Alert> load() {
    List<Alert> alerts = new ArrayList<>();
    for (String body : store.alertStates()) {
      try {
        alerts.add(read(body));
      } catch (JsonProcessingException | RuntimeException e) {
        LOG.log(Level.WARNING, "Skipping a saved alert that does not read: " + e.getMessage());
      }
    }
    return alerts;
  }

  @Override
  public void save(Alert alert) {
    store.saveAlertState(
        alert.dedupKey(),
        alert.ruleId(),
        alert.state().value(),
        updated(alert),
        write(alert),
        keepResolved);
  }

  @Override
  public void delete(String dedupKey) {
    store.deleteAlertState(dedupKey);
  }

  private static Instant updated(Alert alert) {
    Instant updated = alert.activeAt();
    for (Instant t : new Instant[] {alert.firedAt(), alert.lastNotifiedAt(), alert.resolvedAt()}) {
      if (t != null && (updated == null || t.isAfter(updated))) {
        updated = t;
      }
    }
    return updated == null ? Instant.now() : updated;
  }

  static String write(Alert alert) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("rule", alert.ruleId());
    map.put("labels", alert.labels());
    map.put("group_labels", alert.groupLabels());
    map.put("annotations", alert.annotations());
    map.put("state", alert.state().value());
    map.put("severity", alert.severity().value());
    map.put("value", alert.value());
    map.put("active_at", text(alert.activeAt()));
    map.put("fired_at", text(alert.firedAt()));
    map.put("resolved_at", text(alert.resolvedAt()));
    map.put("last_notified_at", text(alert.lastNotifiedAt()));
    map.put("notify", alert.notifies());
    try {
      return JSON.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an alert always writes as JSON", e);
    }
  }

  static Alert read(String body) throws JsonProcessingException {
    JsonNode node = JSON.readTree(body);
    return new Alert(
        node.path("rule").asText(),
        new TreeMap<>(JSON.convertValue(node.path("labels"), LABELS)),
        new TreeMap<>(JSON.convertValue(node.path("group_labels"), LABELS)),
        JSON.convertValue(node.path("annotations"), LABELS),
        AlertState.valueOf(node.path("state").asText().toUpperCase(Locale.ROOT)),
        Severity.fromValue(node.path("severity").asText()),
        node.path("value").asDouble(),
        instant(node, "active_at"),
        instant(node, "fired_at"),
        instant(node, "resolved_at"),
        instant(node, "last_notified_at"),
        node.path("notify").asBoolean(true));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static Instant instant(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? Instant.parse(value.asText()) : null;
  }
}
