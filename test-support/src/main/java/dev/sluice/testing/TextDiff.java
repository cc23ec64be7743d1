package dev.sluice.testing;

import dev.sluice.core.LineDiff;

/** A unified diff of two texts with their names, for readable golden-file failures. */
public final class TextDiff {
  private TextDiff() {}

  public static String unified(
      String expectedName, String expected, String actualName, String actual) {
    return "--- "
        + expectedName
        + "\n+++ "
        + actualName
        + "\n"
        + LineDiff.unified(expected, actual);
  }
}
