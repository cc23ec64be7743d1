package dev.sluice.server.auth;

import dev.sluice.policy.sidecar.SidecarSpec;

/**
 * What an Envoy says it is, read from its node: the sidecar of a service, or an Envoy of a gateway.
 * It decides which snapshot (and so which keys) the Envoy would receive, so a credential must grant
 * it.
 */
public record Claim(Kind kind, String name) {
  public enum Kind {
    GATEWAY,
    SERVICE
  }

  private static final String SIDECAR_PREFIX = SidecarSpec.group("");

  /**
   * The claim behind a proxy group: {@code sidecar~orders} is service orders, anything else a
   * gateway.
   */
  public static Claim ofGroup(String group) {
    return group.startsWith(SIDECAR_PREFIX)
        ? new Claim(Kind.SERVICE, group.substring(SIDECAR_PREFIX.length()))
        : new Claim(Kind.GATEWAY, group);
  }

  /**
   * {@code gateway edge} or {@code service orders}, as refusals name it; the name came from the
   * client, so it is made printable.
   */
  @Override
  public String toString() {
    return (kind == Kind.GATEWAY ? "gateway " : "service ") + ClientText.name(name);
  }
}
