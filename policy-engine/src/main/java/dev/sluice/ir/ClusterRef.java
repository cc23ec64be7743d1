package dev.sluice.ir;

import dev.sluice.policy.route.RouteSpec.Backend;
import java.util.List;

/**
 * A service, or the subset of its instances that carry all of some tags, and the name of the
 * cluster that serves it: {@code users}, or {@code users~v2} ('~' cannot appear in a service name).
 */
record ClusterRef(String service, List<String> tags) implements Comparable<ClusterRef> {
  ClusterRef {
    tags = tags.isEmpty() ? List.of() : tags.stream().sorted().distinct().toList();
  }

  static ClusterRef of(Backend b) {
    return new ClusterRef(b.service(), b.tags());
  }

  String name() {
    return tags.isEmpty() ? service : service + "~" + String.join("+", tags);
  }

  @Override
  public int compareTo(ClusterRef o) {
    return name().compareTo(o.name());
  }
}
