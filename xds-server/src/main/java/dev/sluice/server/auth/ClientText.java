package dev.sluice.server.auth;

/**
 * Text that an xDS client chose — its node id, node cluster and the group they select, node
 * metadata, a NACK's error_detail — in the form Sluice keeps it, so that what reaches a log line,
 * the admin API, the status page or a metric label can neither forge a line nor grow without limit
 * (docs/operations.md):
 *
 * <ul>
 *   <li>at most {@link #NAME_MAX} characters for names and {@link #MESSAGE_MAX} for NACK texts,
 *       counted after escaping; the rest is dropped and said: {@code …(N more chars)}, N counting
 *       the client's characters that are not shown;
 *   <li>newline, carriage return and tab become {@code \n}, {@code \r}, {@code \t}; every other
 *       character that can break a line, move the cursor or reorder text — controls (C0, DEL, C1),
 *       format characters such as bidi overrides and zero-width marks, the line and paragraph
 *       separators, a lone surrogate — becomes {@code \}{@code uXXXX}.
 * </ul>
 *
 * A backslash stays as it is: Envoy's errors quote regexes and paths, and a written-out {@code \n}
 * is two printable characters that cannot start a line. Names made of what policies allow (gateway
 * and service names) come out unchanged, so a bounded group still finds its snapshot.
 */
public final class ClientText {
  /** Node ids, node clusters, groups and metadata values. */
  public static final int NAME_MAX = 256;

  /** A NACK's error_detail. */
  public static final int MESSAGE_MAX = 4096;

  private ClientText() {}

  public static String name(String raw) {
    return bounded(raw, NAME_MAX);
  }

  public static String message(String raw) {
    return bounded(raw, MESSAGE_MAX);
  }

  /**
   * The escaped text, at most {@code max} characters plus the truncation marker; null stays null.
   */
  public static String bounded(String raw, int max) {
    if (raw == null || (raw.length() <= max && clean(raw))) {
      return raw; // the usual case: nothing copied
    }
    StringBuilder out = new StringBuilder(Math.min(raw.length(), max) + 32);
    int i = 0;
    while (i < raw.length()) {
      int cp = raw.codePointAt(i);
      int width = Character.charCount(cp);
      String escaped = needsEscape(cp) ? escape(raw, i, width) : null;
      int length = escaped == null ? width : escaped.length();
      if (out.length() + length > max) {
        break;
      }
      if (escaped == null) {
        out.append(raw, i, i + width);
      } else {
        out.append(escaped);
      }
      i += width;
    }
    if (i < raw.length()) {
      out.append("…(").append(raw.length() - i).append(" more chars)");
    }
    return out.toString();
  }

  private static boolean clean(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (needsEscape(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  private static boolean needsEscape(int cp) {
    return switch (Character.getType(cp)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE ->
          true;
      default -> false;
    };
  }

  /** One code point (one or two chars at {@code i}) written out. */
  private static String escape(String raw, int i, int width) {
    char c = raw.charAt(i);
    if (width == 1) {
      return switch (c) {
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '\t' -> "\\t";
        default -> unicode(c);
      };
    }
    return unicode(c) + unicode(raw.charAt(i + 1));
  }

  private static String unicode(char c) {
    return String.format("\\u%04x", (int) c);
  }
}
