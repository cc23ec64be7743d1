package dev.sluice.policy.route;

/**
 * A lower bound of the size of the program RE2 compiles an expression to, the number Envoy
 * compares with {@code re2.max_program_size.error_level} (100 by default) before it accepts a
 * route. Each atom (a literal, a class, {@code .}, an anchor) counts one instruction, {@code *},
 * {@code +}, {@code ?} and each {@code |} one more, a capture group two, a repeat {@code x{n,m}}
 * m copies of x and one more per optional copy, and every program four. RE2 needs more for some
 * atoms (a class of many ranges, {@code .} in UTF-8), never less, so what this refuses Envoy
 * refuses too: it agrees with Envoy 1.40 on {@code a{100}} (104), 150 literals (154) and
 * {@code /[a-z]{0,200}/x} (407).
 *
 * <p>Only for expressions that passed the syntax checks; linear in their length, with counts
 * saturating far above any limit.
 */
final class ProgramSize {
  private static final long CAP = 1L << 40;
  private static final int OVERHEAD = 4;
  private final String re;
  private int i;

  private ProgramSize(String re) {
    this.re = re;
  }

  static long of(String regex) {
    ProgramSize p = new ProgramSize(regex);
    long size = OVERHEAD;
    while (p.i < regex.length()) {
      size = add(size, p.alternation());
      if (p.i < regex.length() && regex.charAt(p.i) == ')') {
        p.i++; // unbalanced: Java's check reports it; count on
      }
    }
    return size;
  }

  private long alternation() {
    long size = concatenation();
    while (i < re.length() && re.charAt(i) == '|') {
      i++;
      size = add(add(size, 1), concatenation());
    }
    return size;
  }

  private long concatenation() {
    long size = 0;
    while (i < re.length() && re.charAt(i) != '|' && re.charAt(i) != ')') {
      long atom = atom();
      size = add(size, quantified(atom));
    }
    return size;
  }

  /** One atom's size, {@code i} after it. */
  private long atom() {
    char c = re.charAt(i);
    switch (c) {
      case '(' -> {
        boolean capture = true;
        i++;
        if (i < re.length() && re.charAt(i) == '?') {
          int close = i;
          while (close < re.length() && re.charAt(close) != ')' && re.charAt(close) != ':' && re.charAt(close) != '>') {
            close++;
          }
          if (close < re.length() && re.charAt(close) == ')') {
            i = close + 1; // flags only, such as (?i): no instruction
            return 0;
          }
          capture = close < re.length() && re.charAt(close) == '>'; // (?P<name>...) captures, (?flags:...) does not
          i = Math.min(re.length(), close + 1);
        }
        long inner = alternation();
        if (i < re.length() && re.charAt(i) == ')') {
          i++;
        }
        return capture ? add(inner, 2) : inner;
      }
      case '[' -> {
        i = classEnd(i);
        return 1;
      }
      case '\\' -> {
        return escape();
      }
      default -> {
        i++;
        return 1;
      }
    }
  }

  private long escape() {
    if (i + 1 >= re.length()) {
      i = re.length();
      return 1;
    }
    char e = re.charAt(i + 1);
    if (e == 'Q') {
      int end = re.indexOf("\\E", i + 2);
      int stop = end < 0 ? re.length() : end;
      long literals = stop - (i + 2);
      i = end < 0 ? re.length() : end + 2;
      return literals;
    }
    i += 2;
    if ((e == 'p' || e == 'P' || e == 'x') && i < re.length() && re.charAt(i) == '{') {
      int close = re.indexOf('}', i);
      i = close < 0 ? re.length() : close + 1;
    } else if (e == 'p' || e == 'P') {
      i = Math.min(re.length(), i + 1);
    } else if (e == 'x') {
      i = Math.min(re.length(), i + 2);
    }
    return 1;
  }

  /** The index after the character class opened at {@code open}. */
  private int classEnd(int open) {
    int j = open + 1;
    if (j < re.length() && re.charAt(j) == '^') {
      j++;
    }
    if (j < re.length() && re.charAt(j) == ']') {
      j++; // a leading ] is a literal
    }
    while (j < re.length()) {
      char c = re.charAt(j);
      if (c == '\\') {
        j += 2;
      } else if (c == '[' && j + 1 < re.length() && re.charAt(j + 1) == ':') {
        int end = re.indexOf(":]", j + 2);
        j = end < 0 ? j + 1 : end + 2;
      } else if (c == '[') {
        j = classEnd(j); // Java's nested class: RE2 reads it as a literal '['; either way one atom
      } else if (c == ']') {
        return j + 1;
      } else {
        j++;
      }
    }
    return re.length();
  }

  /** The atom with the quantifier that follows it, if any. */
  private long quantified(long atom) {
    if (i >= re.length()) {
      return atom;
    }
    char c = re.charAt(i);
    long size = atom;
    if (c == '*' || c == '+' || c == '?') {
      i++;
      size = add(atom, 1);
    } else if (c == '{') {
      int close = re.indexOf('}', i);
      String inside = close < 0 ? "" : re.substring(i + 1, close);
      if (!inside.matches("\\d+(,\\d*)?")) {
        return atom; // a literal '{': counted as the next atom
      }
      int comma = inside.indexOf(',');
      long min = Regexes.count(comma < 0 ? inside : inside.substring(0, comma));
      String maxText = comma < 0 ? inside : inside.substring(comma + 1);
      i = close + 1;
      if (maxText.isEmpty()) {
        size = add(mul(atom, Math.max(min, 1)), 1);
      } else {
        long max = Regexes.count(maxText);
        size = add(mul(atom, max), Math.max(0, max - min));
      }
    } else {
      return atom;
    }
    if (i < re.length() && re.charAt(i) == '?') {
      i++; // lazy: same program size
    }
    return size;
  }

  private static long add(long a, long b) {
    return Math.min(CAP, a + Math.min(CAP, b));
  }

  private static long mul(long a, long b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return a > CAP / Math.min(b, CAP) ? CAP : Math.min(CAP, a * b);
  }
}
