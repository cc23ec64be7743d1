package dev.sluice.testing;

import java.util.ArrayList;
import java.util.List;

/** A small unified diff of two texts, for readable golden-file failures. */
public final class TextDiff {
  private static final int CONTEXT = 3;

  private TextDiff() {}

  /** One line of the edit script: ' ' in both, '-' expected only, '+' actual only. */
  private record Op(char kind, String text, int expectedLine, int actualLine) {}

  public static String unified(
      String expectedName, String expected, String actualName, String actual) {
    List<String> a = expected.lines().toList();
    List<String> b = actual.lines().toList();
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] =
            a.get(i).equals(b.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<Op> ops = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        ops.add(new Op(' ', a.get(i), i++, j++));
      } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.add(new Op('-', a.get(i), i++, j));
      } else {
        ops.add(new Op('+', b.get(j), i, j++));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("--- ")
        .append(expectedName)
        .append('\n')
        .append("+++ ")
        .append(actualName)
        .append('\n');
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
      long expectedCount = hunk.stream().filter(o -> o.kind() != '+').count();
      long actualCount = hunk.stream().filter(o -> o.kind() != '-').count();
      out.append("@@ -")
          .append(hunk.get(0).expectedLine() + 1)
          .append(',')
          .append(expectedCount)
          .append(" +")
          .append(hunk.get(0).actualLine() + 1)
          .append(',')
          .append(actualCount)
          .append(" @@\n");
      hunk.forEach(o -> out.append(o.kind()).append(o.text()).append('\n'));
      k = end;
    }
    if (!expected.equals(actual) && a.equals(b)) {
      out.append("(the texts differ only in line endings or the final newline)\n");
    }
    return out.toString();
  }
}
