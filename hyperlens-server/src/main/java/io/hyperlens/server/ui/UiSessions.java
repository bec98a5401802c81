package io.hyperlens.server.ui;

import io.hyperlens.server.auth.Scope;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sign-in sessions of the web UI: an API key of read scope, once checked, becomes a random session
 * id in an HttpOnly, SameSite=Strict cookie, valid for {@link #LIFETIME}. Each session carries a
 * CSRF token that every state-changing form must send back. Kept in memory (a restart signs
 * everyone out), at most {@link #MAX_SESSIONS_PER_KEY} per key and {@link #MAX_SESSIONS} in all,
 * the oldest dropped first. Thread-safe.
 */
public final class UiSessions {
  /** The cookie's name. */
  public static final String COOKIE = "hyperlens_session";

  /** How long a session lasts. */
  public static final Duration LIFETIME = Duration.ofHours(12);

  /** The most sessions kept. */
  public static final int MAX_SESSIONS = 10_000;

  /** The most sessions one key holds at once; signing in again ends its oldest. */
  public static final int MAX_SESSIONS_PER_KEY = 50;

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One signed-in user.
   *
   * @param id the cookie's value
   * @param keyName the name of the key signed in with
   * @param keyId the public part of that key, by which a revoked key's sessions end
   * @param scopes the key's scopes
   * @param csrf the token forms send back
   * @param expires when it ends
   */
  public record Session(
      String id, String keyName, String keyId, Set<Scope> scopes, String csrf, Instant expires) {
    /** Whether the key had {@code scope}. */
    public boolean may(Scope scope) {
      return scope.grantedBy(scopes);
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;

  /** Sessions timed by {@code clock}. */
  public UiSessions(Clock clock) {
    this.clock = clock;
  }

  /** A new session for the key {@code keyName} (public part {@code keyId}) with {@code scopes}. */
  public Session create(String keyName, String keyId, Set<Scope> scopes) {
    // one key signing in over and over evicts only its own oldest sessions, never other users'
    List<Session> ofKey =
        sessions.values().stream()
            .filter(other -> java.util.Objects.equals(other.keyId(), keyId))
            .sorted(java.util.Comparator.comparing(Session::expires))
            .toList();
    if (ofKey.size() >= MAX_SESSIONS_PER_KEY) {
      sessions.remove(ofKey.get(0).id());
    } else if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().stream()
          .min(java.util.Comparator.comparing(Session::expires))
          .ifPresent(oldest -> sessions.remove(oldest.id()));
    }
    Session session =
        new Session(
            token(), keyName, keyId, Set.copyOf(scopes), token(), clock.instant().plus(LIFETIME));
    sessions.put(session.id(), session);
    return session;
  }

  /** The live session with this cookie value, if any. */
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session session = sessions.get(id);
    if (session == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(session.expires())) {
      sessions.remove(id);
      return Optional.empty();
    }
    return Optional.of(session);
  }

  /** Ends the session. */
  public void remove(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  /** Ends every session whose key is not among {@code liveKeyIds} (revoked since). */
  public void retainKeys(Set<String> liveKeyIds) {
    sessions.values().removeIf(s -> s.keyId() != null && !liveKeyIds.contains(s.keyId()));
  }

  private static String token() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
