package dev.sluice.policy.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A node of RE2's parsed expression ({@code re2::Regexp}), with the same operators and flags, so
 * that the parser, the simplifier and the compiler can follow RE2's code step by step. Mutable, as
 * RE2's is while it parses and factors.
 */
final class Re2Node {
  enum Op {
    NO_MATCH,
    EMPTY_MATCH,
    LITERAL,
    LITERAL_STRING,
    CONCAT,
    ALTERNATE,
    STAR,
    PLUS,
    QUEST,
    REPEAT,
    CAPTURE,
    ANY_CHAR,
    ANY_BYTE,
    BEGIN_LINE,
    END_LINE,
    WORD_BOUNDARY,
    NO_WORD_BOUNDARY,
    BEGIN_TEXT,
    END_TEXT,
    CHAR_CLASS,
    LEFT_PAREN,
    VERTICAL_BAR;

    boolean isMarker() {
      return this == LEFT_PAREN || this == VERTICAL_BAR;
    }

    boolean isRepeat() {
      return this == STAR || this == PLUS || this == QUEST;
    }
  }

  static final int FOLD_CASE = 1;
  static final int CLASS_NL = 4;
  static final int DOT_NL = 8;
  static final int ONE_LINE = 16;
  static final int NON_GREEDY = 64;
  static final int PERL_CLASSES = 128;
  static final int PERL_B = 256;
  static final int PERL_X = 512;
  static final int UNICODE_GROUPS = 1024;
  static final int WAS_DOLLAR = 8192;

  /** RE2::Options' defaults, as Envoy builds its RE2: Perl-like syntax, UTF-8. */
  static final int LIKE_PERL =
      CLASS_NL | ONE_LINE | PERL_CLASSES | PERL_B | PERL_X | UNICODE_GROUPS;

  Op op;
  int flags;
  int rune;
  int[] runes = new int[0];
  List<Re2Node> subs = new ArrayList<>();
  int min;
  int max;
  int cap;
  Re2Class cc;
  Re2Node down;

  Re2Node(Op op, int flags) {
    this.op = op;
    this.flags = flags;
  }

  static Re2Node literalString(int[] runes, int flags) {
    if (runes.length == 0) {
      return new Re2Node(Op.EMPTY_MATCH, flags);
    }
    if (runes.length == 1) {
      Re2Node re = new Re2Node(Op.LITERAL, flags);
      re.rune = runes[0];
      return re;
    }
    Re2Node re = new Re2Node(Op.LITERAL_STRING, flags);
    re.runes = runes.clone();
    return re;
  }

  static Re2Node withSubs(Op op, int flags, List<Re2Node> subs) {
    Re2Node re = new Re2Node(op, flags);
    re.subs = new ArrayList<>(subs);
    return re;
  }

  static Re2Node unary(Op op, int flags, Re2Node sub) {
    return withSubs(op, flags, List.of(sub));
  }

  Re2Node sub() {
    return subs.get(0);
  }

  /** RE2's Regexp::Equal. */
  static boolean equal(Re2Node a, Re2Node b) {
    if (a.op != b.op) {
      return false;
    }
    boolean top =
        switch (a.op) {
          case END_TEXT -> ((a.flags ^ b.flags) & WAS_DOLLAR) == 0;
          case LITERAL -> a.rune == b.rune && ((a.flags ^ b.flags) & FOLD_CASE) == 0;
          case LITERAL_STRING ->
              Arrays.equals(a.runes, b.runes) && ((a.flags ^ b.flags) & FOLD_CASE) == 0;
          case ALTERNATE, CONCAT -> a.subs.size() == b.subs.size();
          case STAR, PLUS, QUEST -> ((a.flags ^ b.flags) & NON_GREEDY) == 0;
          case REPEAT ->
              ((a.flags ^ b.flags) & NON_GREEDY) == 0 && a.min == b.min && a.max == b.max;
          case CAPTURE -> a.cap == b.cap;
          case CHAR_CLASS -> a.cc.sameAs(b.cc);
          default -> true;
        };
    if (!top || a.subs.size() != b.subs.size()) {
      return false;
    }
    for (int i = 0; i < a.subs.size(); i++) {
      if (!equal(a.subs.get(i), b.subs.get(i))) {
        return false;
      }
    }
    return true;
  }
}
