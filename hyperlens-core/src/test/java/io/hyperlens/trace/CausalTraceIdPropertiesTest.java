package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class CausalTraceIdPropertiesTest {

  @Property
  void generatedIdsRoundTripThroughTheirString(@ForAll @IntRange(min = 0, max = 6) int depth) {
    CausalTraceId id = CausalTraceId.root();
    for (int i = 0; i < depth; i++) {
      id = i % 2 == 0 ? id.child() : id.child().sibling();
    }
    CausalTraceId parsed = CausalTraceId.fromString(id.fullId());

    assertThat(parsed.fullId()).isEqualTo(id.fullId());
    assertThat(parsed.traceId()).isEqualTo(id.traceId());
    assertThat(parsed.spanId()).isEqualTo(id.spanId());
    assertThat(parsed.parentSpanId()).isEqualTo(id.parentSpanId());
    assertThat(parsed.depth()).isEqualTo(Math.min(id.depth(), 1));
  }

  @Property
  void wellFormedStringsParseToTheirParts(@ForAll("wellFormed") String value) {
    CausalTraceId parsed = CausalTraceId.fromString(value);

    assertThat(parsed.fullId()).isEqualTo(value);
  }

  @Property(tries = 2000)
  void anyOtherStringIsRejectedWithIllegalArgument(@ForAll("noise") String value) {
    if (value.matches("[0-9a-f]{12}/[0-9a-f]{8}(/[0-9a-f]{8})?")
        && !Arrays.asList(value.split("/")).stream().anyMatch(part -> part.matches("0+"))) {
      assertThat(CausalTraceId.fromString(value).fullId()).isEqualTo(value);
    } else {
      assertThatThrownBy(() -> CausalTraceId.fromString(value))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + value + "\"");
    }
  }

  @Provide
  Arbitrary<String> wellFormed() {
    Arbitrary<String> trace = hex(12);
    Arbitrary<String> span = hex(8);
    return Arbitraries.oneOf(
        net.jqwik.api.Combinators.combine(trace, span).as((t, s) -> t + "/" + s),
        net.jqwik.api.Combinators.combine(trace, span, span)
            .as((t, s, p) -> t + "/" + s + "/" + p));
  }

  @Provide
  Arbitrary<String> noise() {
    Arbitrary<String> hexy =
        Arbitraries.strings().withChars("0123456789abcdefABCDEF/g -").ofMaxLength(40);
    return Arbitraries.oneOf(hexy, Arbitraries.strings().ofMaxLength(40));
  }

  /** Lowercase hex ids that are not all zero: W3C forbids all-zero ids, so CausalTraceId does. */
  private static Arbitrary<String> hex(int length) {
    return Arbitraries.strings()
        .withChars("0123456789abcdef")
        .ofLength(length)
        .filter(id -> !id.matches("0+"));
  }
}
