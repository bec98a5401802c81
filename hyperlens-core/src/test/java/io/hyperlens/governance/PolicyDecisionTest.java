package io.hyperlens.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyDecisionTest {
  @Test
  void theFactoriesGiveTheThreeDecisionsAnsweredByAnEvaluation() {
    assertThat(PolicyDecision.allow("read-only"))
        .isEqualTo(new PolicyDecision("allow", "read-only", false));
    assertThat(PolicyDecision.deny("Production writes blocked"))
        .isEqualTo(new PolicyDecision("deny", "Production writes blocked", false));
    assertThat(PolicyDecision.audit(null)).isEqualTo(new PolicyDecision("audit", null, false));
  }

  @Test
  void onlyADenialBlocksTheAction() {
    assertThat(PolicyDecision.deny("no").denied()).isTrue();
    assertThat(PolicyDecision.allow("yes").denied()).isFalse();
    assertThat(PolicyDecision.audit("flag").denied()).isFalse();
  }

  @Test
  void aCachedDecisionKeepsItsDecisionAndReason() {
    PolicyDecision cached = PolicyDecision.deny("quota").fromCache();

    assertThat(cached).isEqualTo(new PolicyDecision("deny", "quota", true));
  }

  @Test
  void anythingButAllowDenyOrAuditIsRejected() {
    assertThatThrownBy(() -> new PolicyDecision("block", "x", false))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("decision must be allow, deny or audit, got \"block\"");
  }

  @Test
  void aNullDecisionIsRejectedNamingTheValue() {
    assertThatThrownBy(() -> new PolicyDecision(null, "x", false))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("decision must be allow, deny or audit, got null");
  }
}
