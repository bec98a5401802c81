package io.hyperlens.server.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What an API key may do on the hub: {@code ingest} posts telemetry, {@code read} queries it,
 * {@code admin} manages keys and implies the other two.
 */
public enum Scope {
  /** {@code POST /v1/events}, {@code /v1/traces}, {@code /v1/audit/decisions}. */
  INGEST,
  /** {@code GET /api/...}. */
  READ,
  /** Key management; implies {@link #INGEST} and {@link #READ}. */
  ADMIN;

  /** The lowercase name used on the command line and in the key file. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a comma-separated list such as {@code ingest,read}.
   *
   * @throws IllegalArgumentException naming the value when a scope is unknown or the list empty
   */
  public static Set<Scope> parseList(String list) {
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException("scopes must not be empty (ingest, read, admin)");
    }
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String part : list.split(",")) {
      scopes.add(parse(part.trim()));
    }
    return scopes;
  }

  /**
   * The scope named {@code value}.
   *
   * @throws IllegalArgumentException naming the value when it is not a scope
   */
  public static Scope parse(String value) {
    for (Scope scope : values()) {
      if (scope.value().equals(value)) {
        return scope;
      }
    }
    throw new IllegalArgumentException(
        "unknown scope \"" + value + "\"; the scopes are ingest, read and admin");
  }

  /** Whether a key holding {@code held} may act in this scope. */
  public boolean grantedBy(Set<Scope> held) {
    return held.contains(this) || held.contains(ADMIN);
  }
}
