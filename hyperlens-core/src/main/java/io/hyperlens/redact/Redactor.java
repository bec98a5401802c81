package io.hyperlens.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds secrets in text and replaces each with {@code [REDACTED:<kind>]}: API keys (OpenAI,
 * Anthropic, AWS access key ids and secret keys, GitHub, Slack, Google, Stripe), bearer tokens,
 * JWTs, PEM private keys, {@code password=}/{@code secret=}/{@code token=} pairs in text, JSON and
 * URLs, credentials in URLs ({@code https://user:pass@host}), and card numbers of every major
 * network that pass the Luhn check (see {@link #isCardNumber}). Pairs keep their key ({@code
 * password=[REDACTED:password]}) so a reader still sees what was there.
 *
 * <p>The rules favour leaving ordinary identifiers alone: hex hashes, UUIDs, trace and span ids,
 * timestamps and other numbers are not secrets and are never touched. Thread-safe: immutable.
 *
 * <pre>{@code
 * Redactor.standard().redact("calling with sk-proj-abcdefghijklmnopqrstuvwx");
 * // "calling with [REDACTED:openai_key]"
 * }</pre>
 */
public final class Redactor {
  /** The keys whose values are secrets wherever they appear as {@code key=value} or JSON. */
  static final Set<String> SECRET_KEYS = Set.copyOf(CredentialPairs.KEYS);

  /** Where the secrets in a text lie: each one's {start, end}, in order. */
  @FunctionalInterface
  private interface Finder {
    List<int[]> find(String text);
  }

  /**
   * One kind of secret: its trigger, which must hold before the search runs (most text holds no
   * secret, and skipping the search is what keeps redaction cheap), and the search. The trigger is
   * one of {@code words} (any, when there are none) found case-insensitively by {@link Triggers},
   * every bit of {@code requires} ({@link Triggers#AT_SIGN} and its like), and at least {@code
   * minLength} characters.
   */
  private record Rule(String kind, String[] words, long requires, int minLength, Finder finder) {
    Rule(String kind, String[] words, String regex, int group) {
      this(kind, words, 0, 0, regex(Pattern.compile(regex), group));
    }
  }

  private static String[] words(String... words) {
    return words;
  }

  /** The {@code group} of each match. */
  private static Finder regex(Pattern pattern, int group) {
    return text -> {
      List<int[]> out = new ArrayList<>(1);
      Matcher m = pattern.matcher(text);
      while (m.find()) {
        int start = m.start(group);
        if (start < 0 || m.end(group) == start || text.startsWith("[REDACTED:", start)) {
          continue;
        }
        out.add(new int[] {start, m.end(group)});
      }
      return out;
    };
  }

  /** The characters of base64 without padding, those an AWS secret access key is made of. */
  private static final boolean[] BASE64 = new boolean[128];

  static {
    for (char c = 'A'; c <= 'Z'; c++) {
      BASE64[c] = true;
      BASE64[Character.toLowerCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      BASE64[c] = true;
    }
    BASE64['/'] = true;
    BASE64['+'] = true;
  }

  /** Whether {@code c} may be part of an AWS secret access key (base64 without padding). */
  private static boolean awsKeyChar(char c) {
    return c < 128 && BASE64[c];
  }

  /**
   * AWS secret access keys: runs of exactly 40 base64 characters, not next to another or to a
   * padding {@code =}, holding a {@code /} or {@code +}, a lower-case and an upper-case letter and
   * a digit. A hand scan, linear in the text (a regex with look-aheads was not).
   */
  private static List<int[]> findAwsSecretKeys(String text) {
    List<int[]> out = new ArrayList<>(1);
    int i = 0;
    int n = text.length();
    while (i < n) {
      if (!awsKeyChar(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      boolean slash = false;
      boolean lower = false;
      boolean upper = false;
      boolean digit = false;
      while (i < n && awsKeyChar(text.charAt(i))) {
        char c = text.charAt(i);
        slash |= c == '/' || c == '+';
        lower |= c >= 'a' && c <= 'z';
        upper |= c >= 'A' && c <= 'Z';
        digit |= c >= '0' && c <= '9';
        i++;
      }
      boolean padded =
          (start > 0 && text.charAt(start - 1) == '=') || (i < n && text.charAt(i) == '=');
      if (i - start == AWS_SECRET_KEY_LENGTH && !padded && slash && lower && upper && digit) {
        out.add(new int[] {start, i});
      }
    }
    return out;
  }

  private static final int AWS_SECRET_KEY_LENGTH = 40;

  private static final List<Rule> RULES =
      List.of(
          new Rule(
              "private_key",
              words("private key"),
              "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\\s\\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE"
                  + " KEY-----",
              0),
          new Rule(
              "url_credentials",
              words("://"),
              Triggers.AT_SIGN,
              0,
              regex(Pattern.compile("\\b[a-zA-Z][a-zA-Z0-9+.-]*://([^/\\s:@]+:[^/\\s@]+)@"), 1)),
          new Rule(
              "jwt",
              words("eyj"),
              "\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}",
              0),
          new Rule("anthropic_key", words("sk-ant-"), "\\bsk-ant-[A-Za-z0-9_-]{20,}", 0),
          new Rule(
              "openai_key", words("sk-"), "\\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", 0),
          new Rule(
              "stripe_key",
              words("_live_", "_test_"),
              "\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
              0),
          new Rule(
              "github_token",
              words("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
              "\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
              0),
          new Rule("slack_token", words("xox"), "\\bxox[abposr]-[A-Za-z0-9-]{10,}", 0),
          new Rule("google_api_key", words("aiza"), "\\bAIza[0-9A-Za-z_-]{35}", 0),
          new Rule(
              "aws_access_key",
              words("akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa"),
              "\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\\b",
              0),
          new Rule(
              "bearer_token",
              words("bearer"),
              "(?i)\\bbearer\\s+((?=[A-Za-z._~+/-]*[0-9])[A-Za-z0-9._~+/-]{8,}=*)",
              1),
          // key=value, key: value, "key": "value", key="value", ?key=value&..., DB_PASSWORD=...
          new Rule(
              "credential",
              words("pass", "pwd", "secret", "token", "key"),
              0,
              0,
              CredentialPairs::find),
          new Rule(
              "aws_secret_key",
              words(),
              Triggers.SLASH_OR_PLUS,
              AWS_SECRET_KEY_LENGTH,
              Redactor::findAwsSecretKeys),
          new Rule("credit_card", words(), Triggers.TWELVE_DIGITS, 0, CardNumbers::scan));

  private static final Triggers TRIGGERS =
      new Triggers(RULES.stream().map(Rule::words).collect(Collectors.toList()));

  /** Per rule: the trigger bits that must all be set ({@link Rule}'s word bit and requires). */
  private static final long[] NEEDS = new long[RULES.size()];

  private static final int[] MIN_LENGTHS = new int[RULES.size()];

  static {
    for (int r = 0; r < RULES.size(); r++) {
      Rule rule = RULES.get(r);
      NEEDS[r] = (rule.words().length == 0 ? 0 : 1L << r) | rule.requires();
      MIN_LENGTHS[r] = rule.minLength();
    }
  }

  private static final Redactor STANDARD = new Redactor();

  private Redactor() {}

  /** The redactor with every rule. */
  public static Redactor standard() {
    return STANDARD;
  }

  /** {@code text} with every secret replaced by {@code [REDACTED:<kind>]}; null stays null. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    long hits = TRIGGERS.scan(text);
    String result = text;
    for (int r = 0; r < NEEDS.length; r++) {
      if ((hits & NEEDS[r]) == NEEDS[r] && text.length() >= MIN_LENGTHS[r]) {
        result = apply(RULES.get(r), result);
      }
    }
    return result;
  }

  /**
   * {@code text} as it may be kept under {@code key}: {@code [REDACTED:credential]} when the key
   * names a secret ({@link #isSecretKey}), else with every secret in it replaced; null stays null.
   */
  public String redactUnder(String key, String text) {
    if (text == null) {
      return null;
    }
    return isSecretKey(key) ? "[REDACTED:credential]" : redact(text);
  }

  /** Whether a value stored under {@code key} is a secret whatever it looks like. */
  public boolean isSecretKey(String key) {
    if (key == null) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c >= 'A' && (c <= 'Z' || c >= 128) && Character.toLowerCase(c) != c) {
        return SECRET_KEYS.contains(key.toLowerCase(Locale.ROOT));
      }
    }
    return SECRET_KEYS.contains(key);
  }

  private static String apply(Rule rule, String text) {
    List<int[]> found = rule.finder().find(text);
    if (found.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int last = 0;
    for (int[] at : found) {
      out.append(text, last, at[0]).append("[REDACTED:").append(rule.kind()).append(']');
      last = at[1];
    }
    return out.append(text, last, text.length()).toString();
  }

  /**
   * Whether {@code candidate} (digits, maybe grouped by spaces or dashes) is a card number: a
   * length the card's network issues, the network's prefix, and a valid Luhn check digit. The
   * networks are Visa (4), Mastercard (51-55, 2221-2720), American Express (34, 37), Discover
   * (6011, 644-649, 65), Diners Club (300-305, 3095, 36, 38, 39), JCB (3528-3589), UnionPay (62,
   * 81), Maestro (50, 56-69; 12 to 19 digits) and Mir (2200-2204).
   */
  public static boolean isCardNumber(String candidate) {
    String digits = candidate.replace(" ", "").replace("-", "");
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return false;
      }
    }
    return CardNumbers.isCard(digits, 0, digits.length());
  }
}
