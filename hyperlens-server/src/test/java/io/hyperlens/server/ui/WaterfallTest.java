package io.hyperlens.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperlens.event.EventType;
import io.hyperlens.event.HypervisorEvent;
import io.hyperlens.trace.SpanData;
import io.hyperlens.trace.SpanStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The waterfall's tree order, bar positions, critical path and event markers. */
class WaterfallTest {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final long T0 = 1_000_000_000_000L;

  private static SpanData span(String id, String parent, long start, long end, String agent) {
    var builder = SpanData.builder(TRACE, id, "op-" + id).times(T0 + start * 1000, T0 + end * 1000);
    if (parent != null) {
      builder.parent(parent, false);
    }
    if (agent != null) {
      builder.attributes(Map.of("agent.did", agent));
    }
    return builder.build();
  }

  @Test
  void spansComeInTreeOrderWithDepthsPositionsAndTheCriticalPath() {
    List<SpanData> spans =
        List.of(
            span("000000000000000c", "000000000000000a", 600, 1000, null),
            span("000000000000000a", null, 0, 1000, "did:mesh:root"),
            span("000000000000000b", "000000000000000a", 100, 500, "did:mesh:b"),
            span("000000000000000d", "000000000000000b", 200, 300, null),
            span("000000000000000e", "000000000000000c", 650, 990, null));
    HypervisorEvent breach =
        HypervisorEvent.builder(EventType.RING_BREACH_DETECTED)
            .eventId("ev")
            .agentDid("did:mesh:b")
            .timestamp(Instant.ofEpochSecond(0, T0 + 250_000))
            .build();
    Waterfall waterfall = Waterfall.of(spans, List.of(breach));
    assertThat(waterfall.rows())
        .extracting(r -> r.span().spanId().substring(15) + r.depth())
        .containsExactly("a0", "b1", "d2", "c1", "e2");
    assertThat(waterfall.rows().get(0).error()).isFalse();
    assertThat(waterfall.rows().get(0).searchText()).contains("agent.did=did:mesh:root");
    Waterfall.Row b = waterfall.rows().get(1);
    assertThat(b.left()).isEqualTo(100);
    assertThat(b.width()).isEqualTo(400);
    assertThat(b.hasChildren()).isTrue();
    assertThat(waterfall.rows().get(2).hasChildren()).isFalse();
    // the root, then the child ending last (c), then its child (e)
    assertThat(waterfall.rows())
        .filteredOn(Waterfall.Row::critical)
        .extracting(r -> r.span().spanId().substring(15))
        .containsExactly("a", "c", "e");
    // the breach sits on the first row of its agent, at its time
    assertThat(b.markers()).hasSize(1);
    assertThat(b.markers().get(0).left()).isEqualTo(250);
    assertThat(waterfall.durationMs()).isEqualTo(1.0);
  }

  @Test
  void orphansAndCyclesStillShowEverySpanOnce() {
    List<SpanData> spans =
        List.of(
            span("0000000000000001", "00000000000000ff", 0, 10, null), // parent not in the trace
            span("0000000000000002", "0000000000000003", 0, 10, null),
            span("0000000000000003", "0000000000000002", 0, 10, null)); // a cycle
    Waterfall waterfall = Waterfall.of(spans, List.of());
    // the orphan is a root, marked as one whose parent is missing; the cycle's are not missing
    assertThat(waterfall.rows())
        .extracting(Waterfall.Row::parentMissing)
        .containsExactly(true, false, false);
    assertThat(waterfall.missingParents()).isEqualTo(1);
    // the orphan is a root; of the two whose parents form a cycle, the first starts a tree
    assertThat(waterfall.rows())
        .extracting(r -> r.span().spanId().substring(15) + r.depth())
        .containsExactly("10", "20", "31");
    assertThat(Waterfall.of(List.of(), List.of()).rows()).isEmpty();
    SpanData failed =
        SpanData.builder(TRACE, "0000000000000009", "x")
            .times(T0, T0 + 1)
            .status(SpanStatus.ERROR, "boom")
            .build();
    Waterfall.Row row = Waterfall.of(List.of(failed), List.of()).rows().get(0);
    assertThat(row.error()).isTrue();
    assertThat(row.width()).isEqualTo(1000);
    assertThat(row.searchText()).contains("x");
  }

  @Test
  void severalRootsComeByStartAndThePathFollowsTheOneEndingLast() {
    List<SpanData> spans =
        List.of(
            span("000000000000000b", null, 50, 900, null),
            span("000000000000000a", null, 0, 400, "did:mesh:a"),
            span("000000000000000c", "000000000000000b", 60, 890, null));
    HypervisorEvent stray =
        HypervisorEvent.builder(EventType.RING_BREACH_DETECTED)
            .eventId("stray")
            .agentDid("did:mesh:nobody-here")
            .timestamp(Instant.ofEpochSecond(0, T0 + 100_000))
            .build();
    Waterfall waterfall = Waterfall.of(spans, List.of(stray));
    assertThat(waterfall.rows())
        .extracting(r -> r.span().spanId().substring(15) + (r.critical() ? "*" : ""))
        .containsExactly("a", "b*", "c*");
    assertThat(waterfall.rows()).allMatch(r -> r.markers().isEmpty());
  }

  @Test
  void aTraceOfMonthsStillPlacesEveryBarWithinTheRow() {
    long day = 86_400_000_000_000L;
    List<SpanData> spans =
        List.of(
            SpanData.builder(TRACE, "000000000000000a", "root").times(T0, T0 + 200 * day).build(),
            span("000000000000000b", "000000000000000a", 0, 5, null));
    for (Waterfall.Row row : Waterfall.of(spans, List.of()).rows()) {
      assertThat(row.left()).isBetween(0, 999);
      assertThat(row.width()).isBetween(1, 1000 - row.left());
    }
    assertThat(Waterfall.of(spans, List.of()).rows().get(0).width()).isEqualTo(1000);
  }

  @Test
  void suggestionsNameTheNearestKnownKey() {
    assertThat(Suggestions.closest("agent.dd", List.of("agent.did", "tool"))).hasValue("agent.did");
    assertThat(Suggestions.closest("zzzzzz", List.of("agent.did", "tool"))).isEmpty();
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    assertThat(Suggestions.distance("abc", "")).isEqualTo(3);
    assertThat(Suggestions.distance("abc", "abc")).isZero();
    // within a third of the word (at least 2): 9 letters allow 3 edits, not 4
    assertThat(Suggestions.closest("abcdefghi", List.of("abcdefxyz"))).hasValue("abcdefxyz");
    assertThat(Suggestions.closest("abcdefghi", List.of("abcdewxyz"))).isEmpty();
    assertThat(Suggestions.closest("ab", List.of("xy"))).hasValue("xy");
    assertThat(Suggestions.closest("tool", List.of("tool", "toll"))).hasValue("tool");
  }
}
