package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link LineDiff}: shortest edit scripts, printed as {@code diff -u} prints hunks. */
class LineDiffTest {
  private static String lines(int from, int to) {
    return IntStream.rangeClosed(from, to)
        .mapToObj(i -> "line " + i + "\n")
        .collect(Collectors.joining());
  }

  @Test
  void equalTextsHaveNoHunks() {
    assertThat(LineDiff.unified("a\nb\n", "a\nb\n")).isEmpty();
    assertThat(LineDiff.unified("", "")).isEmpty();
  }

  @Test
  void oneChangedLineIsOneHunkWithThreeLinesOfContextOnEachSide() {
    String before = lines(1, 20);
    String after = before.replace("line 10\n", "line ten\n");
    assertThat(LineDiff.unified(before, after))
        .isEqualTo(
            """
        @@ -7,7 +7,7 @@
         line 7
         line 8
         line 9
        -line 10
        +line ten
         line 11
         line 12
         line 13
        """);
  }

  /** The expected texts are what GNU {@code diff -u} prints for the same input. */
  @Test
  void changesFarApartAreSeparateHunksAndCloseOnesShareOne() {
    String before = lines(1, 30);
    String far = before.replace("line 3\n", "").replace("line 25\n", "line 25\nnew\n");
    assertThat(LineDiff.unified(before, far))
        .isEqualTo(
            """
        @@ -1,6 +1,5 @@
         line 1
         line 2
        -line 3
         line 4
         line 5
         line 6
        @@ -23,6 +22,7 @@
         line 23
         line 24
         line 25
        +new
         line 26
         line 27
         line 28
        """);
    String close = before.replace("line 10\n", "").replace("line 15\n", "fifteen\n");
    assertThat(LineDiff.unified(before, close))
        .startsWith("@@ -7,12 +7,11 @@\n")
        .containsOnlyOnce("@@ -");
  }

  @Test
  void aWholeNewTextIsAddedFromLineZero() {
    assertThat(LineDiff.unified("", "a\nb\n")).isEqualTo("@@ -0,0 +1,2 @@\n+a\n+b\n");
    assertThat(LineDiff.unified("a\n", "")).isEqualTo("@@ -1 +0,0 @@\n-a\n");
  }

  @Test
  void theScriptRebuildsBothTextsAndKeepsALongestCommonSubsequence() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      List<String> a = randomLines(random);
      List<String> b = randomLines(random);
      List<LineDiff.Op> ops = LineDiff.script(a, b);
      assertThat(ops.stream().filter(o -> o.kind() != '+').map(LineDiff.Op::text).toList())
          .isEqualTo(a);
      assertThat(ops.stream().filter(o -> o.kind() != '-').map(LineDiff.Op::text).toList())
          .isEqualTo(b);
      assertThat(ops.stream().filter(o -> o.kind() == ' ').count())
          .as("%s -> %s", a, b)
          .isEqualTo(lcs(a, b));
    }
  }

  @Test
  void pastTheEditLimitTheMiddleIsReplacedAsOneBlock() {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    a.add("same");
    b.add("same");
    for (int i = 0; i < LineDiff.MAX_EDITS; i++) {
      a.add("a" + i);
      b.add("b" + i);
    }
    a.add("end");
    b.add("end");
    List<LineDiff.Op> ops = LineDiff.script(a, b);
    assertThat(ops.stream().filter(o -> o.kind() != '+').map(LineDiff.Op::text).toList())
        .isEqualTo(a);
    assertThat(ops.stream().filter(o -> o.kind() != '-').map(LineDiff.Op::text).toList())
        .isEqualTo(b);
    assertThat(ops.stream().filter(o -> o.kind() == ' ').count()).isEqualTo(2);
  }

  private static List<String> randomLines(Random random) {
    List<String> out = new ArrayList<>();
    int n = random.nextInt(12);
    for (int i = 0; i < n; i++) {
      out.add(String.valueOf((char) ('a' + random.nextInt(4))));
    }
    return out;
  }

  private static int lcs(List<String> a, List<String> b) {
    int[][] t = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        t[i][j] =
            a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
      }
    }
    return t[0][0];
  }
}
