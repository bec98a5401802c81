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
        .ofMaxLength(160); // long texts are scanned in two halves at once: words across the middle
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
        asciiText(),
        Arbitraries.strings()
            .withChars("paswordkeyKEY\u0130\u212A\u0131\u017F\u00DF\u03A3\uD801\uDC00 -_:/@")
            .ofMaxLength(120),
        Arbitraries.strings().all().ofMaxLength(120));
  }

  @Property(tries = 3000)
  void inAsciiTextTheAutomatonFindsExactlyWhatContainsFinds(@ForAll("asciiText") String text) {
    // a fresh automaton each time: one built in a static initializer would hide a broken build
    assertThat(new Triggers(WORDS).scan(text)).as(text).isEqualTo(naive(text));
  }

  @Property(tries = 3000)
  void inAnyTextItNeverMissesAWordContainsFinds(@ForAll("anyText") String text) {
    long naive = naive(text);
    long scanned = new Triggers(WORDS).scan(text);
    assertThat(scanned & naive).as(text).isEqualTo(naive);
  }

  @Example
  void overlappingWordsAndFoldedCaseAreFound() {
    Triggers triggers = new Triggers(WORDS);
    assertThat(triggers.scan("SK-ANT-x") & 0b10).isNotZero();
    assertThat(triggers.scan("mon\u212Aey") & 1).isNotZero(); // KELVIN SIGN folds to k
    assertThat(triggers.scan("githu_pat_ ghp") & 0b1000).isZero();
    assertThat(triggers.scan("xgithub_pat_") & 0b1000).isNotZero();
    assertThat(triggers.scan("12345 678901")).isZero();
    assertThat(triggers.scan("AKIA")).isEqualTo(triggers.scan("akia")).isNotZero();
    assertThat(triggers.scan("AIZA")).isEqualTo(triggers.scan("aiza")).isNotZero();
    assertThat(triggers.scan("-".repeat(39) + "12345678901")).isZero(); // even length, 11 digits
    assertThat(triggers.scan("\u0080sk-")).isEqualTo(triggers.scan("sk-"));
    assertThat(triggers.scan("\u0080".repeat(60) + "sk-")).isEqualTo(triggers.scan("sk-"));
    // a word ending inside a longer one's prefix: "abz" in "xabz" (a failure link below the root)
    Triggers nested = new Triggers(List.<String[]>of(new String[] {"xabzq"}, new String[] {"abz"}));
    assertThat(nested.scan("xabz")).isEqualTo(0b10);
    assertThat(nested.scan("xabzq")).isEqualTo(0b11);
    assertThatThrownBy(() -> new Triggers(List.<String[]>of(new String[] {"a\u0080"})))
        .hasMessageContaining("ASCII");
    String padding = "-".repeat(40);
    assertThat(triggers.scan(padding + "github_pat_" + padding) & 0b1000).isNotZero();
    assertThat(triggers.scan(padding + "githu_pat_" + padding + "x") & 0b1000).isZero();
    assertThat(triggers.scan(padding + "1234567890" + padding + "12"))
        .isEqualTo(Triggers.TWELVE_DIGITS);
    assertThat(triggers.scan(padding + "1234567890" + padding + "1")).isZero();
    assertThat(triggers.scan("123456 789012") & Triggers.TWELVE_DIGITS).isNotZero();
    assertThatThrownBy(() -> new Triggers(List.<String[]>of(new String[] {"Key"})))
        .hasMessageContaining("Key");
    assertThatThrownBy(() -> new Triggers(List.<String[]>of(new String[] {"k\u00e9y"})))
        .hasMessageContaining("ASCII");
    List<String[]> sixty = new java.util.ArrayList<>();
    for (int i = 0; i < 60; i++) {
      sixty.add(new String[] {"w" + i + "x"});
    }
    Triggers most = new Triggers(sixty);
    assertThat(most.scan("a w59x b")).isEqualTo(1L << 59);
    assertThat(most.scan("w0x")).isEqualTo(1L);
    sixty.add(new String[] {"one too many"});
    assertThatThrownBy(() -> new Triggers(sixty)).hasMessageContaining("60");
  }
}
