package dev.sluice.policy.route.headers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Header edits in one direction: set (replace), add (append) and remove, applied by Envoy. */
public record HeaderChanges(Map<String, String> set, Map<String, String> add, List<String> remove) {
  public static final HeaderChanges NONE = new HeaderChanges(Map.of(), Map.of(), List.of());

  public HeaderChanges {
    set = Collections.unmodifiableMap(new LinkedHashMap<>(set));
    add = Collections.unmodifiableMap(new LinkedHashMap<>(add));
    remove = List.copyOf(remove);
  }

  public boolean isEmpty() {
    return set.isEmpty() && add.isEmpty() && remove.isEmpty();
  }
}
