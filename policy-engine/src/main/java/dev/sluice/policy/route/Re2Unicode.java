package dev.sluice.policy.route;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * RE2's character tables: the Unicode groups behind {@code \p{...}} and the Perl and POSIX classes,
 * and its case folding in Latin-1. The Unicode data is RE2's own (re2-unicode.txt beside this
 * class), so a class holds the same characters, and compiles to the same program, as in Envoy.
 */
final class Re2Unicode {
  static final int FOLD_CASE = 1;
  static final int CLASS_NL = 4;
  static final int NEVER_NL = 2048;

  private static final Map<String, int[]> GROUPS = new HashMap<>();

  private static final Map<String, Group> PERL =
      Map.of(
          "\\d",
          new Group(+1, new int[] {0x30, 0x39}),
          "\\D",
          new Group(-1, new int[] {0x30, 0x39}),
          "\\s",
          new Group(+1, new int[] {0x9, 0xa, 0xc, 0xd, 0x20, 0x20}),
          "\\S",
          new Group(-1, new int[] {0x9, 0xa, 0xc, 0xd, 0x20, 0x20}),
          "\\w",
          new Group(+1, new int[] {0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a}),
          "\\W",
          new Group(-1, new int[] {0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a}));
  private static final Map<String, int[]> POSIX =
      Map.ofEntries(
          Map.entry("alnum", new int[] {0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a}),
          Map.entry("alpha", new int[] {0x41, 0x5a, 0x61, 0x7a}),
          Map.entry("ascii", new int[] {0x0, 0x7f}),
          Map.entry("blank", new int[] {0x9, 0x9, 0x20, 0x20}),
          Map.entry("cntrl", new int[] {0x0, 0x1f, 0x7f, 0x7f}),
          Map.entry("digit", new int[] {0x30, 0x39}),
          Map.entry("graph", new int[] {0x21, 0x7e}),
          Map.entry("lower", new int[] {0x61, 0x7a}),
          Map.entry("print", new int[] {0x20, 0x7e}),
          Map.entry("punct", new int[] {0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e}),
          Map.entry("space", new int[] {0x9, 0xd, 0x20, 0x20}),
          Map.entry("upper", new int[] {0x41, 0x5a}),
          Map.entry("word", new int[] {0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a}),
          Map.entry("xdigit", new int[] {0x30, 0x39, 0x41, 0x46, 0x61, 0x66}));

  /** A class with its sign: -1 for the complement of the ranges. */
  @SuppressWarnings("ArrayRecordComponent") // constant tables, never compared
  record Group(int sign, int[] ranges) {}

  static {
    try (InputStream in = Re2Unicode.class.getResourceAsStream("re2-unicode.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String[] f = line.split(" ");
        if (f[0].equals("group")) {
          int[] ranges = new int[2 * (f.length - 2)];
          for (int i = 2; i < f.length; i++) {
            String[] lohi = f[i].split("-");
            ranges[2 * (i - 2)] = Integer.parseInt(lohi[0], 16);
            ranges[2 * (i - 2) + 1] = Integer.parseInt(lohi[1], 16);
          }
          GROUPS.put(f[1], ranges);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GROUPS.put("Any", new int[] {0, 0xFFFF, 0x10000, Re2Class.MAX_RUNE});
  }

  private Re2Unicode() {}

  static Group perl(String name) {
    return PERL.get(name);
  }

  /** A POSIX class by its bracketed name, such as {@code [:^alpha:]}; null when unknown. */
  static Group posix(String name) {
    String inner = name.substring(2, name.length() - 2);
    boolean negated = inner.startsWith("^");
    int[] ranges = POSIX.get(negated ? inner.substring(1) : inner);
    return ranges == null ? null : new Group(negated ? -1 : +1, ranges);
  }

  static int[] unicode(String name) {
    return GROUPS.get(name);
  }

  /** RE2's AddRangeFlags: leaves out \n unless classes may hold it, and adds case folds. */
  static void addRange(Re2Class cc, int lo, int hi, int flags) {
    boolean cutNl = (flags & CLASS_NL) == 0 || (flags & NEVER_NL) != 0;
    if (cutNl && lo <= '\n' && '\n' <= hi) {
      if (lo < '\n') {
        addRange(cc, lo, '\n' - 1, flags);
      }
      if (hi > '\n') {
        addRange(cc, '\n' + 1, hi, flags);
      }
      return;
    }
    if ((flags & FOLD_CASE) != 0) {
      addFoldedLatin1(cc, lo, hi);
    } else {
      cc.add(lo, hi);
    }
  }

  /** RE2's AddFoldedRangeLatin1: the range, and the other case of the ASCII letters in it. */
  static void addFoldedLatin1(Re2Class cc, int lo, int hi) {
    cc.add(lo, hi);
    cc.add(Math.max(lo, 'A') + 'a' - 'A', Math.min(hi, 'Z') + 'a' - 'A');
    cc.add(Math.max(lo, 'a') - 'a' + 'A', Math.min(hi, 'z') - 'a' + 'A');
  }

  /** RE2's AddUGroup. */
  static void addGroup(Re2Class cc, int[] ranges, int sign, int flags) {
    if (sign > 0) {
      for (int i = 0; i < ranges.length; i += 2) {
        addRange(cc, ranges[i], ranges[i + 1], flags);
      }
      return;
    }
    if ((flags & FOLD_CASE) != 0) {
      Re2Class positive = new Re2Class();
      addGroup(positive, ranges, +1, flags);
      if ((flags & CLASS_NL) == 0 || (flags & NEVER_NL) != 0) {
        positive.add('\n', '\n');
      }
      positive.negate();
      cc.addAll(positive);
      return;
    }
    int next = 0;
    for (int i = 0; i < ranges.length; i += 2) {
      if (next < ranges[i]) {
        addRange(cc, next, ranges[i] - 1, flags);
      }
      next = ranges[i + 1] + 1;
    }
    if (next <= Re2Class.MAX_RUNE) {
      addRange(cc, next, Re2Class.MAX_RUNE, flags);
    }
  }
}
