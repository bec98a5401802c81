package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class W3CPropagatorTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";
  private static final String SAMPLED = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
  private static final String NOT_SAMPLED = "00-" + TRACE_ID + "-" + PARENT_ID + "-00";
  private static final String SPEC_TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";

  // ---- W3C Trace Context examples ----

  @Test
  void extractsTheSpecSampledTraceparent() {
    TraceContext context = W3CPropagator.extract(Map.of("traceparent", SAMPLED));

    assertThat(context.traceId()).isEqualTo(TRACE_ID);
    assertThat(context.parentSpanId()).contains(PARENT_ID);
    assertThat(context.traceFlags()).isEqualTo(1);
    assertThat(context.isSampled()).isTrue();
    assertThat(context.traceState()).isEmpty();
    assertThat(context.baggage()).isEmpty();
  }

  @Test
  void extractsTheSpecNotSampledTraceparent() {
    TraceContext context = W3CPropagator.extract(Map.of("traceparent", NOT_SAMPLED));

    assertThat(context.traceId()).isEqualTo(TRACE_ID);
    assertThat(context.parentSpanId()).contains(PARENT_ID);
    assertThat(context.traceFlags()).isZero();
    assertThat(context.isSampled()).isFalse();
  }

  @Test
  void extractsTheSpecTracestateInOrder() {
    TraceContext context =
        W3CPropagator.extract(Map.of("traceparent", SAMPLED, "tracestate", SPEC_TRACESTATE));

    assertThat(context.traceState())
        .containsExactly(entry("rojo", "00f067aa0ba902b7"), entry("congo", "t61rcWkgMzE"));
  }

  @Test
  void injectsTheSpecTraceparentAndTracestate() {
    Map<String, String> state = new LinkedHashMap<>();
    state.put("rojo", "00f067aa0ba902b7");
    state.put("congo", "t61rcWkgMzE");
    TraceContext context = TraceContext.of(TRACE_ID, PARENT_ID, 1, state, null);
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(context, headers);

    assertThat(headers)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("traceparent", SAMPLED, "tracestate", SPEC_TRACESTATE));
  }

  @Test
  void injectsTheSpecNotSampledTraceparent() {
    TraceContext context = TraceContext.of(TRACE_ID, PARENT_ID, 0, Map.of(), null);
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(context, headers);

    assertThat(headers).containsExactly(entry("traceparent", NOT_SAMPLED));
  }

  @Test
  void injectsFlagsAsTwoLowercaseHexDigits() {
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(TraceContext.of(TRACE_ID, PARENT_ID, 0xAB, Map.of(), null), headers);

    assertThat(headers.get("traceparent")).isEqualTo("00-" + TRACE_ID + "-" + PARENT_ID + "-ab");
  }

  @Test
  void keepsUnknownFlagBitsAsParsed() {
    TraceContext context =
        W3CPropagator.extract(Map.of("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-fe"));

    assertThat(context.traceFlags()).isEqualTo(0xFE);
    assertThat(context.isSampled()).isFalse();
  }

  // ---- W3C Baggage examples ----

  @Test
  void extractsTheSpecBaggageWithPropertiesDiscarded() {
    TraceContext context =
        W3CPropagator.extract(
            Map.of(
                "baggage",
                "key1=value1;property1;property2, key2 = value2,"
                    + " key3=value3; propertyKey=propertyValue"));

    assertThat(context.baggage())
        .containsExactly(entry("key1", "value1"), entry("key2", "value2"), entry("key3", "value3"));
  }

  @Test
  void extractsTheSpecPercentEncodedBaggage() {
    TraceContext context =
        W3CPropagator.extract(
            Map.of("baggage", "userId=alice,serverNode=DF%2028,isProduction=false"));

    assertThat(context.baggage())
        .containsExactly(
            entry("userId", "alice"), entry("serverNode", "DF 28"), entry("isProduction", "false"));
  }

  @Test
  void injectsTheSpecPercentEncodedBaggage() {
    Map<String, String> baggage = new LinkedHashMap<>();
    baggage.put("userId", "alice");
    baggage.put("serverNode", "DF 28");
    baggage.put("isProduction", "false");
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(TraceContext.of(TRACE_ID, PARENT_ID, baggage), headers);

    assertThat(headers.get("baggage"))
        .isEqualTo("userId=alice,serverNode=DF%2028,isProduction=false");
  }

  // ---- traceparent validation ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "FF-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01xyz",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736.00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7.01",
        "004bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01,"
            + "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "",
        "  "
      })
  void malformedTraceparentStartsANewTraceAndIsCounted(String traceparent) {
    PropagationStats before = W3CPropagator.stats();

    TraceContext context = W3CPropagator.extract(Map.of("traceparent", traceparent));

    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 1, 0, 0, 0));
    assertThat(context.parentSpanId()).isEmpty();
    assertThat(context.traceId()).isNotEqualTo(TRACE_ID);
    assertThat(W3CIds.isValidTraceId(context.traceId())).isTrue();
    assertThat(context.traceFlags()).isEqualTo(TraceContext.FLAG_SAMPLED);
  }

  @Test
  void missingTraceparentStartsANewTraceWithoutCounting() {
    PropagationStats before = W3CPropagator.stats();

    TraceContext context = W3CPropagator.extract(Map.of());

    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 0, 0, 0));
    assertThat(context.parentSpanId()).isEmpty();
    assertThat(W3CIds.isValidTraceId(context.traceId())).isTrue();
    assertThat(context.traceFlags()).isEqualTo(TraceContext.FLAG_SAMPLED);
    assertThat(context.traceState()).isEmpty();
  }

  @Test
  void higherVersionWithTrailingDashDataIsAccepted() {
    TraceContext context =
        W3CPropagator.extract(
            Map.of("traceparent", "01-" + TRACE_ID + "-" + PARENT_ID + "-01-xyz"));

    assertThat(context.traceId()).isEqualTo(TRACE_ID);
    assertThat(context.parentSpanId()).contains(PARENT_ID);
    assertThat(context.traceFlags()).isEqualTo(1);
  }

  @Test
  void higherVersionOfExactlyFiftyFiveCharactersIsAccepted() {
    TraceContext context =
        W3CPropagator.extract(Map.of("traceparent", "cc-" + TRACE_ID + "-" + PARENT_ID + "-00"));

    assertThat(context.traceId()).isEqualTo(TRACE_ID);
    assertThat(context.parentSpanId()).contains(PARENT_ID);
    assertThat(context.traceFlags()).isZero();
  }

  @Test
  void spacesAndTabsAroundTraceparentAreIgnored() {
    TraceContext context = W3CPropagator.extract(Map.of("traceparent", " \t" + SAMPLED + "\t "));

    assertThat(context.traceId()).isEqualTo(TRACE_ID);
    assertThat(context.parentSpanId()).contains(PARENT_ID);
  }

  @Test
  void malformedTraceparentIgnoresTracestateWithoutCountingIt() {
    PropagationStats before = W3CPropagator.stats();

    TraceContext context =
        W3CPropagator.extract(
            Map.of("traceparent", "ff-garbage", "tracestate", "rojo=1,rojo=2,BAD KEY"));

    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 1, 0, 0, 0));
    assertThat(context.traceState()).isEmpty();
  }

  @Test
  void extractCountsEveryCall() {
    PropagationStats before = W3CPropagator.stats();

    W3CPropagator.extract(Map.of("traceparent", SAMPLED));
    W3CPropagator.extract(Map.of("traceparent", SAMPLED));
    W3CPropagator.extract(Map.of());

    assertThat(delta(before)).isEqualTo(new PropagationStats(3, 0, 0, 0, 0));
  }

  // ---- tracestate validation ----

  @Test
  void tracestateWithDuplicateKeysIsDroppedAndCountedButTraceparentKept() {
    PropagationStats before = W3CPropagator.stats();

    TraceContext context =
        W3CPropagator.extract(
            Map.of("traceparent", SAMPLED, "tracestate", "rojo=1,congo=2,rojo=3"));

    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 1, 0, 0));
    assertThat(context.traceState()).isEmpty();
    assertThat(context.traceId()).isEqualTo(TRACE_ID);
    assertThat(context.parentSpanId()).contains(PARENT_ID);
  }

  @Test
  void tracestateWithThirtyThreeMembersIsDroppedAndCounted() {
    PropagationStats before = W3CPropagator.stats();

    TraceContext context =
        W3CPropagator.extract(Map.of("traceparent", SAMPLED, "tracestate", members(33)));

    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 1, 0, 0));
    assertThat(context.traceState()).isEmpty();
    assertThat(context.parentSpanId()).contains(PARENT_ID);
  }

  @Test
  void tracestateWithThirtyTwoMembersIsKept() {
    TraceContext context =
        W3CPropagator.extract(Map.of("traceparent", SAMPLED, "tracestate", members(32)));

    assertThat(context.traceState()).hasSize(32);
    assertThat(context.traceState().keySet()).startsWith("k0", "k1").endsWith("k31");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Rojo=1",
        "1rojo=1",
        "ro jo=1",
        "rojo=",
        "rojo",
        "=1",
        "rojo=a,b",
        "rojo=a=b",
        "rojo=caf\u00e9",
        "rojo=tab\there",
        "tenant@=1",
        "@system=1",
        "tenant@1system=1",
        "tenant@system@x=1",
        "tenant@systemsystemsys=1"
      })
  void tracestateWithAnInvalidMemberIsDroppedAndCountedButTraceparentKept(String tracestate) {
    PropagationStats before = W3CPropagator.stats();

    TraceContext context =
        W3CPropagator.extract(
            Map.of("traceparent", SAMPLED, "tracestate", "congo=ok," + tracestate));

    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 1, 0, 0));
    assertThat(context.traceState()).isEmpty();
    assertThat(context.parentSpanId()).contains(PARENT_ID);
  }

  @Test
  void tracestateSkipsEmptyAndWhitespaceMembersAndTrimsThem() {
    TraceContext context =
        W3CPropagator.extract(
            Map.of("traceparent", SAMPLED, "tracestate", ", rojo=1 ,\t, ,congo=a b,"));

    assertThat(context.traceState()).containsExactly(entry("rojo", "1"), entry("congo", "a b"));
  }

  @Test
  void emptyTracestateIsAnEmptyStateNotAnError() {
    PropagationStats before = W3CPropagator.stats();

    TraceContext context = W3CPropagator.extract(Map.of("traceparent", SAMPLED, "tracestate", ""));

    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 0, 0, 0));
    assertThat(context.traceState()).isEmpty();
  }

  @Test
  void tracestateAcceptsMultiTenantKeysAtTheirLengthLimits() {
    String tenant = "0" + "a".repeat(240);
    String system = "z" + "_-*/0123456789".substring(0, 13);
    String simple = "a" + "b".repeat(255);

    TraceContext context =
        W3CPropagator.extract(
            Map.of(
                "traceparent",
                SAMPLED,
                "tracestate",
                tenant + "@" + system + "=v," + simple + "=" + "~".repeat(256)));

    assertThat(context.traceState())
        .containsExactly(entry(tenant + "@" + system, "v"), entry(simple, "~".repeat(256)));
  }

  @Test
  void tracestateRejectsATenantIdOf242Characters() {
    assertThat(extractedTraceState("a".repeat(242) + "@sys=v")).isEmpty();
  }

  @Test
  void tracestateRejectsASimpleKeyOf257Characters() {
    assertThat(extractedTraceState("a".repeat(257) + "=v")).isEmpty();
  }

  @Test
  void tracestateRejectsAValueOf257Characters() {
    assertThat(extractedTraceState("k=" + "v".repeat(257))).isEmpty();
  }

  @Test
  void injectWritesTracestateInEntryOrder() {
    Map<String, String> state = new LinkedHashMap<>();
    state.put("zeta", "1");
    state.put("alpha@sys", "2");
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(TraceContext.of(TRACE_ID, PARENT_ID, 1, state, null), headers);

    assertThat(headers.get("tracestate")).isEqualTo("zeta=1,alpha@sys=2");
  }

  @Test
  void traceContextRejectsAnInvalidTraceStateKeyNamingIt() {
    assertThatThrownBy(() -> TraceContext.of(TRACE_ID, PARENT_ID, 1, Map.of("Rojo", "1"), null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("traceState")
        .hasMessageContaining("\"Rojo\"");
  }

  @Test
  void traceContextRejectsAnInvalidTraceStateValueNamingIt() {
    assertThatThrownBy(() -> TraceContext.of(TRACE_ID, PARENT_ID, 1, Map.of("rojo", "a,b"), null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("traceState")
        .hasMessageContaining("\"rojo\"")
        .hasMessageContaining("\"a,b\"");
  }

  @Test
  void traceContextRejectsATraceStateValueEndingInASpace() {
    assertThatThrownBy(() -> TraceContext.of(TRACE_ID, PARENT_ID, 1, Map.of("rojo", "a "), null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("traceState")
        .hasMessageContaining("\"a \"");
  }

  @Test
  void traceContextRejectsThirtyThreeTraceStateEntries() {
    Map<String, String> state = new LinkedHashMap<>();
    IntStream.range(0, 33).forEach(i -> state.put("k" + i, "v"));

    assertThatThrownBy(() -> TraceContext.of(TRACE_ID, PARENT_ID, 1, state, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("traceState")
        .hasMessageContaining("32")
        .hasMessageContaining("\"k32\"");
  }

  @Test
  void traceContextCopiesTraceStateInOrderAndUnmodifiable() {
    Map<String, String> state = new LinkedHashMap<>();
    state.put("zeta", "1");
    state.put("alpha", "2");

    TraceContext context = TraceContext.of(TRACE_ID, PARENT_ID, 1, state, null);
    state.put("later", "3");

    assertThat(context.traceState()).containsExactly(entry("zeta", "1"), entry("alpha", "2"));
    assertThatThrownBy(() -> context.traceState().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void traceContextTreatsNullTraceStateAsEmpty() {
    assertThat(TraceContext.of(TRACE_ID, PARENT_ID, 1, null, null).traceState()).isEmpty();
  }

  // ---- header names ----

  @Test
  void headerNamesAreMatchedIgnoringCase() {
    TraceContext context =
        W3CPropagator.extract(
            Map.of(
                "Traceparent", SAMPLED,
                "TRACESTATE", SPEC_TRACESTATE,
                "BaGgAgE", "k=v"));

    assertThat(context.parentSpanId()).contains(PARENT_ID);
    assertThat(context.traceState()).containsOnlyKeys("rojo", "congo");
    assertThat(context.baggage()).containsExactly(entry("k", "v"));
  }

  @Test
  void exactLowercaseHeaderNameWinsOverOtherCasings() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("TraceParent", "00-" + TRACE_ID + "-1111111111111111-01");
    headers.put("traceparent", SAMPLED);

    TraceContext context = W3CPropagator.extract(headers);

    assertThat(context.parentSpanId()).contains(PARENT_ID);
  }

  @Test
  void extractThroughAGetterAsksForLowercaseNames() {
    List<String> asked = new ArrayList<>();
    Map<String, String> headers = Map.of("traceparent", SAMPLED, "baggage", "k=v");

    TraceContext context =
        W3CPropagator.extract(
            name -> {
              asked.add(name);
              return headers.get(name);
            });

    assertThat(asked).containsExactlyInAnyOrder("traceparent", "tracestate", "baggage");
    assertThat(context.parentSpanId()).contains(PARENT_ID);
    assertThat(context.baggage()).containsExactly(entry("k", "v"));
  }

  // ---- inject ----

  @Test
  void injectWithoutParentWritesNoTraceparentNorTracestate() {
    TraceContext context =
        TraceContext.of(TRACE_ID, null, 1, Map.of("rojo", "1"), Map.of("user", "alice"));
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(context, headers);

    assertThat(headers).containsExactly(entry("baggage", "user=alice"));
  }

  @Test
  void injectOfANewTraceWritesNothing() {
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(TraceContext.newTrace(), headers);

    assertThat(headers).isEmpty();
  }

  @Test
  void injectWithoutTraceStateOrBaggageWritesOnlyTraceparent() {
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(TraceContext.of(TRACE_ID, PARENT_ID, null), headers);

    assertThat(headers).containsExactly(entry("traceparent", SAMPLED));
  }

  @Test
  void injectThroughASetterWritesEachHeaderOnceInOrder() {
    List<String> calls = new ArrayList<>();
    TraceContext context =
        TraceContext.of(TRACE_ID, PARENT_ID, 1, Map.of("rojo", "1"), Map.of("k", "v"));

    W3CPropagator.inject(context, (name, value) -> calls.add(name + ": " + value));

    assertThat(calls)
        .containsExactly("traceparent: " + SAMPLED, "tracestate: rojo=1", "baggage: k=v");
  }

  @Test
  void injectSeesBaggageSetAfterTheContextWasCreated() {
    TraceContext context = TraceContext.of(TRACE_ID, PARENT_ID, null);
    context.setBaggage("late", "yes");
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(context, headers);

    assertThat(headers.get("baggage")).isEqualTo("late=yes");
  }

  @Test
  void injectRejectsNullContext() {
    assertThatThrownBy(() -> W3CPropagator.inject(null, new HashMap<>()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("context");
  }

  @Test
  void injectRejectsNullCarrier() {
    assertThatThrownBy(
            () -> W3CPropagator.inject(TraceContext.newTrace(), (Map<String, String>) null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("carrier");
  }

  @Test
  void injectRejectsNullSetter() {
    assertThatThrownBy(
            () -> W3CPropagator.inject(TraceContext.newTrace(), (BiConsumer<String, String>) null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("setter");
  }

  @Test
  void extractRejectsNullCarrier() {
    assertThatThrownBy(() -> W3CPropagator.extract((Map<String, String>) null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("carrier");
  }

  @Test
  void extractRejectsNullGetter() {
    assertThatThrownBy(
            () -> W3CPropagator.extract((java.util.function.Function<String, String>) null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("getter");
  }

  // ---- baggage encoding ----

  @Test
  void injectPercentEncodesSpacePercentCommaSemicolonQuoteAndBackslash() {
    assertThat(injectedBaggage("a b%c,d;e\"f\\g")).isEqualTo("k=a%20b%25c%2Cd%3Be%22f%5Cg");
  }

  @Test
  void injectPercentEncodesNonAsciiAsUtf8Bytes() {
    assertThat(injectedBaggage("\u00fc")).isEqualTo("k=%C3%BC");
  }

  @Test
  void injectPercentEncodesSupplementaryCharactersAsFourBytes() {
    assertThat(injectedBaggage("\uD83D\uDE00")).isEqualTo("k=%F0%9F%98%80");
  }

  @Test
  void injectPercentEncodesControlCharactersAndDelete() {
    assertThat(injectedBaggage("\t\n\u007f")).isEqualTo("k=%09%0A%7F");
  }

  @Test
  void injectKeepsOtherBaggageOctetsRaw() {
    String raw = "!#$&'()*+-./09:<=>?@AZ[]^_`az{|}~";

    assertThat(injectedBaggage(raw)).isEqualTo("k=" + raw);
  }

  @Test
  void injectWritesAnEmptyValueAsKeyEquals() {
    assertThat(injectedBaggage("")).isEqualTo("k=");
  }

  // ---- baggage decoding ----

  @Test
  void extractDecodesUtf8PercentEscapesOfEitherCase() {
    assertThat(extractedBaggage("k=%C3%BC%c3%bc")).containsExactly(entry("k", "\u00fc\u00fc"));
  }

  @Test
  void extractTurnsAnInvalidUtf8ByteIntoReplacementCharacter() {
    assertThat(extractedBaggage("k=a%FFb")).containsExactly(entry("k", "a\uFFFDb"));
  }

  @Test
  void extractTurnsATruncatedUtf8SequenceIntoReplacementCharacter() {
    assertThat(extractedBaggage("k=%C3")).containsExactly(entry("k", "\uFFFD"));
  }

  @Test
  void extractKeepsPlusLiteral() {
    assertThat(extractedBaggage("k=a+b")).containsExactly(entry("k", "a+b"));
  }

  @Test
  void extractKeepsAPercentWithoutTwoHexDigitsLiteral() {
    assertThat(extractedBaggage("a=100%,b=%zz,c=%4,d=%%41"))
        .containsExactly(entry("a", "100%"), entry("b", "%zz"), entry("c", "%4"), entry("d", "%A"));
  }

  @Test
  void extractAcceptsAnEmptyValue() {
    assertThat(extractedBaggage("k=,j = ")).containsExactly(entry("k", ""), entry("j", ""));
  }

  @Test
  void extractKeepsTheLastValueOfARepeatedKey() {
    assertThat(extractedBaggage("k=1,j=2,k=3")).containsExactly(entry("k", "3"), entry("j", "2"));
  }

  @Test
  void extractSkipsEmptyMembersWithoutCounting() {
    PropagationStats before = W3CPropagator.stats();

    Map<String, String> baggage = extractedBaggage(", ,\t,k=v,,");

    assertThat(baggage).containsExactly(entry("k", "v"));
    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 0, 0, 0));
  }

  @Test
  void extractDropsAndCountsMalformedMembers() {
    PropagationStats before = W3CPropagator.stats();

    Map<String, String> baggage =
        extractedBaggage(
            "good=1,bad key=2,=3,noequals,quoted=\"x\",sp=a b,u=\u00fc,p=1;bad key,e=1;=x,ok=2");

    assertThat(baggage).containsExactly(entry("good", "1"), entry("ok", "2"));
    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 0, 8, 0));
  }

  @Test
  void extractReadsBaggageWhenTraceparentIsMalformed() {
    TraceContext context =
        W3CPropagator.extract(Map.of("traceparent", "garbage", "baggage", "k=v"));

    assertThat(context.parentSpanId()).isEmpty();
    assertThat(context.baggage()).containsExactly(entry("k", "v"));
  }

  @Test
  void extractKeepsAtMost180BaggageMembers() {
    String header =
        IntStream.range(0, 181).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
    PropagationStats before = W3CPropagator.stats();

    Map<String, String> baggage = extractedBaggage(header);

    assertThat(baggage).hasSize(180).doesNotContainKey("k180");
    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 0, 1, 0));
  }

  @Test
  void extractAcceptsARepeatedKeyBeyond180Members() {
    String header =
        IntStream.range(0, 180).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","))
            + ",k0=last";

    Map<String, String> baggage = extractedBaggage(header);

    assertThat(baggage).hasSize(180).containsEntry("k0", "last");
  }

  @Test
  void extractKeepsAtMost8192BytesOfBaggage() {
    String big = "a".repeat(3000);
    PropagationStats before = W3CPropagator.stats();

    Map<String, String> baggage =
        extractedBaggage("k1=" + big + ",k2=" + big + ",k3=" + big + ",k4=small");

    assertThat(baggage).containsOnlyKeys("k1", "k2", "k4");
    assertThat(delta(before)).isEqualTo(new PropagationStats(1, 0, 0, 1, 0));
  }

  @Test
  void extractAcceptsBaggageOfExactly8192Bytes() {
    String header = "k=" + "a".repeat(8190);

    assertThat(extractedBaggage(header + ",j=b")).containsOnlyKeys("k");
    assertThat(header).hasSize(8192);
  }

  // ---- baggage limits on inject ----

  @Test
  void injectDropsWholeMembersBeyond8192BytesAndCountsThem() {
    Map<String, String> baggage = new LinkedHashMap<>();
    baggage.put("k1", "a".repeat(3000));
    baggage.put("k2", "b".repeat(3000));
    baggage.put("k3", "c".repeat(3000));
    baggage.put("k4", "small");
    PropagationStats before = W3CPropagator.stats();

    String header = injectedBaggage(baggage);

    assertThat(header)
        .isEqualTo("k1=" + "a".repeat(3000) + ",k2=" + "b".repeat(3000) + ",k4=small");
    assertThat(delta(before)).isEqualTo(new PropagationStats(0, 0, 0, 0, 1));
  }

  @Test
  void injectCountsEncodedBytesAgainstTheLimit() {
    Map<String, String> baggage = new LinkedHashMap<>();
    baggage.put("k1", "a".repeat(4000));
    baggage.put("k2", " ".repeat(1400));

    String header = injectedBaggage(baggage);

    assertThat(header).isEqualTo("k1=" + "a".repeat(4000));
  }

  @Test
  void injectWritesBaggageOfExactly8192Bytes() {
    Map<String, String> baggage = new LinkedHashMap<>();
    baggage.put("k", "a".repeat(8190));
    baggage.put("j", "b");
    PropagationStats before = W3CPropagator.stats();

    String header = injectedBaggage(baggage);

    assertThat(header).hasSize(8192).isEqualTo("k=" + "a".repeat(8190));
    assertThat(delta(before)).isEqualTo(new PropagationStats(0, 0, 0, 0, 1));
  }

  @Test
  void injectOmitsTheBaggageHeaderWhenItsOnlyMemberIs8193Bytes() {
    Map<String, String> headers = new HashMap<>();
    TraceContext context = TraceContext.of(TRACE_ID, null, Map.of("k", "a".repeat(8191)));
    PropagationStats before = W3CPropagator.stats();

    W3CPropagator.inject(context, headers);

    assertThat(headers).isEmpty();
    assertThat(delta(before)).isEqualTo(new PropagationStats(0, 0, 0, 0, 1));
  }

  // ---- round trip ----

  @Test
  void extractOfInjectReturnsAnEqualContext() {
    Map<String, String> state = new LinkedHashMap<>();
    state.put("rojo", "00f067aa0ba902b7");
    state.put("congo", "t61rcWkgMzE");
    Map<String, String> baggage = new LinkedHashMap<>();
    baggage.put("user", "J\u00fcrgen M\u00fcller, 50% \uD83D\uDE00");
    baggage.put("empty", "");
    TraceContext context = TraceContext.of(TRACE_ID, PARENT_ID, 3, state, baggage);
    Map<String, String> headers = new HashMap<>();

    W3CPropagator.inject(context, headers);

    assertThat(W3CPropagator.extract(headers)).isEqualTo(context);
  }

  // ---- helpers ----

  private static String members(int count) {
    return IntStream.range(0, count).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
  }

  private static String injectedBaggage(String value) {
    Map<String, String> headers = new HashMap<>();
    W3CPropagator.inject(TraceContext.of(TRACE_ID, null, Map.of("k", value)), headers);
    return headers.get("baggage");
  }

  private static String injectedBaggage(Map<String, String> baggage) {
    Map<String, String> headers = new HashMap<>();
    W3CPropagator.inject(TraceContext.of(TRACE_ID, null, baggage), headers);
    return headers.get("baggage");
  }

  private static Map<String, String> extractedTraceState(String header) {
    return W3CPropagator.extract(Map.of("traceparent", SAMPLED, "tracestate", header)).traceState();
  }

  private static Map<String, String> extractedBaggage(String header) {
    return W3CPropagator.extract(Map.of("baggage", header)).baggage();
  }

  private static PropagationStats delta(PropagationStats before) {
    PropagationStats now = W3CPropagator.stats();
    return new PropagationStats(
        now.extracted() - before.extracted(),
        now.malformedTraceparent() - before.malformedTraceparent(),
        now.malformedTracestate() - before.malformedTracestate(),
        now.droppedBaggageMembers() - before.droppedBaggageMembers(),
        now.droppedBaggageOnInject() - before.droppedBaggageOnInject());
  }
}
