package dev.sluice.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A unified line diff (Myers' O(ND) algorithm: a shortest edit script), with three lines of context
 * around each change, in the format {@code diff -u} and {@code git diff} print.
 */
public final class LineDiff {
  /** Lines of context around each change. */
  public static final int CONTEXT = 3;

  private LineDiff() {}

  /** One line of the edit script: ' ' in both, '-' old only, '+' new only; line numbers from 0. */
  record Op(char kind, String text, int oldLine, int newLine) {}

  /**
   * The hunks ({@code @@ -a,b +c,d @@} and their lines) turning {@code oldText} into {@code
   * newText}, each line ending in a newline; empty when the texts have the same lines.
   */
  public static String unified(String oldText, String newText) {
    List<Op> ops = script(oldText.lines().toList(), newText.lines().toList());
    StringBuilder out = new StringBuilder();
    int k = 0;
    while (k < ops.size()) {
      if (ops.get(k).kind() == ' ') {
        k++;
        continue;
      }
      int start = Math.max(0, k - CONTEXT);
      int lastChange = k;
      for (int x = k; x < ops.size() && x - lastChange <= 2 * CONTEXT; x++) {
        if (ops.get(x).kind() != ' ') {
          lastChange = x;
        }
      }
      int end = Math.min(ops.size(), lastChange + CONTEXT + 1);
      List<Op> hunk = ops.subList(start, end);
      int oldCount = (int) hunk.stream().filter(o -> o.kind() != '+').count();
      int newCount = (int) hunk.stream().filter(o -> o.kind() != '-').count();
      // diff -u numbers an empty side by the line before it (0 for the start of the file).
      int oldStart = oldCount == 0 ? hunk.get(0).oldLine() : hunk.get(0).oldLine() + 1;
      int newStart = newCount == 0 ? hunk.get(0).newLine() : hunk.get(0).newLine() + 1;
      out.append("@@ -")
          .append(range(oldStart, oldCount))
          .append(" +")
          .append(range(newStart, newCount))
          .append(" @@\n");
      hunk.forEach(o -> out.append(o.kind()).append(o.text()).append('\n'));
      k = end;
    }
    return out.toString();
  }

  private static String range(int start, int count) {
    return count == 1 ? String.valueOf(start) : start + "," + count;
  }

  /**
   * The shortest edit script from {@code a} to {@code b}; past {@link #MAX_EDITS} edits (the search
   * keeps O(edits²) memory), the lines between the common head and tail are replaced as one block
   * instead.
   */
  static List<Op> script(List<String> a, List<String> b) {
    List<Op> shortest = shortest(a, b);
    return shortest != null ? shortest : replaceMiddle(a, b);
  }

  static final int MAX_EDITS = 4000;

  private static List<Op> replaceMiddle(List<String> a, List<String> b) {
    int head = 0;
    while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
      head++;
    }
    int tail = 0;
    while (tail < a.size() - head
        && tail < b.size() - head
        && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
      tail++;
    }
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < head; i++) {
      ops.add(new Op(' ', a.get(i), i, i));
    }
    for (int i = head; i < a.size() - tail; i++) {
      ops.add(new Op('-', a.get(i), i, head));
    }
    for (int j = head; j < b.size() - tail; j++) {
      ops.add(new Op('+', b.get(j), a.size() - tail, j));
    }
    for (int t = tail; t > 0; t--) {
      ops.add(new Op(' ', a.get(a.size() - t), a.size() - t, b.size() - t));
    }
    return ops;
  }

  private static List<Op> shortest(List<String> a, List<String> b) {
    int n = a.size();
    int m = b.size();
    int max = n + m;
    int offset = max + 1;
    int[] v = new int[2 * max + 3];
    // trace.get(d) holds v[-d..d] as it was before step d: enough to walk back.
    List<int[]> trace = new ArrayList<>();
    boolean done = false;
    found:
    for (int d = 0; d <= max; d++) {
      if (d > MAX_EDITS) {
        return null;
      }
      int[] copy = new int[2 * d + 1];
      System.arraycopy(v, offset - d, copy, 0, 2 * d + 1);
      trace.add(copy);
      for (int k = -d; k <= d; k += 2) {
        int x =
            k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])
                ? v[offset + k + 1]
                : v[offset + k - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a.get(x).equals(b.get(y))) {
          x++;
          y++;
        }
        v[offset + k] = x;
        if (x >= n && y >= m) {
          done = true;
          break found;
        }
      }
    }
    if (!done) {
      return null;
    }
    List<Op> ops = new ArrayList<>();
    int x = n;
    int y = m;
    for (int d = trace.size() - 1; d >= 0; d--) {
      int[] prev = trace.get(d);
      int k = x - y;
      int prevK;
      if (d == 0) {
        prevK = 0;
      } else {
        prevK = k == -d || (k != d && at(prev, d, k - 1) < at(prev, d, k + 1)) ? k + 1 : k - 1;
      }
      int prevX = d == 0 ? 0 : at(prev, d, prevK);
      int prevY = prevX - prevK;
      while (x > prevX && y > prevY) {
        x--;
        y--;
        ops.add(new Op(' ', a.get(x), x, y));
      }
      if (d > 0) {
        if (x == prevX) {
          y--;
          ops.add(new Op('+', b.get(y), x, y));
        } else {
          x--;
          ops.add(new Op('-', a.get(x), x, y));
        }
      }
    }
    Collections.reverse(ops);
    return ops;
  }

  /** v[k] in the row saved before step d, which holds v[-d..d]. */
  private static int at(int[] row, int d, int k) {
    int i = k + d;
    return i < 0 || i >= row.length ? 0 : row[i];
  }
}
