package dev.sluice.policy.route;

import dev.sluice.policy.route.Re2Node.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RE2's parser ({@code re2/parse.cc}) for the options Envoy uses, step by step: the same tree,
 * including the literal strings, the factoring of alternations and the squashing of repeats, since
 * all of them change the program RE2 compiles. Refuses what RE2 refuses, with RE2's message.
 *
 * <p>Envoy 1.40 runs RE2 in Latin-1: each byte of the expression's UTF-8 is one character, so
 * {@code é} is two, {@code \x{100}} is out of range, and {@code (?i)} folds ASCII letters only.
 */
final class Re2Parser {
  /** RE2's largest repeat count, and the largest product of nested counts. */
  static final int MAX_REPEAT = 1000;

  /** A refusal in RE2's words: its message, and the code points of the text it quotes. */
  static final class Re2Error extends Exception {
    private static final long serialVersionUID = 1L;
    final transient String text;
    final int column;

    Re2Error(String code, String arg, int column) {
      super(code, null, false, false);
      this.text = arg.isEmpty() ? code : code + ": " + arg;
      this.column = column;
    }
  }

  /** The code points RE2 allows in a group name. */
  private static final Re2Class CAPTURE_NAME = new Re2Class();

  static {
    for (String group : List.of("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Mn", "Mc", "Nd", "Pc")) {
      Re2Unicode.addGroup(CAPTURE_NAME, Re2Unicode.unicode(group), +1, 0);
    }
  }

  /** The largest character in Latin-1. */
  static final int MAX_RUNE = 0xFF;

  private final int[] s;
  private int flags = Re2Node.LIKE_PERL;
  private Re2Node stacktop;
  private int ncap;

  private Re2Parser(int[] codePoints) {
    this.s = codePoints;
  }

  /** Parses the expression as Envoy sends it to RE2: its UTF-8 bytes. */
  static Re2Node parse(String regex) throws Re2Error {
    byte[] utf8 = regex.getBytes(StandardCharsets.UTF_8);
    int[] bytes = new int[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      bytes[i] = utf8[i] & 0xFF;
    }
    return new Re2Parser(bytes).run();
  }

  /** RE2's error quoting bytes from-to, shown as the text the user wrote, at its 1-based column. */
  private Re2Error error(String code, int from, int to) {
    byte[] arg = new byte[Math.max(0, to - from)];
    for (int i = 0; i < arg.length; i++) {
      arg[i] = (byte) s[from + i];
    }
    return new Re2Error(code, new String(arg, StandardCharsets.UTF_8), column(from));
  }

  /** The column, in characters, of the character that byte i belongs to. */
  private int column(int i) {
    int chars = 0;
    for (int k = 0; k < Math.min(i, s.length); k++) {
      chars += (s[k] & 0xC0) == 0x80 ? 0 : 1;
    }
    boolean inside = i < s.length && (s[i] & 0xC0) == 0x80;
    return inside ? chars : chars + 1;
  }

  private Re2Node run() throws Re2Error {
    int t = 0;
    int lastUnaryFrom = -1;
    while (t < s.length) {
      int unaryFrom = -1;
      int c = s[t];
      switch (c) {
        case '(' -> {
          if (t + 1 < s.length && s[t + 1] == '?') {
            t = perlFlags(t);
          } else {
            leftParen(++ncap);
            t++;
          }
        }
        case '|' -> {
          verticalBar();
          t++;
        }
        case ')' -> {
          rightParen();
          t++;
        }
        case '^' -> {
          push(new Re2Node((flags & Re2Node.ONE_LINE) != 0 ? Op.BEGIN_TEXT : Op.BEGIN_LINE, flags));
          t++;
        }
        case '$' -> {
          boolean oneLine = (flags & Re2Node.ONE_LINE) != 0;
          push(
              new Re2Node(
                  oneLine ? Op.END_TEXT : Op.END_LINE,
                  oneLine ? flags | Re2Node.WAS_DOLLAR : flags));
          t++;
        }
        case '.' -> {
          dot();
          t++;
        }
        case '[' -> t = charClass(t);
        case '*', '+', '?' -> {
          Op op = c == '*' ? Op.STAR : c == '+' ? Op.PLUS : Op.QUEST;
          int from = t++;
          boolean nongreedy = t < s.length && s[t] == '?';
          t += nongreedy ? 1 : 0;
          if (lastUnaryFrom >= 0) {
            throw error("bad repetition operator", lastUnaryFrom, t);
          }
          repeatOp(op, from, t, nongreedy);
          unaryFrom = from;
        }
        case '{' -> {
          int[] minMax = new int[2];
          int end = repetition(t, minMax);
          if (end < 0) {
            literal('{');
            t++;
            break;
          }
          int from = t;
          t = end;
          boolean nongreedy = t < s.length && s[t] == '?';
          t += nongreedy ? 1 : 0;
          if (lastUnaryFrom >= 0) {
            throw error("bad repetition operator", lastUnaryFrom, t);
          }
          repetition(minMax[0], minMax[1], from, t, nongreedy);
          unaryFrom = from;
        }
        case '\\' -> t = backslash(t);
        default -> {
          literal(c);
          t++;
        }
      }
      lastUnaryFrom = unaryFrom;
    }
    return finish();
  }

