package dev.sluice.ir;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Basic auth against {@code users}: consumer name → htpasswd hash (empty: nobody can pass). */
public record BasicCheck(SortedMap<String, String> users) {
  public BasicCheck {
    users = Collections.unmodifiableSortedMap(new TreeMap<>(users));
  }
}
