package io.hyperlens.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The live stream: filters, a bounded backlog per subscriber, and never a wait for ingest. */
class EventStreamTest {
  private static HypervisorEvent event(String id, EventType type, String session, String agent) {
    return HypervisorEvent.builder(type).eventId(id).sessionId(session).agentDid(agent).build();
  }

  @Test
  void eachSubscriberGetsWhatItsFilterPasses() throws Exception {
    EventStream stream = new EventStream(4, 100);
    try (EventStream.Subscription all = stream.subscribe(EventStream.Filter.ALL);
        EventStream.Subscription breaches =
            stream.subscribe(new EventStream.Filter("ring.breach_detected", null, null));
        EventStream.Subscription s2 =
            stream.subscribe(new EventStream.Filter(null, "s2", "did:mesh:b"))) {
      stream.publish(
          List.of(
              event("e1", EventType.SESSION_JOINED, "s1", "did:mesh:a"),
              event("e2", EventType.RING_BREACH_DETECTED, "s2", "did:mesh:b"),
              event("e3", EventType.SESSION_JOINED, "s2", "did:mesh:c")));
      assertThat(ids(all)).containsExactly("e1", "e2", "e3");
      assertThat(ids(breaches)).containsExactly("e2");
      assertThat(ids(s2)).containsExactly("e2");
      assertThat(stream.published()).isEqualTo(3);
    }
    assertThat(stream.subscribers()).isZero();
    assertThat(stream.ended(EventStream.EndReason.CLOSED)).isEqualTo(3);
  }

  private static List<String> ids(EventStream.Subscription subscription) throws Exception {
    List<String> out = new ArrayList<>();
    HypervisorEvent next;
    while ((next = subscription.next(10, TimeUnit.MILLISECONDS)) != null) {
      out.add(next.eventId());
    }
    return out;
  }

  @Test
  void aSlowSubscriberIsCutOffAndCountedWhileTheOthersKeepEverything() throws Exception {
    EventStream stream = new EventStream(4, 2);
    EventStream.Subscription slow = stream.subscribe(EventStream.Filter.ALL);
    EventStream.Subscription fast = stream.subscribe(EventStream.Filter.ALL);
    List<HypervisorEvent> received = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      stream.publish(List.of(event("e" + i, EventType.SESSION_JOINED, "s", "did:mesh:a")));
      received.add(fast.next(1, TimeUnit.SECONDS)); // the fast one keeps up
    }
    assertThat(received)
        .extracting(HypervisorEvent::eventId)
        .containsExactly("e0", "e1", "e2", "e3", "e4");
    assertThat(slow.ended()).isEqualTo(EventStream.EndReason.SLOW_CONSUMER);
    assertThat(stream.ended(EventStream.EndReason.SLOW_CONSUMER)).isEqualTo(1);
    // what it had queued is still delivered, then nothing
    assertThat(ids(slow)).containsExactly("e0", "e1");
    assertThat(fast.ended()).isNull();
    assertThat(stream.subscribers()).isEqualTo(1);
  }

  @Test
  void subscribersAreBoundedAndShutdownEndsThemAll() {
    EventStream stream = new EventStream(1, 10);
    EventStream.Subscription only = stream.subscribe(EventStream.Filter.ALL);
    assertThatThrownBy(() -> stream.subscribe(EventStream.Filter.ALL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 subscribers");
    stream.shutdown();
    assertThat(only.ended()).isEqualTo(EventStream.EndReason.SHUTDOWN);
    assertThat(stream.subscribe(EventStream.Filter.ALL).ended()).isNull();
    assertThatThrownBy(() -> new EventStream(0, 1)).hasMessageContaining("maxSubscribers");
    assertThatThrownBy(() -> new EventStream(1, 0)).hasMessageContaining("capacity");
    assertThat(new EventStream(1, 1).ended(EventStream.EndReason.SLOW_CONSUMER)).isZero();
  }
}
