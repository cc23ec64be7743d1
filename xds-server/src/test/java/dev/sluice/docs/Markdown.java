package dev.sluice.docs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parts of a Markdown file the docs test reads: fenced code blocks, headings, links. */
final class Markdown {
  private Markdown() {}

  /** A fenced code block; {@code firstLine} is the 1-based line of its first content line. */
  record Fence(String info, int firstLine, List<String> lines) {
    /** The first word of the info string: {@code sh} for {@code ```sh quickstart}. */
    String language() {
      String[] words = info.strip().split("\\s+", 2);
      return words[0].toLowerCase(Locale.ROOT);
    }

    /** The words after the language: {@code quickstart} for {@code ```sh quickstart}. */
    List<String> tags() {
      String[] words = info.strip().split("\\s+");
      return words.length <= 1 ? List.of() : List.of(words).subList(1, words.length);
    }
  }

  /** A shell command as written in a doc, joined from its continuation lines. */
  record Command(int line, String text) {}

  /** A link target as written, and the 1-based line it is on. */
  record Link(int line, String target) {}

  private static final Pattern FENCE_OPEN = Pattern.compile("^( *)(`{3,}|~{3,})(.*)$");
  private static final Pattern ATX_HEADING =
      Pattern.compile("^ {0,3}#{1,6}(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
  private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
  private static final Pattern INLINE_LINK =
      Pattern.compile("\\]\\(\\s*(<[^>]*>|[^\\s)]+)(?:\\s+(?:\"[^\"]*\"|'[^']*'))?\\s*\\)");
  // [^note]: text is a footnote, not a link
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("^ {0,3}\\[(?!\\^)[^\\]]+\\]:\\s*(<[^>]*>|\\S+)");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
  private static final Pattern CODE_SPAN_MULTILINE =
      Pattern.compile("(?<!`)(`+)(?!`)(.+?)(?<!`)\\1(?!`)", Pattern.DOTALL);
  private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s[^>]*(?:name|id)=\"([^\"]+)\"");

