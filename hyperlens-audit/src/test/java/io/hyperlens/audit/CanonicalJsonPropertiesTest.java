package io.hyperlens.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The canonical bytes the chain hashes are byte-for-byte what the RFC 8785 reference implementation
 * makes of the same record printed as ordinary JSON: awkward strings (quotes, backslashes, every
 * control character, non-BMP characters, DEL, U+2028) and awkward numbers (negative zero, tiny,
 * huge, integral doubles, the ±2^53 edges).
 */
class CanonicalJsonPropertiesTest {
  @Property(tries = 200)
  void canonicalBytesEqualTheReferenceImplementation(
      @ForAll("names") String agentId,
      @ForAll("texts") String reason,
      @ForAll("contexts") Map<String, Object> context)
      throws Exception {
    AuditRecord record =
        new AuditRecord(
            "audit-1",
            Instant.parse("2026-01-28T17:45:00.123Z"),
            agentId,
            "act",
            null,
            Decision.AUDIT,
            reason,
            null,
            context,
            9_007_199_254_740_991L,
            AuditRecord.GENESIS_HASH,
            AuditRecord.GENESIS_HASH);
    // The reference canonicalizes the record as ordinary JSON without its hash.
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(AuditJson.toLine(record));
    json.remove("hash");
    String reference =
        new String(new JsonCanonicalizer(json.toString()).getEncodedUTF8(), StandardCharsets.UTF_8);
    assertThat(new String(AuditJson.canonicalBytes(record), StandardCharsets.UTF_8))
        .isEqualTo(reference);
  }

  @Example
  void loneSurrogatesAreRefusedBecauseTheyHaveNoUtf8Form() {
    assertThatThrownBy(() -> AuditEntry.builder().reason("broken \ud800 text"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reason must be valid Unicode, got a lone surrogate at index 7");
    assertThatThrownBy(() -> AuditEntry.builder().context("k", "x\udc00"))
        .hasMessageContaining("context.k must be valid Unicode");
  }

  /** Texts a name may hold: any but NUL, which names refuse (the database stores index them). */
  @Provide
  Arbitrary<String> names() {
    return texts().filter(s -> s.indexOf('\u0000') < 0);
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<Character> awkward =
        Arbitraries.of(
            '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u2028',
            'é', '€', 'a', 'Z', ' ');
    Arbitrary<String> plain =
        Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(20);
    Arbitrary<String> mixed = awkward.list().ofMaxSize(12).map(CanonicalJsonPropertiesTest::join);
    Arbitrary<String> emoji = Arbitraries.of("😀", "𝄞 clef", "a😀b");
    return Arbitraries.oneOf(plain, mixed, emoji).filter(s -> !s.isBlank());
  }

  @Provide
  Arbitrary<Map<String, Object>> contexts() {
    Arbitrary<Object> numbers =
        Arbitraries.oneOf(
            Arbitraries.longs()
                .between(-ContextValues.MAX_SAFE_INTEGER, ContextValues.MAX_SAFE_INTEGER)
                .map(l -> (Object) l),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.of(-0.0, 1.0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 0.1, 100.0)
                .map(d -> (Object) d));
    Arbitrary<Object> leaf =
        Arbitraries.oneOf(
            texts().map(s -> (Object) s),
            numbers,
            Arbitraries.of(true, false).map(b -> (Object) b));
    Arbitrary<Object> list = leaf.list().ofMaxSize(4).map(l -> (Object) l);
    Arbitrary<Object> nested = Arbitraries.maps(texts(), leaf).ofMaxSize(3).map(m -> (Object) m);
    return Arbitraries.maps(texts(), Arbitraries.oneOf(leaf, list, nested))
        .ofMaxSize(6)
        .map(LinkedHashMap::new);
  }

  private static String join(List<Character> chars) {
    StringBuilder out = new StringBuilder();
    chars.forEach(out::append);
    return out.toString();
  }
}
