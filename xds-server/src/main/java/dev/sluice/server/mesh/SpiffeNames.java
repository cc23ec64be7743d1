package dev.sluice.server.mesh;

import dev.sluice.core.NameRules;

/** The names in a SPIFFE ID: the trust domain and the service. */
final class SpiffeNames {
  private SpiffeNames() {}

  /** {@code spiffe://<trust-domain>/service/<service>}, once the service name is checked. */
  static String serviceId(String trustDomain, String service) {
    return "spiffe://" + trustDomain + "/service/" + checkService(service);
  }

  static String checkTrustDomain(String trustDomain) {
    if (!NameRules.isTrustDomain(trustDomain)) {
      throw new IllegalArgumentException(
          "\""
              + trustDomain
              + "\" is not a valid trust domain:"
              + " use lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit");
    }
    return trustDomain;
  }

  private static String checkService(String service) {
    if (!NameRules.isName(service)) {
      throw new IllegalArgumentException(
          "\""
              + service
              + "\" is not a valid service name: use lower-case letters,"
              + " digits, '.', '_' and '-' (at most 63, starting and ending with a letter or digit)");
    }
    return service;
  }
}