  /** Every fenced code block (``` or ~~~, indented or not, e.g. in a list item). */
  static List<Fence> fences(List<String> lines) {
    List<Fence> fences = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE_OPEN.matcher(lines.get(i));
      if (!open.matches() || (open.group(2).charAt(0) == '`' && open.group(3).contains("`"))) {
        continue;
      }
      int indent = open.group(1).length();
      String fence = open.group(2);
      Pattern close =
          Pattern.compile(
              "^ *" + Pattern.quote(fence.substring(0, 1)) + "{" + fence.length() + ",}[ \\t]*$");
      List<String> body = new ArrayList<>();
      int j = i + 1;
      while (j < lines.size() && !close.matcher(lines.get(j)).matches()) {
        String l = lines.get(j);
        int strip = 0;
        while (strip < indent && strip < l.length() && l.charAt(strip) == ' ') {
          strip++;
        }
        body.add(l.substring(strip));
        j++;
      }
      fences.add(new Fence(open.group(3).strip(), i + 2, body));
      i = j;
    }
    return fences;
  }

  /** The lines outside fenced code blocks; those inside are blank, so line numbers stay. */
  static List<String> prose(List<String> lines) {
    List<String> out = new ArrayList<>(lines);
    for (Fence f : fences(lines)) {
      for (int k = f.firstLine() - 2;
          k <= f.firstLine() - 1 + f.lines().size() && k < out.size();
          k++) {
        out.set(k, "");
      }
    }
    return out;
  }

  /**
   * The commands of a shell block ({@code sh}, {@code bash}, {@code shell}; {@code console}: only
   * the lines after a {@code $ } prompt): backslash continuations, lines ending in a pipe or {@code
   * &&} and quotes left open are joined; here-document bodies are skipped; blank and comment-only
   * lines give nothing.
   */
  static List<Command> commands(Fence fence) {
    boolean console = fence.language().equals("console");
    List<Command> commands = new ArrayList<>();
    List<String> lines = fence.lines();
    int i = 0;
    while (i < lines.size()) {
      String first = lines.get(i);
      int start = i;
      i++;
      if (console) {
        if (!first.stripLeading().startsWith("$ ")) {
          continue;
        }
        first = first.stripLeading().substring(2);
      }
      StringBuilder text = new StringBuilder(first);
      ShellSyntax.Scan scan = ShellSyntax.scan(text.toString());
      while (scan.incomplete() && i < lines.size()) {
        if (scan.trailingBackslash()) {
          text.setLength(text.length() - 1);
          text.setLength(text.toString().stripTrailing().length());
          text.append(' ').append(lines.get(i).strip());
        } else if (scan.openQuote()) {
          text.append('\n').append(lines.get(i));
        } else {
          text.append(' ').append(lines.get(i).strip());
        }
        i++;
        scan = ShellSyntax.scan(text.toString());
      }
      for (ShellSyntax.HereDoc doc : scan.hereDocs()) {
        while (i < lines.size()) {
          String l = lines.get(i++);
          if ((doc.stripTabs() ? l.replaceFirst("^\\t+", "") : l).equals(doc.terminator())) {
            break;
          }
        }
      }
      String joined = text.toString().strip();
      if (!scan.commands().isEmpty() || !scan.substitutions().isEmpty()) {
        commands.add(new Command(fence.firstLine() + start, joined));
      }
    }
    return commands;
  }

  /**
   * The code spans of the prose, with the line each starts on; a span may go on over a line break
   * (within its paragraph), which reads as a space.
   */
  static List<Command> codeSpans(List<String> lines) {
    List<Command> spans = new ArrayList<>();
    List<String> prose = prose(lines);
    int i = 0;
    while (i < prose.size()) {
      if (prose.get(i).isBlank()) {
        i++;
        continue;
      }
      int start = i;
      StringBuilder paragraph = new StringBuilder();
      while (i < prose.size() && !prose.get(i).isBlank()) {
        paragraph.append(prose.get(i)).append('\n');
        i++;
      }
      Matcher m = CODE_SPAN_MULTILINE.matcher(paragraph);
      while (m.find()) {
        int line =
            start
                + 1
                + (int) paragraph.substring(0, m.start()).chars().filter(c -> c == '\n').count();
        String text = m.group(2).replaceAll("\\s*\\n\\s*", " ").strip();
        spans.add(new Command(line, text));
      }
    }
    return spans;
  }

  /** The link targets outside code: inline links and images, and reference definitions. */
  static List<Link> links(List<String> lines) {
    List<Link> links = new ArrayList<>();
    List<String> prose = prose(lines);
    for (int i = 0; i < prose.size(); i++) {
      String line = CODE_SPAN.matcher(prose.get(i)).replaceAll("");
      Matcher m = INLINE_LINK.matcher(line);
      while (m.find()) {
        links.add(new Link(i + 1, unbracket(m.group(1))));
      }
      Matcher ref = REFERENCE_DEFINITION.matcher(line);
      if (ref.find()) {
        links.add(new Link(i + 1, unbracket(ref.group(1))));
      }
    }
    return links;
  }

  private static String unbracket(String target) {
    return target.startsWith("<") && target.endsWith(">")
        ? target.substring(1, target.length() - 1)
        : target;
  }

  /** The anchors GitHub makes for the headings (and {@code <a name|id>}) of a Markdown file. */
  static Set<String> anchors(List<String> lines) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    List<String> prose = prose(lines);
    for (int i = 0; i < prose.size(); i++) {
      String line = prose.get(i);
      String heading = null;
      Matcher atx = ATX_HEADING.matcher(line);
      if (atx.matches()) {
        heading = atx.group(1) == null ? "" : atx.group(1);
      } else if (!line.isBlank()
          && i + 1 < prose.size()
          && SETEXT_UNDERLINE.matcher(prose.get(i + 1)).matches()
          && !line.startsWith("    ")
          && !line.stripLeading().startsWith("-")
          && !line.contains("|")) {
        heading = line.strip();
      }
      if (heading != null) {
        String slug = slug(heading);
        int count = seen.merge(slug, 1, Integer::sum);
        anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
      }
      Matcher html = HTML_ANCHOR.matcher(line);
      while (html.find()) {
        anchors.add(html.group(1));
      }
    }
    return anchors;
  }

  /**
   * GitHub's anchor for a heading: its text without Markdown markup, lower-cased, with everything
   * but letters, digits, '_', '-' and spaces dropped and spaces turned into '-'.
   */
  static String slug(String heading) {
    StringBuilder text = new StringBuilder();
    Matcher code = CODE_SPAN.matcher(heading);
    int from = 0;
    while (code.find()) { // code spans are literal text; markup is only outside them
      text.append(plain(heading.substring(from, code.start())));
      text.append(code.group().replace("`", ""));
      from = code.end();
    }
    text.append(plain(heading.substring(from)));
    return text.toString()
        .strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
        .replace(' ', '-');
  }

  private static String plain(String markdown) {
    return markdown
        .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // [text](url) → text
        .replaceAll("</?[A-Za-z][^>]*>", "") // HTML tags
        .replace("*", "");
  }
}
