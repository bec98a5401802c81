package io.hyperlens.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hyperlens.store.SqliteStore;
import io.hyperlens.trace.CausalTraceId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query API: strict parameters, newest first, opaque cursors, the trace view. */
class HubQueryTest {
  @TempDir Path data;
  Hub hub;
  HubClient client;

  @BeforeEach
  void start() {
    hub =
        Hub.start(
            HubConfig.defaults(data)
                .withPort(0)
                .withAuditKeyDirectory(data.resolveSibling(data.getFileName() + "-keys")),
            SqliteStore.open(data));
    client = new HubClient(hub.uri(), hub.initialAdminKey().orElseThrow());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private void post(List<Map<String, Object>> events) throws Exception {
    HubClient.Answer answer =
        client.post("/v1/events", "application/json", HubClient.JSON.writeValueAsString(events));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
  }

  private static Map<String, Object> event(
      String id, String type, String session, String agent, String causal, int second) {
    Map<String, Object> event = new java.util.LinkedHashMap<>();
    event.put("event_id", id);
    event.put("event_type", type);
    event.put("timestamp", String.format("2026-12-06T10:00:%02d+00:00", second));
    event.put("session_id", session);
    event.put("agent_did", agent);
    event.put("causal_trace_id", causal);
    event.put("payload", Map.of());
    return event;
  }

  @Test
  void eventsPageNewestFirstWithACursorAndFilters() throws Exception {
    List<Map<String, Object>> events = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      events.add(
          event("e" + i, i % 2 == 0 ? "session.joined" : "vfs.write", "s1", "did:mesh:a", null, i));
    }
    events.add(event("other", "session.joined", "s2", "did:mesh:b", null, 9));
    post(events);

    List<String> ids = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          client
              .get("/api/events?session=s1&limit=3" + (cursor == null ? "" : "&cursor=" + cursor))
              .json();
      page.get("events").forEach(e -> ids.add(e.get("event_id").asText()));
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
      pages++;
    } while (cursor != null);
    assertThat(ids).containsExactly("e6", "e5", "e4", "e3", "e2", "e1", "e0");
    assertThat(pages).isEqualTo(3);