  private int backslash(int t) throws Re2Error {
    int next = t + 1 < s.length ? s[t + 1] : -1;
    if (next == 'b' || next == 'B') {
      push(new Re2Node(next == 'b' ? Op.WORD_BOUNDARY : Op.NO_WORD_BOUNDARY, flags));
      return t + 2;
    }
    if (next == 'A' || next == 'z' || next == 'C') {
      push(
          new Re2Node(
              next == 'A' ? Op.BEGIN_TEXT : next == 'z' ? Op.END_TEXT : Op.ANY_BYTE, flags));
      return t + 2;
    }
    if (next == 'Q') {
      int i = t + 2;
      while (i < s.length) {
        if (i + 1 < s.length && s[i] == '\\' && s[i + 1] == 'E') {
          return i + 2;
        }
        literal(s[i++]);
      }
      return i;
    }
    if (next == 'p' || next == 'P') {
      Re2Node re = new Re2Node(Op.CHAR_CLASS, flags & ~Re2Node.FOLD_CASE);
      re.cc = new Re2Class();
      int end = unicodeGroup(t, re.cc);
      push(re);
      return end;
    }
    Re2Unicode.Group g = perlClass(t);
    if (g != null) {
      Re2Node re = new Re2Node(Op.CHAR_CLASS, flags & ~Re2Node.FOLD_CASE);
      re.cc = new Re2Class();
      Re2Unicode.addGroup(re.cc, g.ranges(), g.sign(), flags);
      push(re);
      return t + 2;
    }
    int[] rune = new int[1];
    int end = escape(t, rune);
    literal(rune[0]);
    return end;
  }

  private Re2Unicode.Group perlClass(int t) {
    if (t + 1 >= s.length) {
      return null;
    }
    return Re2Unicode.perl(new String(s, t, 2));
  }

  /** RE2's ParseEscape: the code point of the escape at t; returns the index after it. */
  private int escape(int t, int[] out) throws Re2Error {
    if (t + 1 >= s.length) {
      throw new Re2Error("trailing \\", "", column(t));
    }
    int i = t + 1;
    int c = s[i++];
    if (c >= '1' && c <= '7' && (i >= s.length || s[i] < '0' || s[i] > '7')) {
      throw error("invalid escape sequence", t, i);
    }
    if (c >= '0' && c <= '7') {
      int code = c - '0';
      for (int k = 0; k < 2 && i < s.length && s[i] >= '0' && s[i] <= '7'; k++) {
        code = code * 8 + s[i++] - '0';
      }
      if (code > MAX_RUNE) {
        throw error("invalid escape sequence", t, i);
      }
      out[0] = code;
      return i;
    }
    switch (c) {
      case 'x' -> {
        return hexEscape(t, i, out);
      }
      case 'n' -> out[0] = '\n';
      case 'r' -> out[0] = '\r';
      case 't' -> out[0] = '\t';
      case 'a' -> out[0] = 7;
      case 'f' -> out[0] = '\f';
      case 'v' -> out[0] = 11;
      default -> {
        if (c < 0x80 && !Character.isLetterOrDigit(c)) {
          out[0] = c;
          return i;
        }
        throw error("invalid escape sequence", t, i);
      }
    }
    return i;
  }

