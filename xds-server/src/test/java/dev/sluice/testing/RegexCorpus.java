package dev.sluice.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Regular expressions for the parity check with Envoy: real ones (UUIDs, versions, e-mail
 * addresses, dates, path segments, long alternations, nested and counted repeats on both sides of
 * Envoy's program-size limit, syntax RE2 refuses) and a seeded generator that mixes RE2's syntax
 * (classes, Unicode groups, flags, groups, anchors, repeats, alternations) with mistakes.
 */
final class RegexCorpus {
  private static final String[] ATOMS = {
    "a",
    "b",
    "k",
    "s",
    "x",
    "0",
    "9",
    "-",
    "/",
    ".",
    "\\.",
    "\\d",
    "\\w",
    "\\s",
    "\\D",
    "\\W",
    "\\S",
    "[a-z]",
    "[0-9a-f]",
    "[^/]",
    "[A-Za-z0-9_]",
    "[0-9a-f-]",
    "[[:alpha:]]",
    "[[:^digit:]]",
    "\\pL",
    "\\p{Greek}",
    "\\pN",
    "é",
    "ü",
    "€",
    "\\x{1F600}",
    "[à-ÿ]",
    "\\b",
    "^",
    "$",
    "\\A",
    "\\z",
    "\\C",
    "[ab]",
    "[Aa]",
    "[.]",
    "\\Q.*\\E",
    "\\n",
    "\\x41",
    "\\012",
    "[\\x{100}-\\x{2000}]",
    "(?i:ks)",
    "[^\\n]",
    "\\p{Han}",
    "\\PL",
    "[^a-z]",
    "\\p{Cs}"
  };
  private static final String[] MISTAKES = {
    "(?=a)",
    "(?!a)",
    "(?<=a)",
    "a**",
    "\\1",
    "\\h",
    "[z-a]",
    "[a",
    "(a",
    "a)",
    "\\p{Foo}",
    "(?x)",
    "a{2}{3}",
    "a{1001}",
    "(?P<1a>x)",
    "\\",
    "*a",
    "x{2,1}",
    "(?i",
    "[[:word:]",
    "\\x{110000}",
    "(?P=n)",
    "\\Z",
    "(?>a)"
  };
  private static final String[] WORDS = {
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "users",
    "orders",
    "payments",
    "invoices",
    "admin",
    "api",
    "v1",
    "v2",
    "health",
    "metrics",
    "login",
    "logout",
    "search",
    "cart",
    "checkout",
    "profile",
    "settings",
    "static",
    "assets",
    "images",
    "docs",
    "status",
    "events",
    "reports"
  };

  private final Random random;

  RegexCorpus(Random random) {
    this.random = random;
  }

  /** Expressions people write, and the limits' edges. */
  static List<String> real() {
    List<String> out =
        new ArrayList<>(
            List.of(
                "[0-9a-f-]{36}",
                "[0-9a-f-]{32}",
                "[0-9a-f-]{33}",
                "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                "^/users/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                "(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                "[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}",
                "^v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$",
                "^\\d+\\.\\d+\\.\\d+$",
                "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
                "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$",
                "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
                "\\S+@\\S+",
                "^\\d{4}-\\d{2}-\\d{2}$",
                "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
                "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                "^/api/v[0-9]+/users/[^/]+/orders/[^/]+$",
                "^/([^/]+)/([^/]+)/([^/]+)$",
                "^/static/.*\\.(css|js|png|svg)$",
                "^/orders/[0-9]+$",
                "^/users/(?P<id>[0-9]+)/?$",
                "^/a/(?<id>[0-9]+)$",
                "^(GET|POST|PUT|PATCH|DELETE)$",
                "^https?://[^/]+\\.example\\.com(:[0-9]+)?$",
                "^Bearer [A-Za-z0-9._~+/-]+=*$",
                "^u-[0-9]+$",
                "((a|b)*c)+",
                "(a*)*",
                "(a+|b*)+",
                "((a{2}){3}){4}",
                "(?:(?:\\d+,)*\\d+)?",
                "(x+x+)+y",
                "((ab)*|c)+d",
                "(a{10}){100}",
                "(a{10}){101}",
                "(a{100}){11}",
                "a{1000}",
                "a{1001}",
                "a{0,1000}",
                "a{96}",
                "a{97}",
                "[a-z]{0,48}",
                "[a-z]{0,49}",
                "(ab){24}",
                "(ab){25}",
                "\\d{95}",
                "\\d{96}",
                "\\d{97}",
                "[0-9]{0,47}",
                "[0-9]{0,48}",
                "[0-9]{0,49}",
                "x{31}y{31}z{31}",
                "x{32}y{32}z{32}",
                "(?:abc){31}",
                "(?:abc){32}",
                "\\w{31}",
                "\\w{32}",
                ".{8}",
                ".{9}",
                "(?s).{9}",
                "[^/]{9}",
                "[^/]{10}",
                "\\pL",
                "\\p{Greek}",
                "\\p{Greek}+",
                "(?i)[a-z]{40}",
                "(?i)k{40}",
                "a".repeat(96),
                "a".repeat(97),
                "^/" + "a".repeat(200),
                "^/users/[0-9+$",
                "^(yes|true",
                "^/orders/(?!new)[0-9]+$",
                "(a)\\1",
                "\\12",
                "a{,3}",
                "a{99999999999999999999}",
                "(?P<n>a)(?P<n>b)",
                "(\\pL{1000})"));
    StringBuilder fifty = new StringBuilder();
    for (int i = 0; i < WORDS.length; i++) {
      fifty.append(i == 0 ? "" : "|").append(WORDS[i]);
    }
    out.add(fifty.toString());
    out.add("^(" + fifty + ")$");
    out.add("^/(" + String.join("|", List.of(WORDS).subList(0, 12)) + ")/[0-9]+$");
    out.add("^/(" + String.join("|", List.of(WORDS).subList(0, 20)) + ")$");
    return out;
  }

  /** The next generated expression. */
  String next() {
    String p = expression(0);
    if (random.nextInt(20) == 0) {
      p += MISTAKES[random.nextInt(MISTAKES.length)];
    }
    if (random.nextInt(10) == 0) {
      p = new String[] {"(?i)", "(?s)", "^", "(?U)", "(?m)"}[random.nextInt(5)] + p;
    }
    return p;
  }

  private String expression(int depth) {
    double r = random.nextDouble();
    if (depth > 3 || r < 0.35) {
      return random.nextInt(10) < 3 ? word() : ATOMS[random.nextInt(ATOMS.length)];
    }
    if (r < 0.55) {
      StringBuilder b = new StringBuilder();
      for (int i = 2 + random.nextInt(3); i > 0; i--) {
        b.append(expression(depth + 1));
      }
      return b.toString();
    }
    if (r < 0.7) {
      String open =
          new String[] {"", "?:", "?P<g" + random.nextInt(10) + ">", "?i:", "?s:", "?U:", "?m:"}
              [random.nextInt(7)];
      return "(" + open + alternation(depth) + ")";
    }
    if (r < 0.9) {
      String[] quantifiers = {
        "*",
        "+",
        "?",
        "*?",
        "+?",
        "??",
        "{" + random.nextInt(41) + "}",
        "{" + random.nextInt(11) + ",}",
        "{" + random.nextInt(6) + "," + (5 + random.nextInt(26)) + "}",
        "{,3}"
      };
      String q = quantifiers[random.nextInt(quantifiers.length)];
      return random.nextBoolean()
          ? "(?:" + expression(depth + 1) + ")" + q
          : ATOMS[random.nextInt(ATOMS.length)] + q;
    }
    return alternation(depth);
  }

  private String alternation(int depth) {
    StringBuilder b = new StringBuilder();
    for (int i = 1 + random.nextInt(4); i > 0; i--) {
      b.append(b.length() == 0 ? "" : "|").append(expression(depth + 1));
    }
    return b.toString();
  }

  private String word() {
    StringBuilder b = new StringBuilder();
    for (int i = 2 + random.nextInt(7); i > 0; i--) {
      b.append("abcdefgh/-_".charAt(random.nextInt(11)));
    }
    return b.toString();
  }
}
