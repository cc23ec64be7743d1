package dev.sluice.policy.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of code points as RE2's {@code CharClassBuilder} keeps it: sorted ranges, merged when they
 * touch, with the number of code points they hold (which decides whether a class of one or two
 * characters becomes a literal).
 */
final class Re2Class {
  static final int MAX_RUNE = 0x10FFFF;
  private final TreeMap<Integer, Integer> ranges = new TreeMap<>();
  private long runes;

  /** Adds lo-hi; false when it was all there already. */
  boolean add(int lo, int hi) {
    if (hi < lo) {
      return false;
    }
    Map.Entry<Integer, Integer> at = ranges.floorEntry(lo);
    if (at != null && at.getValue() >= hi) {
      return false;
    }
    int newLo = lo;
    int newHi = hi;
    if (at != null && at.getValue() >= lo - 1) {
      newLo = at.getKey();
      newHi = Math.max(newHi, at.getValue());
      remove(at.getKey());
    }
    Map.Entry<Integer, Integer> next = ranges.ceilingEntry(newLo);
    while (next != null && next.getKey() <= (long) newHi + 1) {
      newHi = Math.max(newHi, next.getValue());
      remove(next.getKey());
      next = ranges.ceilingEntry(newLo);
    }
    ranges.put(newLo, newHi);
    runes += newHi - newLo + 1;
    return true;
  }

  private void remove(int lo) {
    int hi = ranges.remove(lo);
    runes -= hi - lo + 1;
  }

  void addAll(Re2Class other) {
    other.ranges.forEach(this::add);
  }

  boolean contains(int r) {
    Map.Entry<Integer, Integer> at = ranges.floorEntry(r);
    return at != null && at.getValue() >= r;
  }

  void negate() {
    List<int[]> old = list();
    ranges.clear();
    runes = 0;
    int next = 0;
    for (int[] r : old) {
      add(next, r[0] - 1);
      next = r[1] + 1;
    }
    add(next, MAX_RUNE);
  }

  void removeAbove(int max) {
    for (int[] r : list()) {
      if (r[0] > max) {
        remove(r[0]);
      } else if (r[1] > max) {
        remove(r[0]);
        add(r[0], max);
      }
    }
  }

  long size() {
    return runes;
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  boolean isFull() {
    return runes == MAX_RUNE + 1;
  }

  int first() {
    return ranges.firstKey();
  }

  /** Whether every ASCII letter is in the class exactly when its other case is. */
  boolean foldsAscii() {
    for (int c = 'a'; c <= 'z'; c++) {
      if (contains(c) != contains(c - 'a' + 'A')) {
        return false;
      }
    }
    return true;
  }

  /** The ranges as {lo, hi} pairs, in order. */
  List<int[]> list() {
    List<int[]> out = new ArrayList<>(ranges.size());
    ranges.forEach((lo, hi) -> out.add(new int[] {lo, hi}));
    return out;
  }

  boolean sameAs(Re2Class other) {
    return ranges.equals(other.ranges);
  }
}
