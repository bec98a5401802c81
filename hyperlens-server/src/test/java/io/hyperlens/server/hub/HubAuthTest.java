package io.hyperlens.server.hub;

import static io.hyperlens.server.hub.HubClient.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.server.auth.ApiKeys;
import io.hyperlens.server.auth.Scope;
import io.hyperlens.server.ingest.IngestLimits;
import io.hyperlens.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys: scopes, 401/403 with JSON bodies, revocation, only hashes on disk, rate limits. */
class HubAuthTest {
  @TempDir Path data;
  Hub hub;

  @AfterEach
  void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  private Hub start(IngestLimits limits) {
    hub =
        Hub.start(HubConfig.defaults(data).withPort(0).withLimits(limits), SqliteStore.open(data));
    return hub;
  }

  @Test
  void theFirstStartCreatesOneAdminKeyAndOnlyItsHashIsStored() throws Exception {
    start(IngestLimits.defaults());
    String admin = hub.initialAdminKey().orElseThrow();
    assertThat(admin).matches("hl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
    String file = Files.readString(data.resolve(ApiKeys.FILE_NAME));
    assertThat(file)
        .doesNotContain(admin)
        .doesNotContain(admin.substring(16))
        .contains("\"admin\"");
    hub.close();
    hub = Hub.start(HubConfig.defaults(data).withPort(0), SqliteStore.open(data));
    assertThat(hub.initialAdminKey()).isEmpty(); // never a second one
    assertThat(new HubClient(hub.uri(), admin).get("/api/keys").status()).isEqualTo(200);
  }

  @Test
  void aHubThatCannotBindMakesNoAdminKeySoTheNextStartShowsIt() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  Hub.start(
                      HubConfig.defaults(data).withPort(taken.getLocalPort()),
                      SqliteStore.open(data)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot serve on");
    }
    start(IngestLimits.defaults());
    assertThat(hub.initialAdminKey()).isPresent();
  }

  @Test
  void noKeyABadKeyAndAWrongScopeGetTheirJsonAnswers() {
    start(IngestLimits.defaults());
    String ingestOnly = hub.keys().create("agent", EnumSet.of(Scope.INGEST));
    HubClient anonymous = new HubClient(hub.uri(), null);

    HubClient.Answer none = anonymous.get("/api/events");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().get("error").asText()).isEqualTo("unauthorized");
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");

    String forged = ingestOnly.substring(0, ingestOnly.length() - 2) + "xx";
    assertThat(anonymous.withKey(forged).get("/api/events").status()).isEqualTo(401);
    assertThat(anonymous.withKey("hl_nonsense").get("/api/events").status()).isEqualTo(401);

    HubClient agent = anonymous.withKey(ingestOnly);
    HubClient.Answer wrongScope = agent.get("/api/events");
    assertThat(wrongScope.status()).isEqualTo(403);
    assertThat(wrongScope.json().get("message").asText()).contains("agent").contains("read");
    assertThat(
            agent
                .post(
                    "/v1/events",
                    "application/json",
                    "[" + event("a1", "session.created", "s") + "]")
                .status())
        .isEqualTo(200);
    assertThat(agent.get("/api/keys").status()).isEqualTo(403);
    // the open routes need no key
    assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
    assertThat(anonymous.get("/readyz").status()).isEqualTo(200);
    assertThat(anonymous.get("/openapi.json").status()).isEqualTo(200);
  }

  @Test
  void theAdminApiCreatesListsAndRevokesKeysAndARevokedKeyStopsAtOnce() {
    start(IngestLimits.defaults());
    HubClient admin = new HubClient(hub.uri(), hub.initialAdminKey().orElseThrow());
    HubClient.Answer created =
        admin.post("/api/keys", "application/json", "{\"name\":\"reader\",\"scopes\":[\"read\"]}");
    assertThat(created.status()).isEqualTo(201);
    String reader = created.json().get("key").asText();
    assertThat(admin.withKey(reader).get("/api/events").status()).isEqualTo(200);
    assertThat(admin.get("/api/keys").body()).contains("\"reader\"").doesNotContain(reader);
    assertThat(
            admin
                .post(
                    "/api/keys", "application/json", "{\"name\":\"reader\",\"scopes\":[\"read\"]}")
                .status())
        .isEqualTo(400);
    assertThat(
            admin
                .post("/api/keys", "application/json", "{\"name\":\"x\",\"scopes\":[\"root\"]}")
                .body())
        .contains("unknown scope \\\"root\\\"");

    assertThat(admin.delete("/api/keys/reader").status()).isEqualTo(200);
    assertThat(admin.withKey(reader).get("/api/events").status()).isEqualTo(401);
    assertThat(admin.delete("/api/keys/reader").status()).isEqualTo(404);
  }

  @Test
  void aKeyRevokedOfflineStopsWorkingInARunningHubWithinASecond() throws Exception {
    start(IngestLimits.defaults());
    String reader = hub.keys().create("reader", Set.of(Scope.READ));
    HubClient client = new HubClient(hub.uri(), reader);
    assertThat(client.get("/api/events").status()).isEqualTo(200);
    assertThat(ApiKeys.open(data).revoke("reader")).isTrue(); // another process, same directory
    long deadline = System.nanoTime() + 5_000_000_000L;
    int status = 200;
    while (status == 200 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      status = client.get("/api/events").status();
    }
    assertThat(status).isEqualTo(401);
  }

  @Test
  void aKeyOverItsRateGets429WithRetryAfter() {
    start(new IngestLimits(1 << 20, 100, 1000, 128, 3));
    HubClient admin = new HubClient(hub.uri(), hub.initialAdminKey().orElseThrow());
    int limited = 0;
    String retryAfter = null;
    for (int i = 0; i < 10; i++) {
      HubClient.Answer answer = admin.get("/api/events");
      if (answer.status() == 429) {
        limited++;
        retryAfter = answer.header("Retry-After");
        assertThat(answer.json().get("error").asText()).isEqualTo("rate_limited");
      }
    }
    assertThat(limited).isPositive();
    assertThat(Integer.parseInt(retryAfter)).isPositive();
  }

  @Test
  void noAuthIsRefusedOffLoopback() {
    assertThatThrownBy(() -> HubConfig.defaults(data).withAuth(false).withBind("0.0.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--no-auth is refused on 0.0.0.0");
    assertThat(HubConfig.defaults(data).withAuth(false).auth()).isFalse();
  }

  @Test
  void keyNamesAndScopesAreChecked() {
    ApiKeys keys = ApiKeys.open(data);
    assertThatThrownBy(() -> keys.create("bad name", Set.of(Scope.READ)))
        .hasMessageContaining("\"bad name\"");
    assertThatThrownBy(() -> keys.create("ok", Set.of())).hasMessageContaining("scopes");
    assertThatThrownBy(() -> Scope.parseList("read,write"))
        .hasMessageContaining("unknown scope \"write\"");
    assertThat(Scope.parseList("ingest, read")).containsExactlyInAnyOrder(Scope.INGEST, Scope.READ);
  }
}
