package io.hyperlens.server.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * A writer that shows, instead of sending, the characters a terminal would act on: control
 * characters other than the newline (ESC, carriage return, backspace, ...) and the invisible format
 * characters (bidirectional overrides, zero-width ones) become {@code \\u001b}-style escapes. What
 * the audit commands print comes partly from the log, and a record must not be able to rewrite the
 * line that reports on it.
 */
final class TerminalSafeWriter extends PrintWriter {
  TerminalSafeWriter(Writer out) {
    super(out, true);
  }

  /** {@code text} with every character a terminal would act on escaped. */
  static String escape(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (unsafe(c)) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static boolean unsafe(char c) {
    if (c == '\n') {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT;
  }

  @Override
  public void write(int c) {
    if (unsafe((char) c)) {
      super.write(escape(String.valueOf((char) c)));
    } else {
      super.write(c);
    }
  }

  @Override
  public void write(char[] buf, int off, int len) {
    super.write(escape(new String(buf, off, len)));
  }

  @Override
  public void write(String s, int off, int len) {
    String part = s.substring(off, off + len);
    String safe = escape(part);
    super.write(safe, 0, safe.length());
  }
}
