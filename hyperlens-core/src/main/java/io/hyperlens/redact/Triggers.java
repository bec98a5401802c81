package io.hyperlens.redact;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;

/**
 * Which redaction rules a text may need, found in one pass over it: an Aho-Corasick automaton over
 * every rule's trigger words, matched case-insensitively, which also notes the characters some
 * rules need ({@code @}, {@code /} or {@code +}) and counts digits. Most text holds no secret, and
 * one pass instead of a search per word is what keeps redaction cheap.
 *
 * <p>Case folding is per character ({@link Character#toLowerCase(char)}), so a word matches
 * wherever {@code text.toLowerCase(Locale.ROOT)} would show it, and sometimes more: a trigger only
 * says where to look, the rule's own search decides. Immutable and thread-safe.
 */
final class Triggers {
  /** A rule bit: an {@code @} is in the text. */
  static final long AT_SIGN = 1L << 60;

  /** A rule bit: a {@code /} or a {@code +} is in the text. */
  static final long SLASH_OR_PLUS = 1L << 61;

  /** A rule bit: the text holds at least twelve digits. */
  static final long TWELVE_DIGITS = 1L << 62;

  private static final int ALPHABET = 128;

  private static final int ROW_SHIFT = 7;

  /** 1 for an ASCII digit. */
  private static final byte[] DIGIT = new byte[ALPHABET];

  static {
    for (char c = '0'; c <= '9'; c++) {
      DIGIT[c] = 1;
    }
  }

  /**
   * The next state's row ({@code state * ALPHABET}) for {@code transitions[row + c]}, failure links
   * folded in, upper-case letters in their lower-case column; bit-inverted (negative) when rules'
   * words end at that state, so a plain step is one load and a sign test.
   */
  private final int[] transitions;

  /** The rule bits whose words end at each state, along its failure links. */
  private final long[] found;

  /** The length of the longest word. */
  private int longestWord = 1;

  /**
   * An automaton for {@code words}: {@code words.get(r)} are rule {@code r}'s words, lower-case
   * ASCII; at most 60 rules.
   */
  Triggers(List<String[]> words) {
    if (words.size() > 60) {
      throw new IllegalArgumentException("at most 60 rules, got " + words.size());
    }
    List<int[]> gotos = new ArrayList<>();
    List<Long> outputs = new ArrayList<>();
    gotos.add(newRow());
    outputs.add(0L);
    for (int rule = 0; rule < words.size(); rule++) {
      for (String word : words.get(rule)) {
        for (int i = 0; i < word.length(); i++) {
          char c = word.charAt(i);
          if (c >= ALPHABET || Character.toLowerCase(c) != c) {
            throw new IllegalArgumentException("trigger words are lower-case ASCII: " + word);
          }
        }
        addWord(gotos, outputs, word, 1L << rule);
        longestWord = Math.max(longestWord, word.length());
      }
    }
    // The characters some rules need are one-character words of their own bits.
    addWord(gotos, outputs, "@", AT_SIGN);
    addWord(gotos, outputs, "/", SLASH_OR_PLUS);
    addWord(gotos, outputs, "+", SLASH_OR_PLUS);
    int states = gotos.size();
    int[] next = new int[states * ALPHABET];
    found = new long[states];
    int[] failure = new int[states];
    Queue<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < ALPHABET; c++) {
      int child = gotos.get(0)[c];
      next[c] = Math.max(child, 0);
      if (child > 0) {
        queue.add(child);
      }
    }
    found[0] = outputs.get(0);
    while (!queue.isEmpty()) {
      int state = queue.remove();
      found[state] = outputs.get(state) | found[failure[state]];
      for (int c = 0; c < ALPHABET; c++) {
        int child = gotos.get(state)[c];
        if (child > 0) {
          failure[child] = next[failure[state] * ALPHABET + c];
          next[state * ALPHABET + c] = child;
          queue.add(child);
        } else {
          next[state * ALPHABET + c] = next[failure[state] * ALPHABET + c];
        }
      }
    }
    transitions = new int[states * ALPHABET];
    for (int state = 0; state < states; state++) {
      for (int c = 0; c < ALPHABET; c++) {
        int folded = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
        int target = next[state * ALPHABET + folded];
        int row = target << ROW_SHIFT;
        transitions[state * ALPHABET + c] = found[target] == 0 ? row : ~row;
      }
    }
  }

  private static void addWord(List<int[]> gotos, List<Long> outputs, String word, long bits) {
    int state = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (gotos.get(state)[c] < 0) {
        gotos.get(state)[c] = gotos.size();
        gotos.add(newRow());
        outputs.add(0L);
      }
      state = gotos.get(state)[c];
    }
    outputs.set(state, outputs.get(state) | bits);
  }

  private static int[] newRow() {
    int[] row = new int[ALPHABET];
    Arrays.fill(row, -1);
    return row;
  }

  /**
   * The rules whose words occur in {@code text} (bit {@code r} for rule {@code r}), with {@link
   * #AT_SIGN}, {@link #SLASH_OR_PLUS} and {@link #TWELVE_DIGITS} set when they hold.
   */
  long scan(String text) {
    int n = text.length();
    if (n < TWO_LANES) {
      return scanShort(text);
    }
    // Two halves scanned in one loop: each step waits on the table load before it, and two
    // independent walks overlap those waits. The second half starts early by a word's length so a
    // word across the middle is still seen; its digits are counted from the middle only.
    int middle = n / 2;
    int rowA = 0;
    int rowB = 0;
    long hits = 0;
    int digits = 0;
    for (int b = Math.max(0, middle - (longestWord - 1)); b < middle; b++) {
      rowB = step(rowB, text.charAt(b));
      rowB = rowB < 0 ? ~rowB : rowB; // a word ending here lies in the first half: lane A's
    }
    for (int a = 0, b = middle; a < middle; a++, b++) {
      char ca = text.charAt(a);
      char cb = text.charAt(b);
      rowA = step(rowA, ca);
      rowB = step(rowB, cb);
      if ((rowA | rowB) < 0) {
        if (rowA < 0) {
          rowA = ~rowA;
          hits |= found[rowA >>> ROW_SHIFT];
        }
        if (rowB < 0) {
          rowB = ~rowB;
          hits |= found[rowB >>> ROW_SHIFT];
        }
      }
      digits += digit(ca) + digit(cb);
    }
    if (n - middle > middle) {
      char last = text.charAt(n - 1);
      rowB = step(rowB, last);
      if (rowB < 0) {
        hits |= found[~rowB >>> ROW_SHIFT];
      }
      digits += digit(last);
    }
    return finish(hits, digits);
  }

  private static final int TWO_LANES = 48;

  private static int digit(char c) {
    return c < ALPHABET ? DIGIT[c] : 0;
  }

  private static long finish(long hits, int digits) {
    return digits >= 12 ? hits | TWELVE_DIGITS : hits;
  }

  /** The next row from {@code row} on {@code c}; bit-inverted when words end there. */
  private int step(int row, char c) {
    if (c >= ALPHABET) {
      c = Character.toLowerCase(c);
      if (c >= ALPHABET) {
        return 0;
      }
    }
    return transitions[row + c];
  }

  /** Scans {@code text} in one walk. */
  private long scanShort(String text) {
    long hits = 0;
    int digits = 0;
    int row = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      digits += digit(c);
      row = step(row, c);
      if (row < 0) {
        row = ~row;
        hits |= found[row >>> ROW_SHIFT];
      }
    }
    return finish(hits, digits);
  }
}
