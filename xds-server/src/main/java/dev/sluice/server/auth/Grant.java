package dev.sluice.server.auth;

import java.util.Set;

/**
 * What one credential lets an Envoy be: Envoys of these gateways, sidecars of these services.
 * {@value #ANY} grants every name of its kind (for trusted tooling, such as load tests).
 *
 * @param name the credential's name, shown in logs and on the status page instead of the secret
 */
record Grant(String name, Set<String> gateways, Set<String> services) {
  static final String ANY = "*";

  Grant {
    gateways = Set.copyOf(gateways);
    services = Set.copyOf(services);
  }

  boolean allows(Claim claim) {
    Set<String> names = claim.kind() == Claim.Kind.GATEWAY ? gateways : services;
    return names.contains(ANY) || names.contains(claim.name());
  }

  Decision decide(Claim claim, String what) {
    return allows(claim)
        ? Decision.allow(name)
        : Decision.deny(name, Decision.NOT_GRANTED, what + " does not grant " + claim);
  }
}
