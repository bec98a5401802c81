package io.hyperlens.redact;

import java.util.ArrayList;
import java.util.List;

/**
 * Card numbers: the issuer ranges of the major networks, the Luhn check, and the search for cards
 * in a run of digit groups such as {@code 4111 1111 1111 1111 12 29}.
 */
final class CardNumbers {
  /** The fewest digits a card number has (Maestro's shortest). */
  private static final int MIN_DIGITS = 12;

  /** The fewest digits a card found inside a longer run of digit groups may have. */
  private static final int MIN_TRIMMED_DIGITS = 13;

  /** The most digits a card number has (ISO/IEC 7812). */
  private static final int MAX_DIGITS = 19;

  /**
   * One network's issuer range: numbers whose first {@code low.length()} digits lie between {@code
   * low} and {@code high}, {@code minLength} to {@code maxLength} digits long.
   */
  private record IssuerRange(
      String network, String low, String high, int minLength, int maxLength) {
    IssuerRange(String network, String prefix, int minLength, int maxLength) {
      this(network, prefix, prefix, minLength, maxLength);
    }

    boolean covers(CharSequence digits, int from, int length) {
      return length >= minLength
          && length <= maxLength
          && comparePrefix(digits, from, low) >= 0
          && comparePrefix(digits, from, high) <= 0;
    }

    private static int comparePrefix(CharSequence digits, int from, String bound) {
      for (int i = 0; i < bound.length(); i++) {
        int diff = digits.charAt(from + i) - bound.charAt(i);
        if (diff != 0) {
          return diff;
        }
      }
      return 0;
    }
  }

  /** The issuer ranges, with the lengths each network issues (only Maestro issues 12 digits). */
  private static final List<IssuerRange> ISSUER_RANGES =
      List.of(
          new IssuerRange("visa", "4", 13, 19),
          new IssuerRange("mastercard", "51", "55", 16, 16),
          new IssuerRange("mastercard", "2221", "2720", 16, 16),
          new IssuerRange("amex", "34", 15, 15),
          new IssuerRange("amex", "37", 15, 15),
          new IssuerRange("discover", "6011", 16, 19),
          new IssuerRange("discover", "644", "649", 16, 19),
          new IssuerRange("discover", "65", 16, 19),
          new IssuerRange("diners", "300", "305", 14, 19),
          new IssuerRange("diners", "3095", 14, 19),
          new IssuerRange("diners", "36", 14, 19),
          new IssuerRange("diners", "38", "39", 16, 19),
          new IssuerRange("jcb", "3528", "3589", 16, 19),
          new IssuerRange("unionpay", "62", 16, 19),
          new IssuerRange("unionpay", "81", 16, 19),
          new IssuerRange("maestro", "50", 12, 19),
          new IssuerRange("maestro", "56", "69", 12, 19),
          new IssuerRange("mir", "2200", "2204", 16, 19));

  private CardNumbers() {}

  /** Whether {@code digits[from, to)} (digits only) is a card number of some network. */
  static boolean isCard(CharSequence digits, int from, int to) {
    for (IssuerRange range : ISSUER_RANGES) {
      if (range.covers(digits, from, to - from)) {
        return luhnValid(digits, from, to);
      }
    }
    return false;
  }

  private static boolean luhnValid(CharSequence digits, int from, int to) {
    int sum = 0;
    boolean doubleIt = false;
    for (int i = to - 1; i >= from; i--) {
      int d = digits.charAt(i) - '0';
      if (doubleIt) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      doubleIt = !doubleIt;
    }
    return sum % 10 == 0;
  }

  /**
   * The card numbers in {@code text}: in each run of digits, spaces and dashes that starts with a
   * digit, is not the tail of a longer number ({@code 12-4111...}) and is not a phone number
   * ({@code +44 ...}), as {@link #find} locates them. A hand scan, linear in the text.
   */
  static List<int[]> scan(String text) {
    List<int[]> out = new ArrayList<>(1);
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        i++;
        continue;
      }
      int start = i;
      int digits = 0;
      while (i < n && (isDigit(text.charAt(i)) || text.charAt(i) == ' ' || text.charAt(i) == '-')) {
        if (isDigit(text.charAt(i))) {
          digits++;
        }
        i++;
      }
      char before = start > 0 ? text.charAt(start - 1) : ' ';
      if (digits < MIN_DIGITS || before == '+' || before == '-') {
        continue; // too short for a card, a phone number, or the tail of a dashed identifier
      }
      for (int[] card : find(text.substring(start, i))) {
        out.add(new int[] {start + card[0], start + card[1]});
      }
    }
    return out;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * The card numbers in {@code run}, digit groups with spaces and dashes between them, as {start,
   * end} offsets. Groups joined by one separator form a chain: the whole chain when it is a card,
   * or else, from the left, the longest run of whole groups with 13 to 19 digits that is one (a
   * card followed by its expiry, or after a quantity). A group is never cut, so a long number never
   * yields a card from its middle.
   */
  static List<int[]> find(String run) {
    List<int[]> found = new ArrayList<>(1);
    StringBuilder digits = new StringBuilder(run.length());
    // per group: start and end in run, start in digits
    List<int[]> chain = new ArrayList<>();
    int i = 0;
    while (i < run.length()) {
      int start = i;
      while (i < run.length() && run.charAt(i) >= '0' && run.charAt(i) <= '9') {
        i++;
      }
      chain.add(new int[] {start, i, digits.length()});
      digits.append(run, start, i);
      int separators = 0;
      while (i < run.length() && (run.charAt(i) < '0' || run.charAt(i) > '9')) {
        separators++;
        i++;
      }
      if (separators != 1 || i == run.length()) {
        findInChain(chain, digits, found);
        chain.clear();
      }
    }
    findInChain(chain, digits, found);
    return found;
  }

  private static void findInChain(List<int[]> groups, CharSequence digits, List<int[]> found) {
    if (groups.isEmpty()) {
      return;
    }
    int[] firstGroup = groups.get(0);
    int[] lastGroup = groups.get(groups.size() - 1);
    int chainDigits = lastGroup[2] + (lastGroup[1] - lastGroup[0]) - firstGroup[2];
    if (chainDigits <= MAX_DIGITS && isCard(digits, firstGroup[2], firstGroup[2] + chainDigits)) {
      found.add(new int[] {firstGroup[0], lastGroup[1]});
      return;
    }
    int first = 0;
    while (first < groups.size()) {
      int from = groups.get(first)[2];
      int bestLast = -1;
      for (int last = first; last < groups.size(); last++) {
        int[] group = groups.get(last);
        int to = group[2] + (group[1] - group[0]);
        if (to - from > MAX_DIGITS) {
          break;
        }
        if (to - from >= MIN_TRIMMED_DIGITS && isCard(digits, from, to)) {
          bestLast = last;
        }
      }
      if (bestLast >= 0) {
        found.add(new int[] {groups.get(first)[0], groups.get(bestLast)[1]});
        first = bestLast + 1;
      } else {
        first++;
      }
    }
  }
}
