package io.hyperlens.alerting;

import java.util.List;

/**
 * Where {@link Alerting} keeps its alerts across restarts, so a restart can neither fire an alert
 * twice nor lose the resolve of one that was firing. The hub keeps them in its database; the
 * library keeps none by default. Called from the evaluation thread, one call at a time; a call that
 * throws is counted and does not stop evaluation.
 */
public interface AlertStateStore {
  /** Every alert saved and not deleted: pending, firing and resolved ones. */
  List<Alert> load();

  /** Saves {@code alert} under its {@link Alert#dedupKey()}, replacing what was there. */
  void save(Alert alert);

  /** Forgets the alert under {@code dedupKey} (a pending alert that cleared). */
  void delete(String dedupKey);

  /** A store that keeps nothing. */
  static AlertStateStore none() {
    return new AlertStateStore() {
      @Override
      public List<Alert> load() {
        return List.of();
      }

      @Override
      public void save(Alert alert) {}

      @Override
      public void delete(String dedupKey) {}
    };
  }
}
