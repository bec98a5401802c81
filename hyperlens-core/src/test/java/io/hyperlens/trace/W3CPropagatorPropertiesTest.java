package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class W3CPropagatorPropertiesTest {
  private static final String HEX = "0123456789abcdef";
  private static final String LCALPHA = "abcdefghijklmnopqrstuvwxyz";
  private static final String TRACESTATE_KEY_CHARS = LCALPHA + "0123456789_-*/";
  private static final String TOKEN_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

  // ---- round trip ----

  @Property(tries = 500)
  void extractOfInjectRestoresTheContext(@ForAll("contexts") TraceContext context) {
    Map<String, String> headers = new HashMap<>();
    PropagationStats before = W3CPropagator.stats();

    W3CPropagator.inject(context, headers);
    TraceContext back = W3CPropagator.extract(headers);

    assertThat(back.traceId()).isEqualTo(context.traceId());
    assertThat(back.parentSpanId()).isEqualTo(context.parentSpanId());
    assertThat(back.traceFlags()).isEqualTo(context.traceFlags());
    assertThat(back.traceState()).containsExactlyEntriesOf(context.traceState());
    assertThat(back.baggage()).containsExactlyEntriesOf(context.baggage());
    PropagationStats after = W3CPropagator.stats();
    assertThat(after.malformedTraceparent()).isEqualTo(before.malformedTraceparent());
    assertThat(after.malformedTracestate()).isEqualTo(before.malformedTracestate());
    assertThat(after.droppedBaggageMembers()).isEqualTo(before.droppedBaggageMembers());
    assertThat(after.droppedBaggageOnInject()).isEqualTo(before.droppedBaggageOnInject());
  }

  @Property(tries = 500)
  void everyWellFormedTraceparentIsAccepted(
      @ForAll("versions") int version,
      @ForAll("traceIds") String traceId,
      @ForAll("spanIds") String spanId,
      @ForAll("flags") int flags,
      @ForAll("suffixes") String suffix) {
    String header =
        String.format("%02x-%s-%s-%02x", version, traceId, spanId, flags)
            + (version == 0 ? "" : suffix);

    TraceContext context = W3CPropagator.extract(Map.of("traceparent", header));

    assertThat(context.traceId()).isEqualTo(traceId);
    assertThat(context.parentSpanId()).contains(spanId);
    assertThat(context.traceFlags()).isEqualTo(flags);
  }

  // ---- robustness ----

  @Property(tries = 3000)
  void anyHeadersYieldAValidContextWithoutThrowing(
      @ForAll("traceparentNoise") String traceparent,
      @ForAll("tracestateNoise") String tracestate,
      @ForAll("baggageNoise") String baggage) {
    Map<String, String> headers = new HashMap<>();
    headers.put("traceparent", traceparent);
    headers.put("tracestate", tracestate);
    headers.put("baggage", baggage);
    PropagationStats before = W3CPropagator.stats();

    TraceContext context = W3CPropagator.extract(headers);

    assertValid(context);
    assertThat(W3CPropagator.stats().extracted() - before.extracted()).isEqualTo(1);
  }

  @Property(tries = 1000)
  void anyHeadersReinjectToTheSameContext(
      @ForAll("traceparentNoise") String traceparent,
      @ForAll("tracestateNoise") String tracestate,
      @ForAll("baggageNoise") String baggage) {
    Map<String, String> received = new HashMap<>();
    received.put("traceparent", traceparent);
    received.put("tracestate", tracestate);
    received.put("baggage", baggage);
    TraceContext context = W3CPropagator.extract(received);
    Map<String, String> sent = new HashMap<>();

    W3CPropagator.inject(context, sent);
    TraceContext back = W3CPropagator.extract(sent);

    assertThat(back.baggage()).containsExactlyEntriesOf(context.baggage());
    if (context.parentSpanId().isPresent()) {
      assertThat(back).isEqualTo(context);
    }
  }

  @Property(tries = 1000)
  void randomBytesAsHeadersYieldAValidContext(
      @ForAll("byteStrings") String traceparent,
      @ForAll("byteStrings") String tracestate,
      @ForAll("byteStrings") String baggage) {
    TraceContext context =
        W3CPropagator.extract(
            Map.of("traceparent", traceparent, "tracestate", tracestate, "baggage", baggage));

    assertValid(context);
  }

  private static void assertValid(TraceContext context) {
    assertThat(W3CIds.isValidTraceId(context.traceId())).isTrue();
    context.parentSpanId().ifPresent(id -> assertThat(W3CIds.isValidSpanId(id)).isTrue());
    assertThat(context.traceFlags()).isBetween(0, 255);
    if (context.parentSpanId().isEmpty()) {
      assertThat(context.traceState()).isEmpty();
    }
    assertThat(context.baggage().size()).isLessThanOrEqualTo(180);
    TraceContext rebuilt =
        TraceContext.of(
            context.traceId(),
            context.parentSpanId().orElse(null),
            context.traceFlags(),
            context.traceState(),
            context.baggage());
    assertThat(rebuilt).isEqualTo(context);
  }

  // ---- valid contexts ----

  @Provide
  Arbitrary<TraceContext> contexts() {
    return Combinators.combine(traceIds(), spanIds(), flags(), traceStates(), baggages())
        .as(TraceContext::of);
  }

  @Provide
  Arbitrary<String> traceIds() {
    return hex(32).filter(id -> !W3CIds.isAllZero(id));
  }

  @Provide
  Arbitrary<String> spanIds() {
    return hex(16).filter(id -> !W3CIds.isAllZero(id));
  }

  @Provide
  Arbitrary<Integer> flags() {
    return Arbitraries.integers().between(0, 255);
  }

  @Provide
  Arbitrary<Integer> versions() {
    return Arbitraries.integers().between(0, 254);
  }

  @Provide
  Arbitrary<String> suffixes() {
    return Arbitraries.strings().ofMaxLength(20).map(s -> s.isEmpty() ? "" : "-" + s);
  }

  private static Arbitrary<Map<String, String>> traceStates() {
    return Arbitraries.maps(traceStateKeys(), traceStateValues()).ofMaxSize(32);
  }

  private static Arbitrary<String> traceStateKeys() {
    Arbitrary<String> simple =
        Combinators.combine(
                Arbitraries.chars().with(LCALPHA.toCharArray()),
                Arbitraries.strings().withChars(TRACESTATE_KEY_CHARS).ofMaxLength(255))
            .as((first, rest) -> first + rest);
    Arbitrary<String> multiTenant =
        Combinators.combine(
                Arbitraries.chars().with((LCALPHA + "0123456789").toCharArray()),
                Arbitraries.strings().withChars(TRACESTATE_KEY_CHARS).ofMaxLength(240),
                Arbitraries.chars().with(LCALPHA.toCharArray()),
                Arbitraries.strings().withChars(TRACESTATE_KEY_CHARS).ofMaxLength(13))
            .as((t, tenant, s, system) -> t + tenant + "@" + s + system);
    return Arbitraries.oneOf(simple, multiTenant);
  }

  private static Arbitrary<String> traceStateValues() {
    return Arbitraries.strings()
        .withCharRange(' ', '~')
        .excludeChars(',', '=')
        .ofMinLength(1)
        .ofMaxLength(256)
        .map(v -> v.endsWith(" ") ? v.substring(0, v.length() - 1) + "." : v);
  }

  private static Arbitrary<Map<String, String>> baggages() {
    Arbitrary<String> keys =
        Arbitraries.strings().withChars(TOKEN_CHARS).ofMinLength(1).ofMaxLength(20);
    return Arbitraries.maps(keys, unicodeStrings()).ofMaxSize(20);
  }

  /** Well-formed Unicode, weighted towards the characters baggage must escape. */
  private static Arbitrary<String> unicodeStrings() {
    Arbitrary<Integer> codePoint =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0x20, 0x7E),
            Arbitraries.integers().between(0x20, 0x7E),
            Arbitraries.of((int) ' ', (int) '%', (int) ',', (int) ';', (int) '"', (int) '\\'),
            Arbitraries.of((int) '=', (int) '+', 0x1F600, 0x1F680, 0x1F9D1, 0xFFFD),
            Arbitraries.integers().between(0, 0x1F),
            Arbitraries.integers().between(0x7F, 0x7FF),
            Arbitraries.integers().between(0x800, 0xFFFF).filter(c -> c < 0xD800 || c > 0xDFFF),
            Arbitraries.integers().between(0x10000, 0x10FFFF));
    return codePoint.list().ofMaxSize(25).map(W3CPropagatorPropertiesTest::fromCodePoints);
  }

  private static String fromCodePoints(List<Integer> codePoints) {
    StringBuilder out = new StringBuilder();
    codePoints.forEach(out::appendCodePoint);
    return out.toString();
  }

  private static Arbitrary<String> hex(int length) {
    return Arbitraries.strings().withChars(HEX).ofLength(length);
  }

  // ---- noise ----

  @Provide
  Arbitrary<String> traceparentNoise() {
    Arbitrary<String> valid =
        Combinators.combine(versions(), traceIds(), spanIds(), flags(), suffixes())
            .as(
                (v, t, s, f, suffix) ->
                    String.format("%02x-%s-%s-%02x", v, t, s, f) + (v == 0 ? "" : suffix));
    Arbitrary<String> nearMiss = mutations(valid, "0123456789abcdefABCDEFxz- \t,");
    Arbitrary<String> hexy =
        Arbitraries.strings().withChars("0123456789abcdefABCDEF- \t").ofMaxLength(70);
    return Arbitraries.oneOf(valid, nearMiss, nearMiss, hexy, anyStrings(), byteStrings())
        .injectNull(0.05);
  }

  @Provide
  Arbitrary<String> tracestateNoise() {
    Arbitrary<String> valid = traceStates().map(TraceState::format);
    Arbitrary<String> overfull =
        Arbitraries.strings()
            .withChars("abc")
            .ofMinLength(1)
            .ofMaxLength(3)
            .list()
            .ofMinSize(30)
            .ofMaxSize(36)
            .map(keys -> String.join("=v,", keys) + "=v");
    Arbitrary<String> nearMiss = mutations(valid, "aZ09_-*/@=, \t~\u00e9");
    Arbitrary<String> alphabet =
        Arbitraries.strings().withChars("abz09_-*/@=, \t~A").ofMaxLength(100);
    return Arbitraries.oneOf(valid, overfull, nearMiss, alphabet, anyStrings(), byteStrings())
        .injectNull(0.1);
  }

  @Provide
  Arbitrary<String> baggageNoise() {
    Arbitrary<String> valid =
        baggages()
            .map(
                entries -> {
                  Map<String, String> headers = new HashMap<>();
                  String trace = "0123456789abcdef0123456789abcdef";
                  W3CPropagator.inject(TraceContext.of(trace, null, entries), headers);
                  return headers.getOrDefault("baggage", "");
                });
    Arbitrary<String> nearMiss = mutations(valid, "aZ09=,;% \t\"\\+Ff\u00e9");
    Arbitrary<String> alphabet =
        Arbitraries.strings()
            .withChars("abK09=,;%% \t\"\\+FfCc3!#\u00e9\uD83D\uDE00")
            .ofMaxLength(100);
    return Arbitraries.oneOf(valid, nearMiss, nearMiss, alphabet, anyStrings(), byteStrings())
        .injectNull(0.1);
  }

  @Provide
  Arbitrary<String> byteStrings() {
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
    return Arbitraries.oneOf(
        bytes.map(b -> new String(b, StandardCharsets.ISO_8859_1)),
        bytes.map(b -> new String(b, StandardCharsets.UTF_8)));
  }

  private static Arbitrary<String> anyStrings() {
    return Arbitraries.strings().ofMaxLength(120);
  }

  /** {@code base} with one to three characters replaced, inserted or deleted. */
  private static Arbitrary<String> mutations(Arbitrary<String> base, String alphabet) {
    Arbitrary<int[]> edit =
        Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, alphabet.length() - 1))
            .as((op, position, c) -> new int[] {op, position, c});
    return Combinators.combine(base, edit.list().ofMinSize(1).ofMaxSize(3))
        .as(
            (s, edits) -> {
              StringBuilder out = new StringBuilder(s);
              for (int[] e : edits) {
                int at = out.length() == 0 ? 0 : e[1] % (out.length() + (e[0] == 1 ? 1 : 0));
                char c = alphabet.charAt(e[2]);
                if (e[0] == 0 && at < out.length()) {
                  out.setCharAt(at, c);
                } else if (e[0] == 1 || out.length() == 0) {
                  out.insert(at, c);
                } else {
                  out.deleteCharAt(at);
                }
              }
              return out.toString();
            });
  }
}
