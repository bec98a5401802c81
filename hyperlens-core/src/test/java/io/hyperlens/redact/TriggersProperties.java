package io.hyperlens.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The one-pass automaton finds every trigger word that {@code toLowerCase(Locale.ROOT).contains}
 * finds: exactly those in ASCII text, never fewer in any text.
 */
class TriggersProperties {
  private static final List<String[]> WORDS =
      List.of(
          new String[] {"pass", "pwd", "secret", "token", "key"},
          new String[] {"sk-", "sk-ant-"},
          new String[] {"://"},
          new String[] {"ghp_", "github_pat_"},
          new String[] {"aiza", "aida", "asia", "akia"},
          new String[] {"private key"},
          new String[] {"eyj"},
          new String[] {"xox"});
  private static final Triggers TRIGGERS = new Triggers(WORDS);

  private static long naive(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    long hits = 0;
    for (int r = 0; r < WORDS.size(); r++) {
      for (String word : WORDS.get(r)) {
        if (lower.contains(word)) {
          hits |= 1L << r;
        }
      }
    }
    long digits = text.chars().filter(c -> c >= '0' && c <= '9').count();
    if (digits >= 12) {
      hits |= Triggers.TWELVE_DIGITS;
    }
    if (text.indexOf('@') >= 0) {
      hits |= Triggers.AT_SIGN;
    }
    if (text.indexOf('/') >= 0 || text.indexOf('+') >= 0) {
      hits |= Triggers.SLASH_OR_PLUS;
    }
    return hits;
  }

  @Provide
  Arbitrary<String> asciiText() {
    return Arbitraries.strings()
        .withChars(
            "passwordPWDSecretTOKENkeysk-ant_ghp_githubAIZAaidaASIAkia:/@+ eyjxoxPRIVATE0123456789")
        .ofMaxLength(60);
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
        asciiText(),
        Arbitraries.strings()
            .withChars("paswordkeyKEY\u0130\u212A\u0131\u017F\u00DF\u03A3\uD801\uDC00 -_:/@")
            .ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(40));
  }

  @Property(tries = 3000)
  void inAsciiTextTheAutomatonFindsExactlyWhatContainsFinds(@ForAll("asciiText") String text) {
    assertThat(TRIGGERS.scan(text)).as(text).isEqualTo(naive(text));
  }

  @Property(tries = 3000)
  void inAnyTextItNeverMissesAWordContainsFinds(@ForAll("anyText") String text) {
    long naive = naive(text);
    long scanned = TRIGGERS.scan(text);
    assertThat(scanned & naive).as(text).isEqualTo(naive);
  }

  @Example
  void overlappingWordsAndFoldedCaseAreFound() {
    assertThat(TRIGGERS.scan("SK-ANT-x") & 0b10).isNotZero();
    assertThat(TRIGGERS.scan("mon\u212Aey") & 1).isNotZero(); // KELVIN SIGN folds to k
    assertThat(TRIGGERS.scan("githu_pat_ ghp") & 0b1000).isZero();
    assertThat(TRIGGERS.scan("xgithub_pat_") & 0b1000).isNotZero();
    assertThat(TRIGGERS.scan("12345 678901")).isZero();
    assertThat(TRIGGERS.scan("123456 789012") & Triggers.TWELVE_DIGITS).isNotZero();
    assertThatThrownBy(() -> new Triggers(List.<String[]>of(new String[] {"Key"})))
        .hasMessageContaining("Key");
  }
}
