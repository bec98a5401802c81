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
  void credentialPairsInEveryShape() {
    assertThat(redactor.redact("x.password=1 y")).isEqualTo("x.password=[REDACTED:credential] y");
    assertThat(redactor.redact("my..password=2")).isEqualTo("my..password=[REDACTED:credential]");
    assertThat(redactor.redact("{\"api_key\": \"abc\"}"))
        .isEqualTo("{\"api_key\": \"[REDACTED:credential]\"}");
    assertThat(redactor.redact("DB_PASSWORD='pw one'"))
        .isEqualTo("DB_PASSWORD='[REDACTED:credential]'");
    assertThat(redactor.redact("GET /?token=abc&x=1"))
        .isEqualTo("GET /?token=[REDACTED:credential]&x=1");
    assertThat(redactor.redact("aws_secret_access_key = wJalr"))
        .isEqualTo("aws_secret_access_key = [REDACTED:credential]");
    assertThat(redactor.redact("X-Api-Key: k1")).isEqualTo("X-Api-Key: [REDACTED:credential]");
    // not keys: a word that only ends like one, a key without a value, an empty quoted value
    assertThat(redactor.redact("mypassword=3")).isEqualTo("mypassword=3");
    assertThat(redactor.redact("token: ")).isEqualTo("token: ");
    assertThat(redactor.redact("password=\"\"")).isEqualTo("password=\"\"");
    assertThat(redactor.redact("password=\"unclosed")).isEqualTo("password=\"unclosed");
    assertThat(redactor.redact("-password=x")).isEqualTo("-password=x");
  }

  @Test
  void aLongIdentifierIsScannedInLinearTimeWithoutOverflowingTheStack() {
    String identifier = "a_".repeat(50_000) + "token";
    assertThat(redactor.redact(identifier)).isEqualTo(identifier);
    assertThat(redactor.redact(identifier + "=x")).isEqualTo(identifier + "=[REDACTED:credential]");
    String base64 = "aB1/".repeat(50_000);
    assertThat(redactor.redact(base64)).isEqualTo(base64);
  }

  @Test
  void aValueUnderASecretKeyIsRedactedWhateverItLooksLike() {
    assertThat(redactor.redactUnder("API_KEY", "plain")).isEqualTo("[REDACTED:credential]");
    assertThat(redactor.redactUnder("note", "card 4111111111111111"))
        .isEqualTo("card [REDACTED:credit_card]");
    assertThat(redactor.redactUnder(null, "plain")).isEqualTo("plain");
    assertThat(redactor.redactUnder("password", "plain")).isEqualTo("[REDACTED:credential]");
    assertThat(redactor.isSecretKey("token")).isTrue();
    assertThat(redactor.isSecretKey("Token")).isTrue();
    assertThat(redactor.isSecretKey("Note")).isFalse();
    assertThat(redactor.isSecretKey("note")).isFalse();
    assertThat(redactor.isSecretKey(null)).isFalse();
    assertThat(redactor.redactUnder("token", null)).isNull();
  }

  @Test
  void cardNumbersNeedANetworkPrefixAndTheLuhnDigit() {
    assertThat(Redactor.isCardNumber("4111111111111111")).isTrue();
    assertThat(Redactor.isCardNumber("4111-1111-1111-1111")).isTrue();
    assertThat(Redactor.isCardNumber("4111111111111112")).isFalse();
    assertThat(Redactor.isCardNumber("1732362000000")).isFalse(); // epoch millis
    assertThat(Redactor.isCardNumber("411111111111")).isFalse(); // 12 digits
  }

  @Test
  void everyNetworkIsRecognisedAtTheEdgesOfItsRangesAndLengths() {
    // Luhn-valid numbers just inside and just outside each network's range
    assertThat(Redactor.isCardNumber("2221777777777774")).isTrue(); // Mastercard 2221
    assertThat(Redactor.isCardNumber("2720777777777770")).isTrue(); // Mastercard 2720
    assertThat(Redactor.isCardNumber("2219777777777778")).isFalse(); // below 2221, not Mir
    assertThat(Redactor.isCardNumber("517777777777771")).isFalse(); // Mastercard is 16 digits
    assertThat(Redactor.isCardNumber("3477777777777773")).isFalse(); // Amex is 15 digits
    assertThat(Redactor.isCardNumber("30577777777773")).isTrue(); // Diners 305
    assertThat(Redactor.isCardNumber("30677777777771")).isFalse(); // 306 is no network
    assertThat(Redactor.isCardNumber("3589777777777777775")).isTrue(); // JCB 3589, 19 digits
    assertThat(Redactor.isCardNumber("3590777777777775")).isFalse(); // past JCB
    assertThat(Redactor.isCardNumber("2204777777777777772")).isTrue(); // Mir 2204, 19 digits
    assertThat(Redactor.isCardNumber("2205777777777774")).isFalse(); // past Mir
    assertThat(Redactor.isCardNumber("8177777777777775")).isTrue(); // UnionPay 81
    assertThat(Redactor.isCardNumber("8277777777777774")).isFalse();
    assertThat(Redactor.isCardNumber("501877777778")).isTrue(); // Maestro issues 12 digits
    assertThat(Redactor.isCardNumber("477777777772")).isFalse(); // Visa does not
    assertThat(Redactor.isCardNumber("4777777777771")).isTrue(); // Visa 13
    assertThat(Redactor.isCardNumber("47777777777777777774")).isFalse(); // 20 digits
  }

  @Test
  void aCardFollowedOrPrecededByAShortGroupIsStillFound() {
    assertThat(redactor.redact("card 4111 1111 1111 1111 12 29"))
        .isEqualTo("card [REDACTED:credit_card] 12 29");
    assertThat(redactor.redact("x 3 4111-1111-1111-1111")).isEqualTo("x 3 [REDACTED:credit_card]");
    // inside a longer run only whole groups of at least 13 digits count
    assertThat(redactor.redact("n 1234 5018 7777 7778")).isEqualTo("n 1234 5018 7777 7778");
    assertThat(redactor.redact("a 4111 1111 1111 1111 5500 0000 0000 0004."))
        .isEqualTo("a [REDACTED:credit_card] [REDACTED:credit_card].");
    assertThat(redactor.redact("a 4111111111111111  5500000000000004"))
        .isEqualTo("a [REDACTED:credit_card]  [REDACTED:credit_card]");
    // a long number never yields a card from its middle, however long it is
    String digits = "1" + "4111111111111111".repeat(20_000);
    assertThat(redactor.redact(digits)).isEqualTo(digits);
    // a leading + marks a phone number, never a card
    assertThat(redactor.redact("tel +5018 7777 7778")).isEqualTo("tel +5018 7777 7778");
  }

  @Test
  void twelveDigitsAnywhereInTheTextOpenTheCardGate() {
    // exactly 12 digits, with a 0 and a 9: the fewest a card has (Maestro)
    assertThat(redactor.redact("card 509012345773 ok")).isEqualTo("card [REDACTED:credit_card] ok");
    assertThat(redactor.redact("501877777778")).isEqualTo("[REDACTED:credit_card]");
  }

  @Test
  void aNumberWithoutANetworkPrefixIsNoCardEvenIfAPrefixFollows() {
    assertThat(redactor.redact("id 04111111111111111")).isEqualTo("id 04111111111111111");
    assertThat(redactor.redact("id 94111111111111111")).isEqualTo("id 94111111111111111");
  }

  @Test
  void aRunAfterAPlusOrADashIsAPhoneNumberOrAnIdentifierTail() {
    assertThat(redactor.redact("room 1, call +5018 7777 7778"))
        .isEqualTo("room 1, call +5018 7777 7778");
    assertThat(redactor.redact("ref ab-4111111111111111")).isEqualTo("ref ab-4111111111111111");
    assertThat(redactor.redact("ref ab+4111111111111111")).isEqualTo("ref ab+4111111111111111");
    assertThat(redactor.redact("ref ab 4111111111111111"))
        .isEqualTo("ref ab [REDACTED:credit_card]");
  }

  @Test
  void twoSeparatorsEndAChainOfGroups() {
    // "4111" and "1111 1111 1111" are two chains, neither of them a card
    assertThat(redactor.redact("n 4111  1111 1111 1111")).isEqualTo("n 4111  1111 1111 1111");
    // a 12-digit chain after a double space is a card of its own (Maestro)
    assertThat(redactor.redact("n 1234  5018 7777 7778"))
        .isEqualTo("n 1234  [REDACTED:credit_card]");
  }

  @Test
  void theCardIsTheLongestRunOfWholeGroupsFromTheLeft() {
    // a lone first group can be the card
    assertThat(redactor.redact("card 4111111111111111 12 29"))
        .isEqualTo("card [REDACTED:credit_card] 12 29");
    // 13 digits is the shortest card inside a longer run
    assertThat(redactor.redact("card 4777777777771 12 29"))
        .isEqualTo("card [REDACTED:credit_card] 12 29");
    // a group starting with 9 after a separator is still part of the card
    assertThat(redactor.redact("card 4929 9999 9999 9991"))
        .isEqualTo("card [REDACTED:credit_card]");
  }

  @Test
  void anythingButDigitsSpacesAndDashesIsNoCardNumber() {
    assertThat(Redactor.isCardNumber("4111 1111-1111 1111")).isTrue();
    assertThat(Redactor.isCardNumber("4111.1111.1111.1111")).isFalse();
    // Luhn-valid if the odd character were read as a digit: 39 - '0' = -9 and ';' - '0' = 11
    assertThat(Redactor.isCardNumber("411111111111111'")).isFalse();
    assertThat(Redactor.isCardNumber("411111111111111;")).isFalse();
  }

  @Test
  void anAtSignAtTheStartStillOpensTheUrlCredentialsGate() {
    assertThat(redactor.redact("@ops see https://admin:pw1@host/x"))
        .isEqualTo("@ops see https://[REDACTED:url_credentials]@host/x");
  }

  @Test
  void aFortyCharacterAwsSecretKeyIsFoundWithASlashOrAPlusAnywhere() {
    String withSlash = "/wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY1";
    String withPlus = "+wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY1";

    assertThat(redactor.redact(withSlash)).isEqualTo("[REDACTED:aws_secret_key]");
    assertThat(redactor.redact(withPlus)).isEqualTo("[REDACTED:aws_secret_key]");
    assertThat(redactor.redact(withSlash.substring(1))).isEqualTo(withSlash.substring(1));
  }
}
