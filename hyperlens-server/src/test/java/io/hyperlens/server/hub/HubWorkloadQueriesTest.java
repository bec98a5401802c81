package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperlens.client.HubEventSink;
import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.event.HypervisorEventBus;
import io.hyperlens.server.demo.AgentWorkload;
import io.hyperlens.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo workload shipped to a hub through HubEventSink, then read back through the sessions,
 * agents and sagas routes: every answer agrees with the events the bus saw.
 */
class HubWorkloadQueriesTest {
  @TempDir Path data;
  Hub hub;
  HubClient client;
  final List<HypervisorEvent> emitted = new ArrayList<>();

  @BeforeEach
  void feed() {
    hub = Hub.start(HubConfig.defaults(data).withPort(0), SqliteStore.open(data));
    String key = hub.initialAdminKey().orElseThrow();
    client = new HubClient(hub.uri(), key);
    HypervisorEventBus bus = new HypervisorEventBus();
    bus.subscribeAll(emitted::add);
    try (HubEventSink sink = HubEventSink.builder(hub.uri()).apiKey(key).build()) {
      sink.subscribeTo(bus);
      AgentWorkload workload = new AgentWorkload(bus, 11, 0.5, 0.5);
      for (int i = 0; i < 30; i++) {
        workload.runWorkflow();
      }
      assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(sink.stats().sent()).isEqualTo(emitted.size());
    }
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private long count(EventType type) {
    return emitted.stream().filter(e -> e.eventType() == type).count();
  }

  @Test
  void sessionsListEveryWorkflowAndOneSessionHoldsItsAgentsRingsAndSaga() {
    JsonNode sessions = client.get("/api/sessions?limit=500").json().get("sessions");
    assertThat(sessions).hasSize((int) count(EventType.SESSION_CREATED));
    sessions.forEach(s -> assertThat(s.get("state").asText()).isEqualTo("archived"));

    String id = sessions.get(0).get("session_id").asText();
    JsonNode session = client.get("/api/sessions/" + id).json();
    List<HypervisorEvent> own =
        emitted.stream().filter(e -> e.sessionId().orElse("").equals(id)).toList();
    assertThat(session.get("timeline")).hasSize(own.size());
    assertThat(session.get("agents"))
        .hasSize((int) own.stream().map(e -> e.agentDid().orElse("")).distinct().count());
    assertThat(session.get("ring_changes"))
        .hasSize((int) own.stream().filter(e -> e.eventType().value().startsWith("ring.")).count());
    assertThat(session.get("sagas")).hasSize(1);
    assertThat(client.get("/api/sessions/nope").status()).isEqualTo(404);
    assertThat(client.get("/api/sessions?limit=2").json().get("next_cursor").isNull()).isFalse();
  }

  @Test
  void sagaStatesAndStepsAgreeWithTheEvents() {
    assertThat(client.get("/api/sagas?state=escalated&limit=500").json().get("sagas"))
        .hasSize((int) count(EventType.SAGA_ESCALATED));
    assertThat(client.get("/api/sagas?state=completed&limit=500").json().get("sagas"))
        .hasSize((int) count(EventType.SAGA_COMPLETED));
    assertThat(client.get("/api/sagas?limit=500").json().get("sagas"))
        .hasSize((int) count(EventType.SAGA_CREATED));
    java.util.Set<String> paged = new java.util.HashSet<>();
    String cursor = null;
    do {
      JsonNode page =
          client.get("/api/sagas?limit=7" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      page.get("sagas").forEach(s -> assertThat(paged.add(s.get("saga_id").asText())).isTrue());
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    } while (cursor != null);
    assertThat(paged).hasSize((int) count(EventType.SAGA_CREATED));

    HypervisorEvent escalated =
        emitted.stream()
            .filter(e -> e.eventType() == EventType.SAGA_ESCALATED)
            .findFirst()
            .orElseThrow();
    String sagaId = String.valueOf(escalated.payload().get("saga_id"));
    JsonNode saga = client.get("/api/sagas/" + sagaId).json();
    assertThat(saga.get("state").asText()).isEqualTo("escalated");
    assertThat(saga.get("escalation").isObject()).isTrue();
    Map<String, Long> stepEvents =
        emitted.stream()
            .filter(e -> sagaId.equals(String.valueOf(e.payload().get("saga_id"))))
            .collect(Collectors.groupingBy(e -> e.eventType().value(), Collectors.counting()));
    assertThat(saga.get("failed_steps").asLong()).isEqualTo(stepEvents.get("saga.step_failed"));
    assertThat(saga.get("steps")).hasSize(stepEvents.get("saga.step_started").intValue());
    assertThat(saga.get("compensations"))
        .hasSize(stepEvents.getOrDefault("saga.compensating", 0L).intValue());
    assertThat(client.get("/api/sagas/nope").status()).isEqualTo(404);
    assertThat(client.get("/api/sagas?state=lost").status()).isEqualTo(400);
  }

  @Test
  void agentsShowTheirRingBreachesAndErrorRate() {
    JsonNode agents = client.get("/api/agents?limit=500").json().get("agents");
    long distinct =
        emitted.stream()
            .map(e -> e.agentDid().orElse(null))
            .filter(a -> a != null)
            .distinct()
            .count();
    assertThat(agents).hasSize((int) distinct);
    long breaches = 0;
    for (JsonNode agent : agents) {
      breaches += agent.get("breaches").asLong();
      assertThat(agent.get("open_elevation").isNull()).isTrue(); // every workflow demotes
    }
    assertThat(breaches).isEqualTo(count(EventType.RING_BREACH_DETECTED));

    HypervisorEvent failed =
        emitted.stream()
            .filter(e -> e.eventType() == EventType.SAGA_STEP_FAILED)
            .findFirst()
            .orElseThrow();
    String did = failed.agentDid().orElseThrow();
    JsonNode agent = client.get("/api/agents/" + did).json();
    assertThat(agent.get("failed_steps").asLong()).isPositive();
    assertThat(agent.get("error_rate").asDouble()).isBetween(0.0, 1.0).isPositive();
    assertThat(agent.get("ring").asInt()).isEqualTo(3);
    assertThat(agent.get("recent_events").size()).isPositive();
    assertThat(client.get("/api/agents/did:mesh:nobody").status()).isEqualTo(404);
  }

  @Test
  void agentsArePagedByCursorEachOnce() {
    List<String> all = new ArrayList<>();
    client
        .get("/api/agents?limit=500")
        .json()
        .get("agents")
        .forEach(a -> all.add(a.get("agent_did").asText()));
    assertThat(all).hasSizeGreaterThan(3);
    List<String> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          client.get("/api/agents?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      assertThat(page.get("agents").size()).isBetween(1, 2);
      page.get("agents").forEach(a -> paged.add(a.get("agent_did").asText()));
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
      pages++;
    } while (cursor != null && pages < 1000);
    assertThat(paged).containsExactlyElementsOf(all);
    assertThat(pages).isEqualTo((all.size() + 1) / 2);
    HubClient.Answer bad = client.get("/api/agents?cursor=nope");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("message").asText()).contains("cursor").contains("nope");
  }
}
