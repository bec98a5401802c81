package io.hyperlens.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {
  private final Redactor redactor = Redactor.standard();

  @Test
  void everySecretOfTheCorpusIsReplacedByItsKind() throws Exception {
    Corpus corpus = Corpus.load();
    assertThat(corpus.secrets()).hasSizeGreaterThanOrEqualTo(40);
    for (Corpus.Entry entry : corpus.secrets()) {
      String redacted = redactor.redact(entry.line());
      assertThat(redacted)
          .as("%s in %s", entry.kind(), entry.line())
          .doesNotContain(entry.secret())
          .contains("[REDACTED:" + entry.kind() + "]");
    }
  }

  @Test
  void noLookAlikeIsTouched() throws Exception {
    Corpus corpus = Corpus.load();
    assertThat(corpus.lookAlikes()).hasSizeGreaterThanOrEqualTo(40);
    for (String line : corpus.lookAlikes()) {
      assertThat(redactor.redact(line)).as(line).isEqualTo(line);
    }
  }

  @Test
  void pairsKeepTheirKeyAndOnlyTheValueGoes() {
    assertThat(redactor.redact("user=bob password=hunter2 retry=3"))
        .isEqualTo("user=bob password=[REDACTED:credential] retry=3");
    assertThat(redactor.redact("{\"token\": \"a b c\", \"n\": 1}"))
        .isEqualTo("{\"token\": \"[REDACTED:credential]\", \"n\": 1}");
    assertThat(redactor.redact("https://admin:pw1@host/x"))
        .isEqualTo("https://[REDACTED:url_credentials]@host/x");
    assertThat(redactor.redact(null)).isNull();
    assertThat(redactor.redact("")).isEmpty();
  }

  @Test
  void cardNumbersNeedANetworkPrefixAndTheLuhnDigit() {
    assertThat(Redactor.isCardNumber("4111111111111111")).isTrue();
    assertThat(Redactor.isCardNumber("4111-1111-1111-1111")).isTrue();
    assertThat(Redactor.isCardNumber("4111111111111112")).isFalse();
    assertThat(Redactor.isCardNumber("1732362000000")).isFalse(); // epoch millis
    assertThat(Redactor.isCardNumber("411111111111")).isFalse(); // 12 digits
  }
}
