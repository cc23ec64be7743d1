package dev.sluice.policy.route;

import dev.sluice.policy.route.Re2Node.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The size of the program RE2 compiles an expression to, {@code RE2::ProgramSize()}, which Envoy
 * compares with {@code re2.max_program_size.error_level}. It follows RE2's compiler ({@code
 * re2/compile.cc}) as Envoy runs it, in Latin-1 (one byte range per class range), with the
 * unanchored {@code .*?} prefix and without the literal prefix of a {@code ^abc...} expression,
 * which RE2 matches outside the program; and then counts what {@code Prog::Flatten} leaves: one
 * list per instruction reached after a byte, holding the non-empty instructions reachable from it
 * without consuming input.
 */
final class Re2Program {
  /**
   * RE2 gives up ("pattern too large") past this many instructions before flattening: two thirds of
   * its 8 MiB max_mem, less the program's header, in 8-byte instructions, as in Envoy 1.40.
   */
  static final int MAX_INSTRUCTIONS = 698_996;

  private static final int FAIL = 0;
  private static final int ALT = 1;
  private static final int ALT_MATCH = 2;
  private static final int BYTE_RANGE = 3;
  private static final int CAPTURE = 4;
  private static final int EMPTY_WIDTH = 5;
  private static final int MATCH = 6;
  private static final int NOP = 7;

