package io.hyperlens.audit.tlog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * File names for log origins, for the stores that keep one file or directory per log (pinned keys,
 * a witness's history, a writer's last checkpoint). A name is the origin with ASCII letters,
 * digits, {@code .} and {@code -} kept and every other byte of its UTF-8 form written {@code _XX}
 * (two upper-case hex digits), so no two origins share a name and none climbs out of its directory;
 * names over {@value #MAX_NAME} characters are cut and end in {@code ~} and the SHA-256 of the
 * origin.
 *
 * <pre>{@code
 * Origins.fileName("audit.hyperlens.local/5f3a9c01"); // "audit.hyperlens.local_2F5f3a9c01"
 * }</pre>
 */
public final class Origins {
  /** The longest name, well under the 255 bytes file systems allow, leaving room for a suffix. */
  static final int MAX_NAME = 200;

  private Origins() {}

  /** The file name of {@code origin}; see the class comment. */
  public static String fileName(String origin) {
    if (origin == null || origin.isEmpty()) {
      throw new IllegalArgumentException("origin must not be empty, got " + origin);
    }
    StringBuilder out = new StringBuilder(origin.length() + 16);
    for (byte b : origin.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-') {
        out.append(c);
      } else {
        out.append('_').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    if (out.length() <= MAX_NAME) {
      return out.toString();
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(origin.getBytes(StandardCharsets.UTF_8));
      return out.substring(0, MAX_NAME - 65) + "~" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
