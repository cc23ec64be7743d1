package dev.sluice.server.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import java.util.ArrayList;
import java.util.List;

/**
 * A proxy's state, the one definition that {@code /proxies}, the status page and {@code sluice
 * status} show.
 *
 * @param state what the proxy runs compared with what its group should run
 * @param types for {@link State#REJECTED} the types it rejects, for {@link State#CATCHING_UP} those
 *     it has not accepted yet (Envoy's type names: Cluster, RouteConfiguration...)
 */
public record ProxySync(State state, List<String> types) {
  public enum State {
    /** It accepted everything its group's current config holds. */
    IN_SYNC("in sync"),
    /** It has not accepted all of the current config yet, and rejects none of it. */
    CATCHING_UP("catching up"),
    /** Its latest answer for some type is a NACK that no accepted version has superseded. */
    REJECTED("rejected"),
    /** Its group has no config yet (warm start, or no policy reaches the group). */
    NOT_CONFIGURED("not configured");

    private final String label;

    State(String label) {
      this.label = label;
    }

    /** As every view writes it. */
    public String label() {
      return label;
    }
  }

  /** The state of a proxy against its group's current snapshot (null when the group has none). */
  static ProxySync of(ProxyRegistry.ProxyState p, HashedSnapshot current) {
    if (current == null) {
      return new ProxySync(State.NOT_CONFIGURED, List.of());
    }
    List<String> rejected = p.nacks().stream().map(ProxyRegistry.Nack::type).sorted().toList();
    if (!rejected.isEmpty()) {
      return new ProxySync(State.REJECTED, rejected);
    }
    List<String> behind = new ArrayList<>();
    for (ResourceType rt : Resources.RESOURCE_TYPES_IN_ORDER) {
      if (!Acks.type(p, rt, current, Acks.mustAsk(rt), false)) {
        behind.add(AdsStream.shortType(rt));
      }
    }
    return new ProxySync(behind.isEmpty() ? State.IN_SYNC : State.CATCHING_UP, List.copyOf(behind));
  }
}