  /** Thrown when RE2 would run out of its instruction budget. */
  static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("pattern too large - compile failed", null, false, false);
    }
  }

  private int[] opcode = new int[64];
  private int[] out = new int[64];
  private int[] out1 = new int[64];
  private int[] lo = new int[64];
  private int[] hi = new int[64];
  private boolean[] fold = new boolean[64];
  private int ninst;
  private int visits;
  private int rangeBegin;
  private long rangeEnd;

  /**
   * A fragment: its first instruction, the holes to patch (RE2's PatchList), and whether it can
   * match empty.
   */
  private record Frag(int begin, long end, boolean nullable) {}

  private static final Frag NO_MATCH = new Frag(0, 0, false);

  private Re2Program() {
    alloc(1); // the Fail instruction
  }

  /** The flattened program size of a parsed expression. */
  static int size(Re2Node parsed) throws TooLarge {
    Re2Node re = requiredPrefixSuffix(parsed);
    Re2Node simplified = Re2Simplifier.simplify(re);
    Re2Node[] holder = {simplified};
    boolean anchorStart = anchor(holder, 0, true);
    anchor(holder, 0, false); // a trailing $ is checked outside the program too
    Re2Program p = new Re2Program();
    try {
      return p.compileAndCount(holder[0], anchorStart);
    } catch (TooLargeUnchecked e) {
      throw new TooLarge();
    }
  }

  private int compileAndCount(Re2Node re, boolean anchorStart) {
    Re2Program p = this;
    Frag all = p.compile(re);
    all = p.cat(all, p.match());
    int start = all.begin();
    if (!anchorStart) {
      all = p.cat(p.dotStar(), all);
    }
    int startUnanchored = all.begin();
    if (start == 0 && startUnanchored == 0) {
      return 1;
    }
    p.optimize(start);
    return p.flatten(startUnanchored, start);
  }

  /**
   * RE2::Init compiles only what follows a required literal prefix ({@code ^abc} in {@code
   * ^abc.*}).
   */
  private static Re2Node requiredPrefixSuffix(Re2Node re) {
    if (re.op != Op.CONCAT) {
      return re;
    }
    int i = 0;
    while (i < re.subs.size() && re.subs.get(i).op == Op.BEGIN_TEXT) {
      i++;
    }
    if (i == 0 || i >= re.subs.size()) {
      return re;
    }
    Re2Node lit = re.subs.get(i);
    if (lit.op != Op.LITERAL && lit.op != Op.LITERAL_STRING) {
      return re;
    }
    i++;
    if (i < re.subs.size()) {
      return Re2Factor.noFactor(
          Op.CONCAT, new ArrayList<>(re.subs.subList(i, re.subs.size())), re.flags);
    }
    return new Re2Node(Op.EMPTY_MATCH, re.flags);
  }

  /**
   * RE2's IsAnchorStart / IsAnchorEnd: removes a leading ^ (trailing $) and says whether there was
   * one.
   */
  private static boolean anchor(Re2Node[] pre, int depth, boolean start) {
    Re2Node re = pre[0];
    if (re == null || depth >= 4) {
      return false;
    }
    switch (re.op) {
      case CONCAT -> {
        if (!re.subs.isEmpty()) {
          int at = start ? 0 : re.subs.size() - 1;
          Re2Node[] sub = {re.subs.get(at)};
          if (anchor(sub, depth + 1, start)) {
            List<Re2Node> copy = new ArrayList<>(re.subs);
            copy.set(at, sub[0]);
            pre[0] = Re2Node.withSubs(Op.CONCAT, re.flags, copy);
            return true;
          }
        }
        return false;
      }
      case CAPTURE -> {
        Re2Node[] sub = {re.sub()};
        if (anchor(sub, depth + 1, start)) {
          Re2Node c = Re2Node.unary(Op.CAPTURE, re.flags, sub[0]);
          c.cap = re.cap;
          pre[0] = c;
          return true;
        }
        return false;
      }
      case BEGIN_TEXT, END_TEXT -> {
        if (re.op == (start ? Op.BEGIN_TEXT : Op.END_TEXT)) {
          pre[0] = new Re2Node(Op.EMPTY_MATCH, re.flags);
          return true;
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  // Instructions.

  private int alloc(int n) {
    if (ninst + n > MAX_INSTRUCTIONS) {
      throw new TooLargeUnchecked();
    }
    while (ninst + n > opcode.length) {
      int cap = opcode.length * 2;
      opcode = Arrays.copyOf(opcode, cap);
      out = Arrays.copyOf(out, cap);
      out1 = Arrays.copyOf(out1, cap);
      lo = Arrays.copyOf(lo, cap);
      hi = Arrays.copyOf(hi, cap);
      fold = Arrays.copyOf(fold, cap);
    }
    int id = ninst;
    ninst += n;
    return id;
  }

  /** Unwinds the compiler when RE2 would give up; turned into {@link TooLarge} at the top. */
  private static final class TooLargeUnchecked extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLargeUnchecked() {
      super(null, null, false, false);
    }
  }

  private int inst(int op, int o, int o1) {
    int id = alloc(1);
    opcode[id] = op;
    out[id] = o;
    out1[id] = o1;
    return id;
  }

  private static long mk(int p) {
    return ((long) p << 32) | (p & 0xFFFFFFFFL);
  }

  private static int head(long l) {
    return (int) (l >>> 32);
  }

  private static int tail(long l) {
    return (int) l;
  }

  private void patch(long list, int p) {
    int h = head(list);
    while (h != 0) {
      int id = h >> 1;
      if ((h & 1) != 0) {
        h = out1[id];
        out1[id] = p;
      } else {
        h = out[id];
        out[id] = p;
      }
    }
  }

  private long append(long l1, long l2) {
    if (head(l1) == 0) {
      return l2;
    }
    if (head(l2) == 0) {
      return l1;
    }
    int t = tail(l1);
    if ((t & 1) != 0) {
      out1[t >> 1] = head(l2);
    } else {
      out[t >> 1] = head(l2);
    }
    return ((long) head(l1) << 32) | (tail(l2) & 0xFFFFFFFFL);
  }

  private Frag cat(Frag a, Frag b) {
    if (a.begin() == 0 || b.begin() == 0) {
      return NO_MATCH;
    }
    if (opcode[a.begin()] == NOP && head(a.end()) == (a.begin() << 1) && out[a.begin()] == 0) {
      patch(a.end(), b.begin());
      return b;
    }
    patch(a.end(), b.begin());
    return new Frag(a.begin(), b.end(), a.nullable() && b.nullable());
  }

  private Frag alt(Frag a, Frag b) {
    if (a.begin() == 0) {
      return b;
    }
    if (b.begin() == 0) {
      return a;
    }
    int id = inst(ALT, a.begin(), b.begin());
    return new Frag(id, append(a.end(), b.end()), a.nullable() || b.nullable());
  }

  private Frag plus(Frag a, boolean nongreedy) {
    int id = nongreedy ? inst(ALT, 0, a.begin()) : inst(ALT, a.begin(), 0);
    long pl = mk(nongreedy ? id << 1 : (id << 1) | 1);
    patch(a.end(), id);
    return new Frag(a.begin(), pl, a.nullable());
  }

  private Frag star(Frag a, boolean nongreedy) {
    if (a.nullable()) {
      return quest(plus(a, nongreedy), nongreedy);
    }
    int id = nongreedy ? inst(ALT, 0, a.begin()) : inst(ALT, a.begin(), 0);
    long pl = mk(nongreedy ? id << 1 : (id << 1) | 1);
    patch(a.end(), id);
    return new Frag(id, pl, true);
  }

  private Frag quest(Frag a, boolean nongreedy) {
    if (a.begin() == 0) {
      return nop();
    }
    int id = nongreedy ? inst(ALT, 0, a.begin()) : inst(ALT, a.begin(), 0);
    long pl = mk(nongreedy ? id << 1 : (id << 1) | 1);
    return new Frag(id, append(pl, a.end()), true);
  }

  private Frag byteRange(int l, int h, boolean f) {
    int id = inst(BYTE_RANGE, 0, 0);
    lo[id] = l;
    hi[id] = h;
    fold[id] = f;
    return new Frag(id, mk(id << 1), false);
  }

  private Frag nop() {
    int id = inst(NOP, 0, 0);
    return new Frag(id, mk(id << 1), true);
  }

  private Frag match() {
    int id = inst(MATCH, 0, 0);
    return new Frag(id, 0, false);
  }

  private Frag emptyWidth() {
    int id = inst(EMPTY_WIDTH, 0, 0);
    return new Frag(id, mk(id << 1), true);
  }

  private Frag capture(Frag a) {
    if (a.begin() == 0) {
      return NO_MATCH;
    }
    int id = alloc(2);
    opcode[id] = CAPTURE;
    out[id] = a.begin();
    out1[id] = 0;
    opcode[id + 1] = CAPTURE;
    out[id + 1] = 0;
    out1[id + 1] = 0;
    patch(a.end(), id + 1);
    return new Frag(id, mk((id + 1) << 1), a.nullable());
  }

  private Frag dotStar() {
    return star(byteRange(0x00, 0xff, false), true);
  }

  // Character ranges as Envoy's RE2 compiles them: Latin-1, one byte range per range, in a chain of
  // Alts.

  private void beginRange() {
    rangeBegin = 0;
    rangeEnd = 0;
  }

  private void addRuneRange(int l, int h, boolean f) {
    if (l > h || l > 0xFF) {
      return;
    }
    Frag frag = byteRange(l, Math.min(h, 0xFF), f);
    rangeEnd = append(rangeEnd, frag.end());
    rangeBegin = rangeBegin == 0 ? frag.begin() : inst(ALT, rangeBegin, frag.begin());
  }

  private Frag literal(int r, boolean f) {
    return byteRange(r, r, f);
  }

  private Frag charClass(Re2Class cc) {
    boolean foldAscii = cc.foldsAscii();
    beginRange();
    for (int[] r : cc.list()) {
      if (foldAscii && 'A' <= r[0] && r[1] <= 'Z') {
        continue;
      }
      boolean f = foldAscii;
      if ((r[0] <= 'A' && 'z' <= r[1]) || r[1] < 'A' || 'z' < r[0] || ('Z' < r[0] && r[1] < 'a')) {
        f = false;
      }
      addRuneRange(r[0], r[1], f);
    }
    return new Frag(rangeBegin, rangeEnd, false);
  }

  /** The compiler's walk: children first, in order, as RE2's Walker visits them. */
  private Frag compile(Re2Node re) {
    if (++visits > 2 * MAX_INSTRUCTIONS) {
      throw new TooLargeUnchecked();
    }
    List<Frag> child = new ArrayList<>(re.subs.size());
    for (Re2Node sub : re.subs) {
      child.add(compile(sub));
    }
    boolean nongreedy = (re.flags & Re2Node.NON_GREEDY) != 0;
    boolean f = (re.flags & Re2Node.FOLD_CASE) != 0;
    return switch (re.op) {
      case NO_MATCH -> NO_MATCH;
      case EMPTY_MATCH -> nop();
      case CONCAT -> child.stream().skip(1).reduce(child.get(0), this::cat);
      case ALTERNATE -> child.stream().skip(1).reduce(child.get(0), this::alt);
      case STAR -> star(child.get(0), nongreedy);
      case PLUS -> plus(child.get(0), nongreedy);
      case QUEST -> quest(child.get(0), nongreedy);
      case LITERAL -> literal(re.rune, f);
      case LITERAL_STRING -> {
        Frag frag = literal(re.runes[0], f);
        for (int i = 1; i < re.runes.length; i++) {
          frag = cat(frag, literal(re.runes[i], f));
        }
        yield frag;
      }
      case ANY_CHAR -> {
        beginRange();
        addRuneRange(0, Re2Class.MAX_RUNE, false);
        yield new Frag(rangeBegin, rangeEnd, false);
      }
      case ANY_BYTE -> byteRange(0x00, 0xFF, false);
      case CHAR_CLASS -> charClass(re.cc);
      case CAPTURE -> re.cap < 0 ? child.get(0) : capture(child.get(0));
      case BEGIN_LINE, END_LINE, BEGIN_TEXT, END_TEXT, WORD_BOUNDARY, NO_WORD_BOUNDARY ->
          emptyWidth();
      default -> throw new IllegalStateException("no instruction for " + re.op);
    };
  }

  // Prog::Optimize and Prog::Flatten, counting instead of building.

  private boolean isMatch(int id) {
    int i = id;
    while (true) {
      switch (opcode[i]) {
        case CAPTURE, NOP -> i = out[i];
        case MATCH -> {
          return true;
        }
        default -> {
          return false;
        }
      }
    }
  }

  private void optimize(int start) {
    List<Integer> q = new ArrayList<>();
    BitSet seen = new BitSet(ninst);
    addTo(q, seen, start);
    for (int k = 0; k < q.size(); k++) {
      int id = q.get(k);
      int j = out[id];
      while (j != 0 && opcode[j] == NOP) {
        j = out[j];
      }
      out[id] = j;
      addTo(q, seen, j);
      if (opcode[id] == ALT) {
        j = out1[id];
        while (j != 0 && opcode[j] == NOP) {
          j = out[j];
        }
        out1[id] = j;
        addTo(q, seen, j);
      }
    }
    q.clear();
    seen.clear();
    addTo(q, seen, start);
    for (int k = 0; k < q.size(); k++) {
      int id = q.get(k);
      addTo(q, seen, out[id]);
      if (opcode[id] == ALT) {
        addTo(q, seen, out1[id]);
        int j = out[id];
        int kk = out1[id];
        if (opcode[j] == BYTE_RANGE && out[j] == id && lo[j] == 0 && hi[j] == 0xFF && isMatch(kk)) {
          opcode[id] = ALT_MATCH;
        } else if (isMatch(j)
            && opcode[kk] == BYTE_RANGE
            && out[kk] == id
            && lo[kk] == 0
            && hi[kk] == 0xFF) {
          opcode[id] = ALT_MATCH;
        }
      }
    }
  }

  private static void addTo(List<Integer> q, BitSet seen, int id) {
    if (id != 0 && !seen.get(id)) {
      seen.set(id);
      q.add(id);
    }
  }

  // Flatten's working state: roots in the order they were found, and stamped marks reused by every
  // walk.
  private int[] rootIndex;
  private int roots;
  private int[] rootOrder;
  private int[] mark;
  private int stamp;
  private int[] stack;
  private int[] order;
  private int ordered;

  private boolean isRoot(int id) {
    return rootIndex[id] >= 0;
  }

  private void addRoot(int id) {
    if (rootIndex[id] < 0) {
      rootIndex[id] = roots;
      rootOrder[roots++] = id;
    }
  }

  private int flatten(int startUnanchored, int start) {
    rootIndex = new int[ninst];
    Arrays.fill(rootIndex, -1);
    rootOrder = new int[ninst];
    mark = new int[ninst];
    stack = new int[2 * ninst + 2];
    order = new int[ninst];
    addRoot(0);
    addRoot(startUnanchored);
    addRoot(start);
    markSuccessors(startUnanchored);
    indexPreds();
    int[] sorted = Arrays.copyOf(rootOrder, roots);
    Arrays.sort(sorted);
    for (int k = sorted.length - 1; k > 0; k--) {
      int root = sorted[k];
      if (root != startUnanchored && root != start) {
        markDominator(root);
      }
    }
    long size = 0;
    for (int k = 0; k < roots; k++) {
      size += emitList(rootOrder[k]);
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  // The Alt instructions leading to each instruction: pairs while walking, then grouped by target.
  private int[] predTo = new int[64];
  private int[] predFrom = new int[64];
  private int npred;
  private int[] predStart;
  private int[] predList;

  private void addPred(int to, int from) {
    if (npred == predTo.length) {
      predTo = Arrays.copyOf(predTo, npred * 2);
      predFrom = Arrays.copyOf(predFrom, npred * 2);
    }
    predTo[npred] = to;
    predFrom[npred++] = from;
  }

  private void indexPreds() {
    predStart = new int[ninst + 1];
    for (int k = 0; k < npred; k++) {
      predStart[predTo[k] + 1]++;
    }
    for (int i = 0; i < ninst; i++) {
      predStart[i + 1] += predStart[i];
    }
    int[] fill = Arrays.copyOf(predStart, ninst);
    predList = new int[npred];
    for (int k = 0; k < npred; k++) {
      predList[fill[predTo[k]]++] = predFrom[k];
    }
  }

  private void markSuccessors(int startUnanchored) {
    stamp++;
    int sp = 0;
    stack[sp++] = startUnanchored;
    while (sp > 0) {
      int id = stack[--sp];
      while (mark[id] != stamp) {
        mark[id] = stamp;
        switch (opcode[id]) {
          case ALT, ALT_MATCH -> {
            addPred(out[id], id);
            addPred(out1[id], id);
            stack[sp++] = out1[id];
            id = out[id];
          }
          case BYTE_RANGE, CAPTURE, EMPTY_WIDTH -> {
            addRoot(out[id]);
            id = out[id];
          }
          case NOP -> id = out[id];
          default -> {
            // Match and Fail end the walk
          }
        }
      }
    }
  }

  /**
   * Marks (with a new stamp) and lists in {@link #order} what root reaches without consuming input,
   * stopping at other roots.
   */
  private void closure(int root) {
    stamp++;
    ordered = 0;
    int sp = 0;
    stack[sp++] = root;
    while (sp > 0) {
      int id = stack[--sp];
      while (mark[id] != stamp) {
        mark[id] = stamp;
        order[ordered++] = id;
        if (id != root && isRoot(id)) {
          break;
        }
        if (opcode[id] == ALT || opcode[id] == ALT_MATCH) {
          stack[sp++] = out1[id];
          id = out[id];
        } else if (opcode[id] == NOP) {
          id = out[id];
        } else {
          break;
        }
      }
    }
  }

  private void markDominator(int root) {
    closure(root);
    for (int k = 0; k < ordered; k++) {
      int id = order[k];
      for (int j = predStart[id]; j < predStart[id + 1]; j++) {
        if (mark[predList[j]] != stamp) {
          addRoot(id);
        }
      }
    }
  }

  private int emitList(int root) {
    closure(root);
    int n = 0;
    for (int k = 0; k < ordered; k++) {
      int id = order[k];
      if (id != root && isRoot(id)) {
        n++; // a Nop to the other list
      } else {
        n +=
            switch (opcode[id]) {
              case ALT_MATCH, BYTE_RANGE, CAPTURE, EMPTY_WIDTH, MATCH, FAIL -> 1;
              default -> 0;
            };
      }
    }
    return n;
  }
}
