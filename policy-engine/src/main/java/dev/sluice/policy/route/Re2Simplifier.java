package dev.sluice.policy.route;

import dev.sluice.policy.route.Re2Node.Op;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * RE2's Simplify ({@code re2/simplify.cc}): first adjacent repeats of one character are coalesced
 * ({@code a*a+} into {@code a{1,}}), then counted repeats are written out ({@code x{2,4}} is {@code
 * xx(x(x)?)?}) and empty or full classes become no-match or any-character.
 */
final class Re2Simplifier {
  private Re2Simplifier() {}

  static Re2Node simplify(Re2Node re) {
    return simplified(coalesced(re));
  }

  private static Re2Node copyWith(Re2Node re, List<Re2Node> subs) {
    Re2Node n = Re2Node.withSubs(re.op, re.flags, subs);
    n.min = re.min;
    n.max = re.max;
    n.cap = re.cap;
    return n;
  }

  private static Re2Node coalesced(Re2Node re) {
    if (re.subs.isEmpty()) {
      return re;
    }
    List<Re2Node> child = new ArrayList<>();
    for (Re2Node sub : re.subs) {
      child.add(coalesced(sub));
    }
    if (re.op != Op.CONCAT) {
      return copyWith(re, child);
    }
    boolean any = false;
    for (int i = 0; i + 1 < child.size(); i++) {
      any |= canCoalesce(child.get(i), child.get(i + 1));
    }
    if (!any) {
      return copyWith(re, child);
    }
    for (int i = 0; i + 1 < child.size(); i++) {
      if (canCoalesce(child.get(i), child.get(i + 1))) {
        doCoalesce(child, i);
      }
    }
    List<Re2Node> kept = new ArrayList<>();
    for (Re2Node c : child) {
      if (c.op != Op.EMPTY_MATCH) {
        kept.add(c);
      }
    }
    return copyWith(re, kept);
  }

  private static boolean isChar(Op op) {
    return op == Op.LITERAL || op == Op.CHAR_CLASS || op == Op.ANY_CHAR || op == Op.ANY_BYTE;
  }

  private static boolean canCoalesce(Re2Node r1, Re2Node r2) {
    if (!(r1.op.isRepeat() || r1.op == Op.REPEAT) || !isChar(r1.sub().op)) {
      return false;
    }
    if ((r2.op.isRepeat() || r2.op == Op.REPEAT)
        && Re2Node.equal(r1.sub(), r2.sub())
        && (r1.flags & Re2Node.NON_GREEDY) == (r2.flags & Re2Node.NON_GREEDY)) {
      return true;
    }
    if (Re2Node.equal(r1.sub(), r2)) {
      return true;
    }
    return r1.sub().op == Op.LITERAL
        && r2.op == Op.LITERAL_STRING
        && r2.runes[0] == r1.sub().rune
        && (r1.sub().flags & Re2Node.FOLD_CASE) == (r2.flags & Re2Node.FOLD_CASE);
  }

  private static void doCoalesce(List<Re2Node> child, int i) {
    Re2Node r1 = child.get(i);
    Re2Node r2 = child.get(i + 1);
    Re2Node nre = Re2Node.unary(Op.REPEAT, r1.flags, r1.sub());
    switch (r1.op) {
      case STAR -> {
        nre.min = 0;
        nre.max = -1;
      }
      case PLUS -> {
        nre.min = 1;
        nre.max = -1;
      }
      case QUEST -> {
        nre.min = 0;
        nre.max = 1;
      }
      default -> {
        nre.min = r1.min;
        nre.max = r1.max;
      }
    }
    switch (r2.op) {
      case STAR -> nre.max = -1;
      case PLUS -> {
        nre.min++;
        nre.max = -1;
      }
      case QUEST -> nre.max = nre.max != -1 ? nre.max + 1 : -1;
      case REPEAT -> {
        nre.min += r2.min;
        nre.max = r2.max == -1 ? -1 : nre.max != -1 ? nre.max + r2.max : -1;
      }
      case LITERAL_STRING -> {
        int r = r1.sub().rune;
        int n = 1;
        while (n < r2.runes.length && r2.runes[n] == r) {
          n++;
        }
        nre.min += n;
        if (nre.max != -1) {
          nre.max += n;
        }
        if (n < r2.runes.length) {
          child.set(i, nre);
          int[] rest = new int[r2.runes.length - n];
          System.arraycopy(r2.runes, n, rest, 0, rest.length);
          child.set(i + 1, Re2Node.literalString(rest, r2.flags));
          return;
        }
      }
      default -> {
        nre.min++;
        if (nre.max != -1) {
          nre.max++;
        }
      }
    }
    child.set(i, new Re2Node(Op.EMPTY_MATCH, 0));
    child.set(i + 1, nre);
  }