  private int hexEscape(int t, int at, int[] out) throws Re2Error {
    int i = at;
    if (i >= s.length) {
      throw error("invalid escape sequence", t, i);
    }
    int c = s[i++];
    if (c == '{') {
      if (i >= s.length) {
        throw new Re2Error(
            "invalid UTF-8", "", column(t)); // RE2 quotes nothing: the column is the escape's
      }
      c = s[i++];
      int nhex = 0;
      int code = 0;
      while (hex(c) >= 0) {
        nhex++;
        code = code * 16 + hex(c);
        if (code > MAX_RUNE || i >= s.length) {
          throw error("invalid escape sequence", t, i);
        }
        c = s[i++];
      }
      if (c != '}' || nhex == 0) {
        throw error("invalid escape sequence", t, i);
      }
      out[0] = code;
      return i;
    }
    if (i >= s.length) {
      throw error("invalid escape sequence", t, i);
    }
    int c1 = s[i++];
    if (hex(c) < 0 || hex(c1) < 0) {
      throw error("invalid escape sequence", t, i);
    }
    out[0] = hex(c) * 16 + hex(c1);
    return i;
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  /** RE2's ParseUnicodeGroup for \p or \P at t; returns the index after it. */
  private int unicodeGroup(int t, Re2Class cc) throws Re2Error {
    int sign = s[t + 1] == 'P' ? -1 : +1;
    int i = t + 2;
    if (i >= s.length) {
      throw error("invalid character class range", t, i);
    }
    String name;
    if (s[i] != '{') {
      name = new String(s, i, 1);
      i++;
    } else {
      int end = i;
      while (end < s.length && s[end] != '}') {
        end++;
      }
      if (end >= s.length) {
        throw error("invalid character class range", t, s.length);
      }
      name = new String(s, i + 1, end - i - 1);
      i = end + 1;
    }
    if (name.startsWith("^")) {
      sign = -sign;
      name = name.substring(1);
    }
    int[] ranges = Re2Unicode.unicode(name);
    if (ranges == null) {
      throw error("invalid character class range", t, i);
    }
    Re2Unicode.addGroup(cc, ranges, sign, flags);
    return i;
  }

  /** RE2's MaybeParseRepetition: the index after {n}, {n,} or {n,m} at t, or -1. */
  private int repetition(int t, int[] minMax) {
    int i = t + 1;
    int[] n = new int[1];
    i = integer(i, n);
    if (i < 0 || i >= s.length) {
      return -1;
    }
    minMax[0] = n[0];
    if (s[i] == ',') {
      i++;
      if (i >= s.length) {
        return -1;
      }
      if (s[i] == '}') {
        minMax[1] = -1;
      } else {
        i = integer(i, n);
        if (i < 0) {
          return -1;
        }
        minMax[1] = n[0];
      }
    } else {
      minMax[1] = minMax[0];
    }
    return i < s.length && s[i] == '}' ? i + 1 : -1;
  }

  private int integer(int at, int[] out) {
    int i = at;
    if (i >= s.length || !digit(s[i]) || (s[i] == '0' && i + 1 < s.length && digit(s[i + 1]))) {
      return -1;
    }
    int n = 0;
    while (i < s.length && digit(s[i])) {
      if (n >= 100_000_000) {
        return -1;
      }
      n = n * 10 + s[i++] - '0';
    }
    out[0] = n;
    return i;
  }

  private static boolean digit(int c) {
    return c >= '0' && c <= '9';
  }

  /** RE2's ParseCharClass for the class at t; returns the index after it. */
  private int charClass(int t) throws Re2Error {
    Re2Node re = new Re2Node(Op.CHAR_CLASS, flags & ~Re2Node.FOLD_CASE);
    re.cc = new Re2Class();
    int i = t + 1;
    boolean negated = false;
    if (i < s.length && s[i] == '^') {
      i++;
      negated = true;
    }
    boolean first = true;
    while (i < s.length && (s[i] != ']' || first)) {
      first = false;
      if (i + 2 < s.length && s[i] == '[' && s[i + 1] == ':') {
        int end = posixEnd(i);
        if (end > 0) {
          Re2Unicode.Group g = Re2Unicode.posix(new String(s, i, end - i));
          if (g == null) {
            throw error("invalid character class range", i, end);
          }
          Re2Unicode.addGroup(re.cc, g.ranges(), g.sign(), flags);
          i = end;
          continue;
        }
      }
      if (i + 2 < s.length && s[i] == '\\' && (s[i + 1] == 'p' || s[i + 1] == 'P')) {
        i = unicodeGroup(i, re.cc);
        continue;
      }
      Re2Unicode.Group g = perlClass(i);
      if (g != null) {
        Re2Unicode.addGroup(re.cc, g.ranges(), g.sign(), flags);
        i += 2;
        continue;
      }
      int from = i;
      int[] lo = new int[1];
      i = classChar(i, lo, t);
      int hi = lo[0];
      if (i + 1 < s.length && s[i] == '-' && s[i + 1] != ']') {
        int[] h = new int[1];
        i = classChar(i + 1, h, t);
        hi = h[0];
        if (hi < lo[0]) {
          throw error("invalid character class range", from, i);
        }
      }
      Re2Unicode.addRange(re.cc, lo[0], hi, flags | Re2Node.CLASS_NL);
    }
    if (i >= s.length) {
      throw error("missing ]", t, s.length);
    }
    if (negated) {
      re.cc.negate();
    }
    push(re);
    return i + 1;
  }

  private int posixEnd(int i) {
    for (int q = i + 2; q + 1 < s.length; q++) {
      if (s[q] == ':' && s[q + 1] == ']') {
        return q + 2;
      }
    }
    return -1;
  }

  private int classChar(int i, int[] out, int classStart) throws Re2Error {
    if (i >= s.length) {
      throw error("missing ]", classStart, s.length);
    }
    if (s[i] == '\\') {
      return escape(i, out);
    }
    out[0] = s[i];
    return i + 1;
  }

  /** RE2's ParsePerlFlags for "(?" at t; returns the index after what it read. */
  private int perlFlags(int t) throws Re2Error {
    int n = s.length - t;
    if ((n > 3 && (s[t + 2] == '=' || s[t + 2] == '!'))
        || (n > 4 && s[t + 2] == '<' && (s[t + 3] == '=' || s[t + 3] == '!'))) {
      throw error("invalid perl operator", t, t + (s[t + 2] == '<' ? 4 : 3));
    }
    if ((n > 4 && s[t + 2] == 'P' && s[t + 3] == '<') || (n > 3 && s[t + 2] == '<')) {
      int begin = t + (s[t + 2] == 'P' ? 4 : 3);
      int end = begin;
      while (end < s.length && s[end] != '>') {
        end++;
      }
      if (end >= s.length) {
        throw error("invalid named capture group", t, s.length);
      }
      if (!validCaptureName(begin, end)) {
        throw error("invalid named capture group", t, end + 1);
      }
      leftParen(++ncap);
      return end + 1;
    }
    int i = t + 2;
    boolean negated = false;
    boolean sawFlags = false;
    int nflags = flags;
    while (true) {
      if (i >= s.length) {
        throw error("invalid perl operator", t, i);
      }
      int c = s[i++];
      switch (c) {
        case 'i' -> {
          sawFlags = true;
          nflags = negated ? nflags & ~Re2Node.FOLD_CASE : nflags | Re2Node.FOLD_CASE;
        }
        case 'm' -> {
          sawFlags = true;
          nflags = negated ? nflags | Re2Node.ONE_LINE : nflags & ~Re2Node.ONE_LINE;
        }
        case 's' -> {
          sawFlags = true;
          nflags = negated ? nflags & ~Re2Node.DOT_NL : nflags | Re2Node.DOT_NL;
        }
        case 'U' -> {
          sawFlags = true;
          nflags = negated ? nflags & ~Re2Node.NON_GREEDY : nflags | Re2Node.NON_GREEDY;
        }
        case '-' -> {
          if (negated) {
            throw error("invalid perl operator", t, i);
          }
          negated = true;
          sawFlags = false;
        }
        case ':', ')' -> {
          if (negated && !sawFlags) {
            throw error("invalid perl operator", t, i);
          }
          if (c == ':') {
            leftParen(-1);
          }
          flags = nflags;
          return i;
        }
        default -> throw error("invalid perl operator", t, i);
      }
    }
  }

  private boolean validCaptureName(int begin, int end) {
    if (begin == end) {
      return false;
    }
    for (int i = begin; i < end; i++) {
      if (!CAPTURE_NAME.contains(s[i])) {
        return false;
      }
    }
    return true;
  }

  // The parse stack, as RE2's ParseState keeps it.

  private void leftParen(int cap) {
    Re2Node re = new Re2Node(Op.LEFT_PAREN, flags);
    re.cap = cap;
    push(re);
  }

  private void literal(int r) {
    if ((flags & Re2Node.FOLD_CASE) != 0 && (('A' <= r && r <= 'Z') || ('a' <= r && r <= 'z'))) {
      Re2Node re = new Re2Node(Op.CHAR_CLASS, flags & ~Re2Node.FOLD_CASE);
      re.cc = new Re2Class();
      Re2Unicode.addFoldedLatin1(re.cc, r, r);
      push(re);
      return;
    }
    if (maybeConcatString(r, flags)) {
      return;
    }
    Re2Node re = new Re2Node(Op.LITERAL, flags);
    re.rune = r;
    push(re);
  }

  private void dot() {
    if ((flags & Re2Node.DOT_NL) != 0) {
      push(new Re2Node(Op.ANY_CHAR, flags));
      return;
    }
    Re2Node re = new Re2Node(Op.CHAR_CLASS, flags & ~Re2Node.FOLD_CASE);
    re.cc = new Re2Class();
    re.cc.add(0, '\n' - 1);
    re.cc.add('\n' + 1, MAX_RUNE);
    push(re);
  }

  private void push(Re2Node node) {
    push(node, true);
  }

  /**
   * RE2's PushRegexp; a class built here (not one made by factoring) of one letter is a literal.
   */
  private void push(Re2Node node, boolean built) {
    maybeConcatString(-1, 0);
    Re2Node re = node;
    if (re.op == Op.CHAR_CLASS && built) {
      re.cc.removeAbove(MAX_RUNE);
      if (re.cc.size() == 1) {
        int r = re.cc.first();
        re = new Re2Node(Op.LITERAL, flags);
        re.rune = r;
      } else if (re.cc.size() == 2) {
        int r = re.cc.first();
        if ('A' <= r && r <= 'Z' && re.cc.contains(r + 'a' - 'A')) {
          re = new Re2Node(Op.LITERAL, flags | Re2Node.FOLD_CASE);
          re.rune = r + 'a' - 'A';
        }
      }
    }
    re.down = stacktop;
    stacktop = re;
  }

  private boolean maybeConcatString(int r, int newFlags) {
    Re2Node re1 = stacktop;
    Re2Node re2 = re1 == null ? null : re1.down;
    if (re2 == null
        || !isLiteral(re1)
        || !isLiteral(re2)
        || (re1.flags & Re2Node.FOLD_CASE) != (re2.flags & Re2Node.FOLD_CASE)) {
      return false;
    }
    if (re2.op == Op.LITERAL) {
      re2.op = Op.LITERAL_STRING;
      re2.runes = new int[] {re2.rune};
    }
    int[] add = re1.op == Op.LITERAL ? new int[] {re1.rune} : re1.runes;
    int[] joined = Arrays.copyOf(re2.runes, re2.runes.length + add.length);
    System.arraycopy(add, 0, joined, re2.runes.length, add.length);
    re2.runes = joined;
    if (r >= 0) {
      re1.op = Op.LITERAL;
      re1.rune = r;
      re1.runes = new int[0];
      re1.flags = newFlags;
      return true;
    }
    stacktop = re2;
    return false;
  }

  private static boolean isLiteral(Re2Node re) {
    return re.op == Op.LITERAL || re.op == Op.LITERAL_STRING;
  }

  private void repeatOp(Op op, int from, int to, boolean nongreedy) throws Re2Error {
    if (stacktop == null || stacktop.op.isMarker()) {
      throw error("no argument for repetition operator", from, to);
    }
    int fl = nongreedy ? flags ^ Re2Node.NON_GREEDY : flags;
    if (op == stacktop.op && fl == stacktop.flags) {
      return;
    }
    if (stacktop.op.isRepeat() && fl == stacktop.flags) {
      stacktop.op = Op.STAR;
      return;
    }
    Re2Node down = stacktop.down;
    Re2Node re = Re2Node.unary(op, fl, detach(stacktop));
    re.down = down;
    stacktop = re;
  }

  private void repetition(int min, int max, int from, int to, boolean nongreedy) throws Re2Error {
    if ((max != -1 && max < min) || min > MAX_REPEAT || max > MAX_REPEAT) {
      throw error("invalid repetition size", from, to);
    }
    if (stacktop == null || stacktop.op.isMarker()) {
      throw error("no argument for repetition operator", from, to);
    }
    int fl = nongreedy ? flags ^ Re2Node.NON_GREEDY : flags;
    Re2Node down = stacktop.down;
    Re2Node re = Re2Node.unary(Op.REPEAT, fl, detach(stacktop));
    re.min = min;
    re.max = max;
    re.down = down;
    stacktop = re;
    if ((min >= 2 || max >= 2) && repetitionBudget(re, MAX_REPEAT) == 0) {
      throw error("invalid repetition size", from, to);
    }
  }

  /** RE2's RepetitionWalker: what is left of the budget after dividing by each nested count. */
  private static int repetitionBudget(Re2Node re, int parent) {
    int arg = parent;
    if (re.op == Op.REPEAT) {
      int m = re.max < 0 ? re.min : re.max;
      if (m > 0) {
        arg /= m;
      }
    }
    int least = arg;
    for (Re2Node sub : re.subs) {
      least = Math.min(least, repetitionBudget(sub, arg));
    }
    return least;
  }

  private static Re2Node detach(Re2Node re) {
    re.down = null;
    return re;
  }

  private void verticalBar() {
    maybeConcatString(-1, 0);
    concatenation();
    Re2Node r1 = stacktop;
    Re2Node r2 = r1.down;
    if (r2 != null && r2.op == Op.VERTICAL_BAR) {
      Re2Node r3 = r2.down;
      if (r3 != null && (r1.op == Op.ANY_CHAR || r3.op == Op.ANY_CHAR)) {
        if (r3.op == Op.ANY_CHAR
            && (r1.op == Op.LITERAL || r1.op == Op.CHAR_CLASS || r1.op == Op.ANY_CHAR)) {
          stacktop = r2;
          return;
        }
        if (r1.op == Op.ANY_CHAR
            && (r3.op == Op.LITERAL || r3.op == Op.CHAR_CLASS || r3.op == Op.ANY_CHAR)) {
          r1.down = r3.down;
          r2.down = r1;
          stacktop = r2;
          return;
        }
      }
      r1.down = r2.down;
      r2.down = r1;
      stacktop = r2;
      return;
    }
    push(new Re2Node(Op.VERTICAL_BAR, flags));
  }

  private void rightParen() throws Re2Error {
    alternation();
    Re2Node r1 = stacktop;
    Re2Node r2 = r1 == null ? null : r1.down;
    if (r2 == null || r2.op != Op.LEFT_PAREN) {
      throw error("unexpected )", 0, s.length);
    }
    stacktop = r2.down;
    flags = r2.flags;
    Re2Node re;
    if (r2.cap > 0) {
      re = Re2Node.unary(Op.CAPTURE, r2.flags, detach(r1));
      re.cap = r2.cap;
    } else {
      re = detach(r1);
    }
    push(re, false);
  }

  private Re2Node finish() throws Re2Error {
    alternation();
    Re2Node re = stacktop;
    if (re != null && re.down != null) {
      throw error("missing )", 0, s.length);
    }
    return detach(re);
  }

  private void concatenation() {
    if (stacktop == null || stacktop.op.isMarker()) {
      push(new Re2Node(Op.EMPTY_MATCH, flags));
    }
    collapse(Op.CONCAT);
  }

  private void alternation() {
    verticalBar();
    stacktop = stacktop.down;
    collapse(Op.ALTERNATE);
  }

  private void collapse(Op op) {
    Re2Node next = stacktop;
    List<Re2Node> reversed = new ArrayList<>();
    for (Re2Node sub = stacktop; sub != null && !sub.op.isMarker(); sub = next) {
      next = sub.down;
    }
    if (stacktop != null && stacktop.down == next) {
      return;
    }
    for (Re2Node sub = stacktop; sub != null && !sub.op.isMarker(); sub = next) {
      next = sub.down;
      if (sub.op == op) {
        for (int k = sub.subs.size() - 1; k >= 0; k--) {
          reversed.add(sub.subs.get(k));
        }
      } else {
        reversed.add(detach(sub));
      }
    }
    List<Re2Node> subs = new ArrayList<>(reversed.size());
    for (int k = reversed.size() - 1; k >= 0; k--) {
      subs.add(reversed.get(k));
    }
    Re2Node re = Re2Factor.concatOrAlternate(op, subs, flags);
    re.down = next;
    stacktop = re;
  }
}
