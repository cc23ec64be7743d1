package dev.sluice.policy.route;

import dev.sluice.policy.route.Re2Node.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How RE2's parser builds a concatenation or an alternation, factoring common prefixes out of the
 * branches of an alternation ({@code abc|abd} becomes {@code ab[cd]}) in its three rounds: common
 * literal prefixes, common leading pieces, and runs of single characters merged into a class.
 */
final class Re2Factor {
  private static final int MAX_PREFIX_DEPTH = 4;

  private Re2Factor() {}

  static Re2Node concatOrAlternate(Op op, List<Re2Node> subs, int flags) {
    if (subs.size() == 1) {
      return subs.get(0);
    }
    if (subs.isEmpty()) {
      return new Re2Node(op == Op.ALTERNATE ? Op.NO_MATCH : Op.EMPTY_MATCH, flags);
    }
    if (op == Op.ALTERNATE) {
      List<Re2Node> factored = factor(new ArrayList<>(subs), flags);
      return factored.size() == 1 ? factored.get(0) : Re2Node.withSubs(op, flags, factored);
    }
    return Re2Node.withSubs(op, flags, subs);
  }

  static Re2Node noFactor(Op op, List<Re2Node> subs, int flags) {
    if (subs.size() == 1) {
      return subs.get(0);
    }
    if (subs.isEmpty()) {
      return new Re2Node(op == Op.ALTERNATE ? Op.NO_MATCH : Op.EMPTY_MATCH, flags);
    }
    return Re2Node.withSubs(op, flags, subs);
  }

  /** RE2's FactorAlternation: the branches after its rounds. */
  static List<Re2Node> factor(List<Re2Node> subs, int flags) {
    List<Re2Node> out = round1(subs, flags);
    out = round2(out, flags);
    return round3(out, flags);
  }

  private static Re2Node spliced(Re2Node prefix, List<Re2Node> run, int flags) {
    List<Re2Node> suffixes = factor(run, flags);
    return noFactor(Op.CONCAT, List.of(prefix, noFactor(Op.ALTERNATE, suffixes, flags)), flags);
  }

  /** Round 1: common leading literal strings. */
  private static List<Re2Node> round1(List<Re2Node> sub, int flags) {
    List<Re2Node> out = new ArrayList<>();
    int start = 0;
    int[] rune = new int[0];
    int nrune = 0;
    int runeFlags = 0;
    for (int i = 0; i <= sub.size(); i++) {
      int[] runeI = new int[0];
      int runeFlagsI = 0;
      if (i < sub.size()) {
        Re2Node lead = leading(sub.get(i));
        runeFlagsI = lead.flags & Re2Node.FOLD_CASE;
        runeI =
            lead.op == Op.LITERAL
                ? new int[] {lead.rune}
                : lead.op == Op.LITERAL_STRING ? lead.runes : new int[0];
        if (runeFlagsI == runeFlags) {
          int same = 0;
          while (same < nrune && same < runeI.length && rune[same] == runeI[same]) {
            same++;
          }
          if (same > 0) {
            nrune = same;
            continue;
          }
        }
      }
      if (i - start >= 2) {
        Re2Node prefix = Re2Node.literalString(Arrays.copyOf(rune, nrune), runeFlags);
        List<Re2Node> run = new ArrayList<>(sub.subList(start, i));
        for (Re2Node re : run) {
          removeLeadingString(re, nrune);
        }
        out.add(spliced(prefix, run, flags));
      } else if (i - start == 1) {
        out.add(sub.get(start));
      }
      if (i < sub.size()) {
        start = i;
        rune = runeI;
        nrune = runeI.length;
        runeFlags = runeFlagsI;
      }
    }
    return out;
  }

  private static Re2Node leading(Re2Node re) {
    Re2Node r = re;
    while (r.op == Op.CONCAT && !r.subs.isEmpty()) {
      r = r.sub();
    }
    return r;
  }

  /** RE2's RemoveLeadingString: drops n leading literals, in place. */
  private static void removeLeadingString(Re2Node top, int n) {
    List<Re2Node> stack = new ArrayList<>();
    Re2Node re = top;
    while (re.op == Op.CONCAT) {
      if (stack.size() < MAX_PREFIX_DEPTH) {
        stack.add(re);
      }
      re = re.sub();
    }
    if (re.op == Op.LITERAL) {
      re.rune = 0;
      re.op = Op.EMPTY_MATCH;
    } else if (re.op == Op.LITERAL_STRING) {
      if (n >= re.runes.length) {
        re.runes = new int[0];
        re.op = Op.EMPTY_MATCH;
      } else if (n == re.runes.length - 1) {
        re.rune = re.runes[re.runes.length - 1];
        re.runes = new int[0];
        re.op = Op.LITERAL;
      } else {
        re.runes = Arrays.copyOfRange(re.runes, n, re.runes.length);
      }
    }
    for (int d = stack.size() - 1; d >= 0; d--) {
      Re2Node c = stack.get(d);
      if (c.sub().op == Op.EMPTY_MATCH) {
        if (c.subs.size() == 2) {
          become(c, c.subs.get(1));
        } else {
          c.subs.remove(0);
        }
      }
    }
  }

