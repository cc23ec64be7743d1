package dev.sluice.server.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;

/** Whether a proxy has answered, or accepted, what a snapshot holds for it. */
final class Acks {
  private Acks() {}

  /** Every type of the snapshot accepted (ACKed, not NACKed) by the proxy. */
  static boolean acceptedAll(ProxyRegistry.ProxyState p, HashedSnapshot s) {
    for (ResourceType rt : Resources.RESOURCE_TYPES_IN_ORDER) {
      if (!type(p, rt, s, mustAsk(rt), false)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Types a proxy asks for by name (endpoints, route tables, secrets): it has them only once it
   * asked.
   */
  static boolean mustAsk(ResourceType rt) {
    return rt == ResourceType.ENDPOINT || rt == ResourceType.ROUTE || rt == ResourceType.SECRET;
  }

  /**
   * Whether the proxy's last answer for one type is about this snapshot's version of what it asked
   * for. With {@code mustAsk}, a SotW proxy must have asked for every resource of the type (one
   * that has not yet asked for a new route table has not got it). With {@code nackCounts}, a NACK
   * is an answer too.
   */
  static boolean type(
      ProxyRegistry.ProxyState p,
      ResourceType rt,
      HashedSnapshot s,
      boolean mustAsk,
      boolean nackCounts) {
    TypeResources resources = s.type(rt);
    ProxyRegistry.TypeState t = p.types.get(AdsStream.shortType(rt));
    if (t == null) {
      return !mustAsk || resources.size() == 0;
    }
    Names asked = t.delta ? Names.ALL : t.requested;
    if (mustAsk && !t.delta && !resources.coveredBy(asked)) {
      return false;
    }
    String version = resources.version(asked);
    return version.equals(t.ackedVersion) || (nackCounts && version.equals(t.rejectedVersion));
  }
}