    assertThat(client.get("/api/events?type=vfs.write").json().get("events")).hasSize(3);
    assertThat(client.get("/api/events?agent=did:mesh:b").json().get("events")).hasSize(1);
    assertThat(
            client
                .get("/api/events?since=2026-12-06T10:00:05Z&until=2026-12-06T10:00:06Z")
                .json()
                .get("events"))
        .hasSize(2);
    assertThat(client.get("/api/events/e3").json().get("event_type").asText())
        .isEqualTo("vfs.write");
    assertThat(client.get("/api/events/missing").status()).isEqualTo(404);
  }

  @Test
  void everyBadParameterIsA400NamingIt() {
    assertThat(client.get("/api/events?sesion=s1").json().get("message").asText())
        .contains("unknown parameter \"sesion\"");
    assertThat(client.get("/api/events?limit=0").json().get("message").asText())
        .contains("limit")
        .contains("\"0\"");
    assertThat(client.get("/api/events?type=ring.nope").json().get("message").asText())
        .contains("ring.nope");
    assertThat(client.get("/api/events?since=last+tuesday").json().get("message").asText())
        .contains("since");
    assertThat(client.get("/api/events?cursor=abc").status()).isEqualTo(400);
    assertThat(client.get("/api/events?trace=xyz").status()).isEqualTo(400);
    assertThat(client.get("/api/events?limit=1&limit=2").status()).isEqualTo(400);
    assertThat(client.get("/api/traces?status=maybe").status()).isEqualTo(400);
    assertThat(client.get("/api/traces?attr.=search").status()).isEqualTo(400);
    assertThat(client.get("/api/traces?cursor=nope").status()).isEqualTo(400);
    assertThat(client.get("/api/traces/not-hex").status()).isEqualTo(400);
    assertThat(client.get("/api/traces/0123456789abcdef0123456789abcdef").status()).isEqualTo(404);
    HubClient.Answer wrongMethod = client.delete("/api/traces");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.json().get("error").asText()).isEqualTo("method_not_allowed");
    HubClient.Answer nowhere = client.get("/api/nowhere");
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(nowhere.json().get("error").asText()).isEqualTo("not_found");
  }

  @Test
  void aTraceJoinsItsSpansEventsAndTheAgentsSpawnTree() throws Exception {
    CausalTraceId orchestrator = CausalTraceId.root();
    CausalTraceId researcher = orchestrator.child();
    CausalTraceId tool = researcher.child();
    post(
        List.of(
            event("c1", "session.created", "s", "did:mesh:orchestrator", orchestrator.fullId(), 1),
            event("c2", "session.joined", "s", "did:mesh:researcher", researcher.fullId(), 2),
            event("c3", "ring.breach_detected", "s", "did:mesh:tool", tool.fullId(), 3),
            event(
                "c4",
                "session.joined",
                "s",
                "did:mesh:elsewhere",
                CausalTraceId.root().fullId(),
                4)));
    String otlp =
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
            + "{\"stringValue\":\"demo\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\""
            + orchestrator.w3cTraceId()
            + "\",\"spanId\":\""
            + orchestrator.w3cSpanId()
            + "\",\"name\":\"workflow\",\"startTimeUnixNano\":\"1700000000000000000\","
            + "\"endTimeUnixNano\":\"1700000001000000000\"}]}]}]}";
    assertThat(client.post("/v1/traces", "application/json", otlp).status()).isEqualTo(200);

    JsonNode trace = client.get("/api/traces/" + orchestrator.w3cTraceId()).json();
    assertThat(trace.get("span_total").asInt()).isEqualTo(1);
    assertThat(trace.get("spans").get(0).get("operation_name").asText()).isEqualTo("workflow");
    assertThat(trace.get("spans").get(0).get("service_name").asText()).isEqualTo("demo");
    List<String> eventIds = new ArrayList<>();
    trace.get("events").forEach(e -> eventIds.add(e.get("event_id").asText()));
    assertThat(eventIds).containsExactly("c1", "c2", "c3");
    JsonNode root = trace.get("agents").get(0);
    assertThat(root.get("causal_span_id").asText()).isEqualTo(orchestrator.spanId());
    assertThat(root.get("agent_did").asText()).isEqualTo("did:mesh:orchestrator");
    JsonNode child = root.get("children").get(0);
    assertThat(child.get("agent_did").asText()).isEqualTo("did:mesh:researcher");
    assertThat(child.get("children").get(0).get("events").get(0).asText())
        .isEqualTo("ring.breach_detected");

    assertThat(client.get("/api/events?trace=" + orchestrator.traceId()).json().get("events"))
        .hasSize(3);
    assertThat(client.get("/api/traces/" + orchestrator.w3cTraceId() + "?span_limit=0").status())
        .isEqualTo(400);
  }

  @Test
  void everyRouteTheOpenApiDocumentListsIsServed() throws Exception {
    JsonNode doc = client.get("/openapi.json").json();
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    ObjectNode paths = (ObjectNode) doc.get("paths");
    int routes = 0;
    for (Iterator<String> names = paths.fieldNames(); names.hasNext(); ) {
      String path = names.next();
      ObjectNode operations = (ObjectNode) paths.get(path);
      for (Iterator<String> methods = operations.fieldNames(); methods.hasNext(); ) {
        String method = methods.next();
        String concrete =
            path.replace("{id}", "missing")
                .replace("{traceId}", "0123456789abcdef0123456789abcdef")
                .replace("{name}", "missing")
                .replace("{did}", "did:mesh:missing");
        HubClient.Answer answer;
        switch (method) {
          case "get":
            answer = client.get(concrete);
            break;
          case "delete":
            answer = client.delete(concrete);
            break;
          default:
            answer = client.post(concrete, "application/json", "[]");
            break;
        }
        routes++;
        assertThat(answer.status()).as(method + " " + path).isNotIn(405, 500);
        // a 404 must be the route's own "not found", never a missing route
        if (answer.status() == 404) {
          assertThat(answer.json().get("message").asText()).as(path).doesNotStartWith("no route");
        }
        assertThat(((ObjectNode) operations.get(method)).get("responses").fieldNames().hasNext())
            .isTrue();
      }
    }
    assertThat(routes).isEqualTo(25);
    assertThat(client.get("/api/nowhere").json().get("message").asText()).startsWith("no route");
  }
}
