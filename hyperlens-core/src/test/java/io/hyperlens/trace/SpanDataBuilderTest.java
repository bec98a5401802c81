package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rebuilding a finished span from stored fields: defaults, every field, and validation. */
class SpanDataBuilderTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";
  private static final String PARENT_ID = "b7ad6b7169203331";

  private static SpanDataBuilder builder() {
    return SpanData.builder(TRACE_ID, SPAN_ID, "tool.call");
  }

  @Test
  void aBareSpanHasTheDocumentedDefaults() {
    SpanData span = builder().build();

    assertThat(span.serviceName()).isEqualTo("unknown_service");
    assertThat(span.traceId()).isEqualTo(TRACE_ID);
    assertThat(span.spanId()).isEqualTo(SPAN_ID);
    assertThat(span.name()).isEqualTo("tool.call");
    assertThat(span.parentSpanId()).isEmpty();
    assertThat(span.parentRemote()).isFalse();
    assertThat(span.traceFlags()).isEqualTo(1);
    assertThat(span.traceState()).isEmpty();
    assertThat(span.kind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(span.startEpochNanos()).isZero();
    assertThat(span.endEpochNanos()).isZero();
    assertThat(span.status()).isEqualTo(SpanStatus.UNSET);
    assertThat(span.statusMessage()).isEmpty();
    assertThat(span.attributes()).isEmpty();
    assertThat(span.events()).isEmpty();
    assertThat(span.links()).isEmpty();
    assertThat(span.droppedAttributes()).isZero();
    assertThat(span.droppedEvents()).isZero();
    assertThat(span.droppedLinks()).isZero();
  }

  @Test
  void everyFieldSetIsTheFieldBuilt() {
    SpanEvent event = new SpanEvent("cache_miss", 1_700_000_000_100_000_000L, Map.of("k", "v"));
    SpanLink link = new SpanLink("0af7651916cd43dd8448eb211c80319c", "b9c7c989f97918e1", null);
    Map<String, String> state = new LinkedHashMap<>();
    state.put("vendor", "a");
    state.put("other", "b");

    SpanData span =
        builder()
            .serviceName("agent-runtime")
            .parent(PARENT_ID, true)
            .traceFlags(0)
            .traceState(state)
            .kind(SpanKind.CLIENT)
            .times(1_700_000_000_000_000_000L, 1_700_000_000_250_000_000L)
            .status(SpanStatus.ERROR, "tool timed out")
            .attributes(Map.of("tool", "search"))
            .events(List.of(event))
            .links(List.of(link))
            .dropped(1, 2, 3)
            .build();

    assertThat(span.serviceName()).isEqualTo("agent-runtime");
    assertThat(span.parentSpanId()).contains(PARENT_ID);
    assertThat(span.parentRemote()).isTrue();
    assertThat(span.traceFlags()).isZero();
    assertThat(span.traceState())
        .containsExactly(Map.entry("vendor", "a"), Map.entry("other", "b"));
    assertThat(span.kind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.startEpochNanos()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(span.endEpochNanos()).isEqualTo(1_700_000_000_250_000_000L);
    assertThat(span.durationMs()).isEqualTo(250.0);
    assertThat(span.status()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.statusMessage()).contains("tool timed out");
    assertThat(span.attributes()).containsExactly(Map.entry("tool", "search"));
    assertThat(span.events()).containsExactly(event);
    assertThat(span.links()).containsExactly(link);
    assertThat(span.droppedAttributes()).isEqualTo(1);
    assertThat(span.droppedEvents()).isEqualTo(2);
    assertThat(span.droppedLinks()).isEqualTo(3);
  }

  @Test
  void theBoundariesOfEveryRangeAreAccepted() {
    assertThat(builder().traceFlags(255).build().traceFlags()).isEqualTo(255);
    assertThat(builder().traceFlags(0).build().traceFlags()).isZero();
    SpanData instant = builder().times(42L, 42L).build();
    assertThat(instant.startEpochNanos()).isEqualTo(42L);
    assertThat(instant.endEpochNanos()).isEqualTo(42L);
    SpanData none = builder().dropped(0, 0, 0).build();
    assertThat(none.droppedAttributes()).isZero();
    assertThat(none.droppedEvents()).isZero();
    assertThat(none.droppedLinks()).isZero();
  }

  @Test
  void causalTraceIdsAreLeftPaddedToW3cIds() {
    SpanData span =
        SpanData.builder("a1b2c3d4e5f6", "01234567", "op").parent("89abcdef", false).build();

    assertThat(span.traceId()).isEqualTo("00000000000000000000a1b2c3d4e5f6");
    assertThat(span.spanId()).isEqualTo("0000000001234567");
    assertThat(span.parentSpanId()).contains("0000000089abcdef");
    assertThat(span.parentRemote()).isFalse();
  }

  @Test
  void aRootSpanIsNeverRemoteAndAParentCanBeCleared() {
    SpanDataBuilder builder = builder().parent(PARENT_ID, true);
    assertThat(builder.build().parentRemote()).isTrue();

    SpanData root = builder.parent(null, true).build();

    assertThat(root.parentSpanId()).isEmpty();
    assertThat(root.parentRemote()).isFalse();
  }

  @Test
  void onlyAnErrorKeepsItsMessage() {
    assertThat(builder().status(SpanStatus.OK, "fine").build().statusMessage()).isEmpty();
    assertThat(builder().status(SpanStatus.UNSET, "fine").build().statusMessage()).isEmpty();
    SpanDataBuilder builder = builder().status(SpanStatus.ERROR, "boom");
    assertThat(builder.build().statusMessage()).contains("boom");
    SpanData ok = builder.status(SpanStatus.OK, null).build();
    assertThat(ok.status()).isEqualTo(SpanStatus.OK);
    assertThat(ok.statusMessage()).isEmpty();
  }

  @Test
  void attributesAreNormalizedAndCopied() {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("count", 3);
    attributes.put("ratio", 0.5f);
    attributes.put("tags", new int[] {1, 2});
    attributes.put("dropped", null);
    SpanDataBuilder builder = builder().attributes(attributes);
    attributes.put("late", "not seen");

    Map<String, Object> built = builder.build().attributes();

    assertThat(built)
        .containsExactly(
            Map.entry("count", 3L), Map.entry("ratio", 0.5d), Map.entry("tags", List.of(1L, 2L)));
    assertThatThrownBy(() -> built.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(builder().attributes(null).build().attributes()).isEmpty();
  }

  @Test
  void attributeValuesTakeOpenTelemetrysTypes() {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("long", 7L);
    attributes.put("double", 2.5d);
    attributes.put("boolean", true);
    attributes.put("short", (short) 4);
    attributes.put("byte", (byte) 1);
    attributes.put("nested", List.of(List.of(1, 2), new int[] {3}, "x"));
    attributes.put("mixed", Arrays.asList(1, "two", null));

    Map<String, Object> built = builder().attributes(attributes).build().attributes();

    assertThat(built.get("long")).isEqualTo(7L);
    assertThat(built.get("double")).isEqualTo(2.5d);
    assertThat(built.get("boolean")).isEqualTo(true);
    assertThat(built.get("short")).isEqualTo(4L);
    assertThat(built.get("byte")).isEqualTo(1L);
    List<?> nested = (List<?>) built.get("nested");
    assertThat(nested).hasSize(3);
    assertThat(nested.get(0)).isEqualTo("[1, 2]");
    assertThat(nested.get(1)).asString().startsWith("[I@");
    assertThat(nested.get(2)).isEqualTo("x");
    assertThat(built.get("mixed")).isEqualTo(Arrays.asList("1", "two", null));
  }

  @Test
  void collectionsAreCopiedInOrderAndUnmodifiable() {
    SpanEvent first = new SpanEvent("a", 1L, null);
    SpanEvent second = new SpanEvent("b", 2L, null);
    SpanLink link = new SpanLink(TRACE_ID, PARENT_ID, null);
    List<SpanEvent> events = new ArrayList<>(List.of(first, second));
    List<SpanLink> links = new ArrayList<>(List.of(link));
    Map<String, String> state = new HashMap<>(Map.of("k", "v"));
    SpanDataBuilder builder = builder().events(events).links(links).traceState(state);
    events.clear();
    links.clear();
    state.clear();

    SpanData span = builder.build();

    assertThat(span.events()).containsExactly(first, second);
    assertThat(span.links()).containsExactly(link);
    assertThat(span.traceState()).containsExactly(Map.entry("k", "v"));
    assertThatThrownBy(() -> span.events().add(first))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> span.links().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> span.traceState().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void nullCollectionsMeanNone() {
    SpanData span =
        builder()
            .events(List.of(new SpanEvent("a", 1L, null)))
            .links(List.of(new SpanLink(TRACE_ID, PARENT_ID, null)))
            .traceState(Map.of("k", "v"))
            .events(null)
            .links(null)
            .traceState(null)
            .build();

    assertThat(span.events()).isEmpty();
    assertThat(span.links()).isEmpty();
    assertThat(span.traceState()).isEmpty();
  }

  @Test
  void theBuilderStaysUsableAfterBuild() {
    SpanDataBuilder builder = builder().kind(SpanKind.SERVER);
    SpanData first = builder.build();

    SpanData second = builder.kind(SpanKind.CONSUMER).serviceName("other").build();

    assertThat(first.kind()).isEqualTo(SpanKind.SERVER);
    assertThat(first.serviceName()).isEqualTo("unknown_service");
    assertThat(second.kind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(second.serviceName()).isEqualTo("other");
  }

  @Test
  void malformedIdsAndNamesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> SpanData.builder("xyz", SPAN_ID, "op"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "trace_id must be 32 lowercase hex characters (or a 12-hex CausalTraceId trace id),"
                + " not all zero, got \"xyz\"");
    assertThatThrownBy(() -> SpanData.builder(TRACE_ID, "0000000000000000", "op"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("span_id must be 16 lowercase hex characters");
    assertThatThrownBy(() -> SpanData.builder(TRACE_ID, SPAN_ID, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be empty, got null");
    assertThatThrownBy(() -> SpanData.builder(TRACE_ID, SPAN_ID, ""))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be empty, got \"\"");
    assertThatThrownBy(() -> builder().parent("PARENT", false))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("parent_span_id must be 16 lowercase hex characters")
        .hasMessageEndingWith("got \"PARENT\"");
  }

  @Test
  void badFieldValuesAreRejectedNamingTheFieldAndTheValue() {
    assertThatThrownBy(() -> builder().serviceName(" "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("serviceName must not be blank, got \" \"");
    assertThatThrownBy(() -> builder().serviceName(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("serviceName must not be blank, got null");
    assertThatThrownBy(() -> builder().traceFlags(-1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceFlags must be within 0..255, got -1");
    assertThatThrownBy(() -> builder().traceFlags(256))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceFlags must be within 0..255, got 256");
    assertThatThrownBy(() -> builder().kind(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("kind must not be null");
    assertThatThrownBy(() -> builder().times(10L, 9L))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("end must not be before start, got start=10 end=9");
    assertThatThrownBy(() -> builder().status(null, "x"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("status must not be null");
  }

  @Test
  void nullEntriesAndNegativeCountsAreRejected() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("k", null);
    assertThatThrownBy(() -> builder().traceState(nullValue))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceState must not hold null keys or values, got {k=null}");
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    assertThatThrownBy(() -> builder().traceState(nullKey))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceState must not hold null keys or values, got {null=v}");
    assertThatThrownBy(() -> builder().events(Arrays.asList((SpanEvent) null)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("events must not hold null, got [null]");
    assertThatThrownBy(() -> builder().links(Arrays.asList((SpanLink) null)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("links must not hold null, got [null]");
    assertThatThrownBy(() -> builder().dropped(-1, 0, 0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dropped counts must not be negative, got -1, 0, 0");
    assertThatThrownBy(() -> builder().dropped(0, -1, 0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dropped counts must not be negative, got 0, -1, 0");
    assertThatThrownBy(() -> builder().dropped(0, 0, -1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dropped counts must not be negative, got 0, 0, -1");
  }

  @Test
  void theBuiltSpanGivesItsTimesAsInstantsAndItsEventsAndLinksInItsMap() {
    SpanData span =
        builder()
            .times(1_700_000_000_000_000_000L, 1_700_000_000_250_000_000L)
            .events(List.of(new SpanEvent("cache_miss", 1_700_000_000_500_000_000L, null)))
            .links(List.of(new SpanLink(TRACE_ID, PARENT_ID, Map.of("rel", "caused_by"))))
            .build();

    assertThat(span.startTime()).isEqualTo(Instant.parse("2023-11-14T22:13:20Z"));
    assertThat(span.endTime()).isEqualTo(Instant.parse("2023-11-14T22:13:20.250Z"));
    assertThat(span.toMap().get("events"))
        .isEqualTo(
            List.of(
                Map.of(
                    "name", "cache_miss", "timestamp", 1_700_000_000.5, "attributes", Map.of())));
    assertThat(span.toMap().get("links"))
        .isEqualTo(
            List.of(
                Map.of(
                    "trace_id",
                    TRACE_ID,
                    "span_id",
                    PARENT_ID,
                    "attributes",
                    Map.of("rel", "caused_by"))));
    assertThat(span).hasToString("SpanData" + span.toMap());
  }

  @Test
  void epochNanosSaturateAtAboutTwoHundredAndNinetyTwoYears() {
    long maxSeconds = Long.MAX_VALUE / 1_000_000_000L - 1;

    assertThat(SpanData.toEpochNanos(Instant.ofEpochSecond(maxSeconds, 5)))
        .isEqualTo(maxSeconds * 1_000_000_000L);
    assertThat(SpanData.toEpochNanos(Instant.ofEpochSecond(-maxSeconds, 5)))
        .isEqualTo(-maxSeconds * 1_000_000_000L);
    assertThat(SpanData.toEpochNanos(Instant.ofEpochSecond(maxSeconds - 1, 5)))
        .isEqualTo((maxSeconds - 1) * 1_000_000_000L + 5);
    assertThat(SpanData.toEpochNanos(Instant.ofEpochSecond(-maxSeconds + 1, 5)))
        .isEqualTo((-maxSeconds + 1) * 1_000_000_000L + 5);
  }
}