  private static Re2Node simplified(Re2Node re) {
    switch (re.op) {
      case CONCAT, ALTERNATE, CAPTURE -> {
        List<Re2Node> subs = new ArrayList<>();
        for (Re2Node sub : re.subs) {
          subs.add(simplified(sub));
        }
        return copyWith(re, subs);
      }
      case STAR, PLUS, QUEST -> {
        Re2Node sub = simplified(re.sub());
        if (sub.op == Op.EMPTY_MATCH) {
          return sub;
        }
        if (re.op == sub.op && re.flags == sub.flags) {
          return sub;
        }
        return Re2Node.unary(re.op, re.flags, sub);
      }
      case REPEAT -> {
        Re2Node sub = simplified(re.sub());
        if (sub.op == Op.EMPTY_MATCH) {
          return sub;
        }
        return repeat(sub, re.min, re.max, re.flags);
      }
      case CHAR_CLASS -> {
        if (re.cc.isEmpty()) {
          return new Re2Node(Op.NO_MATCH, re.flags);
        }
        return re.cc.isFull() ? new Re2Node(Op.ANY_CHAR, re.flags) : re;
      }
      default -> {
        return re;
      }
    }
  }

  private static boolean isEmptyOp(Re2Node re) {
    return switch (re.op) {
      case BEGIN_LINE, END_LINE, WORD_BOUNDARY, NO_WORD_BOUNDARY, BEGIN_TEXT, END_TEXT -> true;
      default -> false;
    };
  }

  /** RE2's StarPlusOrQuest: the operator over sub, squashing nested ones. */
  static Re2Node starPlusOrQuest(Op op, Re2Node sub, int flags) {
    if (op == sub.op && flags == sub.flags) {
      return sub;
    }
    if (sub.op.isRepeat() && flags == sub.flags) {
      return sub.op == Op.STAR ? sub : Re2Node.unary(Op.STAR, flags, sub.sub());
    }
    return Re2Node.unary(op, flags, sub);
  }

  private static Re2Node concat(List<Re2Node> subs, int flags) {
    return Re2Factor.noFactor(Op.CONCAT, subs, flags);
  }

  private static Re2Node repeat(Re2Node re, int minIn, int maxIn, int f) {
    int min = minIn;
    int max = maxIn;
    if (isEmptyOp(re)
        || ((re.op == Op.CONCAT || re.op == Op.ALTERNATE)
            && re.subs.stream().allMatch(Re2Simplifier::isEmptyOp))) {
      min = Math.min(min, 1);
      max = Math.min(max, 1);
    }
    if (max == -1) {
      if (min == 0) {
        return starPlusOrQuest(Op.STAR, re, f);
      }
      if (min == 1) {
        return starPlusOrQuest(Op.PLUS, re, f);
      }
      List<Re2Node> subs = new ArrayList<>(Collections.nCopies(min - 1, re));
      subs.add(starPlusOrQuest(Op.PLUS, re, f));
      return concat(subs, f);
    }
    if (min == 0 && max == 0) {
      return new Re2Node(Op.EMPTY_MATCH, f);
    }
    if (min == 1 && max == 1) {
      return re;
    }
    Re2Node nre = min > 0 ? concat(Collections.nCopies(min, re), f) : null;
    if (max > min) {
      Re2Node suf = starPlusOrQuest(Op.QUEST, re, f);
      for (int i = min + 1; i < max; i++) {
        suf = starPlusOrQuest(Op.QUEST, Re2Node.withSubs(Op.CONCAT, f, List.of(re, suf)), f);
      }
      nre = nre == null ? suf : Re2Node.withSubs(Op.CONCAT, f, List.of(nre, suf));
    }
    return nre == null ? new Re2Node(Op.NO_MATCH, f) : nre;
  }
}
