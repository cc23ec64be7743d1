package dev.sluice.server.mesh;

import java.util.regex.Pattern;

/** The names in a SPIFFE ID: the trust domain and the service. */
final class SpiffeNames {
  /** Same rule as {@code dev.sluice.policy.Names#name}: the names users give services. */
  private static final Pattern SERVICE_NAME =
      Pattern.compile("^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$");

  /** SPIFFE trust domain names: lower-case letters, digits, '.', '_' and '-'. */
  private static final Pattern TRUST_DOMAIN =
      Pattern.compile("^[a-z0-9]([a-z0-9._-]{0,253}[a-z0-9])?$");

  private SpiffeNames() {}

  /** {@code spiffe://<trust-domain>/service/<service>}, once the service name is checked. */
  static String serviceId(String trustDomain, String service) {
    return "spiffe://" + trustDomain + "/service/" + checkService(service);
  }

  static String checkTrustDomain(String trustDomain) {
    if (trustDomain == null || !TRUST_DOMAIN.matcher(trustDomain).matches()) {
      throw new IllegalArgumentException(
          "\""
              + trustDomain
              + "\" is not a valid trust domain:"
              + " use lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit");
    }
    return trustDomain;
  }

  private static String checkService(String service) {
    if (service == null || !SERVICE_NAME.matcher(service).matches()) {
      throw new IllegalArgumentException(
          "\""
              + service
              + "\" is not a valid service name: use lower-case letters,"
              + " digits, '.', '_' and '-' (at most 63, starting and ending with a letter or digit)");
    }
    return service;
  }
}
