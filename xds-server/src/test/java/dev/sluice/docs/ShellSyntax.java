package dev.sluice.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of the POSIX shell grammar to read the commands in the docs without running them:
 * quotes, backslashes, {@code #} comments, the operators {@code | || && ; &}, redirections, here
 * documents and {@code $(...)}. Also the usage-synopsis notation the reference docs use ({@code
 * [--registry FILE|consul://…]}), which is not shell but is written in {@code sh} blocks.
 */
final class ShellSyntax {
  private ShellSyntax() {}

  /** What {@link #scan} read from one logical line. */
  record Scan(
      List<List<String>> commands,
      List<String> substitutions,
      List<HereDoc> hereDocs,
      boolean openQuote,
      boolean trailingBackslash,
      boolean trailingOperator) {
    /** The line goes on on the next physical line. */
    boolean incomplete() {
      return openQuote || trailingBackslash || trailingOperator;
    }
  }

  /** A here document's terminator; {@code <<-} strips leading tabs from the lines it ends. */
  record HereDoc(String terminator, boolean stripTabs) {}

  /** {@code <name>} or {@code <this repository>}: a placeholder, not a redirection. */
  private static final Pattern PLACEHOLDER =
      Pattern.compile("<[A-Za-z][A-Za-z0-9_. -]*[A-Za-z0-9_.]>|<[A-Za-z]>");

  private static final Pattern HEREDOC =
      Pattern.compile("<<(-?)[ \\t]*(?:'([^']+)'|\"([^\"]+)\"|\\\\?([A-Za-z0-9_]+))");

  /**
   * The simple commands of one logical line, each as its words with quotes removed and redirections
   * dropped; a {@code #} comment ends the line. Words keep {@code $VAR} and {@code $(...)} as
   * written; the text of each {@code $(...)} is in {@link Scan#substitutions}.
   */
  static Scan scan(String line) {
    List<List<String>> commands = new ArrayList<>();
    List<String> substitutions = new ArrayList<>();
    List<HereDoc> hereDocs = new ArrayList<>();
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    boolean dropNextWord = false; // the next word is a redirection's target
    boolean afterOperator = false;
    int n = line.length();
    int i = 0;
    while (i < n) {
      char c = line.charAt(i);
      if (!Character.isWhitespace(c) && "|&;()#".indexOf(c) < 0) {
        afterOperator = false;
      }
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          return new Scan(commands, substitutions, hereDocs, true, false, false);
        }
        word.append(line, i + 1, end);
        inWord = true;
        i = end + 1;
        continue;
      }
      if (c == '"') {
        int j = i + 1;
        boolean closed = false;
        while (j < n) {
          char d = line.charAt(j);
          if (d == '\\' && j + 1 < n && "$`\"\\\n".indexOf(line.charAt(j + 1)) >= 0) {
            word.append(line.charAt(j + 1));
            j += 2;
          } else if (d == '$' && j + 1 < n && line.charAt(j + 1) == '(') {
            int end = closingParen(line, j + 1);
            if (end < 0) {
              return new Scan(commands, substitutions, hereDocs, true, false, false);
            }
            substitutions.add(line.substring(j + 2, end));
            word.append(line, j, end + 1);
            j = end + 1;
          } else if (d == '"') {
            closed = true;
            break;
          } else {
            word.append(d);
            j++;
          }
        }
        if (!closed) {
          return new Scan(commands, substitutions, hereDocs, true, false, false);
        }
        inWord = true;
        i = j + 1;
        continue;
      }
      if (c == '\\') {
        if (i + 1 >= n) {
          endWord(words, word, inWord, dropNextWord);
          finish(commands, words);
          return new Scan(commands, substitutions, hereDocs, false, true, false);
        }
        word.append(line.charAt(i + 1));
        inWord = true;
        i += 2;
        continue;
      }
      if (c == '$' && i + 1 < n && line.charAt(i + 1) == '(') {
        int end = closingParen(line, i + 1);
        if (end < 0) {
          return new Scan(commands, substitutions, hereDocs, true, false, false);
        }
        substitutions.add(line.substring(i + 2, end));
        word.append(line, i, end + 1);
        inWord = true;
        i = end + 1;
        continue;
      }
      if (c == '`') {
        int end = line.indexOf('`', i + 1);
        if (end < 0) {
          return new Scan(commands, substitutions, hereDocs, true, false, false);
        }
        substitutions.add(line.substring(i + 1, end));
        word.append(line, i, end + 1);
        inWord = true;
        i = end + 1;
        continue;
      }
      if (Character.isWhitespace(c)) {
        dropNextWord = endWord(words, word, inWord, dropNextWord);
        inWord = false;
        i++;
        continue;
      }
      if (c == '#' && !inWord) {
        break; // a comment, to the end of the line
      }
      if (c == '<') {
        Matcher p = PLACEHOLDER.matcher(line).region(i, n);
        if (p.lookingAt()) {
          word.append(p.group());
          inWord = true;
          i = p.end();
          continue;
        }
        Matcher h = HEREDOC.matcher(line).region(i, n);
        if (h.lookingAt()) {
          dropNextWord = endWord(words, word, inWord, dropNextWord);
          inWord = false;
          String terminator =
              h.group(2) != null ? h.group(2) : h.group(3) != null ? h.group(3) : h.group(4);
          hereDocs.add(new HereDoc(terminator, !h.group(1).isEmpty()));
          i = h.end();
          continue;
        }
      }
      if (c == '<' || c == '>' || (c == '&' && i + 1 < n && line.charAt(i + 1) == '>')) {
        // a redirection: 2>&1, >file, >> file, < file, &> file, <<< word; a file-descriptor
        // number just before it is part of the operator
        if (inWord && word.chars().allMatch(Character::isDigit)) {
          word.setLength(0);
          inWord = false;
        }
        dropNextWord = endWord(words, word, inWord, dropNextWord);
        inWord = false;
        int j = i + 1;
        while (j < n && (line.charAt(j) == '>' || line.charAt(j) == '<' || line.charAt(j) == '|')) {
          j++;
        }
        if (j < n && line.charAt(j) == '&') { // >&2, 2>&1, <&-: no file
          j++;
          while (j < n && (Character.isDigit(line.charAt(j)) || line.charAt(j) == '-')) {
            j++;
          }
          i = j;
          continue;
        }
        dropNextWord = true;
        i = j;
        continue;
      }
      if (c == '|' || c == '&' || c == ';' || c == '(' || c == ')') {
        dropNextWord = endWord(words, word, inWord, dropNextWord);
        inWord = false;
        finish(commands, words);
        int j = i + 1;
        if (j < n && (line.charAt(j) == c || (c == '|' && line.charAt(j) == '&'))) {
          j++; // || && ;; |&
        }
        afterOperator = c == '|' || (c == '&' && j == i + 2);
        i = j;
        continue;
      }
      word.append(c);
      inWord = true;
      i++;
    }
    endWord(words, word, inWord, dropNextWord);
    finish(commands, words);
    return new Scan(commands, substitutions, hereDocs, false, false, afterOperator);
  }

  /** Ends the current word; returns whether the word after it is still to be dropped. */
  private static boolean endWord(
      List<String> words, StringBuilder word, boolean inWord, boolean drop) {
    if (!inWord) {
      return drop;
    }
    if (!drop) {
      words.add(word.toString());
    }
    word.setLength(0);
    return false;
  }

  private static void finish(List<List<String>> commands, List<String> words) {
    if (!words.isEmpty()) {
      commands.add(List.copyOf(words));
      words.clear();
    }
  }

  /** The index of the ')' matching the '(' at {@code open}, minding quotes; -1 if there is none. */
  private static int closingParen(String s, int open) {
    int depth = 0;
    char quote = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"') {
          i++;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\') {
        i++;
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The usage-synopsis notation of the reference docs, expanded into commands to check: {@code
   * [...]} at the start of a word is an optional group, and inside one, {@code a|b} in a word are
   * alternatives (not a pipe). Gives the line without any optional group, then with every group and
   * the first alternatives, then with the second alternatives, and so on; a line without groups
   * comes back as it is.
   */
  static List<String> synopsisVariants(String line) {
    List<int[]> groups = optionalGroups(line);
    if (groups.isEmpty()) {
      return List.of(line);
    }
    int alternatives = 1;
    for (int[] g : groups) {
      for (String w : groupWords(line.substring(g[0] + 1, g[1]))) {
        alternatives = Math.max(alternatives, splitAlternatives(w).size());
      }
    }
    List<String> variants = new ArrayList<>();
    variants.add(replaceGroups(line, groups, -1));
    for (int k = 0; k < alternatives; k++) {
      variants.add(replaceGroups(line, groups, k));
    }
    return variants.stream().distinct().toList();
  }

  /**
   * {@code [start, end]} of each top-level optional group: '[' at a word start, not "[ " or "[[".
   */
  private static List<int[]> optionalGroups(String line) {
    List<int[]> groups = new ArrayList<>();
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '['
          && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))
          && i + 1 < line.length()
          && !Character.isWhitespace(line.charAt(i + 1))
          && line.charAt(i + 1) != '[') {
        int end = closingBracket(line, i);
        if (end > 0) {
          groups.add(new int[] {i, end});
          i = end;
        }
      }
    }
    return groups;
  }

  private static int closingBracket(String s, int open) {
    int depth = 0;
    char quote = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@code alternative < 0}: drop every group; else keep each with that alternative of its words.
   */
  private static String replaceGroups(String line, List<int[]> groups, int alternative) {
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int[] g : groups) {
      out.append(line, from, g[0]);
      if (alternative >= 0) {
        String inner = line.substring(g[0] + 1, g[1]);
        // groups nested at a word start inside this one are kept too
        String expanded = synopsisVariants(inner).get(synopsisVariants(inner).size() - 1);
        List<String> words = new ArrayList<>();
        for (String w : groupWords(expanded)) {
          List<String> alts = splitAlternatives(w);
          words.add(alts.get(Math.min(alternative, alts.size() - 1)));
        }
        out.append(String.join(" ", words));
      }
      from = g[1] + 1;
    }
    out.append(line.substring(from));
    return out.toString().replaceAll("[ \\t]{2,}", " ").strip();
  }

  /** Whitespace-separated words, keeping quoted text together and the quotes as written. */
  private static List<String> groupWords(String s) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    char quote = 0;
    for (char c : s.toCharArray()) {
      if (quote == 0 && Character.isWhitespace(c)) {
        if (w.length() > 0) {
          words.add(w.toString());
          w.setLength(0);
        }
        continue;
      }
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      }
      w.append(c);
    }
    if (w.length() > 0) {
      words.add(w.toString());
    }
    return words;
  }

  /**
   * {@code FILE|consul://host:port[?token-file=F]} → its alternatives ('|' outside brackets and
   * quotes).
   */
  private static List<String> splitAlternatives(String word) {
    List<String> alts = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int from = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (c == '|' && depth == 0) {
        alts.add(word.substring(from, i));
        from = i + 1;
      }
    }
    alts.add(word.substring(from));
    return alts;
  }
}