  private static void become(Re2Node target, Re2Node source) {
    target.op = source.op;
    target.flags = source.flags;
    target.rune = source.rune;
    target.runes = source.runes;
    target.subs = source.subs;
    target.min = source.min;
    target.max = source.max;
    target.cap = source.cap;
    target.cc = source.cc;
  }

  /**
   * Round 2: a common leading piece that is safe to factor (a class, an anchor, a fixed repeat).
   */
  private static List<Re2Node> round2(List<Re2Node> sub, int flags) {
    List<Re2Node> out = new ArrayList<>();
    int start = 0;
    Re2Node first = null;
    for (int i = 0; i <= sub.size(); i++) {
      Re2Node firstI = null;
      if (i < sub.size()) {
        firstI = leadingRegexp(sub.get(i));
        if (first != null && factorable(first) && firstI != null && Re2Node.equal(first, firstI)) {
          continue;
        }
      }
      if (i - start >= 2) {
        List<Re2Node> run = new ArrayList<>();
        for (int j = start; j < i; j++) {
          run.add(removeLeadingRegexp(sub.get(j)));
        }
        out.add(spliced(first, run, flags));
      } else if (i - start == 1) {
        out.add(sub.get(start));
      }
      if (i < sub.size()) {
        start = i;
        first = firstI;
      }
    }
    return out;
  }

  private static boolean factorable(Re2Node first) {
    return switch (first.op) {
      case BEGIN_LINE,
          END_LINE,
          WORD_BOUNDARY,
          NO_WORD_BOUNDARY,
          BEGIN_TEXT,
          END_TEXT,
          CHAR_CLASS,
          ANY_CHAR,
          ANY_BYTE ->
          true;
      case REPEAT ->
          first.min == first.max
              && switch (first.sub().op) {
                case LITERAL, CHAR_CLASS, ANY_CHAR, ANY_BYTE -> true;
                default -> false;
              };
      default -> false;
    };
  }

  private static Re2Node leadingRegexp(Re2Node re) {
    if (re.op == Op.EMPTY_MATCH) {
      return null;
    }
    if (re.op == Op.CONCAT && re.subs.size() >= 2) {
      return re.sub().op == Op.EMPTY_MATCH ? null : re.sub();
    }
    return re;
  }

  private static Re2Node removeLeadingRegexp(Re2Node re) {
    if (re.op == Op.EMPTY_MATCH) {
      return re;
    }
    if (re.op == Op.CONCAT && re.subs.size() >= 2) {
      if (re.sub().op == Op.EMPTY_MATCH) {
        return re;
      }
      if (re.subs.size() == 2) {
        return re.subs.get(1);
      }
      re.subs.remove(0);
      return re;
    }
    return new Re2Node(Op.EMPTY_MATCH, re.flags);
  }

  /** Round 3: runs of literals and classes become one class. */
  private static List<Re2Node> round3(List<Re2Node> sub, int flags) {
    List<Re2Node> out = new ArrayList<>();
    int start = 0;
    Re2Node first = null;
    for (int i = 0; i <= sub.size(); i++) {
      Re2Node firstI = null;
      if (i < sub.size()) {
        firstI = sub.get(i);
        if (first != null && singleChar(first) && singleChar(firstI)) {
          continue;
        }
      }
      if (i - start >= 2) {
        Re2Class cc = new Re2Class();
        for (int j = start; j < i; j++) {
          Re2Node re = sub.get(j);
          if (re.op == Op.CHAR_CLASS) {
            for (int[] r : re.cc.list()) {
              Re2Unicode.addRange(cc, r[0], r[1], re.flags);
            }
          } else if ((re.flags & Re2Node.FOLD_CASE) != 0) {
            Re2Class tmp = new Re2Class();
            Re2Unicode.addRange(tmp, re.rune, re.rune, re.flags);
            cc.addAll(tmp);
          } else {
            Re2Unicode.addRange(cc, re.rune, re.rune, re.flags);
          }
        }
        Re2Node re = new Re2Node(Op.CHAR_CLASS, flags & ~Re2Node.FOLD_CASE);
        re.cc = cc;
        out.add(re);
      } else if (i - start == 1) {
        out.add(sub.get(start));
      }
      if (i < sub.size()) {
        start = i;
        first = firstI;
      }
    }
    return out;
  }

  private static boolean singleChar(Re2Node re) {
    return re.op == Op.LITERAL || re.op == Op.CHAR_CLASS;
  }
}
