package io.hyperlens.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.TestClock;
import io.hyperlens.server.auth.Scope;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sessions expire, end with their key, and one key cannot crowd out the others. */
class UiSessionsTest {
  @Test
  void aSessionLastsItsLifetimeAndEndsWithItsKey() {
    TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    UiSessions sessions = new UiSessions(clock);
    UiSessions.Session s = sessions.create("reader", "id1", EnumSet.of(Scope.READ));
    assertThat(s.id()).isNotEqualTo(s.csrf()).hasSize(43);
    assertThat(sessions.find(s.id())).contains(s);
    assertThat(s.may(Scope.READ)).isTrue();
    assertThat(s.may(Scope.ADMIN)).isFalse();
    sessions.retainKeys(Set.of("id2"));
    assertThat(sessions.find(s.id())).isEmpty();
    UiSessions.Session t = sessions.create("reader", "id2", EnumSet.of(Scope.READ));
    clock.advance(UiSessions.LIFETIME);
    assertThat(sessions.find(t.id())).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
  }

  @Test
  void oneKeySigningInAgainAndAgainEvictsOnlyItsOwnSessions() {
    TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    UiSessions sessions = new UiSessions(clock);
    UiSessions.Session other = sessions.create("alice", "a", EnumSet.of(Scope.READ));
    UiSessions.Session first = null;
    for (int i = 0; i < 1_000; i++) {
      clock.advance(java.time.Duration.ofMillis(1));
      UiSessions.Session s = sessions.create("mallory", "m", EnumSet.of(Scope.READ));
      if (first == null) {
        first = s;
      }
    }
    assertThat(sessions.find(other.id())).isPresent();
    assertThat(sessions.find(first.id())).isEmpty();
  }

  @Test
  void aKeyHoldsFiftySessionsAndTheFiftyFirstEndsItsOldest() {
    TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    UiSessions sessions = new UiSessions(clock);
    java.util.List<UiSessions.Session> made = new java.util.ArrayList<>();
    for (int i = 0; i < UiSessions.MAX_SESSIONS_PER_KEY; i++) {
      clock.advance(java.time.Duration.ofMillis(1));
      made.add(sessions.create("k", "k", EnumSet.of(Scope.READ)));
    }
    assertThat(made).allMatch(s -> sessions.find(s.id()).isPresent());
    clock.advance(java.time.Duration.ofMillis(1));
    sessions.create("k", "k", EnumSet.of(Scope.READ));
    assertThat(sessions.find(made.get(0).id())).isEmpty();
    assertThat(sessions.find(made.get(1).id())).isPresent();
    // a session of no key (the --no-auth one) is never ended as revoked
    UiSessions.Session anonymous = sessions.create("anonymous", null, EnumSet.allOf(Scope.class));
    sessions.retainKeys(Set.of());
    assertThat(sessions.find(anonymous.id())).isPresent();
    sessions.remove(anonymous.id());
    sessions.remove(null);
    assertThat(sessions.find(anonymous.id())).isEmpty();
  }

  @Test
  void pastTheLimitTheOldestSessionOfAllEnds() {
    TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    UiSessions sessions = new UiSessions(clock);
    UiSessions.Session oldest = sessions.create("k0", "k0", EnumSet.of(Scope.READ));
    for (int i = 1; i < UiSessions.MAX_SESSIONS; i++) {
      clock.advance(java.time.Duration.ofMillis(1));
      sessions.create("k" + i, "k" + i, EnumSet.of(Scope.READ));
    }
    assertThat(sessions.find(oldest.id())).isPresent();
    clock.advance(java.time.Duration.ofMillis(1));
    sessions.create("new", "new", EnumSet.of(Scope.READ));
    assertThat(sessions.find(oldest.id())).isEmpty();
  }
}
