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
}
