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

  /** next state = {@code transitions[state * ALPHABET + c]}, failure links folded in. */
  private final int[] transitions;

  /** The rules whose words end at each state, along its failure links. */
  private final long[] found;

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
        int state = 0;
        for (int i = 0; i < word.length(); i++) {
          char c = word.charAt(i);
          if (c >= ALPHABET || Character.toLowerCase(c) != c) {
            throw new IllegalArgumentException("trigger words are lower-case ASCII: " + word);
          }
          if (gotos.get(state)[c] < 0) {
            gotos.get(state)[c] = gotos.size();
            gotos.add(newRow());
            outputs.add(0L);
          }
          state = gotos.get(state)[c];
        }
        outputs.set(state, outputs.get(state) | 1L << rule);
      }
    }
    int states = gotos.size();
    transitions = new int[states * ALPHABET];
    found = new long[states];
    int[] failure = new int[states];
    Queue<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < ALPHABET; c++) {
      int next = gotos.get(0)[c];
      transitions[c] = Math.max(next, 0);
      if (next > 0) {
        queue.add(next);
      }
    }
    found[0] = outputs.get(0);
    while (!queue.isEmpty()) {
      int state = queue.remove();
      found[state] = outputs.get(state) | found[failure[state]];
      for (int c = 0; c < ALPHABET; c++) {
        int next = gotos.get(state)[c];
        if (next > 0) {
          failure[next] = transitions[failure[state] * ALPHABET + c];
          transitions[state * ALPHABET + c] = next;
          queue.add(next);
        } else {
          transitions[state * ALPHABET + c] = transitions[failure[state] * ALPHABET + c];
        }
      }
    }
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
    long hits = 0;
    int digits = 0;
    int state = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c >= ALPHABET) {
        c = Character.toLowerCase(c);
        if (c >= ALPHABET) {
          state = 0;
          continue;
        }
      } else if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      } else if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '@') {
        hits |= AT_SIGN;
      } else if (c == '/' || c == '+') {
        hits |= SLASH_OR_PLUS;
      }
      state = transitions[state * ALPHABET + c];
      hits |= found[state];
    }
    return digits >= 12 ? hits | TWELVE_DIGITS : hits;
  }
}
