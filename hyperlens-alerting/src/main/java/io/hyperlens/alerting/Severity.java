package io.hyperlens.alerting;

import java.util.Locale;

/**
 * How urgent an alert is, with PagerDuty Events v2's four values ({@code critical}, {@code error},
 * {@code warning}, {@code info}), which Alertmanager receivers get as the {@code severity} label.
 */
public enum Severity {
  CRITICAL,
  ERROR,
  WARNING,
  INFO;

  /** The wire value: {@code critical}, {@code error}, {@code warning} or {@code info}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The severity named {@code value}, in any case.
   *
   * @throws IllegalArgumentException naming the value and the four accepted ones
   */
  public static Severity fromValue(String value) {
    if (value != null) {
      for (Severity severity : values()) {
        if (severity.value().equalsIgnoreCase(value.trim())) {
          return severity;
        }
      }
    }
    throw new IllegalArgumentException(
        "severity must be one of critical, error, warning, info; got " + value);
  }
}
