package io.hyperlens.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CausalTraceIdTest {

  @Test
  void rootHasTwelveHexTraceEightHexSpanNoParentDepthZero() {
    CausalTraceId root = CausalTraceId.root();

    assertThat(root.traceId()).matches("[0-9a-f]{12}");
    assertThat(root.spanId()).matches("[0-9a-f]{8}");
    assertThat(root.parentSpanId()).isEmpty();
    assertThat(root.depth()).isZero();
    assertThat(root.fullId()).isEqualTo(root.traceId() + "/" + root.spanId());
    assertThat(root.fullId()).matches("[0-9a-f]{12}/[0-9a-f]{8}");
  }

  @Test
  void childKeepsTraceIdAndLinksParent() {
    CausalTraceId root = CausalTraceId.root();
    CausalTraceId child = root.child();

    assertThat(child.traceId()).isEqualTo(root.traceId());
    assertThat(child.spanId()).isNotEqualTo(root.spanId()).matches("[0-9a-f]{8}");
    assertThat(child.parentSpanId()).contains(root.spanId());
    assertThat(child.depth()).isEqualTo(1);
    assertThat(child.fullId())
        .isEqualTo(root.traceId() + "/" + child.spanId() + "/" + root.spanId());
  }

  @Test
  void siblingSharesParentAndDepthWithNewSpan() {
    CausalTraceId root = CausalTraceId.root();
    CausalTraceId child = root.child();
    CausalTraceId sibling = child.sibling();

    assertThat(sibling.depth()).isEqualTo(1);
    assertThat(sibling.parentSpanId()).contains(root.spanId());
    assertThat(sibling.traceId()).isEqualTo(child.traceId());
    assertThat(sibling.spanId()).isNotEqualTo(child.spanId());
  }

  @Test
  void eachChildIncrementsDepth() {
    CausalTraceId grandchild = CausalTraceId.root().child().child();

    assertThat(grandchild.depth()).isEqualTo(2);
    assertThat(grandchild.child().depth()).isEqualTo(3);
  }

  @Test
  void parsesThreePartIdAsTheSeedPrints() {
    CausalTraceId parsed = CausalTraceId.fromString("a1b2c3d4e5f6/89abcdef/01234567");

    assertThat(parsed.traceId()).isEqualTo("a1b2c3d4e5f6");
    assertThat(parsed.spanId()).isEqualTo("89abcdef");
    assertThat(parsed.parentSpanId()).contains("01234567");
    assertThat(parsed.depth()).isEqualTo(1);
    assertThat(parsed.toString()).isEqualTo("a1b2c3d4e5f6/89abcdef/01234567");
  }

  @Test
  void parsesRootWithoutParent() {
    CausalTraceId parsed = CausalTraceId.fromString("a1b2c3d4e5f6/01234567");

    assertThat(parsed.parentSpanId()).isEmpty();
    assertThat(parsed.depth()).isZero();
    assertThat(parsed.fullId()).isEqualTo("a1b2c3d4e5f6/01234567");
  }

  @Test
  void parsedRootIsAncestorOfParsedChild() {
    CausalTraceId root = CausalTraceId.fromString("a1b2c3d4e5f6/01234567");
    CausalTraceId child = CausalTraceId.fromString("a1b2c3d4e5f6/89abcdef/01234567");

    assertThat(root.isAncestorOf(child)).isTrue();
    assertThat(child.isAncestorOf(root)).isFalse();
  }

  @Test
  void invalidFormatThrowsQuotingTheInput() {
    assertThatThrownBy(() -> CausalTraceId.fromString("invalid"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid CausalTraceId \"invalid\": expected 2 or 3 '/'-separated parts, got 1"
                + " (format {trace_id}/{span_id}[/{parent_span_id}])");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "a1b2c3d4e5f6/",
        "a1b2c3d4e5f6/01234567/",
        "a1b2c3d4e5f6/01234567/89abcdef/00000000",
        "A1B2C3D4E5F6/01234567",
        "a1b2c3d4e5f6/0123456G",
        "a1b2c3d4e5f/01234567",
        "a1b2c3d4e5f6a/01234567",
        "a1b2c3d4e5f6/0123456",
        "a1b2c3d4e5f6/01234567/0123456",
        "abc123/def456",
        " a1b2c3d4e5f6/01234567",
        "a1b2c3d4e5f6/01234567 "
      })
  void rejectsMalformedIds(String input) {
    assertThatThrownBy(() -> CausalTraceId.fromString(input))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid CausalTraceId \"" + input + "\": ");
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> CausalTraceId.fromString(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("CausalTraceId must not be null");
  }

  @Test
  void delegationTreeKeepsOneTraceAndDepths() {
    CausalTraceId orchestrator = CausalTraceId.root();
    CausalTraceId researcher = orchestrator.child();
    CausalTraceId writer = orchestrator.child();
    CausalTraceId toolAgent = researcher.child();

    assertThat(orchestrator.depth()).isZero();
    assertThat(researcher.depth()).isEqualTo(1);
    assertThat(writer.depth()).isEqualTo(1);
    assertThat(toolAgent.depth()).isEqualTo(2);
    assertThat(toolAgent.parentSpanId()).contains(researcher.spanId());
    assertThat(writer.parentSpanId()).contains(orchestrator.spanId());
    assertThat(List.of(researcher.traceId(), writer.traceId(), toolAgent.traceId()))
        .containsOnly(orchestrator.traceId());
  }

  @Test
  void ancestryFollowsTheSeedDefinition() {
    CausalTraceId root = CausalTraceId.root();
    CausalTraceId child = root.child();
    CausalTraceId grandchild = child.child();

    assertThat(root.isAncestorOf(grandchild)).isTrue();
    assertThat(child.isAncestorOf(root)).isFalse();
    assertThat(root.isAncestorOf(root)).isFalse();
    assertThat(root.isAncestorOf(CausalTraceId.root().child())).isFalse();
  }

  @Test
  void workersOfOneParentAreSiblings() {
    CausalTraceId worker1 = CausalTraceId.root().child();
    CausalTraceId worker2 = worker1.sibling();

    assertThat(worker2.parentSpanId()).isEqualTo(worker1.parentSpanId());
    assertThat(worker2.traceId()).isEqualTo(worker1.traceId());
  }

  @Test
  void siblingOfRootIsAnotherRootOfTheSameTrace() {
    CausalTraceId root = CausalTraceId.root();
    CausalTraceId other = root.sibling();

    assertThat(other.traceId()).isEqualTo(root.traceId());
    assertThat(other.parentSpanId()).isEmpty();
    assertThat(other.depth()).isZero();
  }

  @Test
  void equalIdsNameTheSameSpanWhateverTheirDepth() {
    CausalTraceId a = CausalTraceId.fromString("a1b2c3d4e5f6/89abcdef/01234567");
    CausalTraceId b = CausalTraceId.fromString("a1b2c3d4e5f6/89abcdef/01234567");
    CausalTraceId root = CausalTraceId.fromString("a1b2c3d4e5f6/89abcdef");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(root);
    CausalTraceId deep = CausalTraceId.root().child().child();
    CausalTraceId parsed = CausalTraceId.fromString(deep.fullId());
    assertThat(parsed).isEqualTo(deep).hasSameHashCodeAs(deep);
    assertThat(parsed.depth()).isEqualTo(1);
    assertThat(deep.depth()).isEqualTo(2);
  }

  @Test
  void idsDoNotRepeat() {
    Set<String> spans = new HashSet<>();
    CausalTraceId root = CausalTraceId.root();
    for (int i = 0; i < 10_000; i++) {
      spans.add(root.child().spanId());
    }
    assertThat(spans).hasSizeGreaterThan(9_990);
  }
}
