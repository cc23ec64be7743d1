package dev.sluice.server.auth;

/**
 * Text a client sent, made safe to show: at most a given length, control characters escaped, so
 * that a value cannot fake a log line or a row on the status page, nor fill either.
 */
public final class Printable {
  /** Longest name (node id, claimed gateway or service) shown. */
  public static final int MAX_NAME = 256;

  private Printable() {}

  public static String bounded(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 16);
    int i = 0;
    for (; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (i < s.length()) {
      b.append("…(").append(s.length() - i).append(" more)");
    }
    return b.toString();
  }
}
