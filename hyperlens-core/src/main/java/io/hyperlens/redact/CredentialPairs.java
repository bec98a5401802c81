package io.hyperlens.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The values of credential pairs in text: {@code password=hunter2}, {@code "api_key": "..."},
 * {@code DB_PASSWORD='...'}, {@code ?token=...&}. A key is an identifier ending in one of {@link
 * #KEYS}, after segments such as {@code db_} or {@code aws.} ({@code [A-Za-z0-9]+} and one of
 * {@code _ . -}), maybe quoted; then {@code :} or {@code =}; then the value: quoted, or up to
 * whitespace or one of {@code " , ; & ' } ]}. A hand scan from each key word found, linear in the
 * text: the regular expression it replaces overflowed the stack on a long identifier.
 */
final class CredentialPairs {
  /** The keys whose values are secrets, lower case; longer ones first. */
  static final List<String> KEYS =
      List.of(
          "aws_secret_access_key",
          "secret_access_key",
          "client_secret",
          "access_token",
          "refresh_token",
          "private_key",
          "auth_token",
          "x-api-key",
          "id_token",
          "password",
          "api_key",
          "api-key",
          "passwd",
          "apikey",
          "secret",
          "token",
          "pwd");

  /** Words one of which every key contains, to find where keys may stand. */
  private static final String[] WORDS = {
    "password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key", "private_key"
  };

  private CredentialPairs() {}

  /** The {start, end} of every credential value in {@code text}, in order. */
  static List<int[]> find(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    boolean sameIndices = lower.length() == text.length();
    List<Integer> words = new ArrayList<>();
    for (String word : WORDS) {
      for (int at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
        words.add(at);
      }
    }
    List<int[]> out = new ArrayList<>(1);
    if (words.isEmpty() || !sameIndices) {
      return sameIndices ? out : findSlowly(text);
    }
    words.sort(null);
    int done = 0;
    for (int word : words) {
      if (word < done) {
        continue;
      }
      int tokenStart = word;
      while (tokenStart > 0 && identifierChar(text.charAt(tokenStart - 1))) {
        tokenStart--;
      }
      int tokenEnd = word;
      while (tokenEnd < text.length() && identifierChar(text.charAt(tokenEnd))) {
        tokenEnd++;
      }
      done = tokenEnd;
      if (keyStart(lower, tokenStart, tokenEnd) < 0) {
        continue;
      }
      int[] value = value(text, tokenEnd);
      if (value != null) {
        done = value[2];
        if (value[1] > value[0] && !text.startsWith("[REDACTED:", value[0])) {
          out.add(new int[] {value[0], value[1]});
        }
      }
    }
    return out;
  }

  /** As {@link #find}, for text whose lower case has other indices: every identifier tried. */
  private static List<int[]> findSlowly(String text) {
    List<int[]> out = new ArrayList<>(1);
    int i = 0;
    while (i < text.length()) {
      if (!identifierChar(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < text.length() && identifierChar(text.charAt(i))) {
        i++;
      }
      String token = text.substring(start, i).toLowerCase(Locale.ROOT);
      if (keyStart(token, 0, token.length()) >= 0) {
        int[] value = value(text, i);
        if (value != null) {
          if (value[1] > value[0] && !text.startsWith("[REDACTED:", value[0])) {
            out.add(new int[] {value[0], value[1]});
          }
          i = Math.max(i, value[2]);
        }
      }
    }
    return out;
  }

  /**
   * Where in {@code lower[start, end)} (an identifier) a key begins that runs to its end: a key of
   * {@link #KEYS} after whole segments; -1 when none does. A key may also begin after a {@code .},
   * as the expression it replaces allowed.
   */
  static int keyStart(String lower, int start, int end) {
    for (String key : KEYS) {
      int keyAt = end - key.length();
      if (keyAt < start || !lower.startsWith(key, keyAt)) {
        continue;
      }
      for (int from = start; from <= keyAt; from++) {
        if ((from == start || lower.charAt(from - 1) == '.') && segments(lower, from, keyAt)) {
          return from;
        }
      }
    }
    return -1;
  }

  /** Whether {@code lower[from, to)} is empty or segments of {@code [a-z0-9]+[_.-]}. */
  private static boolean segments(String lower, int from, int to) {
    boolean inSegment = false;
    for (int i = from; i < to; i++) {
      char c = lower.charAt(i);
      if (c == '_' || c == '.' || c == '-') {
        if (!inSegment) {
          return false;
        }
        inSegment = false;
      } else {
        inSegment = true;
      }
    }
    return !inSegment;
  }

  /**
   * The value after a key ending at {@code at}: {start, end, end of the whole pair}, or null when
   * no {@code :} or {@code =} and value follow.
   */
  private static int[] value(String text, int at) {
    int n = text.length();
    int i = at;
    if (i < n && (text.charAt(i) == '"' || text.charAt(i) == '\'')) {
      i++;
    }
    i = skipSpace(text, i);
    if (i >= n || (text.charAt(i) != ':' && text.charAt(i) != '=')) {
      return null;
    }
    i = skipSpace(text, i + 1);
    if (i >= n) {
      return null;
    }
    char c = text.charAt(i);
    if (c == '"' || c == '\'') {
      int close = text.indexOf(c, i + 1);
      return close < 0 ? null : new int[] {i + 1, close, close + 1};
    }
    int end = i;
    while (end < n && !ends(text.charAt(end))) {
      end++;
    }
    return end == i ? null : new int[] {i, end, end};
  }

  private static boolean ends(char c) {
    return space(c) || c == '"' || c == ',' || c == ';' || c == '&' || c == '\'' || c == '}'
        || c == ']';
  }

  private static int skipSpace(String text, int i) {
    while (i < text.length() && space(text.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The characters of the regular expression {@code \s}. */
  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  static boolean identifierChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-'
        || c == '.';
  }
}
