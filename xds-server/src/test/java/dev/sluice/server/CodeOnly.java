package dev.sluice.server;

/**
 * Java source with its comments, string and character literals and text blocks blanked out, so a
 * check that reads the source sees only code. Blanked characters become spaces and newlines stay,
 * so a line and column in the result are the same line and column in the source.
 */
final class CodeOnly {
  private CodeOnly() {}

  static String of(String source) {
    StringBuilder out = new StringBuilder(source);
    int i = 0;
    while (i < source.length()) {
      int end = endOfNonCode(source, i);
      if (end == i) {
        i++;
      } else {
        blank(out, i, end);
        i = end;
      }
    }
    return out.toString();
  }

  /** Where the comment or literal that starts at {@code i} ends, or {@code i} if none starts. */
  private static int endOfNonCode(String s, int i) {
    if (s.startsWith("//", i)) {
      return orEnd(s, s.indexOf('\n', i));
    }
    if (s.startsWith("/*", i)) {
      int close = s.indexOf("*/", i + 2);
      return close < 0 ? s.length() : close + 2;
    }
    if (s.startsWith("\"\"\"", i)) {
      return endOfQuoted(s, i + 3, "\"\"\"");
    }
    char c = s.charAt(i);
    if (c == '"' || c == '\'') {
      return endOfQuoted(s, i + 1, String.valueOf(c));
    }
    return i;
  }

  private static int endOfQuoted(String s, int from, String quote) {
    int j = from;
    while (j < s.length()) {
      if (s.charAt(j) == '\\') {
        j += 2;
      } else if (s.startsWith(quote, j)) {
        return j + quote.length();
      } else {
        j++;
      }
    }
    return s.length();
  }

  private static int orEnd(String s, int index) {
    return index < 0 ? s.length() : index;
  }

  private static void blank(StringBuilder out, int from, int to) {
    for (int k = from; k < to; k++) {
      if (out.charAt(k) != '\n') {
        out.setCharAt(k, ' ');
      }
    }
  }
}
