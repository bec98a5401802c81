package io.hyperlens.audit;

import java.util.Locale;

/** What the policy decided about an action, as the seed writes it: {@code allow|deny|audit}. */
public enum Decision {
  /** The action was permitted. */
  ALLOW("allow"),
  /** The action was blocked: a violation, listed in compliance reports. */
  DENY("deny"),
  /** The action was permitted and flagged for review. */
  AUDIT("audit");

  private final String value;

  Decision(String value) {
    this.value = value;
  }

  /** The wire value: {@code allow}, {@code deny} or {@code audit}. */
  public String value() {
    return value;
  }

  /**
   * The decision whose wire value is {@code value} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value when it is none of {@code allow|deny|audit}
   */
  public static Decision of(String value) {
    if (value != null) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "allow":
          return ALLOW;
        case "deny":
          return DENY;
        case "audit":
          return AUDIT;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(
        "decision must be one of allow|deny|audit, got "
            + (value == null ? "null" : '"' + value + '"'));
  }

  @Override
  public String toString() {
    return value;
  }
}
